/**
 * Europe/London for luxon, its offsets worked out from the rule UK clocks have kept since 1996: forward an
 * hour at 01:00 UTC on the last Sunday of March, back at 01:00 UTC on the last Sunday of October. Luxon's own
 * zone asks ICU, and starting ICU's time-zone data cost each short CLI command about 35 ms of its CPU
 * (`npm run bench:cli`). Outside 1996-2099, and for a zone's name in a formatted date, luxon's own zone
 * answers. test/timeline/uk-zone.test.ts compares every day and clock change of those years with ICU, so a
 * change to the UK's rule in the time-zone database fails the tests.
 */
import { IANAZone, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon';

const NAME = 'Europe/London';
const FIRST_YEAR = 1996;
const LAST_YEAR = 2099;

/** The last Sunday of a month (0-based), 01:00 UTC. */
function lastSundayAt0100Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** British Summer Time of each year: from the first instant to the one before the second. */
const summerTime = new Map<number, [number, number]>();

function summerTimeOf(year: number): [number, number] {
  let span = summerTime.get(year);
  if (!span) {
    span = [lastSundayAt0100Utc(year, 2), lastSundayAt0100Utc(year, 9)];
    summerTime.set(year, span);
  }
  return span;
}

class UkZone extends Zone {
  /** Luxon's own zone, made only when needed (names, years outside the rule). */
  private icu: IANAZone | undefined;

  private get byIcu(): IANAZone {
    return (this.icu ??= IANAZone.create(NAME));
  }

  // An IANA zone to luxon, so that a date formatted through Intl is given this zone's name.
  override get type(): string {
    return 'iana';
  }
  override get name(): string {
    return NAME;
  }
  override get isUniversal(): boolean {
    return false;
  }
  override get isValid(): boolean {
    return true;
  }
  override offsetName(ts: number, options: ZoneOffsetOptions): string | null {
    return this.byIcu.offsetName(ts, options);
  }
  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.byIcu.formatOffset(ts, format);
  }
  /** Minutes ahead of UTC at `ts`: 60 in British Summer Time, else 0. */
  override offset(ts: number): number {
    const year = new Date(ts).getUTCFullYear();
    if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) return this.byIcu.offset(ts);
    const [start, end] = summerTimeOf(year);
    return ts >= start && ts < end ? 60 : 0;
  }
  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === NAME;
  }
}

/** UK time (Europe/London), for luxon's `zone` options. */
export const UK_ZONE: Zone = new UkZone();
/** The years whose offsets come from the rule rather than from ICU. */
export const UK_RULE_YEARS = { first: FIRST_YEAR, last: LAST_YEAR } as const;
