import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../client/read-model';
import type { Locked, NewSession, Role } from '../infra/db';
import { formatUkDateTime } from '../timeline/format';

/**
 * Who is signed in. Staff pages use a server-side session: the browser holds a random id (cookie
 * `jtai_session`: HttpOnly, SameSite=Lax, Secure over https), the store holds its hash, so sign-out, a
 * password reset, a changed role or a removed user ends it at once on every web instance; it also ends after
 * 30 minutes unused and 10 hours after sign-in (the store's SESSION_POLICY). Scripts use HTTP Basic on the API,
 * each request a password check counted by the store's lockout, like the sign-in form's.
 */
export const SESSION_COOKIE = 'jtai_session';

export interface SessionUser {
  username: string;
  role: Role;
  via: 'session' | 'basic';
  /** The session's id (cookie) and CSRF secret; absent for HTTP Basic. */
  sessionId?: string;
  csrfSecret?: string;
}

export function startSession(reply: FastifyReply, session: NewSession, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: session.expiresAt,
  });
}

export function endSession(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/** The user of the session the cookie names, if it is still good (the store checks and touches it). */
export async function sessionUser(
  request: FastifyRequest,
  app: FastifyInstance,
): Promise<SessionUser | undefined> {
  const id = request.cookies[SESSION_COOKIE];
  if (!id) return undefined;
  const session = await app.store.sessions.resume(id);
  return session
    ? {
        username: session.username,
        role: session.role,
        via: 'session',
        sessionId: id,
        csrfSecret: session.csrfSecret,
      }
    : undefined;
}

export type BasicResult =
  { user: SessionUser } | { refused: 'wrong' } | { refused: 'locked'; lockout: Locked } | undefined;

/** `Authorization: Basic …`: a password check with lockout; undefined when the header is not Basic. */
export async function basicUser(request: FastifyRequest, app: FastifyInstance): Promise<BasicResult> {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon > 0 ? decoded.slice(0, colon) : '';
  const password = colon > 0 ? decoded.slice(colon + 1) : '';
  if (!username || !password) {
    await signInRefused(request, app, username, { reason: 'wrong' }, 'basic');
    return { refused: 'wrong' };
  }
  const checked = await app.store.checkPassword({ username, password, clientAddress: request.ip });
  if (checked.ok) return { user: { username: checked.user.username, role: checked.user.role, via: 'basic' } };
  await signInRefused(request, app, username, checked, 'basic');
  return checked.reason === 'locked' ? { refused: 'locked', lockout: checked.lockout } : { refused: 'wrong' };
}

/**
 * A refused sign-in (form or Basic): a warning in the log with the client address and the username when it
 * is a user's (a string typed into the username field may be a password: an unknown one is not logged), never
 * the password. The attempt that locks a user out is written to the audit log.
 */
export async function signInRefused(
  request: FastifyRequest,
  app: FastifyInstance,
  typed: string,
  result: { reason: 'wrong' } | { reason: 'locked'; lockout: Locked },
  via: 'form' | 'basic',
): Promise<void> {
  const user = typed ? await app.store.users.find(typed).catch(() => undefined) : undefined;
  const username = user?.username ?? '(not a user)';
  request.log.warn(
    {
      via,
      username,
      client: request.ip,
      reason: result.reason,
      ...(result.reason === 'locked' ? { lockedBy: result.lockout.by, until: result.lockout.until } : {}),
    },
    'sign-in refused',
  );
  if (result.reason !== 'wrong' || !user) return;
  const now = await app.store.signInAttempts.check(user.username, request.ip);
  if (now.locked)
    await app.audit.record({
      actor: { kind: 'user', username: user.username },
      action: 'user.locked-out',
      clientAddress: request.ip,
      details: { by: now.by, until: now.until.toISOString(), via },
    });
}

/** What a person is told when sign-in is locked: until when, in UK time. */
export function lockedMessage(lockout: Locked): string {
  return `Too many wrong passwords. Sign-in is locked until ${formatUkDateTime(lockout.until.getTime())} (UK time); try again after that, or ask a coordinator for a new password.`;
}

export function canAct(user: { role: Role } | undefined): boolean {
  return user?.role === 'coordinator';
}

/** Who is looking, for the read model's views: a coordinator sees child IDs, anyone else counts and progress. */
export function viewerOf(user: { role: Role } | undefined): Viewer {
  return canAct(user) ? 'coordinator' : 'manager';
}

/**
 * Where to go after sign-in: a path on this site, or the dashboard. Refused: anything a browser could read
 * as another origin (`//host`, `/\host`, a scheme, a backslash or control character anywhere, which browsers
 * strip or turn into `/`), and anything that does not resolve to this origin.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are the point
  if (!/^\/(?![/\\])/.test(next) || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  const base = 'http://jtai.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path the sign-in itself would loop to is no destination.
  return path.startsWith('/sign-in') || path.startsWith('/sign-out') ? '/' : path;
}
