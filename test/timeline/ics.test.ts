import { escapeIcsText, foldIcsLine, toIcs } from '../../src/timeline/ics';

const utc = (iso: string) => Date.parse(iso);
const octets = (line: string) => new TextEncoder().encode(line).length;
/** RFC 5545 unfolding: a CRLF followed by one space is removed. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '');

describe('toIcs', () => {
  it('writes a complete VCALENDAR with UTC times and CRLF line endings', () => {
    const ics = toIcs('JTAI Example Council', [
      {
        uid: 'insp-1-day4-list@jtai',
        start: utc('2026-11-25T17:00:00Z'),
        summary: 'Police: list of children due',
        description: 'Day 4 deadline',
      },
      {
        uid: 'insp-1-meeting@jtai',
        start: utc('2027-03-30T08:00:00Z'),
        durationMinutes: 90,
        summary: 'Meeting',
      },
    ]);
    expect(ics).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//jtai//JTAI timeline//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'X-WR-CALNAME:JTAI Example Council',
        'BEGIN:VEVENT',
        'UID:insp-1-day4-list@jtai',
        'DTSTAMP:20261125T170000Z',
        'DTSTART:20261125T170000Z',
        'DTEND:20261125T170000Z',
        'SUMMARY:Police: list of children due',
        'DESCRIPTION:Day 4 deadline',
        'TRANSP:TRANSPARENT',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:insp-1-meeting@jtai',
        'DTSTAMP:20261125T170000Z', // the first event's start, not the clock
        'DTSTART:20270330T080000Z',
        'DTEND:20270330T093000Z',
        'SUMMARY:Meeting',
        'TRANSP:TRANSPARENT',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('is deterministic', () => {
    const events = [{ uid: 'a@jtai', start: utc('2026-11-25T17:00:00Z'), summary: 'A' }];
    expect(toIcs('X', events)).toBe(toIcs('X', events));
  });

  it('escapes commas, semicolons, backslashes and newlines in text', () => {
    const ics = toIcs('Council; children, families', [
      {
        uid: 'b@jtai',
        start: utc('2026-11-25T17:00:00Z'),
        summary: 'Health, police; and C:\\drive',
        description: 'Line one\nLine two\r\nLine three',
      },
    ]);
    expect(ics).toContain('\r\nX-WR-CALNAME:Council\\; children\\, families\r\n');
    expect(ics).toContain('\r\nSUMMARY:Health\\, police\\; and C:\\\\drive\r\n');
    expect(ics).toContain('\r\nDESCRIPTION:Line one\\nLine two\\nLine three\r\n');
    expect(escapeIcsText('bell\u0007 tab\t')).toBe('bell tab\t');
  });

  it('folds long lines at 75 octets, continuing with a space', () => {
    const description = 'Upload the documents for the deep dive to the secure portal. '.repeat(4).trim();
    const ics = toIcs('X', [
      { uid: 'c@jtai', start: utc('2026-11-25T17:00:00Z'), summary: 'S', description },
    ]);
    const lines = ics.split('\r\n');
    const first = lines.findIndex((line) => line.startsWith('DESCRIPTION:'));
    expect(octets(lines[first]!)).toBe(75);
    expect(lines[first + 1]!.startsWith(' ')).toBe(true);
    expect(octets(lines[first + 1]!)).toBe(75);
    for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(unfold(ics)).toContain(`\r\nDESCRIPTION:${description}\r\n`);
  });

  it('never splits a multi-byte character', () => {
    const line = 'SUMMARY:' + '£'.repeat(40); // 8 + 80 octets
    const folded = foldIcsLine(line);
    const [head, tail] = folded.split('\r\n');
    expect(head).toBe('SUMMARY:' + '£'.repeat(33)); // 8 + 66 = 74: a 75th octet would split a £
    expect(tail).toBe(' ' + '£'.repeat(7));
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldIcsLine('SHORT:line')).toBe('SHORT:line');
  });

  it('refuses an empty calendar, a missing uid and a bad duration', () => {
    expect(() => toIcs('X', [])).toThrow('A calendar file needs at least one event');
    expect(() => toIcs('X', [{ uid: ' ', start: 0, summary: 'Deadline' }])).toThrow(
      'Event "Deadline" has no uid',
    );
    expect(() => toIcs('X', [{ uid: 'd@jtai', start: 0, summary: 'S', durationMinutes: -5 }])).toThrow(
      'Event "d@jtai" has an invalid duration -5: expected whole minutes, 0 or more',
    );
    expect(() => toIcs('X', [{ uid: 'e@jtai', start: Number.NaN, summary: 'S' }])).toThrow(
      'Invalid event time NaN',
    );
  });
});
