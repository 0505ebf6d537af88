import { createMemoryRateLimiter } from '../../src/infra/rate-limit';

const MINUTE = 60_000;
const T0 = Date.UTC(2090, 0, 2, 11, 0); // a fixed instant: the limiter reads no clock of its own

test('30 in 10 minutes per key: the 31st is refused until the first leaves the window', () => {
  const limiter = createMemoryRateLimiter({ max: 30, windowMs: 10 * MINUTE });
  for (let i = 0; i < 30; i++) expect(limiter.take('link-a', T0 + i * 1000)).toEqual({ allowed: true });
  expect(limiter.take('link-a', T0 + 31_000)).toEqual({ allowed: false, retryAt: T0 + 10 * MINUTE });
  // Refusals are not counted: asking again does not push the time back.
  expect(limiter.take('link-a', T0 + 5 * MINUTE)).toEqual({ allowed: false, retryAt: T0 + 10 * MINUTE });
  expect(limiter.take('link-b', T0 + 31_000)).toEqual({ allowed: true }); // another link, its own count
  expect(limiter.take('link-a', T0 + 10 * MINUTE - 1)).toMatchObject({ allowed: false });
  expect(limiter.take('link-a', T0 + 10 * MINUTE)).toEqual({ allowed: true }); // the first has left
  expect(limiter.take('link-a', T0 + 10 * MINUTE)).toEqual({
    allowed: false,
    retryAt: T0 + 10 * MINUTE + 1000,
  });
});

test('a key among thousands gets its allowance back once its window has passed', () => {
  const limiter = createMemoryRateLimiter({ max: 2, windowMs: MINUTE });
  for (let i = 0; i < 5000; i++) limiter.take(`link-${i}`, T0);
  expect(limiter.take('link-0', T0)).toEqual({ allowed: true });
  expect(limiter.take('link-0', T0)).toMatchObject({ allowed: false });
  expect(limiter.take('link-0', T0 + MINUTE)).toEqual({ allowed: true });
});
