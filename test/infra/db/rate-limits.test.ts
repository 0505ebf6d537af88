/**
 * The upload rate limit, counted in the store (both databases), so that every web instance counts the same
 * posts. Instants are given by the test: the limiter reads no clock of its own.
 */
import type { Database } from '../../../src/infra/db/database';
import { RATE_EVENTS_KEPT_MS, rateLimitRepository } from '../../../src/infra/db/rate-limits';
import { BACKENDS, MINUTE, type Backend } from './backends';

const T0 = Date.UTC(2090, 0, 2, 11, 0);

describe.each(BACKENDS)('rate limits on $kind', ({ make }) => {
  const backend: Backend = make();
  let db: Database;
  beforeAll(async () => {
    await backend.setup();
    db = await backend.fresh();
  }, 180_000);
  afterAll(() => backend.teardown(), 60_000);

  it('30 in 10 minutes per key: the 31st is refused until the first leaves the window', async () => {
    const limits = rateLimitRepository(db);
    const rate = { max: 30, windowMs: 10 * MINUTE };
    for (let i = 0; i < 30; i++)
      expect(await limits.take('link-a', rate, T0 + i * 1000)).toEqual({ allowed: true });
    expect(await limits.take('link-a', rate, T0 + 31_000)).toEqual({
      allowed: false,
      retryAt: T0 + 10 * MINUTE,
    });
    // Refusals are not counted: asking again does not push the time back.
    expect(await limits.take('link-a', rate, T0 + 5 * MINUTE)).toEqual({
      allowed: false,
      retryAt: T0 + 10 * MINUTE,
    });
    expect(await limits.take('link-b', rate, T0 + 31_000)).toEqual({ allowed: true }); // its own count
    expect(await limits.take('link-a', rate, T0 + 10 * MINUTE - 1)).toMatchObject({ allowed: false });
    expect(await limits.take('link-a', rate, T0 + 10 * MINUTE)).toEqual({ allowed: true }); // the first has left
    expect(await limits.take('link-a', rate, T0 + 10 * MINUTE)).toEqual({
      allowed: false,
      retryAt: T0 + 10 * MINUTE + 1000,
    });
    // What left the window is deleted as the key is used: the table holds at most `max` rows a key.
    const [{ n } = { n: -1 }] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM rate_events WHERE key = 'link-a'",
    );
    expect(n).toBe(30);
  });

  it('the rows of a key no longer used are deleted by any take a day later', async () => {
    const limits = rateLimitRepository(db);
    const rate = { max: 3, windowMs: MINUTE };
    for (let i = 0; i < 3; i++) await limits.take('link-revoked', rate, T0 + i);
    await limits.take('link-other', rate, T0 + RATE_EVENTS_KEPT_MS - 1);
    const count = async (key: string) =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rate_events WHERE key = $1', [key]))[0]
        ?.n;
    expect(await count('link-revoked')).toBe(3);
    await limits.take('link-other', rate, T0 + RATE_EVENTS_KEPT_MS + 2);
    expect(await count('link-revoked')).toBe(0);
    expect(await count('link-other')).toBe(2);
  });

  it('posts at once (PostgreSQL: on several connections, as several web instances would): exactly `max` allowed', async () => {
    const limits = rateLimitRepository(db);
    const rate = { max: 5, windowMs: MINUTE };
    const taken = await Promise.all(
      Array.from({ length: 40 }, (_, i) => limits.take('link-burst', rate, T0 + (i % 3))),
    );
    expect(taken.filter((t) => t.allowed)).toHaveLength(5);
    expect(taken.filter((t) => !t.allowed)).toHaveLength(35);
  });
});
