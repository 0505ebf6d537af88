import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NewSession } from '../../infra/db';
import { endSession, lockedMessage, safeNext, signInRefused, startSession } from '../auth';
import { clearPreSessionCsrf } from '../csrf';
import { field, formPage, type Body } from './guards';

/**
 * Sign-in and sign-out: a server-side session for the pages (the API also takes HTTP Basic). A wrong
 * password is counted by the store's lockout (per username and per client address); while locked, no password
 * is checked. A session is new at each sign-in: a new id, a new CSRF secret.
 */
export function signInPages(app: FastifyInstance): void {
  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    form: { errors?: { text: string; href: string }[]; values?: Record<string, string> } = {},
  ) =>
    reply.view(
      'staff/sign-in.njk',
      formPage(request, reply, { next: next === '/' ? '' : next, form, sso: app.deployment.oidc?.label }),
    );

  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next));
    return showForm(request, reply, safeNext(request.query.next));
  });

  app.post<{ Body: Body }>('/sign-in', async (request, reply) => {
    const username = field(request.body, 'username');
    const password = field(request.body, 'password');
    const next = safeNext(field(request.body, 'next'));
    const refuse = (status: number, text: string) => {
      reply.code(status);
      return showForm(request, reply, next, { errors: [{ text, href: '#username' }], values: { username } });
    };
    if (!username || !password) return refuse(400, 'Enter your username and password.');
    const result = await app.store.signInWithPassword({ username, password, clientAddress: request.ip });
    if (!result.ok) {
      await signInRefused(request, app, username, result, 'form');
      return result.reason === 'locked'
        ? refuse(429, lockedMessage(result.lockout))
        : refuse(400, 'The username or password is not right.');
    }
    await beginSession(app, request, reply, result, { via: 'password' });
    return reply.redirect(next, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const user = request.user;
    if (user?.sessionId && (await app.store.sessions.revoke(user.sessionId)))
      await app.audit.record({
        actor: { kind: 'user', username: user.username },
        action: 'user.signed-out',
        clientAddress: request.ip,
      });
    endSession(reply, app.secureCookies);
    return reply.redirect('/sign-in', 303);
  });
}

/** A sign-in that succeeded (password or single sign-on): the session's cookie, a new CSRF secret, the audit line. */
export async function beginSession(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  signedIn: { session: NewSession; user: { username: string } },
  details: Record<string, string>,
): Promise<void> {
  startSession(reply, signedIn.session, app.secureCookies);
  clearPreSessionCsrf(reply, app.secureCookies);
  await app.audit.record({
    actor: { kind: 'user', username: signedIn.user.username },
    action: 'user.signed-in',
    clientAddress: request.ip,
    details,
  });
}
