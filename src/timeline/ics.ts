/**
 * An iCalendar (RFC 5545) file of timeline events, for importing into Outlook or any calendar.
 *
 * Pure and deterministic: no I/O, no clock. DTSTAMP (required, "when this was created") is set to the
 * first event's start so that the same timeline always gives the same bytes.
 */
import { DateTime } from 'luxon';
import type { Instant } from './types';

export interface IcsEvent {
  /** Globally unique and stable across exports, so a re-import updates rather than duplicates. */
  uid: string;
  start: Instant;
  /** Defaults to 0: a deadline is a moment. */
  durationMinutes?: number;
  summary: string;
  description?: string;
}

export const ICS_PRODID = '-//jtai//JTAI timeline//EN';
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/** RFC 5545 3.3.11 TEXT: escape backslash, semicolon, comma and line breaks; drop other control characters. */
export function escapeIcsText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * RFC 5545 3.1: lines longer than 75 octets are split, each continuation starting with one space
 * (which counts towards its 75). Splits fall between characters, never inside a UTF-8 sequence.
 */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0) ?? 0);
    if (octets + size > MAX_LINE_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}

function utcStamp(at: Instant): string {
  if (!Number.isFinite(at))
    throw new Error(`Invalid event time ${String(at)}: expected milliseconds since the epoch`);
  return DateTime.fromMillis(at, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}

export function toIcs(calendarName: string, events: readonly IcsEvent[]): string {
  const first = events[0];
  // RFC 5545 requires at least one component in a VCALENDAR; an empty file would not import.
  if (!first) throw new Error('A calendar file needs at least one event');
  const stamp = utcStamp(first.start);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${ICS_PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeIcsText(calendarName)}`,
  ];
  for (const event of events) {
    if (!event.uid.trim()) throw new Error(`Event "${event.summary}" has no uid`);
    const duration = event.durationMinutes ?? 0;
    if (!Number.isInteger(duration) || duration < 0) {
      throw new Error(
        `Event "${event.uid}" has an invalid duration ${duration}: expected whole minutes, 0 or more`,
      );
    }
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeIcsText(event.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${utcStamp(event.start)}`,
      `DTEND:${utcStamp(event.start + duration * 60_000)}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
    );
    if (event.description !== undefined) lines.push(`DESCRIPTION:${escapeIcsText(event.description)}`);
    // Deadlines are reminders, not meetings: do not block the reader's free/busy time.
    lines.push('TRANSP:TRANSPARENT', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldIcsLine).join(CRLF) + CRLF;
}
