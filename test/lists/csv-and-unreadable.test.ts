import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import archiver from 'archiver';
import { UnreadableListError, validateListFile } from '../../src/lists';
import { syntheticHeaders } from '../../src/lists/synthetic';
import { OPTS, tempDir, writeText, writeXlsx } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function list6Csv(rows: string[][], delimiter = ','): string {
  return [syntheticHeaders('6'), ...rows].map((r) => r.map(quote).join(delimiter)).join('\r\n') + '\r\n';
}

// Child unique ID, Gender, Ethnicity, DOB, expected DOB, Age, Disability, CIN start, Primary need, Last seen,
// Closure, Reason, Case status, Team, Worker, theme
const row = (id: string, over: Partial<Record<number, string>> = {}): string[] => {
  const r = [
    id,
    'b) Female',
    'WBRI - White British',
    '10/05/2015',
    '',
    '10',
    'N',
    '03/11/2025',
    'N1 - Abuse or neglect',
    '01/02/2026',
    '',
    '',
    'c) Child in need plan',
    'Team "North", east',
    'Worker 1',
    'Y',
  ];
  for (const [k, v] of Object.entries(over)) r[Number(k)] = v ?? '';
  return r;
};

describe('CSV', () => {
  test('UTF-8 with a BOM, quoted fields (commas, quotes, line breaks) and dd/mm/yyyy dates', async () => {
    const text = list6Csv([
      row('SYN0001'),
      row('SYN0002', { 14: 'Worker\non two lines' }),
      row('SYN0003', { 7: '31/02/2026' }),
    ]);
    const p = await writeText(
      join(dir, 'bom.csv'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    );
    const r = await validateListFile('6', p, OPTS);
    expect(r.rows).toBe(3);
    expect(r.findings.map((f) => [f.row, f.column, f.code])).toEqual([
      [4, 'Child in need start date', 'date-impossible'],
    ]);
    expect(r.findings[0]?.message).toMatch(/"31\/02\/2026" is not a real date/);
    expect(r.candidates).toEqual(['SYN0001', 'SYN0002', 'SYN0003']);
  });

  test('the first header is found despite the BOM (no extra-column warning)', async () => {
    const p = await writeText(join(dir, 'bom2.csv'), '\ufeff' + list6Csv([row('SYN0001')]));
    const r = await validateListFile('6', p, OPTS);
    expect(r.findings).toEqual([]);
  });

  test('semicolon-separated, and UTF-16 with a BOM', async () => {
    const p1 = await writeText(join(dir, 'semi.csv'), list6Csv([row('SYN0001'), row('SYN0002')], ';'));
    expect((await validateListFile('6', p1, OPTS)).findings).toEqual([]);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(list6Csv([row('SYN0001')]), 'utf16le'),
    ]);
    const p2 = await writeText(join(dir, 'utf16.csv'), utf16);
    const r2 = await validateListFile('6', p2, OPTS);
    expect(r2.findings).toEqual([]);
    expect(r2.rows).toBe(1);
  });

  test('a negative number in CSV is a number, not unsafe text; other text starting with - is', async () => {
    const p = await writeText(
      join(dir, 'neg.csv'),
      list6Csv([row('SYN0001', { 5: '-1' }), row('SYN0002', { 13: '-Team' })]),
    );
    const r = await validateListFile('6', p, OPTS);
    expect(r.findings.map((f) => [f.row, f.code])).toEqual([
      [2, 'below-minimum'],
      [3, 'unsafe-text'],
    ]);
  });
});

async function expectUnreadable(list: Parameters<typeof validateListFile>[0], p: string, reason: string) {
  const err = await validateListFile(list, p, OPTS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnreadableListError);
  expect((err as UnreadableListError).reason).toBe(reason);
  return err as UnreadableListError;
}

describe('files that cannot be read as a list', () => {
  test('a text file named .xlsx', async () => {
    const p = await writeText(join(dir, 'notes.xlsx'), 'Child unique ID,Gender\nSYN0001,M\n');
    const err = await expectUnreadable('6', p, 'not-a-workbook');
    expect(err.message).toMatch(/named \.xlsx but is not an Excel workbook/);
  });

  test('an empty file, an empty CSV, a workbook with nothing in it', async () => {
    await expectUnreadable('6', await writeText(join(dir, 'empty.xlsx'), ''), 'empty');
    await expectUnreadable('6', await writeText(join(dir, 'blank.csv'), '\r\n  \r\n,,\r\n'), 'empty');
    await expectUnreadable('6', await writeXlsx(join(dir, 'nothing.xlsx'), [[]]), 'empty');
  });

  test('a password-protected workbook (encrypted: an OLE2 file with EncryptionInfo)', async () => {
    const cfb = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb);
    Buffer.from('EncryptionInfo', 'utf16le').copy(cfb, 1024);
    const err = await expectUnreadable(
      '6',
      await writeText(join(dir, 'locked.xlsx'), cfb),
      'password-protected',
    );
    expect(err.message).toMatch(/password/);
  });

  test('an old .xls file', async () => {
    const cfb = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb);
    const err = await expectUnreadable('6', await writeText(join(dir, 'old.xls'), cfb), 'not-a-workbook');
    expect(err.message).toMatch(/save it as \.xlsx/);
  });

  test('a zip that is not a workbook', async () => {
    const p = join(dir, 'other.xlsx');
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(p);
      const a = archiver('zip');
      out.on('close', () => resolve());
      a.on('error', reject);
      a.pipe(out);
      a.append('hello', { name: 'hello.txt' });
      void a.finalize();
    });
    await expectUnreadable('6', p, 'not-a-workbook');
  });

  test('binary junk named .csv', async () => {
    await expectUnreadable(
      '6',
      await writeText(join(dir, 'junk.csv'), Buffer.from([1, 0, 2, 0, 3, 0, 0, 0])),
      'not-a-workbook',
    );
  });

  test('no header row on any sheet says which row came closest', async () => {
    const p = await writeXlsx(join(dir, 'nohead.xlsx'), [
      ['Some report'],
      ['ID', 'Gender', 'Colour'],
      ['SYN0001', 'M', 'blue'],
    ]);
    const err = await expectUnreadable('6', p, 'no-header');
    expect(err.message).toMatch(/closest was row 2 of sheet "Sheet1"/);
  });
});
