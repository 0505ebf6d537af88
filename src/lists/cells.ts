/**
 * Cells: what the readers hand over, and one parser per column type (chosen by the column's type and code
 * list) that turns a cell into a value or reports why it cannot. Every cell first gets the checks that do
 * not depend on its column: formulas, Excel errors, text a spreadsheet would run, blanks. Pure: no I/O.
 */
import { CODE_LISTS, matchCode } from './codelists';
import { dayFromCellDate, dayFromExcelSerial, dayFromYmd, formatDay } from './dates';
import { DMY, formulaLike, formulaStart, LONE_DASH, NUMERIC, YMD } from './safe-cells';
import type { ColumnSpec, ColumnType } from './specs';

/** A cell as the readers hand it over. */
export type Cell = null | string | number | boolean | Date | { formula: string } | { error: string };

/** A parsed value: string (ID, code, time, text), number (day number of a date, integer) or null (blank). */
export type Value = string | number | null;
/** Marks a cell that failed its type: cross-field rules skip it. */
export const INVALID = Symbol('invalid');
export type Parsed = Value | typeof INVALID;
export type ParsedRow = Record<string, Parsed>;

export type Severity = 'error' | 'warning';

export interface RuleContext {
  /** Today (UK) as a day number: dates after it are in the future. */
  today: number;
  /** The notification date as a day number: ages are checked at this date. */
  notified: number;
}

/** How a parser says what is wrong with a cell. */
export type Report = (code: string, message: string, severity?: Severity) => void;

const MAX_ECHO = 40;
/** Quotes a cell's own value for a message, shortened. Only ever the cell at fault. */
export function echo(v: unknown): string {
  const s = typeof v === 'string' ? v.trim() : String(v);
  return `"${s.length > MAX_ECHO ? `${s.slice(0, MAX_ECHO)}…` : s}"`;
}

function isBlankString(s: string): boolean {
  return s.length === 0 || s.trim() === '';
}

function cellToText(raw: string | number | boolean | Date): string {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? '' : formatDay(dayFromCellDate(raw) ?? 0);
  return String(raw);
}

// ---------------------------------------------------------------------------------------------------------
// One parser per column type
// ---------------------------------------------------------------------------------------------------------

type Parser = (
  col: ColumnSpec,
  raw: string | number | boolean | Date,
  ctx: RuleContext,
  report: Report,
) => Parsed;

const SERIAL_MAX = 2_958_465; // 31/12/9999
const FIRST_DAY = dayFromYmd(1900, 1, 1) ?? 0;
const LAST_DAY = dayFromYmd(2100, 12, 31) ?? 0;

function serialDateMessage(n: number): string {
  const asDate =
    n >= 1 && n <= SERIAL_MAX ? ` (as a date it would be ${formatDay(dayFromExcelSerial(n))})` : '';
  return `holds the number ${n}, not a date${asDate}. Format the column as a date (dd/mm/yyyy) or type the date as dd/mm/yyyy.`;
}

const DMY_SHORT_YEAR = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$/;

const parseDate: Parser = (col, raw, ctx, report) => {
  let day: number | undefined;
  if (raw instanceof Date) {
    day = dayFromCellDate(raw);
    if (day === undefined) {
      report('date-invalid', 'is not a valid date. Enter it as dd/mm/yyyy.');
      return INVALID;
    }
  } else if (typeof raw === 'number') {
    report('date-serial', serialDateMessage(raw));
    return INVALID;
  } else if (typeof raw === 'boolean') {
    report('date-format', `holds ${raw ? 'TRUE' : 'FALSE'}, not a date. Enter the date as dd/mm/yyyy.`);
    return INVALID;
  } else {
    const s = raw.trim();
    let m = DMY.exec(s);
    if (m) {
      day = dayFromYmd(Number(m[3]), Number(m[2]), Number(m[1]));
    } else if ((m = YMD.exec(s))) {
      day = dayFromYmd(Number(m[1]), Number(m[2]), Number(m[3]));
    } else if (NUMERIC.test(s)) {
      report('date-serial', serialDateMessage(Number(s.replace(/,/g, ''))));
      return INVALID;
    } else if (DMY_SHORT_YEAR.test(s)) {
      report(
        'date-format',
        `${echo(s)} has a two-digit year. Enter the date as dd/mm/yyyy with a four-digit year.`,
      );
      return INVALID;
    } else {
      report('date-format', `${echo(s)} is not a date. Enter the date as dd/mm/yyyy.`);
      return INVALID;
    }
    if (day === undefined) {
      report('date-impossible', `${echo(s)} is not a real date. Check the day and the month (dd/mm/yyyy).`);
      return INVALID;
    }
  }
  if (day < FIRST_DAY || day > LAST_DAY) {
    report('date-invalid', `${formatDay(day)} is not a plausible date. Check the year.`);
    return INVALID;
  }
  if (!col.futureAllowed && day > ctx.today) {
    report('date-future', `${formatDay(day)} is in the future. This date cannot be after today: check it.`);
    return INVALID;
  }
  return day;
};

const TIME = /^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i;

const parseTime: Parser = (_col, raw, _ctx, report) => {
  if (raw instanceof Date) {
    return `${String(raw.getUTCHours()).padStart(2, '0')}:${String(raw.getUTCMinutes()).padStart(2, '0')}`;
  }
  if (typeof raw === 'number') {
    report(
      'time-serial',
      `holds the number ${raw}, not a time. Format the column as a time (hh:mm) or type the time as 14:30.`,
    );
    return INVALID;
  }
  const s = String(raw).trim();
  const m = TIME.exec(s);
  if (m && (m[2] !== undefined || m[4] !== undefined)) {
    let h = Number(m[1]);
    const min = Number(m[2] ?? '0');
    const ampm = m[4]?.toLowerCase().replace(/\./g, '');
    if (ampm) {
      if (h < 1 || h > 12) h = 99;
      else if (ampm === 'pm' && h < 12) h += 12;
      else if (ampm === 'am' && h === 12) h = 0;
    }
    if (h <= 23 && min <= 59) return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
  }
  report('time-format', `${echo(s)} is not a time. Enter the time as hh:mm, for example 14:30.`);
  return INVALID;
};

const parseCode: Parser = (col, raw, _ctx, report) => {
  const list = col.codeList ? CODE_LISTS[col.codeList] : undefined;
  if (!list) return typeof raw === 'string' ? raw.trim() : cellToText(raw);
  const s = typeof raw === 'string' ? raw : cellToText(raw);
  const code = matchCode(list.name, s);
  if (code !== undefined) return code;
  if (col.type === 'yn') {
    const allowed = list.entries.map((e) => e.template ?? e.code).join(', ');
    report(
      'not-yn',
      `${echo(s)} is not one of ${allowed}. Enter ${list.entries.length > 2 ? 'one of those' : 'Y or N'}.`,
    );
  } else {
    const example = list.entries[0]?.template ?? list.entries[0]?.code ?? '';
    report(
      'not-in-code-list',
      `${echo(s)} is not in the code list (${list.title}). Use a value from the template's drop-down, for example "${example}".`,
    );
  }
  return INVALID;
};

const parseInteger: Parser = (col, raw, _ctx, report) => {
  let n: number;
  if (raw instanceof Date) {
    report(
      'not-a-number',
      `is formatted as a date (it shows ${cellToText(raw)}), not a number. Format the column as a number and enter a whole number.`,
    );
    return INVALID;
  }
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && NUMERIC.test(raw.trim())) n = Number(raw.trim().replace(/,/g, ''));
  else {
    report('not-a-number', `${echo(cellToText(raw))} is not a number. Enter a whole number, for example 3.`);
    return INVALID;
  }
  if (!Number.isFinite(n)) {
    report('not-a-number', 'is not a number. Enter a whole number, for example 3.');
    return INVALID;
  }
  if (!Number.isInteger(n)) {
    if (col.decimals === 'warning') {
      report(
        'not-whole',
        `holds ${n}, not a whole number; read as ${Math.floor(n)}. Give whole numbers.`,
        'warning',
      );
      n = Math.floor(n);
    } else {
      report('not-whole', `holds ${n}, not a whole number. Enter a whole number.`);
      return INVALID;
    }
  }
  if (col.min !== undefined && n < col.min) {
    report('below-minimum', `holds ${n}; it cannot be less than ${col.min}. Check the value.`);
    return INVALID;
  }
  return n;
};

const NAME_LIKE = /^[A-Za-z][a-z'’-]+(?:\s+[A-Za-z][a-z'’-]+)+$/;

const parseChildId: Parser = (_col, raw, _ctx, report) => {
  let s: string;
  if (typeof raw === 'number') s = Number.isInteger(raw) ? raw.toFixed(0) : String(raw);
  else if (raw instanceof Date || typeof raw === 'boolean') {
    report(
      'child-id-format',
      'does not hold an ID. Enter the child\u2019s unique ID from the case management system.',
    );
    return INVALID;
  } else s = raw.trim();
  if (NAME_LIKE.test(s)) {
    // Do not echo: it may be a child's name.
    report(
      'child-id-name',
      "looks like a name, not an ID. Use the child's unique ID from the case management system, never a name.",
    );
    return INVALID;
  }
  if (s.length > 50) {
    report(
      'child-id-format',
      'is too long for an ID (over 50 characters). Enter the child\u2019s unique ID only.',
    );
    return INVALID;
  }
  return s;
};

const parseText: Parser = (_col, raw) => (typeof raw === 'string' ? raw.trim() : cellToText(raw));

const PARSERS: Record<ColumnType, Parser> = {
  'child-id': parseChildId,
  date: parseDate,
  time: parseTime,
  yn: parseCode,
  code: parseCode,
  integer: parseInteger,
  text: parseText,
};

/** The checks every cell gets first: formulas, Excel errors, text a spreadsheet would run, blanks. */
export function parseCell(col: ColumnSpec, raw: unknown, ctx: RuleContext, report: Report): Parsed {
  if (raw === null || raw === undefined) return blank(col, report);
  if (typeof raw === 'object' && !(raw instanceof Date)) {
    if ('formula' in raw) {
      report(
        'formula',
        'holds a formula. Formulas are unsafe to open at the other end: replace them with their values (Copy, then Paste Special > Values).',
      );
      return INVALID;
    }
    if ('error' in raw) {
      report(
        'excel-error',
        `holds the Excel error ${String(raw.error)}. Enter the value, or leave the cell empty.`,
      );
      return INVALID;
    }
    report(
      'unreadable-cell',
      'holds something that is not a value. Enter the value as text, a number or a date.',
    );
    return INVALID;
  }
  if (typeof raw === 'string') {
    if (isBlankString(raw)) return blank(col, report);
    const t = raw.trim();
    const first = t.charCodeAt(0);
    if (first === 45 && LONE_DASH.test(t)) {
      if (col.blank === 'error' && !col.requiredWhenTheme) return blank(col, report);
      report('dash-for-blank', `holds ${echo(t)}. Leave the cell empty when there is no value.`, 'warning');
      return null;
    }
    if (formulaLike(raw)) {
      report(
        'unsafe-text',
        `starts with ${formulaStart(raw)}, which spreadsheet programs may run as a formula. Remove that first character (or the whole value if it is not needed).`,
      );
      return INVALID;
    }
  }
  if (
    typeof raw !== 'string' &&
    typeof raw !== 'number' &&
    typeof raw !== 'boolean' &&
    !(raw instanceof Date)
  ) {
    report('unreadable-cell', 'holds something that is not a value.');
    return INVALID;
  }
  return PARSERS[col.type](col, raw, ctx, report);
}

function blank(col: ColumnSpec, report: Report): Parsed {
  if (col.blank === 'error' && !col.requiredWhenTheme) {
    if (col.type === 'child-id') report('child-id-empty', "is empty. Every row needs the child's unique ID.");
    else report('blank', `is empty. This column must be filled in: ${col.note}`);
  }
  return null;
}

/** One row of a list file, as the readers give it. */
export interface SheetRow {
  /** 0 for the first sheet (a CSV has one). */
  sheetIndex: number;
  sheetName: string;
  /** Spreadsheet row number, 1-based. */
  row: number;
  /** Cells from column A, 0-based; null for an empty cell. */
  cells: Cell[];
}
