import {
  formatUkDate,
  formatUkDateTime,
  formatUkDateTimeLabelled,
  parseUkDateTime,
} from '../../src/timeline/format';

const utc = (iso: string) => Date.parse(iso);

describe('formatting in UK time', () => {
  it('formats a date', () => {
    expect(formatUkDate('2026-11-25')).toBe('Wed 25 Nov 2026');
    expect(formatUkDate('2026-12-01')).toBe('Tue 1 Dec 2026');
    expect(formatUkDate('2026-09-07')).toBe('Mon 7 Sep 2026');
    expect(formatUkDate('2027-03-28')).toBe('Sun 28 Mar 2027');
    expect(() => formatUkDate('2026-11-31')).toThrow('Invalid date "2026-11-31"');
  });

  it('formats an instant in GMT and in BST', () => {
    expect(formatUkDateTime(utc('2026-11-25T15:00:00Z'))).toBe('Wed 25 Nov 2026, 15:00');
    expect(formatUkDateTime(utc('2026-10-23T14:00:00Z'))).toBe('Fri 23 Oct 2026, 15:00');
    expect(formatUkDateTime(utc('2026-07-01T23:30:00Z'))).toBe('Thu 2 Jul 2026, 00:30');
    expect(formatUkDateTime(utc('2026-11-25T09:05:59Z'))).toBe('Wed 25 Nov 2026, 09:05');
  });

  it('labels the time as UK time', () => {
    expect(formatUkDateTimeLabelled(utc('2026-11-25T15:00:00Z'))).toBe('Wed 25 Nov 2026, 15:00 UK time');
    expect(formatUkDateTimeLabelled(utc('2027-03-29T08:00:00Z'))).toBe('Mon 29 Mar 2027, 09:00 UK time');
  });
});

describe('parseUkDateTime', () => {
  it('reads the three accepted forms as UK wall time', () => {
    const expected = utc('2026-11-27T17:00:00Z'); // GMT
    expect(parseUkDateTime('2026-11-27 17:00')).toBe(expected);
    expect(parseUkDateTime('2026-11-27T17:00')).toBe(expected);
    expect(parseUkDateTime('27/11/2026 17:00')).toBe(expected);
    expect(parseUkDateTime('  27/11/2026   17:00 ')).toBe(expected);
    expect(parseUkDateTime('2/6/2027 9:30')).toBe(utc('2027-06-02T08:30:00Z')); // BST
  });

  it('round-trips with the formatter', () => {
    const at = parseUkDateTime('2026-10-23 15:00');
    expect(at).toBe(utc('2026-10-23T14:00:00Z'));
    expect(formatUkDateTime(at)).toBe('Fri 23 Oct 2026, 15:00');
  });

  it('refuses other forms with the accepted ones in the message', () => {
    const accepted = 'use YYYY-MM-DD HH:MM, YYYY-MM-DDTHH:MM or DD/MM/YYYY HH:MM (24-hour, UK time)';
    expect(() => parseUkDateTime('27 Nov 2026 5pm')).toThrow(
      `Cannot read "27 Nov 2026 5pm" as a date and time: ${accepted}`,
    );
    expect(() => parseUkDateTime('2026-11-27')).toThrow(
      `Cannot read "2026-11-27" as a date and time: ${accepted}`,
    );
    expect(() => parseUkDateTime('2026-11-27T17:00Z')).toThrow('Cannot read "2026-11-27T17:00Z"');
  });

  it('refuses impossible dates and times', () => {
    expect(() => parseUkDateTime('31/11/2026 17:00')).toThrow(
      'Cannot read "31/11/2026 17:00" as a date and time: Invalid date "2026-11-31": expected a real calendar date as YYYY-MM-DD',
    );
    expect(() => parseUkDateTime('2026-11-27 25:00')).toThrow(
      'Cannot read "2026-11-27 25:00" as a date and time: Invalid time "25:00"',
    );
    expect(() => parseUkDateTime('28/03/2027 01:30')).toThrow(
      'Cannot read "28/03/2027 01:30" as a date and time: 01:30 on 2027-03-28 does not exist in UK time',
    );
  });
});
