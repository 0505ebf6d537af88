/**
 * Validation of one list file: find the header row, then read the rows under it, and report every problem at
 * its row and column. Streaming: rows are not kept (./list-body.ts says what is).
 */
import { basename } from 'node:path';
import type { RuleContext } from './cells';
import { dayFromIso, todayUk } from './dates';
import { Findings, type Finding, type FindingCounts } from './findings';
import { HeaderSearch, reportHeader } from './header-row';
import type { ListId } from './ids';
import { listLimits, type ListLimits } from './limits';
import { ListBody, type ScannedRow } from './list-body';
import { FormulaSweep } from './formulas';
import { openRows } from './reader';
import { getListSpec } from './specs';

export { columnLetter, type Finding, type FindingCounts } from './findings';
export type { ScannedRow } from './list-body';

export interface ListReport {
  list: ListId;
  file: string;
  rows: number;
  valid: boolean;
  /** The first findings of each severity, up to the limits (1,000 errors, 1,000 warnings by default). */
  findings: Finding[];
  /** Every finding counted, those not kept included. */
  counts: FindingCounts;
  /** Child IDs this list puts forward for selection: rows flagged Y for the theme (lists 6–8), every child on yot/nps/twenty. */
  candidates: string[];
}

export interface ValidateOptions {
  /** Notification date, YYYY-MM-DD: ages are checked at this date (default: today). */
  notifiedOn?: string;
  option?: 'A' | 'B';
  /** Called every thousand rows read (of any sheet). */
  onProgress?: (rowsRead: number) => void;
  /** Today, YYYY-MM-DD (default: today in the UK). For tests and re-checking old files. */
  today?: string;
  /** Changes to the limits (./limits.ts): rows, sizes, findings kept. */
  limits?: Partial<ListLimits>;
}

const PROGRESS_EVERY = 1000;

function parseDay(iso: string | undefined, what: string): number | undefined {
  if (iso === undefined) return undefined;
  const d = dayFromIso(iso);
  if (d === undefined) throw new RangeError(`${what} must be a real date written YYYY-MM-DD, not "${iso}"`);
  return d;
}

function ruleContext(options: ValidateOptions): RuleContext {
  const today = parseDay(options.today, 'today') ?? todayUk();
  return { today, notified: parseDay(options.notifiedOn, 'The notification date') ?? today };
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
  const rules = ruleContext(options);
  const limits = listLimits(options.limits);
  const findings = new Findings(limits);
  const search = new HeaderSearch(spec);
  let body: ListBody | undefined;
  const file = await openRows(filePath, limits);
  const formulas = new FormulaSweep(file.kind, findings);
  let read = 0;

  for await (const batch of file.batches)
    for (const r of batch) {
      if (options.onProgress && ++read % PROGRESS_EVERY === 0) options.onProgress(read);
      if (body && r.sheetIndex === body.sheetIndex) {
        // The list: its columns are checked by their rules, every other cell for formulas.
        formulas.row(r, body.checked);
        body.read(r);
        continue;
      }
      // Above the header, the header row itself, other sheets: read only for formulas.
      formulas.row(r);
      if (body) continue;
      const header = search.offer(r);
      if (header) {
        reportHeader(header, findings);
        body = new ListBody(spec, header, rules, findings, onRow);
      }
    }

  if (!body) throw search.failure();
  body.finish();
  return {
    list,
    file: basename(filePath),
    rows: body.rows,
    valid: findings.valid,
    findings: findings.kept,
    counts: findings.counts,
    candidates: body.candidates(),
  };
}

/** Validates one list file. Throws UnreadableListError when the file cannot be read as a list at all. */
export async function validateListFile(
  list: ListId,
  filePath: string,
  options?: ValidateOptions,
): Promise<ListReport> {
  return scanList(list, filePath, options ?? {});
}
