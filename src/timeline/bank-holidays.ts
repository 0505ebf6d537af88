/**
 * The bank holidays of England and Wales: a vendored snapshot of gov.uk's list
 * (https://www.gov.uk/bank-holidays.json, `england-and-wales.events`), so that working-day
 * arithmetic is deterministic and works offline and inside workflow code.
 * Refresh it with `npx tsx scripts/refresh-bank-holidays.ts`.
 *
 * gov.uk lists only a year or two ahead, so for a year after the snapshot the regular holidays are
 * computed by rule (`regularBankHolidays`) and their titles say so (`COMPUTED_SUFFIX`): one-off holidays
 * (a jubilee, a state funeral) and moved ones (VE day 2020) are proclaimed, not ruled, and only the
 * snapshot has them.
 *
 * Pure: no Node built-ins, no I/O.
 */
import data from './data/bank-holidays-england-and-wales.json';
import type { IsoDate } from './types';

export interface BankHoliday {
  date: IsoDate;
  title: string;
}

/** One event as gov.uk publishes it (we keep only date and title). */
export interface GovUkBankHolidayEvent {
  date: string;
  title: string;
  notes?: string;
}

/**
 * gov.uk titles a substitute day like the holiday it replaces ("Boxing Day" on 28 December) and says
 * "Substitute day" in `notes`; we fold that into the title so a reason like "Boxing Day (substitute day)"
 * makes sense on its own.
 */
export const SUBSTITUTE_DAY_SUFFIX = ' (substitute day)';

/** The vendored snapshot, sorted by date. */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS: readonly BankHoliday[] = data;

export function fromGovUkEvent(event: GovUkBankHolidayEvent): BankHoliday {
  const substitute =
    /substitute day/i.test(event.notes ?? '') && !event.title.endsWith(SUBSTITUTE_DAY_SUFFIX);
  return { date: event.date, title: substitute ? event.title + SUBSTITUTE_DAY_SUFFIX : event.title };
}

/** The first and last calendar years a list covers, or undefined for an empty list. */
export function bankHolidayYears(list: readonly BankHoliday[]): { first: number; last: number } | undefined {
  if (list.length === 0) return undefined;
  const years = list.map((holiday) => Number(holiday.date.slice(0, 4)));
  return { first: Math.min(...years), last: Math.max(...years) };
}

export interface BankHolidayMerge {
  merged: BankHoliday[];
  added: BankHoliday[];
  removed: BankHoliday[];
  retitled: BankHoliday[];
}

/**
 * Merges a fresh download into the snapshot. The download is authoritative for the years it covers;
 * snapshot years outside that range are kept (gov.uk drops old years and may not yet list later ones).
 */
export function mergeBankHolidays(
  snapshot: readonly BankHoliday[],
  download: readonly BankHoliday[],
): BankHolidayMerge {
  const range = bankHolidayYears(download);
  const inRange = (holiday: BankHoliday) => {
    const year = Number(holiday.date.slice(0, 4));
    return range !== undefined && year >= range.first && year <= range.last;
  };
  const merged = sortBankHolidays([...snapshot.filter((holiday) => !inRange(holiday)), ...download]);
  const before = new Map(snapshot.map((holiday) => [holiday.date, holiday.title]));
  const after = new Map(merged.map((holiday) => [holiday.date, holiday.title]));
  return {
    merged,
    added: merged.filter((holiday) => !before.has(holiday.date)),
    removed: snapshot.filter((holiday) => !after.has(holiday.date)),
    retitled: merged.filter(
      (holiday) => before.has(holiday.date) && before.get(holiday.date) !== holiday.title,
    ),
  };
}

export function sortBankHolidays(list: readonly BankHoliday[]): BankHoliday[] {
  return [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The data file's text: one holiday per line, so refreshes give readable diffs (and match Prettier). */
export function serialiseBankHolidays(list: readonly BankHoliday[]): string {
  const lines = sortBankHolidays(list).map(
    (holiday) => `  { "date": ${JSON.stringify(holiday.date)}, "title": ${JSON.stringify(holiday.title)} }`,
  );
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** Marks a holiday computed by rule for a year after the snapshot: gov.uk has not published it yet. */
export const COMPUTED_SUFFIX = ' (computed by rule)';

/** Holidays on a fixed date; one that falls on a weekend moves to the next weekday not already a holiday. */
const FIXED_DATE_HOLIDAYS = [
  { month: 1, day: 1, title: 'New Year’s Day' },
  { month: 12, day: 25, title: 'Christmas Day' },
  { month: 12, day: 26, title: 'Boxing Day' },
] as const;

/** Holidays on a Monday of a month: the first, or the last. */
const MONDAY_HOLIDAYS = [
  { month: 5, monday: 'first', title: 'Early May bank holiday' },
  { month: 5, monday: 'last', title: 'Spring bank holiday' },
  { month: 8, monday: 'last', title: 'Summer bank holiday' },
] as const;

/** Holidays a number of days from Easter Sunday. */
const EASTER_HOLIDAYS = [
  { days: -2, title: 'Good Friday' },
  { days: 1, title: 'Easter Monday' },
] as const;

const DAY_MS = 86_400_000;

/** Date-only arithmetic on UTC midnights (every UTC day has 24 hours). */
const utcDay = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
const isoOfUtc = (ms: number): IsoDate => new Date(ms).toISOString().slice(0, 10);
const weekdayOfUtc = (ms: number) => new Date(ms).getUTCDay(); // 0 = Sunday ... 6 = Saturday
const isWeekend = (ms: number) => weekdayOfUtc(ms) === 0 || weekdayOfUtc(ms) === 6;

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm), as a UTC midnight. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return utcDay(year, month, day);
}

function monday(year: number, month: number, which: 'first' | 'last'): number {
  if (which === 'first') {
    const first = utcDay(year, month, 1);
    return first + ((8 - weekdayOfUtc(first)) % 7) * DAY_MS;
  }
  const last = utcDay(year, month + 1, 0);
  return last - ((weekdayOfUtc(last) + 6) % 7) * DAY_MS;
}

/**
 * The regular bank holidays of England and Wales in `year`, by the rules of the Banking and Financial
 * Dealings Act 1971 and the proclamations that have repeated them every year since 1978, titled as gov.uk
 * titles them. A fixed-date holiday on a weekend gives a substitute day: the next weekday that is not
 * already a holiday (Christmas on a Sunday: Boxing Day stays on Monday 26th, Christmas moves to the 27th).
 */
export function regularBankHolidays(year: number): BankHoliday[] {
  const holidays: BankHoliday[] = [];
  const taken = new Set<number>();
  const fixed = FIXED_DATE_HOLIDAYS.map((h) => ({ ...h, at: utcDay(year, h.month, h.day) }));
  for (const h of fixed.filter((x) => !isWeekend(x.at))) {
    holidays.push({ date: isoOfUtc(h.at), title: h.title });
    taken.add(h.at);
  }
  for (const h of fixed.filter((x) => isWeekend(x.at))) {
    let at = h.at;
    while (isWeekend(at) || taken.has(at)) at += DAY_MS;
    holidays.push({ date: isoOfUtc(at), title: h.title + SUBSTITUTE_DAY_SUFFIX });
    taken.add(at);
  }
  const easter = easterSunday(year);
  for (const h of EASTER_HOLIDAYS)
    holidays.push({ date: isoOfUtc(easter + h.days * DAY_MS), title: h.title });
  for (const h of MONDAY_HOLIDAYS)
    holidays.push({ date: isoOfUtc(monday(year, h.month, h.monday)), title: h.title });
  return sortBankHolidays(holidays);
}

/**
 * The bank holidays of `year`: the list's, for the years it covers; for a later year, the regular ones
 * computed by rule and marked with COMPUTED_SUFFIX; undefined (no data) for a year before the list.
 * An empty list means no bank holidays at all.
 */
export function bankHolidaysOfYear(
  year: number,
  list: readonly BankHoliday[] = ENGLAND_AND_WALES_BANK_HOLIDAYS,
): BankHoliday[] | undefined {
  const covered = bankHolidayYears(list);
  if (!covered) return [];
  if (year < covered.first) return undefined;
  if (year <= covered.last) return list.filter((holiday) => holiday.date.startsWith(`${year}-`));
  return regularBankHolidays(year).map((holiday) => ({ ...holiday, title: holiday.title + COMPUTED_SUFFIX }));
}
