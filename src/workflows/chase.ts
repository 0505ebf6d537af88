import type { Rung } from '../timeline/schedule';
import type { Instant } from '../timeline/types';
import type { DeliverableState } from './types';

/**
 * Where one deliverable's chase stands, for the one coroutine that chases every deliverable of an inspection
 * (inspection.ts, `chaseAll`): plain data, where a coroutine per deliverable held the same in its locals.
 */
export interface ChaseCursor {
  /** Added during the inspection or owed again: asked for already, so its chase starts with no email. */
  resumed: boolean;
  /** Its first email (a request, or a late start's escalation) is behind it: its ladder is being walked. */
  started: boolean;
  /** The ladder version being walked, and the index in it of the next rung to act on. */
  version: number;
  index: number;
}

export function newCursor(d: DeliverableState, resumed: boolean): ChaseCursor {
  return { resumed, started: false, version: d.ladderVersion, index: 0 };
}

/**
 * The next rung of `d` to act on: a ladder changed since (an extension, owed again) is walked from its start,
 * and rungs already past when the inspection was started (or the ladder changed) are skipped.
 */
export function nextRung(
  d: DeliverableState,
  c: ChaseCursor,
): { rung: Rung; index: number; version: number } | undefined {
  const version = d.ladderVersion;
  for (let index = c.version === version ? c.index : 0; index < d.ladder.length; index++) {
    const rung = d.ladder[index]!;
    if (rung.at >= d.ladderFrom) return { rung, index, version };
  }
  return undefined;
}

/**
 * When the chaser must next act for `d` (its cursor `c`), if ever without a change: at once (-Infinity) for a
 * chase that can start, its next rung's instant for one under way; undefined when there is nothing to wait for
 * (settled, not yet asked for, or past its last rung).
 */
export function chaseWakeAt(d: DeliverableState, c: ChaseCursor, settled: boolean): Instant | undefined {
  if (settled) return undefined;
  if (!c.started) return d.requestedAt === undefined ? undefined : -Infinity;
  return nextRung(d, c)?.rung.at;
}
