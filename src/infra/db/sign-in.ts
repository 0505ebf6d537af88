import type { NewSession, sessionRepository } from './sessions';
import type { Locked, signInAttemptRepository } from './sign-in-attempts';
import { roleFromGroups, type OidcClaims, type RolePolicy } from '../oidc';
import { normaliseUsername, type User, type userRepository } from './users';

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

/** Why someone the identity provider signed in is not let in. */
export type OidcNoAccess = 'no-group' | 'not-a-user' | 'no-username' | 'username-taken' | 'disabled';
export type OidcSignInResult =
  { ok: true; user: User; session: NewSession } | { ok: false; reason: OidcNoAccess; username?: string };

/**
 * A sign-in through the identity provider (its checks already made, ../oidc.ts): who the person is in jtai,
 * with which role, and a new session as a password sign-in gets. By groups: the provider's groups give the
 * role at every sign-in (a changed role ends the person's other sessions; no mapped group ends them all), and
 * someone signing in for the first time is added under their username. By jtai's users: only people a
 * coordinator has added; the first sign-in binds the account of that username (the provider's username claim
 * or email) to this identity, and later sign-ins are matched by identity (issuer and subject), never by name.
 */
export async function signInWithOidc(
  store: Pick<Store, 'users' | 'sessions'>,
  attempt: { claims: OidcClaims; roles: RolePolicy; clientAddress: string },
): Promise<OidcSignInResult> {
  const { claims, roles } = attempt;
  const { users, sessions } = store;
  const identity = { issuer: claims.issuer, subject: claims.subject };
  const refuse = (reason: OidcNoAccess, username = claims.username) =>
    ({ ok: false, reason, ...(username ? { username } : {}) }) as const;
  const known = await users.findByOidc(identity);
  if (known?.disabled) return refuse('disabled', known.username);
  let user: User;
  if (roles.from === 'groups') {
    const role = roleFromGroups(claims.groups, roles.groups);
    if (!role) {
      if (known) await sessions.revokeAll(known.username);
      return refuse('no-group', known?.username);
    }
    if (known) user = known.role === role ? known : ((await users.setRole(known.username, role)) ?? known);
    else {
      const username = usernameOf(claims);
      if (!username) return refuse('no-username');
      if (await users.find(username)) return refuse('username-taken');
      user = await users.setOidc(username, role, identity);
    }
  } else if (known) user = known;
  else {
    const username = usernameOf(claims);
    const listed = username ? await users.find(username) : undefined;
    if (!listed) return refuse('not-a-user');
    if (listed.disabled) return refuse('disabled', listed.username);
    // Bound to another identity already.
    if (listed.oidc) return refuse('username-taken');
    user = await users.setOidc(listed.username, listed.role, identity);
  }
  const session = await sessions.create(user.username, attempt.clientAddress);
  return session ? { ok: true, user, session } : refuse('disabled', user.username);
}

/** The username the provider gives, if it is one this service can hold. */
function usernameOf(claims: OidcClaims): string | undefined {
  try {
    return claims.username ? normaliseUsername(claims.username) : undefined;
  } catch {
    return undefined;
  }
}
