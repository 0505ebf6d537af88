import { createHash } from 'node:crypto';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { buildCandidates, sanitiseName, writeInspectorPack } from '../../src/lists';
import { cleanRows, col, OPTS, readZip, tempDir, writeText, writeXlsx } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('candidates workbook', () => {
  test('merges lists 6 to 8 (flagged Y) and the YOT/NPS lists, one row per child, with the lists and Option B answers', async () => {
    // Rows flagged Y in the synthetic lists: SYN0001, SYN0004 (every third from 1).
    const l6 = await writeXlsx(join(dir, 'c6.xlsx'), cleanRows('6', 5, 'B'));
    const rows7 = cleanRows('7', 5, 'B');
    const q1 = col(
      '7',
      'Is child sexual abuse in the family environment a current or significant factor? (Y/N)',
      'B',
    );
    const row7 = rows7[2];
    if (row7) row7[q1] = 'N'; // SYN0002 is not flagged on list 7: its answer does not count
    const rowFlag = rows7[1];
    if (rowFlag) rowFlag[q1] = 'N'; // SYN0001 on list 7 says N where list 6 says Y
    const l7 = await writeXlsx(join(dir, 'c7.xlsx'), rows7);
    const yotRows = cleanRows('yot', 2);
    const y2 = yotRows[2];
    if (y2) y2[0] = 'SYN0009';
    const yot = await writeXlsx(join(dir, 'cyot.xlsx'), yotRows);
    const out = join(dir, 'candidates.xlsx');
    const result = await buildCandidates(
      [
        { list: '6', filePath: l6 },
        { list: '7', filePath: l7 },
        { list: 'yot', filePath: yot },
      ],
      'B',
      out,
      OPTS,
    );
    expect(result.candidates).toEqual(['SYN0001', 'SYN0004', 'SYN0009']);
    expect(result.reports.map((r) => r.valid)).toEqual([true, true, true]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet('Candidates');
    const values = (n: number) => (ws?.getRow(n).values as unknown[]).slice(1);
    expect(values(1).slice(0, 5)).toEqual([
      'Child unique ID',
      'On lists',
      'Child in need',
      'Child protection plan',
      'Looked after',
    ]);
    expect(values(1)).toHaveLength(5 + 7 + 1);
    expect(values(2).slice(0, 5)).toEqual(['SYN0001', '6, 7, YOT', 'Y', 'Y', 'Y']); // looked after: from the YOT list's answer
    expect(values(2)[5]).toBe('Y');
    expect(values(2)[12]).toBe('question 1');
    expect(values(4).slice(0, 5)).toEqual(['SYN0009', 'YOT', 'N', 'N', 'N']);
    expect(ws?.rowCount).toBe(4);
  });

  test('only lists that put children forward are accepted', async () => {
    await expect(buildCandidates([{ list: '1', filePath: 'x' }], 'A', join(dir, 'x.xlsx'))).rejects.toThrow(
      /does not put children forward/,
    );
  });
});

describe('inspector pack', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  test('folders per deliverable and agency, sanitised names, an HTML and CSV index', async () => {
    const a = await writeText(join(dir, 'a.bin'), 'list six');
    const b = await writeText(join(dir, 'b.bin'), 'policy');
    const c = await writeText(join(dir, 'c.bin'), 'other');
    const out = join(dir, 'pack.zip');
    const result = await writeInspectorPack(
      [
        {
          deliverable: 'Lists 6-8',
          agency: "Local authority children's services",
          receivedAt: '2026-03-04T14:55:00Z',
          late: false,
          files: [
            { name: 'list6.xlsx', path: a, sha256: sha('list six') },
            { name: '../../etc/passwd', path: b, sha256: sha('policy') },
          ],
        },
        {
          deliverable: '3.5 Strategy/policies',
          agency: 'Police',
          receivedAt: '2026-03-10T17:30:00Z',
          late: true,
          files: [
            { name: 'CON', path: c, sha256: sha('other') },
            { name: 'con', path: c, sha256: sha('other') },
            { name: '=HYPERLINK("x")<b>.docx', path: c, sha256: sha('other') },
          ],
        },
      ],
      out,
    );
    expect(result.paths).toEqual([
      "Lists 6-8/Local authority children's services/list6.xlsx",
      "Lists 6-8/Local authority children's services/_.._etc_passwd",
      '3.5 Strategy_policies/Police/_CON',
      '3.5 Strategy_policies/Police/_con (2)',
      '3.5 Strategy_policies/Police/=HYPERLINK(_x_)_b_.docx',
    ]);
    const zip = readZip(out);
    expect([...zip.keys()].sort()).toEqual(['index.csv', 'index.html', ...result.paths].sort());
    for (const name of zip.keys()) expect(name.split('/')).not.toContain('..');
    expect(zip.get("Lists 6-8/Local authority children's services/list6.xlsx")?.toString()).toBe('list six');
    const csv = zip.get('index.csv')?.toString() ?? '';
    expect(csv.split('\r\n')[0]).toBe('\ufeffdeliverable,agency,received,late,file,path in pack,sha256');
    expect(csv).toContain(
      `Lists 6-8,Local authority children's services,"Wed 4 Mar 2026, 14:55 UK time",on time,list6.xlsx,`,
    );
    expect(csv).toContain('"Tue 10 Mar 2026, 17:30 UK time",late');
    expect(csv).toContain(`"'=HYPERLINK(""x"")<b>.docx"`);
    expect(csv).toContain(sha('list six'));
    const html = zip.get('index.html')?.toString() ?? '';
    expect(html).toContain('&#60;b&#62;');
    expect(html).not.toContain('<b>.docx');
    expect(html).toContain('Late');
  });

  test('a file that does not match its SHA-256 stops the pack', async () => {
    const a = await writeText(join(dir, 'tampered.bin'), 'changed');
    await expect(
      writeInspectorPack(
        [
          {
            deliverable: 'd',
            agency: 'a',
            receivedAt: '2026-03-04T10:00:00Z',
            late: false,
            files: [{ name: 'f', path: a, sha256: sha('original') }],
          },
        ],
        join(dir, 'bad.zip'),
      ),
    ).rejects.toThrow(/does not match its recorded SHA-256/);
  });

  test('sanitiseName', () => {
    expect(sanitiseName('..', 'file')).toBe('file');
    expect(sanitiseName('a/b\\c:d', 'file')).toBe('a_b_c_d');
    expect(sanitiseName(' .hidden ', 'file')).toBe('hidden');
    expect(sanitiseName('x\u0000y\n', 'file')).toBe('xy');
    expect(sanitiseName('a'.repeat(300) + '.xlsx', 'file')).toHaveLength(120);
  });
});
