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
  const problems: string[] = [];
  const answers: ReadAnswers['answers'] = [];
  let header: (number | undefined)[] | undefined;
  const seen = new Set<string>();
  let opened;
  try {
    opened = await openRows(filePath, SHEET_LIMITS);
  } catch (err) {
    if (err instanceof UnreadableListError) return { answers, problems: [err.message] };
    throw err;
  }
  for await (const batch of opened.batches) {
    for (const r of batch) {
      if (r.sheetIndex > 0) continue;
      const cells = r.cells;
      if (cells.every((c) => headerText(c) === '')) continue;
      if (!header) {
        const texts = cells.map((c) => normaliseHeader(headerText(c)));
        header = specs.map((s) => {
          const names = [s.header, ...s.variants].map(normaliseHeader);
          const i = texts.findIndex((t) => t !== '' && names.includes(t));
          return i < 0 ? undefined : i;
        });
        specs.forEach((s, i) => {
          if (header?.[i] === undefined)
            problems.push(`The column "${s.header}" is missing from the header row.`);
        });
        if (problems.length > 0) return { answers: [], problems };
        continue;
      }
      const at = `Row ${r.row}`;
      const id = cellText(cells[header[0] ?? 0]);
      if (id === undefined || id === '') {
        problems.push(`${at}: the child's ID is blank.`);
        continue;
      }
      // Rows and positions, not IDs: what is said back is shown on the page and may be logged.
      if (!childIds.includes(id)) {
        problems.push(`${at}: the child is not one of the ${childIds.length} selected.`);
        continue;
      }
      if (seen.has(id)) {
        problems.push(`${at}: the child is on an earlier row too.`);
        continue;
      }
      seen.add(id);
      columns.forEach((column, i) => {
        const raw = cellText(cells[header?.[i + 1] ?? -1]);
        const value = answerValue(raw);
        if (value === undefined)
          problems.push(`${at}, column "${twentyColumn(column).header}": write Y, N or leave it blank.`);
        else answers.push({ childId: id, column, value });
      });
    }
  }
  if (!header) problems.push('The sheet is empty: it has no header row.');
  return problems.length > 0 ? { answers: [], problems } : { answers, problems };
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
  const wanted: [keyof DetailsRow, string[]][] = [
    ['childId', [child.header, ...child.variants].map(normaliseHeader)],
    ...Object.entries(DETAIL_HEADERS).map(
      ([k, names]) => [k as keyof DetailsRow, names.map(normaliseHeader)] as [keyof DetailsRow, string[]],
    ),
  ];
  const rows: DetailsRow[] = [];
  const problems: string[] = [];
  let header: number[] | undefined;
  let opened;
  try {
    opened = await openRows(filePath, SHEET_LIMITS);
  } catch (err) {
    if (err instanceof UnreadableListError) return { rows, problems: [err.message] };
    throw err;
  }
  for await (const batch of opened.batches) {
    for (const r of batch) {
      if (r.sheetIndex > 0 || r.cells.every((c) => headerText(c) === '')) continue;
      if (!header) {
        const texts = r.cells.map((c) => normaliseHeader(headerText(c)));
        header = wanted.map(([, names]) => texts.findIndex((t) => t !== '' && names.includes(t)));
        const missing = wanted.filter((_, i) => (header?.[i] ?? -1) < 0).map(([k]) => k);
        if (missing.length > 0)
          return {
            rows: [],
            problems: [
              `The sheet needs the columns Child ID, Name, Date of birth and Address; missing: ${missing.join(', ')}.`,
            ],
          };
        continue;
      }
      const [id = '', name = '', dateOfBirth = '', address = ''] = (header ?? []).map((i) =>
        detailText(r.cells[i]),
      );
      if (!childIds.includes(id)) {
        problems.push(`Row ${r.row}: the child is not one of the ${childIds.length} selected.`);
        continue;
      }
      rows.push({ childId: id, name, dateOfBirth, address });
    }
  }
  if (!header) problems.push('The sheet is empty: it has no header row.');
  return problems.length > 0 ? { rows: [], problems } : { rows, problems };
}

/** A details cell as text: a date as dd/mm/yyyy, a formula or error as blank. */
function detailText(c: Cell | undefined): string {
  if (c instanceof Date)
    return Number.isNaN(c.getTime())
      ? ''
      : `${String(c.getUTCDate()).padStart(2, '0')}/${String(c.getUTCMonth() + 1).padStart(2, '0')}/${c.getUTCFullYear()}`;
  return cellText(c) ?? '';
}
