import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User, UserStore } from './users';

/**
 * Sign-in: a signed cookie (HttpOnly, SameSite=Lax, Secure over https) naming the user and when the session
 * ends, kept by the browser, not the server. On every request the user must still be in the user store, as
 * this process holds it (read from the users file at start, changed by the Users page): removing a user
 * there ends their sessions at once; a changed password or an edit of the file by hand does not, until the
 * session's 10 hours are up or the web app restarts. Scripts use HTTP Basic on the API.
 */
export const SESSION_COOKIE = 'jtai_session';
export const SESSION_HOURS = 10;

export interface SessionUser extends User {
  via: 'session' | 'basic';
}

export function startSession(reply: FastifyReply, user: User, now: number, secure: boolean): void {
  const expires = now + SESSION_HOURS * 3_600_000;
  reply.setCookie(SESSION_COOKIE, `${user.username}|${expires}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_HOURS * 3600,
  });
}

export function endSession(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export function sessionUser(request: FastifyRequest, users: UserStore): SessionUser | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return undefined;
  const [username, expires] = unsigned.value.split('|');
  if (!username || !(Number(expires) > Date.now())) return undefined;
  const user = users.find(username);
  return user ? { ...user, via: 'session' } : undefined;
}

/** `Authorization: Basic …` checked against the users file. */
export async function basicUser(request: FastifyRequest, users: UserStore): Promise<SessionUser | undefined> {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const user = await users.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
  return user ? { ...user, via: 'basic' } : undefined;
}

export function canAct(user: User | undefined): boolean {
  return user?.role === 'coordinator';
}
