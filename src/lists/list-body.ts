/**
 * The rows under the header row: blank rows between data, data under no header, each row's check, child IDs
 * seen twice, the children put forward for selection, and what the list as a whole says (too long, empty).
 * Memory stays flat: rows are not kept, only the child IDs seen (for duplicates) and the findings.
 */
import type { Cell, ParsedRow, RuleContext } from './cells';
import { columnLetter, type Findings } from './findings';
import { isBlankCell, isBlankRow, type HeaderRow } from './header-row';
import type { SheetRow } from './reader';
import { rowCheck, type RowCheck } from './rows';
import type { ListSpec } from './specs';

export interface ScannedRow {
  row: number;
  values: ParsedRow;
}

/** Runs of blank rows, reported once each when data follows them (trailing blank rows are not reported). */
class BlankRuns {
  private from = 0;
  private to = 0;

  constructor(private readonly findings: Findings) {}

  note(from: number, to: number): void {
    if (this.from === 0) this.from = from;
    this.to = to;
  }

  /** Data follows: report the run seen since the last data row. */
  flush(): void {
    if (this.from === 0) return;
    const message =
      this.from === this.to
        ? `Row ${this.from} is blank. Delete it, or check that nothing is missing.`
        : `Rows ${this.from} to ${this.to} are blank. Delete them, or check that nothing is missing.`;
    this.findings.add(this.from, '', 'blank-row', 'warning', message);
    this.from = this.to = 0;
  }
}

/** Data in columns with no header: reported once per column, at the first row that has some. */
class UnnamedColumns {
  private readonly known: boolean[] = [];
  /** Every column before this one has a header: no need to look there. */
  private readonly firstUnknown: number;
  private readonly warned = new Set<number>();

  constructor(
    header: HeaderRow,
    private readonly findings: Findings,
  ) {
    for (const mc of header.match.mapped) this.known[mc.index] = true;
    for (const e of header.match.extras) this.known[e.index] = true;
    let i = 0;
    while (this.known[i]) i++;
    this.firstUnknown = i;
  }

  check(row: number, cells: readonly Cell[]): void {
    for (let i = this.firstUnknown; i < cells.length; i++) {
      if (this.known[i] || this.warned.has(i) || isBlankCell(cells[i])) continue;
      this.warned.add(i);
      const letter = columnLetter(i);
      this.findings.add(
        row,
        `(column ${letter})`,
        'unnamed-column',
        'warning',
        `Column ${letter} has data (first on row ${row}) but no header, so it was ignored. Give it a header from the template, or delete it.`,
      );
    }
  }
}

export class ListBody {
  /** Data rows read (blank rows are not counted). */
  rows = 0;
  readonly sheetIndex: number;
  /** Cell indices the column checks read (the list's columns): true at each. */
  readonly checked: readonly boolean[];
  private readonly check: RowCheck;
  private readonly columnText: Map<string, string>;
  private readonly blanks: BlankRuns;
  private readonly unnamed: UnnamedColumns;
  private readonly seenIds = new Map<string, number>();
  private readonly candidateIds = new Set<string>();
  private lastRow: number;

  constructor(
    private readonly spec: ListSpec,
    private readonly header: HeaderRow,
    rules: RuleContext,
    private readonly findings: Findings,
    private readonly onRow?: (r: ScannedRow) => void,
  ) {
    const mapped = header.match.mapped;
    this.sheetIndex = header.sheetIndex;
    const checked: boolean[] = [];
    for (const mc of mapped) checked[mc.index] = true;
    this.checked = checked;
    this.check = rowCheck(spec, mapped, rules);
    this.columnText = new Map(mapped.map((mc) => [mc.spec.key, mc.text]));
    this.blanks = new BlankRuns(findings);
    this.unnamed = new UnnamedColumns(header, findings);
    this.lastRow = header.row;
  }

  /** One row of the list's sheet, below the header. */
  read(r: SheetRow): void {
    if (r.row > this.lastRow + 1) this.blanks.note(this.lastRow + 1, r.row - 1);
    this.lastRow = r.row;
    if (isBlankRow(r.cells)) {
      this.blanks.note(r.row, r.row);
      return;
    }
    this.blanks.flush();
    this.rows++;
    this.unnamed.check(r.row, r.cells);
    const { values, issues } = this.check(r.cells);
    for (const iss of issues) {
      const column = this.columnText.get(iss.key) ?? iss.key;
      this.findings.add(
        r.row,
        column,
        iss.code,
        iss.severity,
        `Row ${r.row}, column "${column}": ${iss.message}`,
      );
    }
    this.childId(r.row, values);
    this.onRow?.({ row: r.row, values });
  }

  private childId(row: number, values: ParsedRow): void {
    const id = values.childId;
    if (typeof id !== 'string' || id === '') return;
    if (this.spec.uniqueChildId) {
      const first = this.seenIds.get(id);
      if (first === undefined) this.seenIds.set(id, row);
      else {
        const column = this.columnText.get('childId') ?? 'Child unique ID';
        this.findings.add(
          row,
          column,
          'duplicate-child-id',
          'error',
          `Row ${row}, column "${column}": the same child ID is already on row ${first}. Each child appears once on this list: merge the two rows.`,
        );
      }
    }
    const { candidates } = this.spec;
    if (candidates === 'all' || (candidates === 'theme' && values.theme === 'Y')) this.candidateIds.add(id);
  }

  /** What the list as a whole says, once every row is read. */
  finish(): void {
    const { maxRows } = this.spec;
    const at = this.header.row;
    if (maxRows !== undefined && this.rows > maxRows)
      this.findings.add(
        at,
        '',
        'too-many-rows',
        'warning',
        `The list has ${this.rows} children; the guidance asks for at most ${maxRows}. Send the ${maxRows} most relevant, or agree more with the lead inspector.`,
      );
    if (this.rows === 0)
      this.findings.add(
        at,
        '',
        'no-rows',
        'warning',
        'The list has a header row but no children under it. Check this is right.',
      );
  }

  /** Child IDs this list puts forward for selection, in first-seen order. */
  candidates(): string[] {
    return [...this.candidateIds];
  }
}
