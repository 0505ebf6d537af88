/**
 * Synthetic rows for tests, benchmarks and rehearsals: IDs like SYN0001, dates a fixed distance before the
 * notification date (so a list made for any notification date is valid at it), first values of code lists.
 * Never real children.
 */
// exceljs is loaded when a synthetic workbook is written, not when the rows are made.
import type ExcelJS from 'exceljs';
import { CODE_LISTS } from './codelists';
import { ageInYears, dayFromIso } from './dates';
import type { ListId } from './ids';
import { getListSpec, type ColumnSpec } from './specs';

export interface SyntheticOptions {
  option?: 'A' | 'B';
  /** Notification date, YYYY-MM-DD (ages are computed at it). */
  notifiedOn?: string;
  /** Every nth row is flagged Y for the theme (default 3). */
  flagEvery?: number;
}

/** Days before the notification date: born 10 years 9 months before it (10 May 2015 for 2 March 2026)… */
const DOB_DAYS_BEFORE = 3949;
/** …and every other event about four months before it (3 November 2025). */
const EVENT_DAYS_BEFORE = 119;
const DEFAULT_NOTIFIED = '2026-03-02';
const MS_PER_DAY = 86_400_000;

const utcDate = (day: number) => new Date(day * MS_PER_DAY);

export function syntheticId(i: number): string {
  return `SYN${String(i).padStart(4, '0')}`;
}

/** One valid row of a list, as cell values in the list's column order (Dates for date columns). */
export function syntheticRow(
  list: ListId,
  i: number,
  opts: SyntheticOptions = {},
): (string | number | Date | null)[] {
  const spec = getListSpec(list, opts.option ?? 'A');
  const notified = dayFromIso(opts.notifiedOn ?? DEFAULT_NOTIFIED) ?? 0;
  const flagged = i % (opts.flagEvery ?? 3) === 1;
  return spec.columns.map((c) => syntheticValue(c, i, flagged, notified));
}

function syntheticValue(
  c: ColumnSpec,
  i: number,
  flagged: boolean,
  notified: number,
): string | number | Date | null {
  switch (c.key) {
    case 'childId':
      return syntheticId(i);
    case 'dob':
      return utcDate(notified - DOB_DAYS_BEFORE);
    case 'age':
      return ageInYears(notified - DOB_DAYS_BEFORE, notified);
    case 'theme':
      return flagged ? 'Y' : 'N';
    case 'expectedDob':
      return null;
  }
  if (c.requiredWhenTheme) return flagged ? (i % 2 ? 'Y' : 'N') : null;
  switch (c.type) {
    case 'child-id':
      return syntheticId(i);
    case 'date':
      return c.blank === 'ok' && /end|clos|ceased|authoris/i.test(c.key)
        ? null
        : utcDate(notified - EVENT_DAYS_BEFORE);
    case 'time':
      return '14:30';
    case 'yn':
      return i % 2 ? 'Y' : 'N';
    case 'integer':
      return i % 4;
    case 'code': {
      const entries = c.codeList ? CODE_LISTS[c.codeList].entries : [];
      const e = entries[i % Math.min(entries.length, 5)];
      return e ? (e.template ?? e.code) : 'x';
    }
    case 'text':
      return c.blank === 'ok' && c.required ? `Team ${i % 7}` : c.required ? 'Synthetic' : null;
  }
}

/** Header row of a list, in the guidance's wording. */
export function syntheticHeaders(list: ListId, option: 'A' | 'B' = 'A'): string[] {
  return getListSpec(list, option).columns.map((c) => c.header);
}

/** Rows in a synthetic list for a rehearsal (fewer where the list allows fewer: five on the YOT and NPS lists). */
export const SYNTHETIC_LIST_ROWS = 12;

export function syntheticFileName(list: ListId): string {
  return `jtai-synthetic-list-${list}.xlsx`;
}

/**
 * A synthetic list as a workbook an agency can upload in a rehearsal: the guidance's headers and rows of
 * SYN0001… that pass the list's checks at the notification date.
 */
export async function writeSyntheticList(
  list: ListId,
  outPath: string,
  opts: SyntheticOptions & { rows?: number } = {},
): Promise<void> {
  const option = opts.option ?? 'A';
  const spec = getListSpec(list, option);
  const rows = opts.rows ?? Math.min(SYNTHETIC_LIST_ROWS, spec.maxRows ?? SYNTHETIC_LIST_ROWS);
  const { Workbook } = (await import('exceljs')).default;
  const wb: ExcelJS.Workbook = new Workbook();
  wb.creator = 'jtai';
  const ws = wb.addWorksheet(spec.sheetName);
  ws.addRow(syntheticHeaders(list, option));
  for (let i = 1; i <= rows; i++) {
    const row = ws.addRow(syntheticRow(list, i, { ...opts, option }));
    row.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'dd/mm/yyyy';
    });
  }
  await wb.xlsx.writeFile(outPath);
}
