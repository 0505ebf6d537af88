import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { atomically, systemClock, type Clock, type Queryable } from './database';

/**
 * Lockout after repeated wrong passwords (sign-in form and HTTP Basic alike), counted per username and per
 * client address over a sliding window, in the database so every web instance counts the same attempts.
 * `begin` an attempt before checking the password (a locked one costs no scrypt run) and mark it `succeeded`
 * after; it counts as a failure until then, so a burst of parallel guesses cannot all pass the check first.
 */
export interface LockoutPolicy {
  /** Failures for one username since its last success, within the window. */
  perUsername: { failures: number; windowMs: number };
  /** Failures from one client address (IPv6: its /64), whatever the username, within the window. */
  perClient: { failures: number; windowMs: number };
}

export const LOCKOUT_POLICY: LockoutPolicy = {
  perUsername: { failures: 5, windowMs: 15 * 60_000 },
  perClient: { failures: 20, windowMs: 15 * 60_000 },
};

export type Locked = { locked: true; by: 'username' | 'client'; until: Date };
export type Lockout = { locked: false } | Locked;

/** The username as the count knows it: a hash, since people type passwords into the username field. */
export function usernameKey(username: string): string {
  return createHash('sha256').update(username.trim().toLowerCase()).digest('hex');
}

/**
 * The client address as the count knows it: IPv4 as is (also when written as IPv4-mapped IPv6), IPv6 cut to
 * its /64 (one host or household usually holds a whole /64, so counting single addresses would not stop it).
 */
export function clientKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return 'unknown';
  const [head = '', tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export function signInAttemptRepository(
  db: Queryable,
  clock: Clock = systemClock,
  policy: LockoutPolicy = LOCKOUT_POLICY,
) {
  /**
   * When `limit` failures or more fall in the window, the lock lifts once the limit-th most recent of them
   * leaves the window; undefined when fewer.
   */
  async function lockedUntil(
    where: string,
    params: unknown[],
    limit: number,
    windowMs: number,
  ): Promise<Date | undefined> {
    const now = clock();
    const [row] = await db.query<{ at: Date }>(
      `SELECT at FROM sign_in_attempts WHERE NOT succeeded AND at > $1 AND at <= $2 AND ${where}
       ORDER BY at DESC OFFSET $3 LIMIT 1`,
      [new Date(now.getTime() - windowMs), now, limit - 1, ...params],
    );
    return row ? new Date(row.at.getTime() + windowMs) : undefined;
  }

  async function check(username: string, clientAddress: string): Promise<Lockout> {
    const user = usernameKey(username);
    const byUsername = await lockedUntil(
      // Since the last success, by insertion order (ids), not time: attempts can share an instant.
      `username_key = $4 AND id > COALESCE(
         (SELECT max(id) FROM sign_in_attempts WHERE username_key = $4 AND succeeded), 0)`,
      [user],
      policy.perUsername.failures,
      policy.perUsername.windowMs,
    );
    if (byUsername) return { locked: true, by: 'username', until: byUsername };
    const byClient = await lockedUntil(
      'client_key = $4',
      [clientKey(clientAddress)],
      policy.perClient.failures,
      policy.perClient.windowMs,
    );
    return byClient ? { locked: true, by: 'client', until: byClient } : { locked: false };
  }

  return {
    /** Whether a sign-in as `username` from `clientAddress` must be refused now, without counting it. */
    check,

    /**
     * Starts an attempt: refused (not counted) when the username or the client is locked out, otherwise
     * counted as a failure until `succeeded(id)`. Attempts on one username or from one client are taken one
     * at a time (transaction-scoped advisory locks), so of 30 parallel guesses only as many as the limit
     * allows get to the password check.
     */
    begin(attempt: {
      username: string;
      clientAddress: string;
    }): Promise<{ id: number } | { refused: Locked }> {
      const user = usernameKey(attempt.username);
      const client = clientKey(attempt.clientAddress);
      return atomically(db, async (tx) => {
        // Always username, then client: two attempts never wait on each other in opposite orders.
        await tx.query('SELECT pg_advisory_xact_lock(1, hashtext($1))', [user]);
        await tx.query('SELECT pg_advisory_xact_lock(2, hashtext($1))', [client]);
        const lockout = await signInAttemptRepository(tx, clock, policy).check(
          attempt.username,
          attempt.clientAddress,
        );
        if (lockout.locked) return { refused: lockout };
        const [row] = await tx.query<{ id: number }>(
          `INSERT INTO sign_in_attempts (at, username_key, client_key, succeeded) VALUES ($1, $2, $3, false)
           RETURNING id`,
          [clock(), user, client],
        );
        if (!row) throw new Error('The sign-in attempt was not recorded.');
        return { id: row.id };
      });
    },

    /** The password was right: the attempt no longer counts as a failure, and the username's count restarts. */
    async succeeded(id: number): Promise<void> {
      await db.query('UPDATE sign_in_attempts SET succeeded = true WHERE id = $1', [id]);
    },

    /** Lifts a username's lockout at once (an administrator's "unlock"): forgets its failures. */
    async unlock(username: string): Promise<number> {
      const rows = await db.query(
        'DELETE FROM sign_in_attempts WHERE username_key = $1 AND NOT succeeded RETURNING id',
        [usernameKey(username)],
      );
      return rows.length;
    },

    /** Forgets attempts older than the longest window (housekeeping); the number deleted. */
    async prune(): Promise<number> {
      const longest = Math.max(policy.perUsername.windowMs, policy.perClient.windowMs);
      const rows = await db.query('DELETE FROM sign_in_attempts WHERE at < $1 RETURNING id', [
        new Date(clock().getTime() - longest),
      ]);
      return rows.length;
    },
  };
}

export type SignInAttemptRepository = ReturnType<typeof signInAttemptRepository>;
