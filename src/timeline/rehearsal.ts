import type { WorkingDayCalendar } from './calendar';
import { formatUkDateTime } from './format';
import {
  buildSchedule,
  chaseLadder,
  DEFAULT_CHASING_POLICY,
  type ChasingPolicy,
  type InspectionSchedule,
  type Rung,
} from './schedule';
import type { Theme } from './theme';
import type { Instant, InspectionOption, IsoDate } from './types';

/**
 * A rehearsal: the whole Annex C week on a compressed clock, so a partnership can practise it in an
 * afternoon. Day 0 at the start of working hours (09:00) is the moment the rehearsal starts; each working day
 * (09:00–17:00) lasts `dayMinutes` real minutes; the time between two working days (a night, a weekend, a bank
 * holiday, however long) lasts an eighth of that. An instant keeps its place in proportion within its stretch,
 * so the order and the spacing of every deadline, reminder and escalation survive: an escalation at 18:00 still
 * comes after the 17:00 deadline it follows, and before the next morning's. A compressed day lasts 9N/8
 * minutes, and a deadline on day d at hh:mm falls start + d·9N/8 + (hh:mm − 09:00)/8 h · N minutes after the
 * start (day 2 15:00 with N = 20: 60 minutes).
 *
 * Pure: no clock, no I/O. The week rehearsed is a real one (day 0 is the day the rehearsal starts), so its
 * schedule is built by the same code as an inspection's, then every instant of it is compressed.
 */

/** The compressed clock of one rehearsal. */
export interface RehearsalClock {
  /** The real instant that stands for day 0 at the start of working hours. */
  startsAt: Instant;
  /** Real minutes one working day lasts (fractions allowed: tests use them). */
  dayMinutes: number;
  /** Day 0 of the week rehearsed: the day the rehearsal starts, or the next working day if that is not one. */
  day0: IsoDate;
}

/** The lengths a partnership picks from on the start page (any other N is accepted by the CLI and API). */
export const REHEARSAL_DAY_MINUTES_CHOICES = [10, 20, 30, 60] as const;
/** Below 6 seconds a day, a weekend would pass in under a second: timers and emails could not keep up. */
export const MIN_DAY_MINUTES = 0.1;
/** A working day lasts 480 minutes for real: a rehearsal is never slower than the inspection. */
export const MAX_DAY_MINUTES = 480;
/** A rehearsal is purged a day after it ends. */
export const REHEARSAL_RETENTION_DAYS = 1;
/** The stretch between two working days, however long, lasts this share of a compressed working day. */
export const BETWEEN_DAYS_SHARE = 1 / 8;

const MINUTE = 60_000;

/** A rehearsal's inspection id: the real id it would have, with `-rehearsal-<n>`, so the two never collide. */
export function rehearsalInspectionId(baseId: string, n: number): string {
  return `${baseId}-rehearsal-${n}`;
}

const REHEARSAL_ID = /-rehearsal-\d+$/;

/**
 * Whether an inspection id is a rehearsal's. A real id ends with its notification date (or a restart's `-2`),
 * never with `-rehearsal-<n>`, whatever the local authority is called.
 */
export function isRehearsalId(inspectionId: string): boolean {
  return REHEARSAL_ID.test(inspectionId);
}

/** Day 0 of a rehearsal starting at `startsAt`: its own UK date, or the next working day after it. */
export function rehearsalDay0(startsAt: Instant, calendar: WorkingDayCalendar): IsoDate {
  const date = calendar.ukDate(startsAt);
  return calendar.isWorkingDay(date) ? date : calendar.nextWorkingDay(date);
}

/** Throws unless N is a number of minutes a rehearsal can run at. */
export function assertDayMinutes(dayMinutes: number): void {
  if (!Number.isFinite(dayMinutes) || dayMinutes < MIN_DAY_MINUTES || dayMinutes > MAX_DAY_MINUTES)
    throw new Error(
      `A rehearsal's working day lasts from ${MIN_DAY_MINUTES} to ${MAX_DAY_MINUTES} minutes, not ${String(dayMinutes)}.`,
    );
}

export function rehearsalClock(
  startsAt: Instant,
  dayMinutes: number,
  calendar: WorkingDayCalendar,
): RehearsalClock {
  assertDayMinutes(dayMinutes);
  return { startsAt, dayMinutes, day0: rehearsalDay0(startsAt, calendar) };
}

/** Real milliseconds of a compressed working day, and of a compressed day with its night. */
function lengths(clock: RehearsalClock) {
  const day = clock.dayMinutes * MINUTE;
  return { day, between: day * BETWEEN_DAYS_SHARE, period: day * (1 + BETWEEN_DAYS_SHARE) };
}

/**
 * The rehearsed week as the compressed clock needs it: each working day's index from day 0 (negative before
 * it) and working hours, worked out once per date (the calendar's time-zone arithmetic is the slow part), so
 * one week compresses and expands many instants quickly.
 */
export function rehearsalWeek(clock: RehearsalClock, calendar: WorkingDayCalendar) {
  const indexes = new Map<IsoDate, number>([[clock.day0, 0]]);
  const dates = new Map<number, IsoDate>([[0, clock.day0]]);
  const hours = new Map<IsoDate, { start: Instant; end: Instant }>();
  const { start, end } = calendar.settings.workingHours;
  const { day, between, period } = lengths(clock);
  const week = {
    day,
    between,
    period,
    /** The index of a working day: counted from the nearest date already known, then remembered. */
    indexOf(date: IsoDate): number {
      const known = indexes.get(date);
      if (known !== undefined) return known;
      const forward = date > clock.day0;
      let k = 0;
      let d = clock.day0;
      while (forward ? d < date : d > date) {
        k += forward ? 1 : -1;
        d = week.dateOf(k);
      }
      if (d !== date) throw new Error(`${date} is not a working day.`);
      return k;
    },
    /** Working day k, stepped to from its neighbour nearer day 0 (each known day is remembered). */
    dateOf(k: number): IsoDate {
      const known = dates.get(k);
      if (known !== undefined) return known;
      const nearer = week.dateOf(k > 0 ? k - 1 : k + 1);
      const date = k > 0 ? calendar.nextWorkingDay(nearer) : calendar.previousWorkingDay(nearer);
      dates.set(k, date);
      indexes.set(date, k);
      return date;
    },
    hoursOf(date: IsoDate): { start: Instant; end: Instant } {
      let h = hours.get(date);
      if (!h) {
        h = { start: calendar.ukInstant(date, start), end: calendar.ukInstant(date, end) };
        hours.set(date, h);
      }
      return h;
    },
    /** The compressed stretch a real instant is in: working day k (and how far into it), or the night after k. */
    stretchOf(at: Instant) {
      const k = Math.floor((at - clock.startsAt) / period);
      const into = at - clock.startsAt - k * period;
      return { k, into, working: into <= day };
    },
    compress(at: Instant): Instant {
      const date = calendar.ukDate(at);
      if (calendar.isWorkingDay(date)) {
        const h = week.hoursOf(date);
        if (at >= h.start && at <= h.end)
          return Math.round(
            clock.startsAt + week.indexOf(date) * period + ((at - h.start) / (h.end - h.start)) * day,
          );
      }
      // Between two working days: after the last working day that has ended, before the next one starts.
      const before =
        calendar.isWorkingDay(date) && at > week.hoursOf(date).end ? date : calendar.previousWorkingDay(date);
      const k = week.indexOf(before);
      const gapStart = week.hoursOf(before).end;
      const gapEnd = week.hoursOf(week.dateOf(k + 1)).start;
      return Math.round(
        clock.startsAt + k * period + day + ((at - gapStart) / (gapEnd - gapStart)) * between,
      );
    },
    expand(at: Instant): Instant {
      const { k, into, working } = week.stretchOf(at);
      const h = week.hoursOf(week.dateOf(k));
      if (working) return Math.round(h.start + (into / day) * (h.end - h.start));
      const next = week.hoursOf(week.dateOf(k + 1)).start;
      return Math.round(h.end + ((into - day) / between) * (next - h.end));
    },
  };
  return week;
}

/**
 * Where an instant of the rehearsed week falls on the compressed clock: its working day's share of N, or its
 * night's share of N/8, after that day's start. Rounded to the millisecond (timers run in whole milliseconds);
 * two instants of a schedule an hour or more apart stay apart for any N the rehearsal accepts.
 */
export function compressInstant(clock: RehearsalClock, calendar: WorkingDayCalendar, at: Instant): Instant {
  return rehearsalWeek(clock, calendar).compress(at);
}

/**
 * The instant of the rehearsed week a real instant stands for: the inverse of `compressInstant` (to within
 * its rounding, which a night stretches to some seconds when N is small).
 */
export function expandInstant(clock: RehearsalClock, calendar: WorkingDayCalendar, at: Instant): Instant {
  return rehearsalWeek(clock, calendar).expand(at);
}

/** Working minutes of the rehearsed week that pass between two real instants (negative if `to` is earlier). */
export function rehearsedWorkingMinutes(
  clock: RehearsalClock,
  calendar: WorkingDayCalendar,
  from: Instant,
  to: Instant,
): number {
  const { start, end } = calendar.settings.workingHours;
  const minutesPerDay = minutesOf(end) - minutesOf(start);
  const week = rehearsalWeek(clock, calendar);
  const worked = (at: Instant) => {
    const { k, into } = week.stretchOf(at);
    return k * minutesPerDay + (Math.min(into, week.day) / week.day) * minutesPerDay;
  };
  return worked(to) - worked(from);
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** "day 2, Wed 15 Jul 2026, 15:00": what a real instant of the rehearsal stands for in the week rehearsed. */
export function standsFor(clock: RehearsalClock, calendar: WorkingDayCalendar, at: Instant): string {
  const week = rehearsalWeek(clock, calendar);
  // To the nearest minute: the compressed clock's rounding is seconds of the week when N is small.
  const virtual = Math.round(week.expand(at) / MINUTE) * MINUTE;
  const date = calendar.ukDate(virtual);
  const label = formatUkDateTime(virtual);
  return calendar.isWorkingDay(date) ? `day ${week.indexOf(date)}, ${label}` : label;
}

export function compressLadder(clock: RehearsalClock, calendar: WorkingDayCalendar, ladder: Rung[]): Rung[] {
  const week = rehearsalWeek(clock, calendar);
  return ladder.map((rung) => ({ ...rung, at: week.compress(rung.at) }));
}

/** A whole schedule on the compressed clock: every due instant, every rung of every ladder, the close. */
export function compressSchedule(
  schedule: InspectionSchedule,
  clock: RehearsalClock,
  calendar: WorkingDayCalendar,
): InspectionSchedule {
  if (schedule.notifiedOn !== clock.day0)
    throw new Error(`The schedule starts on ${schedule.notifiedOn}, the rehearsal's day 0 is ${clock.day0}.`);
  const week = rehearsalWeek(clock, calendar);
  return {
    ...schedule,
    deliverables: schedule.deliverables.map((d) => ({
      ...d,
      dueAt: week.compress(d.dueAt),
      ladder: d.ladder.map((rung) => ({ ...rung, at: week.compress(rung.at) })),
    })),
    closesAt: week.compress(schedule.closesAt),
    rehearsal: { startsAt: clock.startsAt, dayMinutes: clock.dayMinutes },
  };
}

/** The schedule of a rehearsal starting at `startsAt`: the week from its day 0, compressed. */
export function rehearsalSchedule(input: {
  startsAt: Instant;
  dayMinutes: number;
  option: InspectionOption;
  theme: Theme;
  calendar: WorkingDayCalendar;
  policy?: ChasingPolicy;
}): { schedule: InspectionSchedule; clock: RehearsalClock } {
  const clock = rehearsalClock(input.startsAt, input.dayMinutes, input.calendar);
  const week = buildSchedule({
    notifiedOn: clock.day0,
    option: input.option,
    theme: input.theme,
    calendar: input.calendar,
    ...(input.policy ? { policy: input.policy } : {}),
  });
  return { schedule: compressSchedule(week, clock, input.calendar), clock };
}

/**
 * A rehearsal deadline moved to an instant of the week rehearsed: the new deadline and its chasing ladder are
 * worked out on the week's calendar, as for an inspection, then compressed.
 */
export function rehearsalExtension(
  clock: RehearsalClock,
  calendar: WorkingDayCalendar,
  weekDueAt: Instant,
  policy: ChasingPolicy = DEFAULT_CHASING_POLICY,
): { dueAt: Instant; ladder: Rung[] } {
  return {
    dueAt: compressInstant(clock, calendar, weekDueAt),
    ladder: compressLadder(clock, calendar, chaseLadder(weekDueAt, calendar, policy)),
  };
}

/** "1 minute", "20 minutes", "0.5 minutes": how long a rehearsal's working day lasts, in words. */
export function dayLengthWords(dayMinutes: number): string {
  return `${dayMinutes} minute${dayMinutes === 1 ? '' : 's'}`;
}
