/**
 * The bank holidays of England and Wales: a vendored snapshot of gov.uk's list
 * (https://www.gov.uk/bank-holidays.json, `england-and-wales.events`), so that working-day
 * arithmetic is deterministic and works offline and inside workflow code.
 * Refresh it with `npx tsx scripts/refresh-bank-holidays.ts`.
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
