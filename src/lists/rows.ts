/**
 * One row of a list: each cell of the columns found in the file parsed by its column's parser (./cells.ts),
 * then the row rules the table declares (Option B answers, dates in order) and the rules every list with a
 * date of birth gets (dates after birth, age against date of birth, 18 or over on an open case, a date of
 * birth or an expected one). A check returns the row's values and its issues, nothing else. Pure: no I/O.
 */
import { parseCell, type Cell, type ParsedRow, type Report, type RuleContext, type Severity } from './cells';
import { ageFromKeys, formatDay, ymdKey } from './dates';
import type { ColumnSpec, ListSpec } from './specs';

export interface RowIssue {
  /** The column key the issue is about. */
  key: string;
  code: string;
  severity: Severity;
  message: string;
}

export interface CheckedRow {
  /** Every column found in the file, by key: its value, null when blank, INVALID when it failed its type. */
  values: ParsedRow;
  /** Cell issues in the list's column order, then row issues. Empty when the row is clean. */
  issues: RowIssue[];
}

/** A column of the list found in the file, at a 0-based cell index. */
export interface FoundColumn {
  index: number;
  spec: ColumnSpec;
}

export type RowCheck = (cells: readonly Cell[]) => CheckedRow;

type Say = (key: string, code: string, message: string) => void;
/** A row rule: looks at the parsed values, says what is wrong. */
type RowRule = (row: ParsedRow, say: Say) => void;

interface RuleSetting {
  spec: ListSpec;
  /** Keys of the columns found in the file. */
  present: ReadonlySet<string>;
  rules: RuleContext;
  /** A column's header as the guidance words it (the key when the list has no such column). */
  header: (key: string) => string;
}

/** Builds a rule for a file, or undefined when the file lacks what the rule looks at. */
type RuleBuilder = (s: RuleSetting) => RowRule | undefined;

const isDay = (v: unknown): v is number => typeof v === 'number';

/** Option B: the seven answers are needed for every child flagged Y. */
const themeAnswers: RuleBuilder = ({ spec, present }) => {
  const whenTheme = spec.columns.filter((c) => c.requiredWhenTheme && present.has(c.key));
  if (whenTheme.length === 0) return undefined;
  return (row, say) => {
    if (row.theme !== 'Y') return;
    for (const c of whenTheme)
      if (row[c.key] === null)
        say(
          c.key,
          'blank-when-flagged',
          'is empty, but this child is flagged Y for sexual abuse in the family environment. Option B needs Y or N here for every child flagged Y.',
        );
  };
};

/** Date pairs in order: `after` on or after `before`. */
const datesInOrder: RuleBuilder = ({ spec, present, header }) => {
  const order = spec.dateOrder.filter((o) => present.has(o.before) && present.has(o.after));
  if (order.length === 0) return undefined;
  return (row, say) => {
    for (const o of order) {
      const a = row[o.before];
      const b = row[o.after];
      if (isDay(a) && isDay(b) && b < a)
        say(
          o.after,
          'date-order',
          `${formatDay(b)} is before the "${header(o.before)}" in the same row. Check both dates.`,
        );
    }
  };
};

/** No date before birth, unless the work began before birth (an expected date of birth is given). */
const afterBirth: RuleBuilder = ({ spec, present }) => {
  const dateCols = spec.columns.filter(
    (c) => c.type === 'date' && c.key !== 'dob' && c.key !== 'expectedDob' && present.has(c.key),
  );
  if (!present.has('dob') || dateCols.length === 0) return undefined;
  return (row, say) => {
    const dob = row.dob;
    if (!isDay(dob) || isDay(row.expectedDob)) return;
    for (const c of dateCols) {
      const d = row[c.key];
      if (isDay(d) && d < dob)
        say(
          c.key,
          'before-birth',
          `${formatDay(d)} is before the child's date of birth. Check both dates (for work before birth, give the expected date of birth too).`,
        );
    }
  };
};

/**
 * The age agrees with the date of birth at the notification date, allowing for a list drawn up to a week
 * before it or in the fortnight after (a birthday in between is not a contradiction).
 */
const ageMatchesBirth: RuleBuilder = ({ present, rules }) => {
  if (!present.has('dob') || !present.has('age')) return undefined;
  const notifiedKey = ymdKey(rules.notified);
  const windowLo = ymdKey(rules.notified - 7);
  const windowHi = ymdKey(rules.notified + 14);
  return (row, say) => {
    const dob = row.dob;
    const age = row.age;
    if (!isDay(dob) || typeof age !== 'number') return;
    const dobKey = ymdKey(dob);
    if (
      age !== ageFromKeys(dobKey, notifiedKey) &&
      age !== ageFromKeys(dobKey, windowLo) &&
      age !== ageFromKeys(dobKey, windowHi) &&
      ageFromKeys(dobKey, windowHi) >= 0
    )
      say(
        'age',
        'age-mismatch',
        `says ${age}, which does not match the date of birth in this row at the notification date (${formatDay(rules.notified)}). Correct the age or the date of birth.`,
      );
  };
};

/** The lists are of children: 18 or over at the notification date only on a closed case. */
const adultOnOpenCase: RuleBuilder = ({ spec, present, rules, header }) => {
  const open = spec.openWhenBlank;
  if (!open?.every((k) => present.has(k))) return undefined;
  const notifiedKey = ymdKey(rules.notified);
  return (row, say) => {
    if (!open.every((k) => row[k] === null)) return;
    const dob = row.dob;
    const years = isDay(dob)
      ? ageFromKeys(ymdKey(dob), notifiedKey)
      : typeof row.age === 'number'
        ? row.age
        : undefined;
    if (years === undefined || years < 18) return;
    say(
      isDay(dob) ? 'dob' : 'age',
      'adult-open-case',
      `shows the child is 18 or over at the notification date, but the case is open ("${header(open[0] ?? '')}" is empty). The lists are of children under 18: remove the row or fill in the closing date.`,
    );
  };
};

/** Where a list has a date of birth, every row has one, or the expected date of birth of an unborn child. */
const birthOrExpected: RuleBuilder = ({ present, header }) => {
  if (!present.has('dob')) return undefined;
  return (row, say) => {
    if (row.dob === null && (row.expectedDob ?? null) === null)
      say(
        'dob',
        'no-birth-date',
        `is empty, and so is "${header('expectedDob')}". Give the date of birth, or for an unborn child the expected date of birth.`,
      );
  };
};

const NO_ISSUES: RowIssue[] = Object.freeze([]) as unknown as RowIssue[];

/** In the order their findings appear within a row. */
const RULES: readonly RuleBuilder[] = [
  themeAnswers,
  datesInOrder,
  afterBirth,
  ageMatchesBirth,
  adultOnOpenCase,
  birthOrExpected,
];

/** The check of one row of a file whose header row maps `found` (the list's columns, at their cell index). */
export function rowCheck(spec: ListSpec, found: readonly FoundColumn[], rules: RuleContext): RowCheck {
  // Cells are parsed in the list's column order, so a row's findings read left to right as the template does.
  const order = new Map(spec.columns.map((c, i) => [c.key, i]));
  const columns = [...found].sort((a, b) => (order.get(a.spec.key) ?? 0) - (order.get(b.spec.key) ?? 0));
  const present = new Set(columns.map((c) => c.spec.key));
  const byKey = new Map(spec.columns.map((c) => [c.key, c]));
  const header = (k: string): string => byKey.get(k)?.header ?? k;
  const rowRules = RULES.map((build) => build({ spec, present, rules, header })).filter(
    (r): r is RowRule => r !== undefined,
  );

  // The reporters are made once, not per cell: they add to the issues of the row being checked (a row
  // without issues allocates no array).
  let issues: RowIssue[] = [];
  const add = (key: string, code: string, severity: Severity, message: string): void => {
    if (issues === NO_ISSUES) issues = [];
    issues.push({ key, code, severity, message });
  };
  const reporters = columns.map(
    ({ spec: col }) =>
      (code: string, message: string, severity: Severity = 'error') =>
        add(col.key, code, severity, message),
  );
  const say: Say = (key, code, message) => add(key, code, 'error', message);

  return (cells) => {
    issues = NO_ISSUES;
    const values: ParsedRow = {};
    for (let i = 0; i < columns.length; i++) {
      const { index, spec: col } = columns[i] as FoundColumn;
      values[col.key] = parseCell(col, cells[index] ?? null, rules, reporters[i] as Report);
    }
    for (const rule of rowRules) rule(values, say);
    return { values, issues };
  };
}
