/**
 * Option A, the 20-case return in parts (issue 14): the small sheet an agency answers its own questions on (a
 * Child ID column and one Y/N column per question, headed as in the 20-case return), read back into answers;
 * and the local authority's return pre-filled with the agencies' answers, their sources on a second sheet.
 */
// exceljs is loaded when a sheet is written, not when the lists are imported.
import type ExcelJS from 'exceljs';
import type { Cell } from './cells';
import { UnreadableListError } from './errors';
import { headerText, normaliseHeader } from './headers';
import { listLimits } from './limits';
import { openRows } from './reader';
import { neutraliseWorkbook } from './safe-workbook';
import { getListSpec, type ColumnSpec } from './specs';

export type AnswerValue = 'Y' | 'N' | '';

/** The columns of the 20-case return (Child ID first), as its specification words them. */
export function twentyColumns(): ColumnSpec[] {
  return getListSpec('twenty', 'A').columns;
}

/** One question of the return by its column key; throws for a key the return does not have. */
export function twentyColumn(key: string): ColumnSpec {
  const c = twentyColumns().find((x) => x.key === key);
  if (!c) throw new Error(`the 20-case return has no column "${key}"`);
  return c;
}

export interface AnswerRow {
  childId: string;
  /** Column key -> Y, N or blank. */
  values: Record<string, AnswerValue>;
}

/** A sheet whose first columns are Child ID and the given questions; `sources` adds a second sheet. */
export async function writeAnswersSheet(
  outPath: string,
  opts: {
    columns: string[];
    rows: AnswerRow[];
    /** Per row, per column, where the answer comes from (the local authority's pre-filled return). */
    sources?: Record<string, Record<string, string>>;
    sheetName?: string;
  },
): Promise<void> {
  const specs = opts.columns.map(twentyColumn);
  const childHeader = twentyColumn('childId').header;
  const { Workbook } = (await import('exceljs')).default;
  const wb: ExcelJS.Workbook = new Workbook();
  wb.creator = 'jtai';
  const ws = wb.addWorksheet(opts.sheetName ?? 'Answers', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([childHeader, ...specs.map((c) => c.header)]);
  for (const r of opts.rows) ws.addRow([r.childId, ...specs.map((c) => r.values[c.key] ?? '')]);
  ws.getColumn(1).width = 18;
  specs.forEach((_, i) => (ws.getColumn(i + 2).width = 30));
  const sources = opts.sources;
  if (sources) {
    const src = wb.addWorksheet('Sources');
    src.addRow([childHeader, ...specs.map((c) => `Source of column ${columnLetter(specs.indexOf(c) + 2)}`)]);
    for (const r of opts.rows)
      src.addRow([r.childId, ...specs.map((c) => sources[r.childId]?.[c.key] ?? '')]);
    src.getColumn(1).width = 18;
    specs.forEach((_, i) => (src.getColumn(i + 2).width = 40));
  }
  neutraliseWorkbook(wb);
  await wb.xlsx.writeFile(outPath);
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** Limits for a sheet of 20 rows, far under a list's: it is read in the web app, not the list checker. */
const MB = 1024 * 1024;
const SHEET_LIMITS = listLimits({
  rows: 500,
  sheets: 5,
  cellsPerRow: 100,
  partBytes: 4 * MB,
  wholePartBytes: 4 * MB,
  parts: 100,
});

export interface ReadAnswers {
  answers: { childId: string; column: string; value: AnswerValue }[];
  /** Why the sheet or a cell cannot be taken, by row: nothing is recorded while there are any. */
  problems: string[];
}

/**
 * Read an agency's answers sheet: the first sheet, its first non-blank row the header. Each of the agency's
 * questions must have its column (headed as in the return, or differing only in case and punctuation); other
 * columns are ignored. A row's child must be one of `childIds`; its cells Y, N (Yes and No too) or blank.
 */
export async function readAnswersSheet(
  filePath: string,
  columns: string[],
  childIds: readonly string[],
): Promise<ReadAnswers> {
  const specs = [twentyColumn('childId'), ...columns.map(twentyColumn)];
  const answers: ReadAnswers['answers'] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const stopped = await readFirstSheet(
    filePath,
    specs.map((s) => [s.header, ...s.variants]),
    (absent) => absent.map((i) => `The column "${specs[i]?.header ?? ''}" is missing from the header row.`),
    ([idCell, ...cells], row) => {
      const at = `Row ${row}`;
      const id = cellText(idCell);
      if (id === undefined || id === '') return problems.push(`${at}: the child's ID is blank.`);
      // Rows and positions, not IDs: what is said back is shown on the page and may be logged.
      if (!childIds.includes(id))
        return problems.push(`${at}: the child is not one of the ${childIds.length} selected.`);
      if (seen.has(id)) return problems.push(`${at}: the child is on an earlier row too.`);
      seen.add(id);
      columns.forEach((column, i) => {
        const value = answerValue(cellText(cells[i]));
        if (value === undefined)
          problems.push(`${at}, column "${twentyColumn(column).header}": write Y, N or leave it blank.`);
        else answers.push({ childId: id, column, value });
      });
    },
  );
  const all = [...stopped, ...problems];
  return { answers: all.length > 0 ? [] : answers, problems: all };
}

/**
 * The first sheet of a small workbook, row by row. Its first non-blank row is the header, where each of
 * `columns` (the names it may have, compared as normaliseHeader makes them) is looked for; `row` is given each
 * later non-blank row's cells in the order of `columns`, with its row number. Returns what stopped the reading
 * (the file unreadable, `missing`'s problems for the columns not found, no header row), else nothing.
 */
async function readFirstSheet(
  filePath: string,
  columns: readonly (readonly string[])[],
  missing: (absent: number[]) => string[],
  row: (cells: (Cell | undefined)[], rowNumber: number) => void,
): Promise<string[]> {
  let opened;
  try {
    opened = await openRows(filePath, SHEET_LIMITS);
  } catch (err) {
    if (err instanceof UnreadableListError) return [err.message];
    throw err;
  }
  const names = columns.map((accepted) => accepted.map(normaliseHeader));
  let header: number[] | undefined;
  for await (const batch of opened.batches) {
    for (const r of batch) {
      if (r.sheetIndex > 0 || r.cells.every((c) => headerText(c) === '')) continue;
      if (header) {
        row(
          header.map((at) => r.cells[at]),
          r.row,
        );
        continue;
      }
      const texts = r.cells.map((c) => normaliseHeader(headerText(c)));
      header = names.map((accepted) => texts.findIndex((t) => t !== '' && accepted.includes(t)));
      const absent = header.flatMap((at, i) => (at < 0 ? [i] : []));
      if (absent.length > 0) return missing(absent);
    }
  }
  return header ? [] : ['The sheet is empty: it has no header row.'];
}

/** A cell as text; undefined for what is not a plain value (a formula, an error). */
function cellText(c: Cell | undefined): string | undefined {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c.trim();
  if (typeof c === 'number' || typeof c === 'boolean') return String(c);
  return undefined;
}

/** Y, N or blank, as written in a cell or a form; undefined for anything else. */
export function answerValue(raw: string | undefined): AnswerValue | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim().toLowerCase();
  if (t === '') return '';
  if (t === 'y' || t === 'yes') return 'Y';
  if (t === 'n' || t === 'no') return 'N';
  return undefined;
}

/** The identifying details the local authority may share for the 20 (Option A), by column. */
const DETAIL_HEADERS = {
  name: ['name', 'child name', 'full name', "child's name"],
  dateOfBirth: ['date of birth', 'dob', 'birth date'],
  address: ['address', 'home address'],
} as const;

/** The details sheet's columns in the order read: the child's ID, then DETAIL_HEADERS'. */
const DETAIL_COLUMNS = ['childId', ...Object.keys(DETAIL_HEADERS)];

export interface DetailsRow {
  childId: string;
  name: string;
  dateOfBirth: string;
  address: string;
}

/**
 * Read the local authority's sheet of identifying details: Child ID, Name, Date of birth, Address (first sheet,
 * first non-blank row the header). Every row's child must be one of the 20; problems name rows, never values.
 */
export async function readDetailsSheet(
  filePath: string,
  childIds: readonly string[],
): Promise<{ rows: DetailsRow[]; problems: string[] }> {
  const child = twentyColumn('childId');
  const rows: DetailsRow[] = [];
  const problems: string[] = [];
  const stopped = await readFirstSheet(
    filePath,
    [[child.header, ...child.variants], ...Object.values(DETAIL_HEADERS)],
    (absent) => [
      'The sheet needs the columns Child ID, Name, Date of birth and Address; missing: ' +
        `${absent.map((i) => DETAIL_COLUMNS[i]).join(', ')}.`,
    ],
    (cells, row) => {
      const [id = '', name = '', dateOfBirth = '', address = ''] = cells.map(detailText);
      if (!childIds.includes(id))
        problems.push(`Row ${row}: the child is not one of the ${childIds.length} selected.`);
      else rows.push({ childId: id, name, dateOfBirth, address });
    },
  );
  const all = [...stopped, ...problems];
  return { rows: all.length > 0 ? [] : rows, problems: all };
}

/** A details cell as text: a date as dd/mm/yyyy, a formula or error as blank. */
function detailText(c: Cell | undefined): string {
  if (c instanceof Date)
    return Number.isNaN(c.getTime())
      ? ''
      : `${String(c.getUTCDate()).padStart(2, '0')}/${String(c.getUTCMonth() + 1).padStart(2, '0')}/${c.getUTCFullYear()}`;
  return cellText(c) ?? '';
}
