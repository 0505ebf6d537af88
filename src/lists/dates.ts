/**
 * Calendar dates as day numbers (days since 1970-01-01): cheap to compare, no time zone.
 * Pure code, no I/O.
 */

const MS_PER_DAY = 86_400_000;
/** Excel's serial number of 1970-01-01 in the 1900 date system. */
const EXCEL_EPOCH_OFFSET = 25_569;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Day number of a calendar date, or undefined when there is no such date (31/02). Arithmetic only. */
export function dayFromYmd(y: number, m: number, d: number): number | undefined {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return undefined;
  if (m < 1 || m > 12 || d < 1) return undefined;
  const dim = m === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0);
  if (d > dim) return undefined;
  // Days from civil (H. Hinnant).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar date of a day number. Arithmetic only. */
export function ymdFromDay(day: number): { y: number; m: number; d: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
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

/** Parses `YYYY-MM-DD` strictly. */
export function dayFromIso(iso: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return undefined;
  return dayFromYmd(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** y*10000 + m*100 + d: comparing two keys compares dates, and their difference / 10000 gives whole years. */
export function ymdKey(day: number): number {
  const { y, m, d } = ymdFromDay(day);
  return y * 10000 + m * 100 + d;
}

/** Whole years between a date of birth and a date (negative if the date is before birth). */
export function ageInYears(dob: number, at: number): number {
  return ageFromKeys(ymdKey(dob), ymdKey(at));
}

export function ageFromKeys(dobKey: number, atKey: number): number {
  return Math.floor((atKey - dobKey) / 10000);
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
