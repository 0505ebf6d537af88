import { createCalendar } from '../../src/timeline/calendar';
import {
  assertDayMinutes,
  compressInstant,
  isRehearsalId,
  rehearsalClock,
  rehearsalDay0,
  rehearsalExtension,
  rehearsalInspectionId,
  rehearsalSchedule,
  rehearsalWeek,
  rehearsedWorkingMinutes,
  standsFor,
  type RehearsalClock,
} from '../../src/timeline/rehearsal';
import { buildSchedule, type InspectionSchedule } from '../../src/timeline/schedule';
import { csaFamilyTheme } from '../../src/timeline/themes/csa-family';
import type { InspectionOption } from '../../src/timeline/types';

const calendar = createCalendar();
const MINUTE = 60_000;
const at = (date: string, time: string) => calendar.ukInstant(date, time);
const day = (day0: string, d: number, time: string) => at(calendar.addWorkingDays(day0, d), time);

/** Every instant of a schedule: due instants, every rung of every ladder, the close. */
function instantsOf(schedule: InspectionSchedule): number[] {
  return [
    ...schedule.deliverables.flatMap((d) => [d.dueAt, ...d.ladder.map((r) => r.at)]),
    schedule.closesAt,
  ];
}

/** A small seeded generator: the same numbers every run, never the real date. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const clockAt = (startsAt: number, dayMinutes: number): RehearsalClock =>
  rehearsalClock(startsAt, dayMinutes, calendar);

describe('the compressed clock', () => {
  // Monday 13 July 2026, 14:07:31.250 UK time: a start at no round instant.
  const startsAt = at('2026-07-13', '14:07') + 31_250;

  it('puts a deadline on day d at hh:mm at start + d·9N/8 + (hh:mm − 09:00)/8h · N minutes', () => {
    for (const n of [1, 10, 20, 30, 60, 0.5, 2.5, 7.25]) {
      const clock = clockAt(startsAt, n);
      for (const [d, time, hours] of [
        [0, '09:00', 0],
        [2, '15:00', 6],
        [3, '09:30', 0.5],
        [4, '12:00', 3],
        [6, '17:00', 8],
        [9, '17:00', 8],
      ] as const) {
        const expected = startsAt + ((d * (9 * n)) / 8) * MINUTE + (hours / 8) * n * MINUTE;
        expect({ n, d, time, at: compressInstant(clock, calendar, day(clock.day0, d, time)) }).toEqual({
          n,
          d,
          time,
          at: Math.round(expected),
        });
      }
    }
  });

  it('day 2 15:00 with N = 20 is 60 minutes after the start', () => {
    const clock = clockAt(startsAt, 20);
    expect(compressInstant(clock, calendar, day(clock.day0, 2, '15:00')) - startsAt).toBe(60 * MINUTE);
  });

  it('a night, a weekend and a bank holiday each last N/8, and keep proportion within them', () => {
    const clock = clockAt(at('2026-12-21', '10:00'), 8); // Monday before Christmas; N/8 = 1 minute
    const c = (date: string, time: string) => compressInstant(clock, calendar, at(date, time));
    // Monday night, 17:00 -> Tuesday 09:00: one minute; 01:00 is half-way through it.
    expect(c('2026-12-22', '09:00') - c('2026-12-21', '17:00')).toBe(MINUTE);
    expect(c('2026-12-22', '01:00') - c('2026-12-21', '17:00')).toBe(MINUTE / 2);
    // Thursday 24 Dec 17:00 -> Tuesday 29 Dec 09:00 (Christmas, weekend, Boxing Day substitute): one minute too.
    expect(c('2026-12-29', '09:00') - c('2026-12-24', '17:00')).toBe(MINUTE);
    expect(c('2026-12-29', '09:00') - c('2026-12-28', '09:00')).toBeLessThan(MINUTE / 4);
    // An escalation at 18:00 follows the 17:00 deadline and comes before the next morning.
    expect(c('2026-12-21', '18:00')).toBeGreaterThan(c('2026-12-21', '17:00'));
    expect(c('2026-12-21', '18:00')).toBeLessThan(c('2026-12-22', '09:00'));
  });

  it('keeps the order of every pair of instants of real schedules (options A and B, bank holidays, clock changes)', () => {
    const starts = [
      at('2026-11-23', '09:00'), // an ordinary fortnight
      at('2027-03-22', '13:45'), // Good Friday, Easter Monday, and the clocks go forward
      at('2026-12-21', '16:59'), // Christmas and New Year
      at('2026-10-19', '11:11'), // the clocks go back
      at('2026-08-28', '10:00'), // a Friday before the August bank holiday
    ];
    let pairs = 0;
    for (const startsAt of starts)
      for (const option of ['A', 'B'] as InspectionOption[]) {
        const day0 = clockAt(startsAt, 1).day0;
        const week = buildSchedule({ notifiedOn: day0, option, theme: csaFamilyTheme, calendar });
        const before = instantsOf(week);
        for (const dayMinutes of [0.1, 1, 2.5, 20, 480]) {
          const compressor = rehearsalWeek(clockAt(startsAt, dayMinutes), calendar);
          const after = before.map((x) => compressor.compress(x));
          for (let i = 0; i < before.length; i++)
            for (let j = 0; j < before.length; j++) {
              const a = before[i] as number;
              const b = before[j] as number;
              const sign = Math.sign((after[i] as number) - (after[j] as number));
              if (sign !== Math.sign(a - b))
                throw new Error(
                  `order lost with N=${dayMinutes}, option ${option}, from ${new Date(startsAt).toISOString()}: ` +
                    `${new Date(a).toISOString()} vs ${new Date(b).toISOString()}`,
                );
              pairs++;
            }
          // The first deadline comes after the start; the close comes last.
          expect(Math.min(...after)).toBeGreaterThanOrEqual(startsAt);
          expect(after.at(-1)).toBe(Math.max(...after));
        }
        // The schedule rehearsalSchedule builds is exactly this compression.
        const { schedule } = rehearsalSchedule({
          startsAt,
          dayMinutes: 2.5,
          option,
          theme: csaFamilyTheme,
          calendar,
        });
        const compressor = rehearsalWeek(clockAt(startsAt, 2.5), calendar);
        expect(instantsOf(schedule)).toEqual(before.map((x) => compressor.compress(x)));
        expect(schedule.rehearsal).toEqual({ startsAt, dayMinutes: 2.5 });
      }
    expect(pairs).toBeGreaterThan(100_000);
  });

  it('never reverses two instants anywhere in a month, and expands back to within its rounding', () => {
    const next = random(20260713);
    const from = at('2027-03-15', '00:00');
    const span = 35 * 24 * 60 * MINUTE; // five weeks: Easter, a clock change, every kind of stretch
    for (const dayMinutes of [0.25, 1, 20]) {
      const week = rehearsalWeek(clockAt(at('2027-03-15', '10:30'), dayMinutes), calendar);
      for (let i = 0; i < 2000; i++) {
        const a = Math.round(from + next() * span);
        const b = Math.round(from + next() * span);
        const [ca, cb] = [week.compress(a), week.compress(b)];
        if (a < b) expect(ca).toBeLessThanOrEqual(cb);
        // Rounding to a millisecond of the compressed clock is at most this much of the real week.
        const stretch = (4 * 24 * 60) / (dayMinutes / 8); // a four-day Easter weekend squeezed into N/8
        expect(Math.abs(week.expand(ca) - a)).toBeLessThanOrEqual(stretch);
      }
    }
  });

  it('expands a compressed instant to what it stands for, in words', () => {
    const clock = clockAt(at('2026-11-23', '09:00'), 20);
    const c = (d: number, time: string) => compressInstant(clock, calendar, day(clock.day0, d, time));
    expect(standsFor(clock, calendar, c(2, '15:00'))).toBe('day 2, Wed 25 Nov 2026, 15:00');
    expect(standsFor(clock, calendar, c(4, '18:00'))).toBe('day 4, Fri 27 Nov 2026, 18:00');
    // Saturday noon is in the weekend's stretch: no day number.
    const saturday = compressInstant(clock, calendar, at('2026-11-28', '12:00'));
    expect(standsFor(clock, calendar, saturday)).toBe('Sat 28 Nov 2026, 12:00');
  });

  it('counts the working time of the week between two real instants', () => {
    const clock = clockAt(at('2026-11-23', '09:00'), 10);
    const c = (d: number, time: string) => compressInstant(clock, calendar, day(clock.day0, d, time));
    expect(rehearsedWorkingMinutes(clock, calendar, c(2, '15:00'), c(2, '16:30'))).toBeCloseTo(90, 6);
    // Friday 16:00 to Monday 10:00: two working hours, the weekend counts none.
    expect(rehearsedWorkingMinutes(clock, calendar, c(4, '16:00'), c(5, '10:00'))).toBeCloseTo(120, 6);
    expect(rehearsedWorkingMinutes(clock, calendar, c(5, '10:00'), c(4, '16:00'))).toBeCloseTo(-120, 6);
  });

  it('compresses an extension and its chasing ladder as the week would have them', () => {
    const clock = clockAt(at('2026-11-23', '09:00'), 20);
    const weekDue = day(clock.day0, 5, '17:00');
    const moved = rehearsalExtension(clock, calendar, weekDue);
    expect(moved.dueAt).toBe(clock.startsAt + ((5 * 9 * 20) / 8 + 20) * MINUTE);
    expect(moved.ladder.map((r) => standsFor(clock, calendar, r.at))).toEqual([
      'day 4, Fri 27 Nov 2026, 09:00',
      'day 5, Mon 30 Nov 2026, 15:00',
      // A 17:00 deadline keeps its escalations in working hours, an hour apart.
      'day 6, Tue 1 Dec 2026, 09:00',
      'day 6, Tue 1 Dec 2026, 10:00',
    ]);
  });

  it('starts the week on the day it starts, or the next working day', () => {
    expect(rehearsalDay0(at('2026-11-25', '15:00'), calendar)).toBe('2026-11-25');
    expect(rehearsalDay0(at('2026-11-28', '10:00'), calendar)).toBe('2026-11-30'); // a Saturday
    expect(rehearsalDay0(at('2026-12-25', '10:00'), calendar)).toBe('2026-12-29'); // Christmas
  });

  it('refuses a day too short or too long', () => {
    expect(() => assertDayMinutes(0.05)).toThrow(/from 0.1 to 480 minutes/);
    expect(() => assertDayMinutes(481)).toThrow(/not 481/);
    expect(() => assertDayMinutes(Number.NaN)).toThrow(/not NaN/);
    expect(() => assertDayMinutes(0.1)).not.toThrow();
  });

  it('names a rehearsal so that it never collides with a real inspection', () => {
    const id = rehearsalInspectionId('inspection-example-borough-2026-11-23', 3);
    expect(id).toBe('inspection-example-borough-2026-11-23-rehearsal-3');
    expect(isRehearsalId(id)).toBe(true);
    // A local authority called "Rehearsal" does not make its real inspection one.
    expect(isRehearsalId('inspection-rehearsal-2026-11-23')).toBe(false);
    expect(isRehearsalId('inspection-rehearsal-2-2026-11-23-2')).toBe(false);
  });
});
