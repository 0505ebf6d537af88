import type { NewSession, sessionRepository } from './sessions';
import type { Locked, signInAttemptRepository } from './sign-in-attempts';
import type { User, userRepository } from './users';

/** The repositories a sign-in uses (the store's; see ./index.ts). */
interface Store {
  users: ReturnType<typeof userRepository>;
  sessions: ReturnType<typeof sessionRepository>;
  signInAttempts: ReturnType<typeof signInAttemptRepository>;
}

type Refused = { ok: false; reason: 'locked'; lockout: Locked } | { ok: false; reason: 'wrong' };
export type CheckResult = { ok: true; user: User } | Refused;
export type SignInResult = { ok: true; user: User; session: NewSession } | Refused;

/**
 * Checks a password the way that makes lockout work: a locked username or client is refused before any
 * scrypt run; every checked attempt is counted, right or wrong, and counted as wrong while it is checked.
 * For HTTP Basic, which has no session; the sign-in form uses `signInWithPassword`.
 */
export async function checkPassword(
  store: Pick<Store, 'users' | 'signInAttempts'>,
  attempt: { username: string; password: string; clientAddress: string },
): Promise<CheckResult> {
  const begun = await store.signInAttempts.begin(attempt);
  if ('refused' in begun) return { ok: false, reason: 'locked', lockout: begun.refused };
  const user = await store.users.authenticate(attempt.username, attempt.password);
  if (!user) return { ok: false, reason: 'wrong' };
  await store.signInAttempts.succeeded(begun.id);
  return { ok: true, user };
}

/**
 * A sign-in through the form: `checkPassword`, then a new session (new id, new CSRF secret). Callers log a
 * failure (never the password) and audit the success.
 */
export async function signInWithPassword(
  store: Pick<Store, 'users' | 'sessions' | 'signInAttempts'>,
  attempt: { username: string; password: string; clientAddress: string },
): Promise<SignInResult> {
  const checked = await checkPassword(store, attempt);
  if (!checked.ok) return checked;
  const session = await store.sessions.create(checked.user.username, attempt.clientAddress);
  // Disabled between the password check and here: as good as a wrong password.
  return session ? { ok: true, user: checked.user, session } : { ok: false, reason: 'wrong' };
}
