import { atomically, type Queryable } from './database';

/**
 * Counting events per key over a sliding window (uploads through one agency link): `take` counts one and says
 * whether it is allowed, or when the next one will be. Refusals are not counted.
 *
 * The count is in the database, so several web processes behind one address share it (each counting in its own
 * memory would allow N times the rate). A take is atomic: it holds a transaction-scoped advisory lock on its
 * key while it counts and adds, so of many posts at once through one link only `max` are allowed, on either
 * database. The instant is the caller's (`now`), as the web app's clock gives it.
 *
 * What has left a key's window is deleted as that key is used; a key no longer used (a revoked link, an ended
 * inspection) has its rows deleted by any take once they are a day old: no rate counts over longer than that.
 */
/** Rows older than this are deleted whatever their key (longer than any rate's window). */
export const RATE_EVENTS_KEPT_MS = 24 * 60 * 60_000;

export interface Rate {
  max: number;
  windowMs: number;
}

export type Taken = { allowed: true } | { allowed: false; retryAt: number };

export function rateLimitRepository(db: Queryable) {
  return {
    take(key: string, rate: Rate, now: number): Promise<Taken> {
      if (rate.windowMs > RATE_EVENTS_KEPT_MS) throw new Error('A rate counts over a day at most.');
      return atomically(db, async (tx) => {
        await tx.query('DELETE FROM rate_events WHERE at <= $1', [new Date(now - RATE_EVENTS_KEPT_MS)]);
        await tx.query('SELECT pg_advisory_xact_lock(3, hashtext($1))', [key]);
        const from = new Date(now - rate.windowMs);
        await tx.query('DELETE FROM rate_events WHERE key = $1 AND at <= $2', [key, from]);
        // With `max` events in the window, the next is allowed once the max-th most recent has left it. Events
        // stamped after `now` (by an instance whose clock is ahead) count too.
        const [full] = await tx.query<{ at: Date }>(
          `SELECT at FROM rate_events WHERE key = $1 AND at > $2 ORDER BY at DESC, id DESC OFFSET $3 LIMIT 1`,
          [key, from, rate.max - 1],
        );
        if (full) return { allowed: false, retryAt: full.at.getTime() + rate.windowMs };
        await tx.query('INSERT INTO rate_events (key, at) VALUES ($1, $2)', [key, new Date(now)]);
        return { allowed: true };
      });
    },
  };
}

export type RateLimitRepository = ReturnType<typeof rateLimitRepository>;
