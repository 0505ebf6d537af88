import type { Store } from './index';
import type { NewSession } from './sessions';
import type { Lockout } from './sign-in-attempts';
import type { User } from './users';

export type SignInResult =
  | { ok: true; user: User; session: NewSession }
  | { ok: false; reason: 'locked'; lockout: Extract<Lockout, { locked: true }> }
  | { ok: false; reason: 'wrong' };

/**
 * A password sign-in in the order that makes lockout work: a locked username or client is refused before
 * any scrypt run; every checked attempt is counted, right or wrong; a right one starts a new session (new id,
 * new CSRF secret). Callers log the failure (never the password) and audit the success.
 */
export async function signInWithPassword(
  store: Pick<Store, 'users' | 'sessions' | 'signInAttempts'>,
  attempt: { username: string; password: string; clientAddress: string },
): Promise<SignInResult> {
  const lockout = await store.signInAttempts.check(attempt.username, attempt.clientAddress);
  if (lockout.locked) return { ok: false, reason: 'locked', lockout };
  const user = await store.users.authenticate(attempt.username, attempt.password);
  const session = user ? await store.sessions.create(user.username, attempt.clientAddress) : undefined;
  await store.signInAttempts.record({
    username: attempt.username,
    clientAddress: attempt.clientAddress,
    succeeded: session !== undefined,
  });
  return user && session ? { ok: true, user, session } : { ok: false, reason: 'wrong' };
}
