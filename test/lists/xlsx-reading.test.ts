import { join } from 'node:path';
import { validateListFile } from '../../src/lists';
import { syntheticHeaders } from '../../src/lists/synthetic';
import { writeRawWorkbook } from './hostile-files';
import { OPTS, tempDir } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const inline = (text: string, ref?: string) =>
  `<c${ref ? ` r="${ref}"` : ''} t="inlineStr"><is><t>${esc(text)}</t></is></c>`;
const header = `<row r="1">${syntheticHeaders('yot')
  .map((h) => inline(h))
  .join('')}</row>`;
/** A YOT list row: child ID, then Y/N answers. */
const yotRow = (r: number, id: string, answers = ['Y', 'N', 'N']) =>
  `<row r="${r}">${inline(id, `A${r}`)}${answers.map((a) => inline(a)).join('')}</row>`;
const sheet = (rows: string, prefix = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><${prefix}worksheet xmlns${prefix ? `:${prefix.slice(0, -1)}` : ''}="${ns}"><${prefix}sheetData>${rows}</${prefix}sheetData></${prefix}worksheet>`;

async function check(xml: string, list: 'yot' | 'meetings' = 'yot') {
  const p = join(dir, `raw${n++}.xlsx`);
  await writeRawWorkbook(p, xml);
  return validateListFile(list, p, OPTS);
}

test('cells and rows written without references are read as the next column and the next row', async () => {
  const r = await check(
    sheet(
      `${header}<row>${inline('SYN0001')}${inline('Y')}${inline('N')}${inline('N')}</row>${yotRow(3, 'SYN0002')}`,
    ),
  );
  expect(r.findings).toEqual([]);
  expect(r.rows).toBe(2);
  expect(r.candidates).toEqual(['SYN0001', 'SYN0002']);
});

test('tags with a namespace prefix (x:c) are read as the same tags', async () => {
  const rows = `<x:row r="1">${syntheticHeaders('yot')
    .map((h) => `<x:c t="inlineStr"><x:is><x:t>${esc(h)}</x:t></x:is></x:c>`)
    .join(
      '',
    )}</x:row><x:row r="2"><x:c t="inlineStr"><x:is><x:t>SYN0001</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>Y</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>N</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>N</x:t></x:is></x:c></x:row>`;
  const r = await check(sheet(rows, 'x:'));
  expect(r).toMatchObject({ rows: 1, valid: true, candidates: ['SYN0001'] });
});

test('rich inline text is every run joined, not the last', async () => {
  const id = '<c r="A2" t="inlineStr"><is><r><t>SYN</t></r><r><t>0001</t></r></is></c>';
  const r = await check(sheet(`${header}<row r="2">${id}${inline('Y')}${inline('N')}${inline('N')}</row>`));
  expect(r.candidates).toEqual(['SYN0001']);
});

test('a date written as an ISO date (t="d") is a date', async () => {
  const head = `<row r="1">${syntheticHeaders('meetings')
    .map((h) => inline(h))
    .join('')}</row>`;
  const cells = [
    '<c t="d"><v>2026-03-03T00:00:00Z</v></c>',
    inline('14:30'),
    inline('Strategy meeting'),
    inline('SYN0001'),
  ];
  const r = await check(sheet(`${head}<row r="2">${cells.join('')}</row>`), 'meetings');
  expect(r.findings.filter((f) => f.column === 'Date of meeting')).toEqual([]);
});

test('a character split between two unzipped chunks is read whole', async () => {
  const chunks = (t: string) => [t.slice(0, 30_000), t.slice(30_000, 60_000), t.slice(60_000)];
  // Row 2 carries padding (in columns with no header, under the cell size limit) so that the "é" in row 3's
  // child ID straddles the 64 KB boundary of the unzipped stream.
  const start = (pad: string) =>
    `${sheet('').split('</sheetData>')[0]}${header}<row r="2">${inline('SYN0001', 'A2')}${inline('Y')}${inline('N')}${inline('N')}${chunks(
      pad,
    )
      .map((c) => inline(c))
      .join('')}</row><row r="3"><c r="A3" t="inlineStr"><is><t>SYN`;
  const pad = 'x'.repeat(65_535 - Buffer.byteLength(start('')));
  const xml = `${start(pad)}é0002</t></is></c>${inline('Y')}${inline('N')}${inline('N')}</row></sheetData></worksheet>`;
  expect(Buffer.from(xml).indexOf('é')).toBe(65_535);
  const r = await check(xml);
  expect(r.candidates).toEqual(['SYN0001', 'SYNé0002']);
});

test('a cell reference far beyond the last column is refused before any cells are made for it', async () => {
  const err = await check(
    sheet(`${header}<row r="2">${inline('SYN0001', 'A2')}${inline('x', 'ZZZZZZZZ2')}</row>`),
  ).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe('ListLimitError');
  expect(err?.message).toMatch(/^Row 2 of sheet 1 has more than 1,000 cells/);
});

test('entities defined in the XML (the "billion laughs") are not expanded: the workbook is refused', async () => {
  let entities = '<!ENTITY a0 "SYN0001">';
  for (let i = 1; i < 20; i++) entities += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
  const xml = `<?xml version="1.0"?><!DOCTYPE worksheet [${entities}]><worksheet xmlns="${ns}"><sheetData><row r="1"><c t="inlineStr"><is><t>&a19;</t></is></c></row></sheetData></worksheet>`;
  const err = await check(xml).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.message).toMatch(/could not be read as an Excel workbook \(.*undefined entity/);
});
