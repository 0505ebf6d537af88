/**
 * Validation of one list file: find the header row, map the headers, stream the rows through the list's
 * row schema, and report every problem at its row and column. Memory stays flat: rows are not kept (only the
 * child IDs seen, for duplicates, and the findings).
 */
import { basename } from 'node:path';
import { dayFromIso, todayUk } from './dates';
import { UnreadableListError } from './errors';
import { matchHeaders, type HeaderMatch } from './headers';
import { LIST_TITLES, type ListId } from './ids';
import { readRowBatches } from './reader';
import { buildRowSchema, type Cell, type IssueParams, type ParsedRow } from './schema';
import { getListSpec } from './specs';

export interface Finding {
  row: number;
  column: string;
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface ListReport {
  list: ListId;
  file: string;
  rows: number;
  valid: boolean;
  findings: Finding[];
  /** Child IDs this list puts forward for selection: rows flagged Y for the theme (lists 6–8), every child on yot/nps/twenty. */
  candidates: string[];
}

export interface ValidateOptions {
  /** Notification date, YYYY-MM-DD: ages are checked at this date (default: today). */
  notifiedOn?: string;
  option?: 'A' | 'B';
  onProgress?: (rowsRead: number) => void;
  /** Today, YYYY-MM-DD (default: today in the UK). For tests and re-checking old files. */
  today?: string;
}

export interface ScannedRow {
  row: number;
  values: ParsedRow;
}

/** How many non-blank rows of each sheet are searched for the header row. */
const HEADER_SEARCH_ROWS = 30;
const PROGRESS_EVERY = 1000;

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function isBlankCell(c: Cell | undefined): boolean {
  return c === null || c === undefined || (typeof c === 'string' && c.trim() === '');
}

function isBlankRow(cells: readonly Cell[]): boolean {
  for (const c of cells) if (!isBlankCell(c)) return false;
  return true;
}

function parseDay(iso: string | undefined, what: string): number | undefined {
  if (iso === undefined) return undefined;
  const d = dayFromIso(iso);
  if (d === undefined) throw new RangeError(`${what} must be a real date written YYYY-MM-DD, not "${iso}"`);
  return d;
}

/**
 * Reads and checks a list file. `onRow` receives each data row's parsed values (for the candidates
 * workbook); the report is what `validateListFile` returns.
 */
export async function scanList(
  list: ListId,
  filePath: string,
  options: ValidateOptions = {},
  onRow?: (r: ScannedRow) => void,
): Promise<ListReport> {
  const spec = getListSpec(list, options.option ?? 'A');
  const today = parseDay(options.today, 'today') ?? todayUk();
  const notified = parseDay(options.notifiedOn, 'The notification date') ?? today;
  const findings: Finding[] = [];
  const add = (
    row: number,
    column: string,
    code: string,
    severity: Finding['severity'],
    message: string,
  ): void => {
    findings.push({ row, column, code, severity, message });
  };

  let header: { match: HeaderMatch; row: number; sheetIndex: number } | undefined;
  let best: { found: number; row: number; sheet: string } | undefined;
  let sawAnything = false;
  let searchSheet = -1;
  let searched = 0;

  let rows = 0;
  let known: boolean[] = [];
  /** Every column before this one has a header: no need to look there for data under a missing header. */
  let firstUnknown = 0;
  const unnamedWarned = new Set<number>();
  let lastRow = 0;
  let blankFrom = 0;
  let blankTo = 0;
  const seenIds = new Map<string, number>();
  const candidates = new Set<string>();
  let schema: ReturnType<typeof buildRowSchema> | undefined;

  const flushBlanks = (): void => {
    if (blankFrom === 0) return;
    if (blankFrom === blankTo)
      add(
        blankFrom,
        '',
        'blank-row',
        'warning',
        `Row ${blankFrom} is blank. Delete it, or check that nothing is missing.`,
      );
    else
      add(
        blankFrom,
        '',
        'blank-row',
        'warning',
        `Rows ${blankFrom} to ${blankTo} are blank. Delete them, or check that nothing is missing.`,
      );
    blankFrom = blankTo = 0;
  };
  const noteBlank = (from: number, to: number): void => {
    if (blankFrom === 0) blankFrom = from;
    blankTo = to;
  };

  const batches = await readRowBatches(filePath);
  reading: for await (const batch of batches)
    for (const r of batch) {
      if (!header) {
        if (r.sheetIndex !== searchSheet) {
          searchSheet = r.sheetIndex;
          searched = 0;
        }
        if (searched >= HEADER_SEARCH_ROWS || isBlankRow(r.cells)) continue;
        sawAnything = true;
        searched++;
        const m = matchHeaders(spec, r.cells);
        if (!m.isHeader) {
          if (m.mapped.length > 0 && (!best || m.mapped.length > best.found))
            best = { found: m.mapped.length, row: r.row, sheet: r.sheetName };
          continue;
        }
        header = { match: m, row: r.row, sheetIndex: r.sheetIndex };
        reportHeader(m, r.row, r.sheetIndex, r.sheetName, add);
        known = [];
        for (const mc of m.mapped) known[mc.index] = true;
        for (const e of m.extras) known[e.index] = true;
        firstUnknown = 0;
        while (known[firstUnknown]) firstUnknown++;
        const present = new Set(m.mapped.map((mc) => mc.spec.key));
        schema = buildRowSchema(spec, present, { today, notified });
        lastRow = r.row;
        continue;
      }
      if (r.sheetIndex !== header.sheetIndex) break reading; // the list is on one sheet; later sheets are not read
      if (!schema) break reading;

      if (r.row > lastRow + 1) noteBlank(lastRow + 1, r.row - 1);
      lastRow = r.row;
      const cells = r.cells;
      if (isBlankRow(cells)) {
        noteBlank(r.row, r.row);
        continue;
      }
      flushBlanks();
      rows++;
      if (options.onProgress && rows % PROGRESS_EVERY === 0) options.onProgress(rows);

      const obj: Record<string, Cell> = {};
      for (const mc of header.match.mapped) obj[mc.spec.key] = cells[mc.index] ?? null;
      for (let i = firstUnknown; i < cells.length; i++) {
        if (!known[i] && !unnamedWarned.has(i) && !isBlankCell(cells[i])) {
          unnamedWarned.add(i);
          add(
            r.row,
            `(column ${columnLetter(i)})`,
            'unnamed-column',
            'warning',
            `Column ${columnLetter(i)} has data (first on row ${r.row}) but no header, so it was ignored. Give it a header from the template, or delete it.`,
          );
        }
      }

      const result = schema.schema.safeParse(obj);
      let values: ParsedRow;
      if (result.success) values = result.data;
      else {
        values = schema.last.row ?? {};
        for (const iss of result.error.issues) {
          const key = String(iss.path[0] ?? '');
          const params = (iss as { params?: IssueParams }).params;
          const mc = header.match.mapped.find((m) => m.spec.key === key);
          const col = mc?.text ?? key;
          add(
            r.row,
            col,
            params?.code ?? 'invalid',
            params?.severity ?? 'error',
            `Row ${r.row}, column "${col}": ${iss.message}`,
          );
        }
      }
      schema.last.row = undefined;

      const id = values.childId;
      if (typeof id === 'string' && id !== '') {
        if (spec.uniqueChildId) {
          const first = seenIds.get(id);
          if (first !== undefined) {
            const col = header.match.mapped.find((m) => m.spec.key === 'childId')?.text ?? 'Child unique ID';
            add(
              r.row,
              col,
              'duplicate-child-id',
              'error',
              `Row ${r.row}, column "${col}": the same child ID is already on row ${first}. Each child appears once on this list: merge the two rows.`,
            );
          } else seenIds.set(id, r.row);
        }
        if (spec.candidates === 'all' || (spec.candidates === 'theme' && values.theme === 'Y'))
          candidates.add(id);
      }
      onRow?.({ row: r.row, values });
    }

  if (!header) {
    if (!sawAnything) throw new UnreadableListError('empty', 'The file has no data: every sheet is empty.');
    const example = spec.columns
      .filter((c) => c.required)
      .slice(0, 3)
      .map((c) => `"${c.header}"`)
      .join(', ');
    const closest = best
      ? ` The closest was row ${best.row} of sheet "${best.sheet}", which has only ${best.found} of the list's column names.`
      : '';
    throw new UnreadableListError(
      'no-header',
      `No header row for ${LIST_TITLES[list]} was found in the first ${HEADER_SEARCH_ROWS} rows of any sheet.${closest} The list needs one row of column names, such as ${example}; the template has them all.`,
    );
  }
  // Trailing blank rows are not reported.
  if (spec.maxRows !== undefined && rows > spec.maxRows)
    add(
      header.row,
      '',
      'too-many-rows',
      'warning',
      `The list has ${rows} children; the guidance asks for at most ${spec.maxRows}. Send the ${spec.maxRows} most relevant, or agree more with the lead inspector.`,
    );
  if (rows === 0)
    add(
      header.row,
      '',
      'no-rows',
      'warning',
      'The list has a header row but no children under it. Check this is right.',
    );

  return {
    list,
    file: basename(filePath),
    rows,
    valid: !findings.some((f) => f.severity === 'error'),
    findings,
    candidates: [...candidates],
  };
}

function reportHeader(
  m: HeaderMatch,
  row: number,
  sheetIndex: number,
  sheetName: string,
  add: (row: number, column: string, code: string, severity: Finding['severity'], message: string) => void,
): void {
  if (sheetIndex > 0)
    add(
      row,
      '',
      'other-sheet',
      'warning',
      `The list was found on sheet "${sheetName}", not on the first sheet. Put the list on the first sheet (or remove the other sheets) to avoid doubt.`,
    );
  if (row > 1)
    add(row, '', 'header-row', 'warning', `The header row is row ${row}; the rows above it were ignored.`);
  for (const c of m.missingRequired)
    add(
      row,
      c.header,
      'missing-column',
      'error',
      `The required column "${c.header}" is missing from the header row (row ${row}). Add it, or rename the column that holds it to "${c.header}".`,
    );
  for (const mc of m.mapped) {
    if (mc.how === 'normalised')
      add(
        row,
        mc.text,
        'header-wording',
        'warning',
        `Column "${mc.text}" was read as "${mc.spec.header}": the wording differs only in case, spacing or punctuation. No action needed; the template's wording avoids doubt.`,
      );
    else if (mc.how === 'pattern')
      add(
        row,
        mc.text,
        'header-mapped',
        'warning',
        `Column "${mc.text}" was read as "${mc.spec.header}". Check that this is right; if not, rename the column.`,
      );
  }
  for (const e of m.extras) {
    if (e.duplicateOf !== undefined)
      add(
        row,
        e.text,
        'duplicate-column',
        'warning',
        `Column "${e.text}" (column ${columnLetter(e.index)}) repeats the column "${e.duplicateOf}" and was ignored. Delete one of them.`,
      );
    else
      add(
        row,
        e.text,
        'extra-column',
        'warning',
        `Column "${e.text}" (column ${columnLetter(e.index)}) is not part of this list and was ignored. Delete it if it holds data the inspectors did not ask for.`,
      );
  }
}

/** Validates one list file. Throws UnreadableListError when the file cannot be read as a list at all. */
export async function validateListFile(
  list: ListId,
  filePath: string,
  options?: {
    notifiedOn?: string;
    option?: 'A' | 'B';
    onProgress?: (rowsRead: number) => void;
    today?: string;
  },
): Promise<ListReport> {
  return scanList(list, filePath, options ?? {});
}
