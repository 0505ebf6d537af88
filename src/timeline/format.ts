/**
 * Dates and times as people in England read and type them, always in UK time.
 * Names of days and months are spelled out here rather than taken from Intl, whose en-GB data varies
 * between ICU versions ("Sep" or "Sept"); emails and replayed workflows must not change with Node.
 *
 * Pure: no Node built-ins, no I/O.
 */
import { DateTime } from 'luxon';
import { assertIsoDate, ukDate, ukInstant, ukTime } from './calendar';
import type { Instant, IsoDate } from './types';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Wed 25 Nov 2026` */
export function formatUkDate(date: IsoDate): string {
  assertIsoDate(date);
  const day = DateTime.fromISO(date, { zone: 'utc' });
  return `${DAYS[day.weekday - 1]} ${day.day} ${MONTHS[day.month - 1]} ${day.year}`;
}

/** `Wed 25 Nov 2026, 15:00` in UK time. */
export function formatUkDateTime(at: Instant): string {
  return `${formatUkDate(ukDate(at))}, ${ukTime(at)}`;
}

/** `25/11/2026 15:00`: as a person types it (parseUkDateTime reads it back), for a form's example. */
export function formatUkTyped(at: Instant): string {
  const [y, m, d] = ukDate(at).split('-');
  return `${d}/${m}/${y} ${ukTime(at)}`;
}

/** `Wed 25 Nov 2026, 15:00 UK time`, for text read by people who may be elsewhere. */
export function formatUkDateTimeLabelled(at: Instant): string {
  return `${formatUkDateTime(at)} UK time`;
}

const ISO_FORM = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})$/;
const UK_FORM = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/;
const ACCEPTED = 'use YYYY-MM-DD HH:MM, YYYY-MM-DDTHH:MM or DD/MM/YYYY HH:MM (24-hour, UK time)';

/**
 * Reads a UK wall time typed by a person: `2026-11-27 17:00`, `2026-11-27T17:00` or `27/11/2026 17:00`.
 * Throws with the text and the accepted forms if it cannot.
 */
export function parseUkDateTime(text: string): Instant {
  const trimmed = String(text).trim().replace(/\s+/g, ' ');
  const iso = ISO_FORM.exec(trimmed);
  const uk = UK_FORM.exec(trimmed);
  const parts = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5]]
    : uk
      ? [uk[3], uk[2], uk[1], uk[4], uk[5]]
      : undefined;
  if (!parts) throw new Error(`Cannot read ${JSON.stringify(text)} as a date and time: ${ACCEPTED}`);
  const [year, month, day, hour, minute] = parts.map((part) => (part ?? '').padStart(2, '0'));
  try {
    return ukInstant(`${year}-${month}-${day}`, `${hour}:${minute}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot read ${JSON.stringify(text)} as a date and time: ${reason}`);
  }
}

/** An instant as an ISO 8601 string in UTC, as the JSON views give it. */
export const iso = (at: Instant): string => new Date(at).toISOString();
