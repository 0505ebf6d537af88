import { createHash } from 'node:crypto';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  buildCandidates,
  sanitiseName,
  writeInspectorPack,
  type PackContent,
  type PackFile,
} from '../../src/lists';
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
  const pdf = (name: string, path: string, text: string, folder: string[]): PackFile => ({
    folder,
    name,
    extension: '.pdf',
    path,
    sha256: sha(text),
  });

  test('a folder per tracked child with its cover sheet, files named by what they are, an HTML and CSV index', async () => {
    const a = await writeText(join(dir, 'a.bin'), 'chronology');
    const b = await writeText(join(dir, 'b.bin'), 'policy');
    const c = await writeText(join(dir, 'c.bin'), 'other');
    const out = join(dir, 'pack.zip');
    const content: PackContent = {
      title: 'JTAI inspector pack: Example Borough',
      facts: [{ label: 'Local authority', value: 'Example Borough' }],
      covers: [
        {
          section: 'Tracked child 1',
          facts: [{ label: 'Child ID', value: 'SYN0001' }],
          notes: [{ label: 'Police: key documents', text: 'No involvement <b>since</b> May.' }],
        },
      ],
      rows: [
        {
          section: 'Tracked child 1',
          agency: 'Example Police',
          code: 'KD9',
          title: 'Chronology',
          status: 'received',
          received: 'Tue 10 Mar 2026, 12:00',
          file: pdf('KD9 Chronology', a, 'chronology', [
            'Tracked child 1',
            'Key documents',
            'Example Police',
          ]),
        },
        { section: 'Tracked child 1', agency: 'Example ICB', title: 'Key documents', status: 'overdue' },
        {
          section: 'Annex A documents',
          agency: 'Example Police',
          code: '3.5',
          title: 'Strategy, policies',
          status: 'received late',
          file: pdf('3.5 Strategy/policies', b, 'policy', ['Annex A documents', '../Example Police']),
        },
        {
          section: 'Annex A documents',
          agency: 'Example Police',
          code: '3.5',
          title: 'Strategy, policies',
          status: 'received late',
          file: pdf('3.5 Strategy/policies', c, 'other', ['Annex A documents', '../Example Police']),
        },
        {
          section: 'Annex A documents',
          agency: 'Example Police',
          code: '3.6',
          title: 'Problem profile',
          status: 'waived',
        },
        {
          section: 'Lists',
          agency: '=HYPERLINK("x")',
          title: 'CON',
          status: 'received',
          file: { ...pdf('CON', c, 'other', ['index.html']), extension: '.exe/../x' },
        },
      ],
    };
    const result = await writeInspectorPack(content, out);
    expect(result.paths).toEqual([
      'Tracked child 1/Key documents/Example Police/KD9 Chronology.pdf',
      'Annex A documents/_Example Police/3.5 Strategy_policies.pdf',
      'Annex A documents/_Example Police/3.5 Strategy_policies (2).pdf',
      '_index.html/_CON',
    ]);
    const zip = readZip(out);
    expect([...zip.keys()].sort()).toEqual(
      ['index.csv', 'index.html', 'Tracked child 1/Cover sheet.html', ...result.paths].sort(),
    );
    for (const name of zip.keys()) expect(name.split('/')).not.toContain('..');
    expect(zip.get('Tracked child 1/Key documents/Example Police/KD9 Chronology.pdf')?.toString()).toBe(
      'chronology',
    );
    // The child's ID is on its cover sheet, and nowhere else.
    const cover = zip.get('Tracked child 1/Cover sheet.html')?.toString() ?? '';
    expect(cover).toContain('<dt>Child ID</dt><dd>SYN0001</dd>');
    expect(cover).toContain('No involvement &#60;b&#62;since&#60;/b&#62; May.');
    expect(cover).toContain('<a href="Key%20documents/Example%20Police/KD9%20Chronology.pdf">');
    for (const [name, data] of zip)
      if (name !== 'Tracked child 1/Cover sheet.html') expect(data.toString()).not.toContain('SYN0001');

    const csv = zip.get('index.csv')?.toString() ?? '';
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('\ufeffsection,agency,code,what,status,due,received,file in pack,sha256');
    expect(lines[1]).toBe(
      `Tracked child 1,Example Police,KD9,Chronology,received,,"Tue 10 Mar 2026, 12:00",Tracked child 1/Key documents/Example Police/KD9 Chronology.pdf,${sha('chronology')}`,
    );
    expect(lines[2]).toBe('Tracked child 1,Example ICB,,Key documents,overdue,,,,');
    expect(csv).toContain('Annex A documents,Example Police,3.6,Problem profile,waived,,,,');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    const html = zip.get('index.html')?.toString() ?? '';
    expect(html).toContain('<h2>Tracked child 1</h2>');
    expect(html).toContain('<a href="Tracked%20child%201/Cover%20sheet.html">Cover sheet</a>');
    expect(html).toContain(
      '<tr class="open"><td>Example ICB</td><td></td><td>Key documents</td><td>overdue</td>',
    );
    expect(html).toContain('&#39;=HYPERLINK(&#34;x&#34;)');
    expect(html).not.toContain('=HYPERLINK("x")');
  });

  test('a file that does not match its SHA-256 stops the pack', async () => {
    const a = await writeText(join(dir, 'tampered.bin'), 'changed');
    await expect(
      writeInspectorPack(
        {
          title: 't',
          facts: [],
          covers: [],
          rows: [
            {
              section: 'Lists',
              agency: 'a',
              title: 'd',
              status: 'received',
              file: pdf('d', a, 'original', ['Lists']),
            },
          ],
        },
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
