import {
  DEFAULT_CALENDAR_SETTINGS,
  assertIsoDate,
  assertWallTime,
  createCalendar,
  ukInstant,
} from '../../src/timeline/calendar';

const calendar = createCalendar();
const utc = (iso: string) => Date.parse(iso);
const iso = (at: number) => new Date(at).toISOString();
/** Days 0..n counted from a notification date. */
const days = (from: string, n: number) =>
  [...Array(n + 1).keys()].map((i) => calendar.addWorkingDays(from, i));

describe('working days', () => {
  it('skips Good Friday and Easter Monday 2027', () => {
    expect(days('2027-03-22', 5)).toEqual([
      '2027-03-22', // day 0, Monday: notification
      '2027-03-23',
      '2027-03-24',
      '2027-03-25',
      '2027-03-30', // day 4: Fri 26 Good Friday, weekend, Mon 29 Easter Monday skipped
      '2027-03-31',
    ]);
    expect(calendar.nonWorkingReason('2027-03-26')).toBe('Good Friday');
    expect(calendar.nonWorkingReason('2027-03-29')).toBe('Easter Monday');
    expect(calendar.isWorkingDay('2027-03-25')).toBe(true);
  });

  it('skips Christmas 2026 with its Boxing Day substitute and New Year’s Day', () => {
    expect(days('2026-12-21', 8)).toEqual([
      '2026-12-21', // day 0, Monday
      '2026-12-22',
      '2026-12-23',
      '2026-12-24',
      '2026-12-29', // Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day substitute
      '2026-12-30',
      '2026-12-31',
      '2027-01-04', // Fri 1 New Year's Day, weekend
      '2027-01-05',
    ]);
    expect(calendar.nonWorkingReason('2026-12-25')).toBe('Christmas Day');
    expect(calendar.nonWorkingReason('2026-12-26')).toBe('Saturday');
    expect(calendar.nonWorkingReason('2026-12-27')).toBe('Sunday');
    expect(calendar.nonWorkingReason('2026-12-28')).toBe('Boxing Day (substitute day)');
    expect(calendar.nonWorkingReason('2027-01-01')).toBe('New Year’s Day');
  });

  it('skips the August bank holiday', () => {
    expect(calendar.nonWorkingReason('2026-08-31')).toBe('Summer bank holiday');
    expect(calendar.addWorkingDays('2026-08-27', 2)).toBe('2026-09-01'); // Thu -> Fri, (weekend, Mon) -> Tue
    expect(calendar.nextWorkingDay('2026-08-28')).toBe('2026-09-01');
    expect(calendar.previousWorkingDay('2026-09-01')).toBe('2026-08-28');
  });

  it('counts backwards with a negative n', () => {
    expect(calendar.addWorkingDays('2027-03-30', -1)).toBe('2027-03-25');
    expect(calendar.addWorkingDays('2027-01-04', -3)).toBe('2026-12-29'); // 31, 30, 29 Dec
    expect(calendar.addWorkingDays('2027-03-30', 0)).toBe('2027-03-30');
  });

  it('counts from a non-working day to the next working days', () => {
    expect(calendar.addWorkingDays('2026-11-28', 0)).toBe('2026-11-28'); // day 0 is the date itself
    expect(calendar.addWorkingDays('2026-11-28', 1)).toBe('2026-11-30'); // Saturday -> Monday
    expect(calendar.nextWorkingDay('2026-11-27')).toBe('2026-11-30');
    expect(calendar.previousWorkingDay('2026-11-30')).toBe('2026-11-27');
  });

  it('skips a closure day the partnership adds', () => {
    const withClosure = createCalendar({ closureDays: ['2026-11-26'] });
    expect(withClosure.isWorkingDay('2026-11-26')).toBe(false);
    expect(withClosure.nonWorkingReason('2026-11-26')).toBe('closure day');
    expect(withClosure.addWorkingDays('2026-11-24', 3)).toBe('2026-11-30');
    expect(calendar.addWorkingDays('2026-11-24', 3)).toBe('2026-11-27');
    expect(withClosure.settings.closureDays).toEqual(['2026-11-26']);
    expect(withClosure.settings.endOfDay).toBe('17:00');
  });

  it('uses the bank holidays it is given', () => {
    const custom = createCalendar({}, [{ date: '2026-11-25', title: 'Test holiday' }]);
    expect(custom.nonWorkingReason('2026-11-25')).toBe('Test holiday');
    expect(custom.isWorkingDay('2026-12-25')).toBe(true);
  });

  it('computes the bank holidays of a year after the list by rule, saying so, and refuses a year before it', () => {
    expect(calendar.nonWorkingReason('2029-03-30')).toBe('Good Friday (computed by rule)');
    expect(calendar.addWorkingDays('2028-12-28', 3)).toBe('2029-01-03'); // Fri 29, (weekend, New Year) Tue 2, Wed 3
    expect(calendar.nonWorkingReason('2029-01-01')).toBe('New Year’s Day (computed by rule)');
    expect(calendar.isWorkingDay('2090-08-28')).toBe(false); // the last Monday of August 2090
    expect(() => calendar.isWorkingDay('2017-12-27')).toThrow(
      'No bank holiday data for 2017 (the list starts in 2018; later years than it covers are computed by rule, earlier ones are not)',
    );
    expect(() => calendar.addWorkingDays('2018-01-02', -2)).toThrow('No bank holiday data for 2017');
  });
});

describe('UK wall time', () => {
  it('converts across the spring clock change (BST from Sun 28 Mar 2027)', () => {
    expect(iso(calendar.ukInstant('2027-03-26', '09:00'))).toBe('2027-03-26T09:00:00.000Z');
    expect(iso(calendar.ukInstant('2027-03-29', '09:00'))).toBe('2027-03-29T08:00:00.000Z');
    expect(calendar.ukTime(utc('2027-03-29T08:00:00Z'))).toBe('09:00');
    expect(() => calendar.ukInstant('2027-03-28', '01:30')).toThrow(
      '01:30 on 2027-03-28 does not exist in UK time (the clocks go forward an hour)',
    );
  });

  it('converts across the autumn clock change (GMT from Sun 25 Oct 2026)', () => {
    expect(iso(calendar.ukInstant('2026-10-23', '15:00'))).toBe('2026-10-23T14:00:00.000Z');
    expect(iso(calendar.ukInstant('2026-10-26', '15:00'))).toBe('2026-10-26T15:00:00.000Z');
    expect(calendar.ukTime(utc('2026-10-23T14:00:00Z'))).toBe('15:00');
    expect(calendar.ukTime(utc('2026-10-26T14:00:00Z'))).toBe('14:00');
  });

  it('gives the UK date of an instant, which differs from the UTC date late at night in summer', () => {
    expect(calendar.ukDate(utc('2026-07-01T23:30:00Z'))).toBe('2026-07-02');
    expect(calendar.ukDate(utc('2026-12-01T23:30:00Z'))).toBe('2026-12-01');
  });

  it('knows working hours on both sides of the clock changes', () => {
    // Fri 23 Oct 2026 (BST): 09:00 UK is 08:00Z, 17:00 UK is 16:00Z.
    expect(calendar.isInWorkingHours(utc('2026-10-23T07:59:00Z'))).toBe(false);
    expect(calendar.isInWorkingHours(utc('2026-10-23T08:00:00Z'))).toBe(true);
    expect(calendar.isInWorkingHours(utc('2026-10-23T15:59:59Z'))).toBe(true);
    expect(calendar.isInWorkingHours(utc('2026-10-23T16:00:00Z'))).toBe(false);
    // Mon 26 Oct 2026 (GMT): 08:00Z is 08:00 UK, 16:30Z is 16:30 UK.
    expect(calendar.isInWorkingHours(utc('2026-10-26T08:00:00Z'))).toBe(false);
    expect(calendar.isInWorkingHours(utc('2026-10-26T09:00:00Z'))).toBe(true);
    expect(calendar.isInWorkingHours(utc('2026-10-26T16:30:00Z'))).toBe(true);
    expect(calendar.isInWorkingHours(utc('2026-10-26T17:00:00Z'))).toBe(false);
    // Tue 30 Mar 2027 (BST): 08:30Z is 09:30 UK.
    expect(calendar.isInWorkingHours(utc('2027-03-30T08:30:00Z'))).toBe(true);
    expect(calendar.isInWorkingHours(utc('2027-03-30T16:30:00Z'))).toBe(false);
    // Weekend and bank holiday in the middle of the day.
    expect(calendar.isInWorkingHours(utc('2026-10-24T12:00:00Z'))).toBe(false);
    expect(calendar.isInWorkingHours(utc('2027-03-29T11:00:00Z'))).toBe(false);
  });

  it('finds the next start of working hours', () => {
    const inHours = utc('2026-11-25T11:15:00Z');
    expect(calendar.nextWorkingHoursStart(inHours)).toBe(inHours);
    expect(iso(calendar.nextWorkingHoursStart(utc('2026-11-25T06:00:00Z')))).toBe('2026-11-25T09:00:00.000Z');
    expect(iso(calendar.nextWorkingHoursStart(utc('2026-11-25T17:00:00Z')))).toBe('2026-11-26T09:00:00.000Z');
    // Friday evening before the clocks go back -> Monday 09:00 GMT.
    expect(iso(calendar.nextWorkingHoursStart(utc('2026-10-23T18:00:00Z')))).toBe('2026-10-26T09:00:00.000Z');
    // Thursday evening before Easter 2027 -> Tuesday 09:00 BST.
    expect(iso(calendar.nextWorkingHoursStart(utc('2027-03-25T17:30:00Z')))).toBe('2027-03-30T08:00:00.000Z');
    // Early on Christmas Eve 2026 -> the same morning; that evening -> Tue 29 Dec.
    expect(iso(calendar.nextWorkingHoursStart(utc('2026-12-24T07:00:00Z')))).toBe('2026-12-24T09:00:00.000Z');
    expect(iso(calendar.nextWorkingHoursStart(utc('2026-12-24T17:00:00Z')))).toBe('2026-12-29T09:00:00.000Z');
  });

  it('follows custom working hours', () => {
    const early = createCalendar({ workingHours: { start: '08:00', end: '18:30' } });
    expect(early.isInWorkingHours(utc('2026-11-25T18:15:00Z'))).toBe(true);
    expect(early.isInWorkingHours(utc('2026-11-25T18:30:00Z'))).toBe(false);
    expect(iso(early.nextWorkingHoursStart(utc('2026-11-25T07:00:00Z')))).toBe('2026-11-25T08:00:00.000Z');
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_CALENDAR_SETTINGS).toEqual({
      endOfDay: '17:00',
      workingHours: { start: '09:00', end: '17:00' },
      closureDays: [],
    });
    expect(createCalendar().settings).toEqual(DEFAULT_CALENDAR_SETTINGS);
  });
});

describe('bad input', () => {
  it('names a malformed or impossible date', () => {
    expect(() => calendar.isWorkingDay('2026-13-01')).toThrow(
      'Invalid date "2026-13-01": expected a real calendar date as YYYY-MM-DD',
    );
    expect(() => calendar.addWorkingDays('2026-02-30', 1)).toThrow('Invalid date "2026-02-30"');
    expect(() => calendar.nextWorkingDay('25/11/2026')).toThrow('Invalid date "25/11/2026"');
    expect(() => calendar.previousWorkingDay('2026-1-5')).toThrow('Invalid date "2026-1-5"');
    expect(() => ukInstant('', '09:00')).toThrow('Invalid date ""');
    expect(() => assertIsoDate(20261125)).toThrow('Invalid date 20261125');
  });

  it('names a malformed time', () => {
    expect(() => calendar.ukInstant('2026-11-25', '9:00')).toThrow(
      'Invalid time "9:00": expected a 24-hour time as HH:MM',
    );
    expect(() => calendar.ukInstant('2026-11-25', '24:00')).toThrow('Invalid time "24:00"');
    expect(() => assertWallTime('17:60')).toThrow('Invalid time "17:60"');
  });

  it('names bad settings', () => {
    expect(() => createCalendar({ endOfDay: '5pm' })).toThrow('Invalid endOfDay "5pm"');
    expect(() => createCalendar({ closureDays: ['2026-11-26', '26/11/2026'] })).toThrow(
      'Invalid closureDays[1] "26/11/2026"',
    );
    expect(() => createCalendar({ workingHours: { start: '17:00', end: '09:00' } })).toThrow(
      'Invalid working hours 17:00–09:00: the start must be before the end',
    );
  });

  it('refuses a fractional number of days and a non-numeric instant', () => {
    expect(() => calendar.addWorkingDays('2026-11-25', 1.5)).toThrow(
      'Invalid number of working days 1.5: expected a whole number',
    );
    expect(() => calendar.ukDate(Number.NaN)).toThrow('Invalid instant NaN');
  });
});
