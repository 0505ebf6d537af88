import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import archiver from 'archiver';
import { createWriteStream } from 'node:fs';
import { formatReport, UnreadableListError, validateListFile } from '../../src/lists';
import { LIST_LIMITS, ListLimitError, listLimits, type ListLimits } from '../../src/lists/limits';
import { syntheticHeaders } from '../../src/lists/synthetic';
import { writeLongCsv, writeZip, writeZipBomb } from './hostile-files';
import { cleanRows, OPTS, readZip, tempDir, writeText, writeXlsx } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

async function refusal(path: string, limits?: Partial<ListLimits>): Promise<UnreadableListError> {
  const err = await validateListFile('6', path, { ...OPTS, limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof UnreadableListError)) throw new Error(`not refused: ${String(err)}`);
  return err;
}

async function overLimit(path: string, limits?: Partial<ListLimits>): Promise<ListLimitError> {
  const err = await refusal(path, limits);
  expect(err).toBeInstanceOf(ListLimitError);
  expect(err.reason).toBe('over-limit');
  expect(err.name).toBe('ListLimitError');
  return err as ListLimitError;
}

/** Re-zips a workbook, adding parts (archiver: data descriptors, as Excel's own writer does not). */
async function rezip(
  from: string,
  to: string,
  extra: Record<string, string>,
  zip64 = false,
): Promise<string> {
  const parts = readZip(from);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(to);
    const a = archiver('zip', { forceZip64: zip64 });
    out.on('close', () => resolve());
    a.on('error', reject);
    a.pipe(out);
    for (const [name, data] of parts) a.append(data, { name });
    for (const [name, text] of Object.entries(extra)) a.append(text, { name });
    void a.finalize();
  });
  return to;
}

test('the defaults: at least 250,000 rows; overrides must be positive numbers', () => {
  expect(LIST_LIMITS.rows).toBeGreaterThanOrEqual(250_000);
  expect(listLimits({ rows: 10 }).rows).toBe(10);
  expect(listLimits().errors).toBe(1_000);
  expect(() => listLimits({ rows: 0 })).toThrow(/rows must be a positive number/);
});

describe('a workbook is checked from its zip directory before anything is unzipped', () => {
  test('the zip bomb: a sheet that unzips to 1.15 GB is refused by the part size limit', async () => {
    const p = join(dir, 'bomb.xlsx');
    const { size } = await writeZipBomb(p);
    expect(size).toBeGreaterThan(1_100_000_000);
    expect(statSync(p).size).toBeLessThan(5_000_000);
    const err = await overLimit(p);
    expect(err.limit).toBe('partBytes');
    expect(err.message).toMatch(
      /^The workbook's part xl\/worksheets\/sheet1\.xml unzips to 1,09\d MB; the most accepted for one part is 512 MB \(the part size limit\)/,
    );
  });

  test('nothing was unzipped: the same bomb with its compressed bytes zeroed is refused the same way', async () => {
    // Had the checker inflated the sheet, zeros would have made it "damaged" instead.
    const p = join(dir, 'bomb-zeros.xlsx');
    await writeZipBomb(p, 1_150_000_000, { garbage: true });
    expect((await overLimit(p)).limit).toBe('partBytes');
    const small = join(dir, 'small-zeros.xlsx');
    await writeZipBomb(small, 5_000_000, { garbage: true });
    expect((await refusal(small, { partRatio: 10_000 })).message).toMatch(
      /damaged \(the part xl\/worksheets\/sheet1\.xml cannot be unzipped\)/,
    );
  });

  test('under the size limit, a part that unzips to over 100 times its size is refused by the ratio limit', async () => {
    const p = join(dir, 'ratio.xlsx');
    await writeZipBomb(p, 50_000_000);
    const err = await overLimit(p);
    expect(err.limit).toBe('partRatio');
    expect(err.message).toMatch(
      /unzips to [\d,]+ times its zipped size; the most accepted is 100 times \(the compression ratio limit\)/,
    );
  });

  test('a directory that says a bomb is small is caught while unzipping, at the size it gave', async () => {
    const p = join(dir, 'liar.xlsx');
    await writeZipBomb(p, 200_000_000, { declaredSize: 900_000 });
    const err = await refusal(p);
    expect(err).not.toBeInstanceOf(ListLimitError);
    expect(err.message).toMatch(
      /damaged \(the part xl\/worksheets\/sheet1\.xml unzips to more than its directory says\)/,
    );
  });

  test('too many sheets', async () => {
    const p = await writeXlsx(join(dir, 'sheets.xlsx'), [
      { name: 'List 6', rows: cleanRows('6', 2) },
      { name: 'A', rows: [['a']] },
      { name: 'B', rows: [['b']] },
    ]);
    const err = await overLimit(p, { sheets: 2 });
    expect(err.limit).toBe('sheets');
    expect(err.message).toMatch(/^The workbook has 3 sheets; the most accepted is 2 \(the sheets limit\)/);
    expect((await validateListFile('6', p, OPTS)).valid).toBe(true);
  });

  test('macros, links to other files, embedded objects: refused by name before anything is read', async () => {
    const base = await writeXlsx(join(dir, 'base.xlsx'), cleanRows('6', 2));
    const macro = await rezip(base, join(dir, 'macro.xlsx'), { 'xl/vbaProject.bin': 'not really' });
    const err = await refusal(macro);
    expect(err.reason).toBe('active-content');
    expect(err.message).toMatch(/^The workbook contains macros\. A list is values only/);
    const linked = await rezip(base, join(dir, 'linked.xlsx'), {
      'xl/externalLinks/externalLink1.xml': '<externalLink/>',
      'xl/embeddings/oleObject1.bin': 'x',
    });
    expect((await refusal(linked)).message).toMatch(
      /contains links to other files and embedded files or objects/,
    );
  });

  test('damaged directories: a part named twice, parts that share bytes', async () => {
    const twice = join(dir, 'twice.xlsx');
    const part = { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet/>') };
    await writeZip(twice, [part, part]);
    expect((await refusal(twice)).message).toMatch(/the part xl\/worksheets\/sheet1\.xml is there twice/);
  });

  test('zip64 directories and data descriptors are read (the list is checked as usual)', async () => {
    const base = await writeXlsx(join(dir, 'z.xlsx'), cleanRows('6', 3));
    const z64 = await rezip(base, join(dir, 'z64.xlsx'), {}, true);
    const r = await validateListFile('6', z64, OPTS);
    expect(r).toMatchObject({ rows: 3, valid: true, findings: [] });
  });
});

describe('rows, cells per row, cell size', () => {
  test('rows: every sheet counted, refused as soon as the limit is passed', async () => {
    const p = await writeXlsx(join(dir, 'rows.xlsx'), [
      { name: 'List 6', rows: cleanRows('6', 30) },
      { name: 'More', rows: Array.from({ length: 30 }, (_, i) => [`x${i}`]) },
    ]);
    const err = await overLimit(p, { rows: 50 });
    expect(err.limit).toBe('rows');
    expect(err.message).toMatch(
      /^The file has more than 50 rows, every sheet counted; the most accepted is 50 \(the row limit\)/,
    );
    expect((await validateListFile('6', p, { ...OPTS, limits: { rows: 61 } })).rows).toBe(30);
  });

  test('a CSV of a million rows is refused by the row limit (default)', async () => {
    const p = join(dir, 'million.csv');
    await writeLongCsv(p, 1_000_000);
    const err = await overLimit(p);
    expect(err.limit).toBe('rows');
    expect(err.message).toMatch(
      /^The file has more than 300,000 rows; the most accepted is 300,000 \(the row limit\)/,
    );
  }, 120_000);

  test('a cell far to the right of a workbook row', async () => {
    const rows = cleanRows('6', 2);
    const far: (string | null)[] = Array<string | null>(1500).fill(null);
    far[1499] = 'x';
    rows.push(far);
    const err = await overLimit(await writeXlsx(join(dir, 'wide.xlsx'), rows));
    expect(err.limit).toBe('cellsPerRow');
    expect(err.message).toMatch(
      /^Row 4 of sheet 1 has more than 1,000 cells; the most accepted in one row is 1,000/,
    );
  });

  test('a CSV row of many cells, a cell of many characters, a quote that never closes', async () => {
    const header = syntheticHeaders('6').join(',');
    const wide = await writeText(join(dir, 'wide.csv'), `${header}\r\nSYN1${','.repeat(5000)}\r\n`);
    expect((await overLimit(wide)).message).toMatch(/^Row 2 has more than 1,000 cells/);
    const long = await writeText(join(dir, 'long.csv'), `${header}\r\nSYN1,${'x'.repeat(40_000)}\r\n`);
    expect((await overLimit(long)).message).toMatch(/^Row 2 has a cell of more than 32,767 characters/);
    const open = join(dir, 'open.csv');
    await writeFile(open, `${header}\r\nSYN1,"${'y'.repeat(5_000_000)}`);
    expect((await overLimit(open)).limit).toBe('cellChars');
  });

  test('a CSV larger than the part size limit is refused before it is read', async () => {
    const p = await writeText(
      join(dir, 'big.csv'),
      `${syntheticHeaders('6').join(',')}\r\n${'x'.repeat(2000)}\r\n`,
    );
    const err = await overLimit(p, { partBytes: 1000 });
    expect(err.message).toMatch(/^The file is 1 MB; the most accepted is 1 MB \(the file size limit\)/);
  });
});

describe('findings: the first of each kind kept, all counted', () => {
  test('1,500 rows each with an error: 1,000 kept, 1,500 counted; warnings kept apart', async () => {
    const rows = cleanRows('6', 1500);
    for (let i = 1; i <= 1500; i++) {
      const r = rows[i];
      if (r) {
        r[8] = 'XX'; // Primary need code: an error
        if (i <= 20) r[11] = '-'; // Reason for closure: a dash, a warning
      }
    }
    const p = await writeXlsx(join(dir, 'many.xlsx'), rows);
    const r = await validateListFile('6', p, OPTS);
    expect(r.valid).toBe(false);
    expect(r.counts).toEqual({ errors: 1500, warnings: 20 });
    expect(r.findings.filter((f) => f.severity === 'error')).toHaveLength(1000);
    expect(r.findings.filter((f) => f.severity === 'warning')).toHaveLength(20);
    expect(r.findings.at(-1)?.row).toBe(1001);
    const text = formatReport(r);
    expect(text).toMatch(/1,500 rows read, 1,500 errors, 20 warnings\. NOT ACCEPTED/);
    expect(text).toContain('Only the first 1,020 findings are listed below (the findings limit)');
    const fewer = await validateListFile('6', p, { ...OPTS, limits: { errors: 10, warnings: 5 } });
    expect(fewer.findings).toHaveLength(15);
    expect(fewer.counts).toEqual({ errors: 1500, warnings: 20 });
  });
});
