/**
 * Finding the header row: the first rows of each sheet are tried in turn until one maps enough of the list's
 * columns; what the header row says about the file (missing, reworded, extra, repeated columns) is reported
 * at it. Pure: no I/O.
 */
import type { Cell } from './cells';
import { UnreadableListError } from './errors';
import { columnLetter, type Findings } from './findings';
import { matchHeaders, type HeaderMatch } from './headers';
import { LIST_TITLES } from './ids';
import type { SheetRow } from './reader';
import type { ListSpec } from './specs';

/** How many non-blank rows of each sheet are searched for the header row. */
export const HEADER_SEARCH_ROWS = 30;

export interface HeaderRow {
  match: HeaderMatch;
  row: number;
  sheetIndex: number;
  sheetName: string;
}

export function isBlankCell(c: Cell | undefined): boolean {
  return c === null || c === undefined || (typeof c === 'string' && c.trim() === '');
}

export function isBlankRow(cells: readonly Cell[]): boolean {
  for (const c of cells) if (!isBlankCell(c)) return false;
  return true;
}

/** Offered the rows of a file in order until one is the header row. */
export class HeaderSearch {
  private sawAnything = false;
  private sheet = -1;
  private searched = 0;
  /** The row that came closest, for the message when none is found. */
  private best: { found: number; row: number; sheet: string } | undefined;

  constructor(private readonly spec: ListSpec) {}

  /** The header row, when `r` is it. */
  offer(r: SheetRow): HeaderRow | undefined {
    if (r.sheetIndex !== this.sheet) {
      this.sheet = r.sheetIndex;
      this.searched = 0;
    }
    if (this.searched >= HEADER_SEARCH_ROWS || isBlankRow(r.cells)) return undefined;
    this.sawAnything = true;
    this.searched++;
    const match = matchHeaders(this.spec, r.cells);
    if (match.isHeader) return { match, row: r.row, sheetIndex: r.sheetIndex, sheetName: r.sheetName };
    if (match.mapped.length > 0 && (!this.best || match.mapped.length > this.best.found))
      this.best = { found: match.mapped.length, row: r.row, sheet: r.sheetName };
    return undefined;
  }

  /** Why the file is not a list, once every row has been offered and none was the header. */
  failure(): UnreadableListError {
    if (!this.sawAnything)
      return new UnreadableListError('empty', 'The file has no data: every sheet is empty.');
    const example = this.spec.columns
      .filter((c) => c.required)
      .slice(0, 3)
      .map((c) => `"${c.header}"`)
      .join(', ');
    const closest = this.best
      ? ` The closest was row ${this.best.row} of sheet "${this.best.sheet}", which has only ${this.best.found} of the list's column names.`
      : '';
    return new UnreadableListError(
      'no-header',
      `No header row for ${LIST_TITLES[this.spec.id]} was found in the first ${HEADER_SEARCH_ROWS} rows of any sheet.${closest} The list needs one row of column names, such as ${example}; the template has them all.`,
    );
  }
}

/** What the header row says about the file: where it is, and each column missing, reworded, extra or repeated. */
export function reportHeader(h: HeaderRow, findings: Findings): void {
  const { match: m, row } = h;
  const warn = (column: string, code: string, message: string): void =>
    findings.add(row, column, code, 'warning', message);
  if (h.sheetIndex > 0)
    warn(
      '',
      'other-sheet',
      `The list was found on sheet "${h.sheetName}", not on the first sheet. Put the list on the first sheet (or remove the other sheets) to avoid doubt.`,
    );
  if (row > 1) warn('', 'header-row', `The header row is row ${row}; the rows above it were ignored.`);
  for (const c of m.missingRequired)
    findings.add(
      row,
      c.header,
      'missing-column',
      'error',
      `The required column "${c.header}" is missing from the header row (row ${row}). Add it, or rename the column that holds it to "${c.header}".`,
    );
  for (const mc of m.mapped) {
    if (mc.how === 'normalised')
      warn(
        mc.text,
        'header-wording',
        `Column "${mc.text}" was read as "${mc.spec.header}": the wording differs only in case, spacing or punctuation. No action needed; the template's wording avoids doubt.`,
      );
    else if (mc.how === 'pattern')
      warn(
        mc.text,
        'header-mapped',
        `Column "${mc.text}" was read as "${mc.spec.header}". Check that this is right; if not, rename the column.`,
      );
  }
  for (const e of m.extras) {
    if (e.duplicateOf !== undefined)
      warn(
        e.text,
        'duplicate-column',
        `Column "${e.text}" (column ${columnLetter(e.index)}) repeats the column "${e.duplicateOf}" and was ignored. Delete one of them.`,
      );
    else
      warn(
        e.text,
        'extra-column',
        `Column "${e.text}" (column ${columnLetter(e.index)}) is not part of this list and was ignored. Delete it if it holds data the inspectors did not ask for.`,
      );
  }
}
