import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  getListSpec,
  LIST_IDS,
  validateListFile,
  writeAllTemplates,
  writeListTemplate,
} from '../../src/lists';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import { cleanRows, NOTIFIED, OPTS, tempDir, writeXlsx } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const cases = LIST_IDS.flatMap((list) =>
  ['6', '7', '8'].includes(list)
    ? [
        [list, 'A'],
        [list, 'B'],
      ]
    : [[list, 'A']],
) as [(typeof LIST_IDS)[number], 'A' | 'B'][];

describe.each(cases)('list %s, option %s', (list, option) => {
  test('a clean generated workbook gives no findings', async () => {
    const p = await writeXlsx(join(dir, `clean-${list}-${option}.xlsx`), cleanRows(list, 5, option));
    const r = await validateListFile(list, p, { ...OPTS, option });
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ list, file: `clean-${list}-${option}.xlsx`, rows: 5, valid: true });
    const spec = getListSpec(list, option);
    if (spec.candidates === 'all')
      expect(r.candidates).toEqual(['SYN0001', 'SYN0002', 'SYN0003', 'SYN0004', 'SYN0005']);
    else if (spec.candidates === 'theme') expect(r.candidates).toEqual(['SYN0001', 'SYN0004']);
    else expect(r.candidates).toEqual([]);
  });

  test('its template, filled in, validates cleanly', async () => {
    const p = join(dir, `template-${list}-${option}.xlsx`);
    await writeListTemplate(list, option, p, { rows: 50 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(p);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no sheet');
    expect(wb.worksheets.map((w) => w.name)).toEqual([getListSpec(list, option).sheetName, 'Notes', 'Codes']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(syntheticHeaders(list, option));
    const notes = wb.getWorksheet('Notes');
    expect(notes?.getCell('B2').value).toBe(syntheticHeaders(list, option)[0]);
    const spec = getListSpec(list, option);
    const dateIndex = spec.columns.findIndex((c) => c.type === 'date');
    if (dateIndex >= 0) expect(ws.getColumn(dateIndex + 1).numFmt).toBe('dd/mm/yyyy');
    // Fill it in and validate.
    for (let i = 1; i <= 3; i++) {
      const row = ws.getRow(i + 1);
      syntheticRow(list, i, { option, notifiedOn: NOTIFIED }).forEach((v, ci) => {
        if (v !== null) row.getCell(ci + 1).value = v;
      });
    }
    const filled = join(dir, `filled-${list}-${option}.xlsx`);
    await wb.xlsx.writeFile(filled);
    const r = await validateListFile(list, filled, { ...OPTS, option });
    expect(r.findings).toEqual([]);
    expect(r.rows).toBe(3);
  });
});

test('templates carry drop-downs for Y/N and code columns', async () => {
  const p = join(dir, 'dv.xlsx');
  await writeListTemplate('6', 'B', p, { rows: 50 });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(p);
  const ws = wb.worksheets[0] as unknown as {
    dataValidations: { model: Record<string, { type: string; formulae: unknown[] }> };
  };
  const model = ws.dataValidations.model;
  const spec = getListSpec('6', 'B');
  const letter = (key: string) => String.fromCharCode(65 + spec.columns.findIndex((c) => c.key === key));
  const gender = model[`${letter('gender')}2`];
  expect(model[`${letter('gender')}51`]?.type).toBe('list');
  expect(model[`${letter('gender')}52`]).toBeUndefined();
  expect(gender?.type).toBe('list');
  expect(String(gender?.formulae[0])).toMatch(/^Codes!\$A\$2:\$A\$5$/);
  const disability = model[`${letter('disability')}7`];
  expect(disability?.formulae).toEqual(['"Y,N,Unknown"']);
});

test('--all writes every template', async () => {
  const out = join(dir, 'all');
  const written = await writeAllTemplates(out, 'B');
  expect(written).toHaveLength(LIST_IDS.length);
  expect((await readdir(out)).sort()).toContain('jtai-list-6-option-B.xlsx');
});
