/**
 * Calendar dates as day numbers (days since 1970-01-01): cheap to compare, no time zone.
 * Pure code, no I/O.
 */

const MS_PER_DAY = 86_400_000;
/** Excel's serial number of 1970-01-01 in the 1900 date system. */
const EXCEL_EPOCH_OFFSET = 25_569;

export function dayFromYmd(y: number, m: number, d: number): number | undefined {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return undefined;
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
    return undefined;
  return Math.round(ms / MS_PER_DAY);
}

export function ymdFromDay(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * MS_PER_DAY);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

/** Day number of a JS Date read from a spreadsheet cell (exceljs gives UTC midnight plus any time part). */
export function dayFromCellDate(date: Date): number | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  return Math.floor(ms / MS_PER_DAY);
}

export function dayFromExcelSerial(serial: number): number {
  return Math.floor(serial) - EXCEL_EPOCH_OFFSET;
}

export function formatDay(day: number): string {
  const { y, m, d } = ymdFromDay(day);
  return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${String(y).padStart(4, '0')}`;
}

export function isoFromDay(day: number): string {
  const { y, m, d } = ymdFromDay(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD` strictly. */
export function dayFromIso(iso: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return undefined;
  return dayFromYmd(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Whole years between a date of birth and a date (negative if the date is before birth). */
export function ageInYears(dob: number, at: number): number {
  const b = ymdFromDay(dob);
  const a = ymdFromDay(at);
  let age = a.y - b.y;
  if (a.m < b.m || (a.m === b.m && a.d < b.d)) age -= 1;
  return age;
}

export function addDays(day: number, n: number): number {
  return day + n;
}

/** Today's date in UK terms (Europe/London), as a day number. */
export function todayUk(now: Date = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return dayFromYmd(get('year'), get('month'), get('day')) ?? Math.floor(now.getTime() / MS_PER_DAY);
}
