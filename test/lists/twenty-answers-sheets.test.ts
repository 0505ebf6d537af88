import ExcelJS from 'exceljs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAnswersSheet, readDetailsSheet, twentyColumn } from '../../src/lists/twenty-answers';

/**
 * The two small sheets an agency may send for the 20 (its answers; the local authority's identifying details),
 * read as the web app reads them: the first sheet, its first non-blank row the header, problems by row and
 * column, never by value. Synthetic IDs only.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-twenty-sheets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const TWENTY = ['SYN0001', 'SYN0002', 'SYN0003'];
const YOT = twentyColumn('knownToYot').header;
const POLICE = twentyColumn('policeInvestigation').header;

/** A workbook of `sheets` (each rows of cells), written to a new file; its path. */
async function workbook(name: string, ...sheets: unknown[][][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  sheets.forEach((rows, i) => {
    const ws = wb.addWorksheet(`Sheet ${i + 1}`);
    for (const row of rows) ws.addRow(row);
  });
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

test('answers: the header is found below blank rows and in any case; other sheets and columns are ignored', async () => {
  const file = await workbook(
    'answers.xlsx',
    [
      [],
      ['child id', 'Notes', YOT.toUpperCase()],
      ['SYN0002', 'x', 'yes'],
      ['SYN0001', '', 'n'],
      ['SYN0003', '', ''],
    ],
    [
      ['Child ID', YOT],
      ['SYN0009', 'Y'],
    ],
  );
  expect(await readAnswersSheet(file, ['knownToYot'], TWENTY)).toEqual({
    answers: [
      { childId: 'SYN0002', column: 'knownToYot', value: 'Y' },
      { childId: 'SYN0001', column: 'knownToYot', value: 'N' },
      { childId: 'SYN0003', column: 'knownToYot', value: '' },
    ],
    problems: [],
  });
});

test('answers: every problem by row and column, and nothing taken while there is one', async () => {
  const file = await workbook('answers-bad.xlsx', [
    ['Child ID', YOT, POLICE],
    ['', 'Y', 'N'],
    ['SYN0404', 'Y', 'N'],
    ['SYN0001', 'Y', 'maybe'],
    ['SYN0001', 'N', 'N'],
  ]);
  const read = await readAnswersSheet(file, ['knownToYot', 'policeInvestigation'], TWENTY);
  expect(read).toEqual({
    answers: [],
    problems: [
      "Row 2: the child's ID is blank.",
      'Row 3: the child is not one of the 3 selected.',
      `Row 4, column "${POLICE}": write Y, N or leave it blank.`,
      'Row 5: the child is on an earlier row too.',
    ],
  });
  expect(read.problems.join(' ')).not.toMatch(/SYN\d/);
});

test('answers: a missing column, an empty sheet and a file that is not a workbook', async () => {
  const missing = await workbook('answers-missing.xlsx', [
    ['Child ID', 'Something else'],
    ['SYN0001', 'Y'],
  ]);
  expect(await readAnswersSheet(missing, ['knownToYot'], TWENTY)).toEqual({
    answers: [],
    problems: [`The column "${YOT}" is missing from the header row.`],
  });
  const empty = await workbook('answers-empty.xlsx', [[], []]);
  expect((await readAnswersSheet(empty, ['knownToYot'], TWENTY)).problems).toEqual([
    'The sheet is empty: it has no header row.',
  ]);
  const notAWorkbook = path.join(dir, 'not-a-workbook.xlsx');
  await writeFile(notAWorkbook, 'plain text, not a zip');
  const unreadable = await readAnswersSheet(notAWorkbook, ['knownToYot'], TWENTY);
  expect(unreadable.answers).toEqual([]);
  expect(unreadable.problems).toHaveLength(1);
});

test('identifying details: a date as dd/mm/yyyy; a child not of the 20 refused by row; missing columns named', async () => {
  const file = await workbook('details.xlsx', [
    ['Child ID', 'Name', 'Date of birth', 'Address'],
    ['SYN0001', 'Synthetic Child One', new Date(Date.UTC(2014, 2, 9)), '1 Synthetic Street'],
    ['SYN0003', 'Synthetic Child Three', '01/02/2015', '3 Synthetic Street'],
  ]);
  expect(await readDetailsSheet(file, TWENTY)).toEqual({
    rows: [
      {
        childId: 'SYN0001',
        name: 'Synthetic Child One',
        dateOfBirth: '09/03/2014',
        address: '1 Synthetic Street',
      },
      {
        childId: 'SYN0003',
        name: 'Synthetic Child Three',
        dateOfBirth: '01/02/2015',
        address: '3 Synthetic Street',
      },
    ],
    problems: [],
  });
  const stranger = await workbook('details-stranger.xlsx', [
    ['Child ID', 'Name', 'DOB', 'Home address'],
    ['SYN0001', 'Synthetic Child One', '09/03/2014', '1 Synthetic Street'],
    ['SYN0404', 'Synthetic Stranger', '01/01/2015', '4 Synthetic Street'],
  ]);
  expect(await readDetailsSheet(stranger, TWENTY)).toEqual({
    rows: [],
    problems: ['Row 3: the child is not one of the 3 selected.'],
  });
  const partial = await workbook('details-partial.xlsx', [
    ['Child ID', 'Name'],
    ['SYN0001', 'Synthetic Child One'],
  ]);
  expect(await readDetailsSheet(partial, TWENTY)).toEqual({
    rows: [],
    problems: [
      'The sheet needs the columns Child ID, Name, Date of birth and Address; missing: dateOfBirth, address.',
    ],
  });
});
