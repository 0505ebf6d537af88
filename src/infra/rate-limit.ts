/**
 * Counting events per key over a sliding window (uploads through one agency link): `take` counts one and says
 * whether it is allowed, or when the next one will be.
 *
 * The counts are kept in this process's memory: each web process counts its own, so N web processes behind
 * one address allow up to N times the rate, and a restart forgets them. Keys are agency links that have
 * passed their signature check, so there are only as many as links issued; each keeps at most `max` instants.
 */
export type Taken = { allowed: true } | { allowed: false; retryAt: number };

export interface RateLimiter {
  take(key: string, now: number): Taken;
}

/** Forget keys idle for a whole window every this many calls. */
const SWEEP_EVERY = 1000;

export function createMemoryRateLimiter(rate: { max: number; windowMs: number }): RateLimiter {
  const { max, windowMs } = rate;
  const instants = new Map<string, number[]>();
  let calls = 0;

  const sweep = (now: number) => {
    for (const [key, times] of instants) if ((times.at(-1) ?? 0) <= now - windowMs) instants.delete(key);
  };

  return {
    take(key, now) {
      if (++calls % SWEEP_EVERY === 0) sweep(now);
      const times = (instants.get(key) ?? []).filter((t) => t > now - windowMs);
      instants.set(key, times);
      if (times.length >= max) return { allowed: false, retryAt: (times[0] ?? now) + windowMs };
      times.push(now);
      return { allowed: true };
    },
  };
}
