import { readFileSync } from 'node:fs';
import {
  ENGLAND_AND_WALES_BANK_HOLIDAYS as HOLIDAYS,
  bankHolidayYears,
  fromGovUkEvent,
  mergeBankHolidays,
  serialiseBankHolidays,
} from '../../src/timeline/bank-holidays';

/** Easter Sunday (anonymous Gregorian algorithm), as a UTC Date: an independent cross-check of the table. */
function easterSunday(year: number): Date {
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
  return new Date(Date.UTC(year, month - 1, day));
}
const isoPlusDays = (date: Date, days: number) =>
  new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);
const titleOn = (date: string) => HOLIDAYS.find((holiday) => holiday.date === date)?.title;
const inYear = (year: number) => HOLIDAYS.filter((holiday) => holiday.date.startsWith(`${year}-`));

describe('vendored England and Wales bank holidays', () => {
  it('covers 2018 to 2028, sorted, one entry per date, all on weekdays', () => {
    expect(bankHolidayYears(HOLIDAYS)).toEqual({ first: 2018, last: 2028 });
    const dates = HOLIDAYS.map((holiday) => holiday.date);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(dates).size).toBe(dates.length);
    for (const date of dates) expect([0, 6]).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
  });

  it('has eight holidays a year, plus the special ones of 2022 and 2023', () => {
    const counts = Object.fromEntries([...Array(11).keys()].map((i) => [2018 + i, inYear(2018 + i).length]));
    expect(counts).toEqual({
      2018: 8,
      2019: 8,
      2020: 8,
      2021: 8,
      2022: 10,
      2023: 9,
      2024: 8,
      2025: 8,
      2026: 8,
      2027: 8,
      2028: 8,
    });
  });

  it('has Good Friday and Easter Monday where the Easter computation puts them', () => {
    for (let year = 2018; year <= 2028; year++) {
      const easter = easterSunday(year);
      expect([year, titleOn(isoPlusDays(easter, -2))]).toEqual([year, 'Good Friday']);
      expect([year, titleOn(isoPlusDays(easter, 1))]).toEqual([year, 'Easter Monday']);
    }
    expect(titleOn('2027-03-26')).toBe('Good Friday');
    expect(titleOn('2027-03-29')).toBe('Easter Monday');
  });

  it('has the substitute days', () => {
    expect(inYear(2026).slice(-2)).toEqual([
      { date: '2026-12-25', title: 'Christmas Day' },
      { date: '2026-12-28', title: 'Boxing Day (substitute day)' },
    ]);
    expect(inYear(2027).slice(-2)).toEqual([
      { date: '2027-12-27', title: 'Christmas Day (substitute day)' },
      { date: '2027-12-28', title: 'Boxing Day (substitute day)' },
    ]);
    expect(titleOn('2028-01-03')).toBe('New Year’s Day (substitute day)');
    expect(titleOn('2022-12-26')).toBe('Boxing Day');
    expect(titleOn('2022-12-27')).toBe('Christmas Day (substitute day)');
  });

  it('has the one-off changes', () => {
    expect(titleOn('2020-05-08')).toBe('Early May bank holiday (VE day)');
    expect(titleOn('2020-05-04')).toBeUndefined();
    expect(titleOn('2022-06-02')).toBe('Spring bank holiday');
    expect(titleOn('2022-06-03')).toBe('Platinum Jubilee bank holiday');
    expect(titleOn('2022-05-30')).toBeUndefined();
    expect(titleOn('2022-09-19')).toBe('Bank Holiday for the State Funeral of Queen Elizabeth II');
    expect(titleOn('2023-05-08')).toBe('Bank holiday for the coronation of King Charles III');
    expect(titleOn('2026-08-31')).toBe('Summer bank holiday');
  });
});

describe('refresh helpers', () => {
  it('folds gov.uk substitute-day notes into the title', () => {
    expect(fromGovUkEvent({ title: 'Boxing Day', date: '2026-12-28', notes: 'Substitute day' })).toEqual({
      date: '2026-12-28',
      title: 'Boxing Day (substitute day)',
    });
    expect(fromGovUkEvent({ title: 'Good Friday', date: '2026-04-03', notes: '' })).toEqual({
      date: '2026-04-03',
      title: 'Good Friday',
    });
  });

  it('lets a download replace the years it covers and keeps the others', () => {
    const snapshot = [
      { date: '2025-12-25', title: 'Christmas Day' },
      { date: '2026-05-04', title: 'Early May bank holiday' },
      { date: '2026-06-01', title: 'Withdrawn holiday' },
      { date: '2028-12-25', title: 'Christmas Day' },
    ];
    const download = [
      { date: '2026-05-04', title: 'Early May bank holiday (renamed)' },
      { date: '2027-01-01', title: 'New Year’s Day' },
      { date: '2026-01-01', title: 'New Year’s Day' },
    ];
    const result = mergeBankHolidays(snapshot, download);
    expect(result.merged.map((holiday) => holiday.date)).toEqual([
      '2025-12-25',
      '2026-01-01',
      '2026-05-04',
      '2027-01-01',
      '2028-12-25',
    ]);
    expect(result.added.map((holiday) => holiday.date)).toEqual(['2026-01-01', '2027-01-01']);
    expect(result.removed).toEqual([{ date: '2026-06-01', title: 'Withdrawn holiday' }]);
    expect(result.retitled).toEqual([{ date: '2026-05-04', title: 'Early May bank holiday (renamed)' }]);
  });

  it('serialises one holiday per line, sorted', () => {
    expect(
      serialiseBankHolidays([
        { date: '2026-12-28', title: 'Boxing Day (substitute day)' },
        { date: '2026-12-25', title: 'Christmas Day' },
      ]),
    ).toBe(
      '[\n  { "date": "2026-12-25", "title": "Christmas Day" },\n' +
        '  { "date": "2026-12-28", "title": "Boxing Day (substitute day)" }\n]\n',
    );
  });

  it('serialises the vendored snapshot back to the same text', () => {
    const file = `${__dirname}/../../src/timeline/data/bank-holidays-england-and-wales.json`;
    expect(serialiseBankHolidays(HOLIDAYS)).toBe(readFileSync(file, 'utf8'));
  });
});
