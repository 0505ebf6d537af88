import { readFileSync } from 'node:fs';
import {
  COMPUTED_SUFFIX,
  ENGLAND_AND_WALES_BANK_HOLIDAYS as HOLIDAYS,
  bankHolidayYears,
  bankHolidaysOfYear,
  easterSunday,
  fromGovUkEvent,
  regularBankHolidays,
  mergeBankHolidays,
  serialiseBankHolidays,
} from '../../src/timeline/bank-holidays';

const isoPlusDays = (utcMidnight: number, days: number) =>
  new Date(utcMidnight + days * 86_400_000).toISOString().slice(0, 10);
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

/** The changes proclaimed for one year only: the rule cannot know them, the vendored list does. */
const PROCLAIMED = {
  2020: {
    onlyByRule: ['2020-05-04 Early May bank holiday'],
    onlyInList: ['2020-05-08 Early May bank holiday (VE day)'],
  },
  2022: {
    onlyByRule: ['2022-05-30 Spring bank holiday'],
    onlyInList: [
      '2022-06-02 Spring bank holiday',
      '2022-06-03 Platinum Jubilee bank holiday',
      '2022-09-19 Bank Holiday for the State Funeral of Queen Elizabeth II',
    ],
  },
  2023: {
    onlyByRule: [],
    onlyInList: ['2023-05-08 Bank holiday for the coronation of King Charles III'],
  },
} as Record<number, { onlyByRule: string[]; onlyInList: string[] }>;

describe('bank holidays computed by rule (for the years after the vendored list)', () => {
  const line = (holiday: { date: string; title: string }) => `${holiday.date} ${holiday.title}`;

  it('gives every vendored year exactly, but for the one-off changes proclaimed in 2020, 2022 and 2023', () => {
    for (let year = 2018; year <= 2028; year++) {
      const byRule = regularBankHolidays(year).map(line);
      const inList = inYear(year).map(line);
      expect({
        year,
        onlyByRule: byRule.filter((x) => !inList.includes(x)),
        onlyInList: inList.filter((x) => !byRule.includes(x)),
      }).toEqual({ year, ...(PROCLAIMED[year] ?? { onlyByRule: [], onlyInList: [] }) });
    }
  });

  it('puts Easter where the almanacs do, earliest and latest included', () => {
    const easter = (year: number) => isoPlusDays(easterSunday(year), 0);
    expect([2019, 2024, 2025, 2038, 2049, 2100, 2285].map(easter)).toEqual([
      '2019-04-21',
      '2024-03-31',
      '2025-04-20',
      '2038-04-25', // the latest possible
      '2049-04-18',
      '2100-03-28',
      '2285-03-22', // the earliest possible
    ]);
  });

  it('moves a weekend holiday to the next weekday that is not already a holiday', () => {
    const lastTwo = (year: number) => regularBankHolidays(year).slice(-2).map(line);
    // Christmas on a Saturday (2032), a Sunday (2033), a Friday (2037); New Year's Day on a Saturday (2033).
    expect(lastTwo(2032)).toEqual([
      '2032-12-27 Christmas Day (substitute day)',
      '2032-12-28 Boxing Day (substitute day)',
    ]);
    expect(lastTwo(2033)).toEqual(['2033-12-26 Boxing Day', '2033-12-27 Christmas Day (substitute day)']);
    expect(lastTwo(2037)).toEqual(['2037-12-25 Christmas Day', '2037-12-28 Boxing Day (substitute day)']);
    expect(regularBankHolidays(2033)[0]).toEqual({
      date: '2033-01-03',
      title: 'New Year’s Day (substitute day)',
    });
  });

  it('has eight holidays on weekdays every year, for a century', () => {
    for (let year = 2029; year <= 2128; year++) {
      const holidays = regularBankHolidays(year);
      expect([year, holidays.length]).toEqual([year, 8]);
      for (const { date } of holidays)
        expect([0, 6]).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
    }
  });

  it('takes the vendored list for the years it covers, computes later years (marked), and has nothing before', () => {
    expect(bankHolidaysOfYear(2028)).toEqual(inYear(2028));
    expect(bankHolidaysOfYear(2029)?.slice(0, 2)).toEqual([
      { date: '2029-01-01', title: `New Year’s Day${COMPUTED_SUFFIX}` },
      { date: '2029-03-30', title: `Good Friday${COMPUTED_SUFFIX}` },
    ]);
    expect(bankHolidaysOfYear(2029)?.every((holiday) => holiday.title.endsWith(COMPUTED_SUFFIX))).toBe(true);
    expect(bankHolidaysOfYear(2017)).toBeUndefined();
    expect(bankHolidaysOfYear(2029, [])).toEqual([]);
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
