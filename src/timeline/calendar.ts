/**
 * Working days and UK wall time. Everything is stored as UTC instants; dates and times that people see
 * or type are Europe/London wall time, converted by luxon (which handles the clock changes).
 *
 * Pure: no Node built-ins, no I/O, no clock, so it is safe inside workflow code.
 */
import { DateTime, Settings } from 'luxon';
import {
  ENGLAND_AND_WALES_BANK_HOLIDAYS,
  bankHolidayYears,
  bankHolidaysOfYear,
  type BankHoliday,
} from './bank-holidays';
import type { Instant, IsoDate, WallTime } from './types';
import { UK_ZONE } from './uk-zone';

// UK English for every date luxon writes, whatever the host's locale (a server's is often en-US or C); it also
// spares luxon asking the host for its locale, an Intl call that costs a CLI command ~15 ms at start-up.
Settings.defaultLocale = 'en-GB';

export interface CalendarSettings {
  /** "End of day" in the guidance. */
  endOfDay: WallTime;
  /** When chasing emails may go out. */
  workingHours: { start: WallTime; end: WallTime };
  /** Extra non-working days the partnership adds. */
  closureDays: IsoDate[];
}

export const DEFAULT_CALENDAR_SETTINGS: CalendarSettings = {
  endOfDay: '17:00',
  workingHours: { start: '09:00', end: '17:00' },
  closureDays: [],
};

export interface WorkingDayCalendar {
  readonly settings: CalendarSettings;
  /** Monday to Friday, not a bank holiday, not a closure day. */
  isWorkingDay(date: IsoDate): boolean;
  /** 'Saturday', 'Sunday', the bank holiday's title, or 'closure day'; undefined on a working day. */
  nonWorkingReason(date: IsoDate): string | undefined;
  /** The nth working day after `date` (day 0 is `date` itself); a negative n counts backwards. */
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  /** The first working day strictly after `date`. */
  nextWorkingDay(date: IsoDate): IsoDate;
  /** The last working day strictly before `date`. */
  previousWorkingDay(date: IsoDate): IsoDate;
  ukInstant(date: IsoDate, time: WallTime): Instant;
  ukDate(at: Instant): IsoDate;
  ukTime(at: Instant): WallTime;
  /** A working day and start <= time < end. */
  isInWorkingHours(at: Instant): boolean;
  /** `at` itself if in working hours, else the start of the next working hours. */
  nextWorkingHoursStart(at: Instant): Instant;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Whether year, month (1–12) and day name a real date (plain Date arithmetic: cheaper than luxon here). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Throws unless `value` is a real calendar date written YYYY-MM-DD. */
export function assertIsoDate(value: unknown, what = 'date'): asserts value is IsoDate {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new Error(`Invalid ${what} ${show(value)}: expected a real calendar date as YYYY-MM-DD`);
  }
}

/** Throws unless `value` is a 24-hour time written HH:MM (00:00 to 23:59). */
export function assertWallTime(value: unknown, what = 'time'): asserts value is WallTime {
  if (typeof value !== 'string' || !WALL_TIME.test(value)) {
    throw new Error(`Invalid ${what} ${show(value)}: expected a 24-hour time as HH:MM`);
  }
}

function assertInstant(value: unknown): asserts value is Instant {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`Invalid instant ${show(value)}: expected milliseconds since the epoch`);
  }
}

function minutesOf(time: WallTime): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Date-only arithmetic is done in UTC, where every day has 24 hours. */
function dateOnly(date: IsoDate): DateTime {
  return DateTime.fromISO(date, { zone: 'utc' });
}

function isoOf(dateTime: DateTime): IsoDate {
  const iso = dateTime.toISODate();
  if (iso === null) throw new Error(`Invalid date: ${dateTime.invalidExplanation ?? 'unknown reason'}`);
  return iso;
}

function ukDateTime(at: Instant): DateTime {
  assertInstant(at);
  return DateTime.fromMillis(at, { zone: UK_ZONE });
}

/**
 * UK wall time to an instant. A time the clocks skip (01:00–01:59 on the last Sunday of March) is refused;
 * a time that happens twice (01:00–01:59 on the last Sunday of October) is the later, GMT, one.
 */
export function ukInstant(date: IsoDate, time: WallTime): Instant {
  assertIsoDate(date);
  assertWallTime(time);
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const dateTime = DateTime.fromObject({ year, month, day, hour, minute }, { zone: UK_ZONE });
  if (dateTime.hour !== hour || dateTime.minute !== minute) {
    throw new Error(`${time} on ${date} does not exist in UK time (the clocks go forward an hour)`);
  }
  return dateTime.toMillis();
}

export function ukDate(at: Instant): IsoDate {
  return isoOf(ukDateTime(at));
}

export function ukTime(at: Instant): WallTime {
  // Not toFormat('HH:mm'): luxon's formatter asks Intl whether en-GB is English, starting ICU (~30 ms).
  const { hour, minute } = ukDateTime(at);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function resolveSettings(partial: Partial<CalendarSettings>): CalendarSettings {
  const settings: CalendarSettings = {
    endOfDay: partial.endOfDay ?? DEFAULT_CALENDAR_SETTINGS.endOfDay,
    workingHours: { ...(partial.workingHours ?? DEFAULT_CALENDAR_SETTINGS.workingHours) },
    closureDays: [...(partial.closureDays ?? DEFAULT_CALENDAR_SETTINGS.closureDays)],
  };
  assertWallTime(settings.endOfDay, 'endOfDay');
  assertWallTime(settings.workingHours.start, 'workingHours.start');
  assertWallTime(settings.workingHours.end, 'workingHours.end');
  if (minutesOf(settings.workingHours.start) >= minutesOf(settings.workingHours.end)) {
    throw new Error(
      `Invalid working hours ${settings.workingHours.start}–${settings.workingHours.end}: the start must be before the end`,
    );
  }
  settings.closureDays.forEach((day, i) => assertIsoDate(day, `closureDays[${i}]`));
  // Frozen so that a caller changing its settings object afterwards cannot desynchronise the calendar.
  Object.freeze(settings.workingHours);
  Object.freeze(settings.closureDays);
  return Object.freeze(settings);
}

/**
 * A working-day calendar for England and Wales. A year after the bank holiday list has its regular
 * holidays computed by rule (marked as such in their titles); a year before it is refused rather than
 * silently treated as having no bank holidays.
 */
export function createCalendar(
  settings: Partial<CalendarSettings> = {},
  bankHolidays: readonly BankHoliday[] = ENGLAND_AND_WALES_BANK_HOLIDAYS,
): WorkingDayCalendar {
  const resolved = resolveSettings(settings);
  bankHolidays.forEach((holiday) => assertIsoDate(holiday.date, 'bank holiday date'));
  const closures = new Set(resolved.closureDays);
  const covered = bankHolidayYears(bankHolidays);
  /** Each year's holidays by date, worked out once (a later year's by rule). */
  const byYear = new Map<number, Map<IsoDate, string>>();
  function holidayTitles(year: number): Map<IsoDate, string> {
    let titles = byYear.get(year);
    if (!titles) {
      const holidays = bankHolidaysOfYear(year, bankHolidays);
      if (!holidays) {
        throw new Error(
          `No bank holiday data for ${year} (the list starts in ${covered?.first ?? '?'}; ` +
            'later years than it covers are computed by rule, earlier ones are not)',
        );
      }
      titles = new Map(holidays.map((holiday) => [holiday.date, holiday.title]));
      byYear.set(year, titles);
    }
    return titles;
  }
  const start = minutesOf(resolved.workingHours.start);
  const end = minutesOf(resolved.workingHours.end);

  function nonWorkingReason(date: IsoDate): string | undefined {
    assertIsoDate(date);
    const titles = holidayTitles(Number(date.slice(0, 4)));
    const weekday = dateOnly(date).weekday; // 1 = Monday ... 7 = Sunday
    if (weekday >= 6) return WEEKDAY_NAMES[weekday - 1];
    return titles.get(date) ?? (closures.has(date) ? 'closure day' : undefined);
  }

  const isWorkingDay = (date: IsoDate) => nonWorkingReason(date) === undefined;

  /** The first working day found stepping one day at a time in `direction`, excluding `date`. */
  function step(date: IsoDate, direction: 1 | -1): IsoDate {
    let day = dateOnly(date);
    do day = day.plus({ days: direction });
    while (!isWorkingDay(isoOf(day)));
    return isoOf(day);
  }

  function addWorkingDays(date: IsoDate, n: number): IsoDate {
    assertIsoDate(date);
    if (!Number.isInteger(n))
      throw new Error(`Invalid number of working days ${show(n)}: expected a whole number`);
    let day = date;
    for (let i = 0; i < Math.abs(n); i++) day = step(day, n > 0 ? 1 : -1);
    return day;
  }

  function isInWorkingHours(at: Instant): boolean {
    const local = ukDateTime(at);
    const minutes = local.hour * 60 + local.minute;
    return isWorkingDay(isoOf(local)) && minutes >= start && minutes < end;
  }

  return {
    settings: resolved,
    isWorkingDay,
    nonWorkingReason,
    addWorkingDays,
    nextWorkingDay(date) {
      assertIsoDate(date);
      return step(date, 1);
    },
    previousWorkingDay(date) {
      assertIsoDate(date);
      return step(date, -1);
    },
    ukInstant,
    ukDate,
    ukTime,
    isInWorkingHours,
    nextWorkingHoursStart(at) {
      if (isInWorkingHours(at)) return at;
      const local = ukDateTime(at);
      const today = isoOf(local);
      const beforeStart = local.hour * 60 + local.minute < start;
      const day = beforeStart && isWorkingDay(today) ? today : step(today, 1);
      return ukInstant(day, resolved.workingHours.start);
    },
  };
}
