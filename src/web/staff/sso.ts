import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OidcNoAccess } from '../../infra/db';
import type { OidcClaims } from '../../infra/oidc';
import { safeNext } from '../auth';
import { pageContext } from '../http';
import { beginSession } from './sign-in';

/**
 * Single sign-on (OpenID Connect), beside the local passwords: `/sign-in/sso` sends the browser to the
 * identity provider; `/sign-in/sso/callback` brings it back. The protocol's checks are the deployment's
 * (app.deployment.oidc, src/infra/oidc.ts); who gets in, with which role, and the session are the store's
 * (`signInWithOidc`), the same session, timeouts and CSRF secret as a password sign-in. Someone the provider
 * knows but jtai does not let in gets a page saying so (403), and no session.
 */
const PENDING_COOKIE = 'jtai_sso';

/** Why someone the provider signed in is not let in, as they are told. */
const NO_ACCESS: Record<OidcNoAccess, string> = {
  'no-group': 'Your account is not in any of the groups that give access to this service.',
  'not-a-user': 'Your account is not on this service’s list of users.',
  'no-username': 'Your identity provider did not say who you are in a form this service can use.',
  'username-taken': 'Another account of this service already has your username.',
  disabled: 'Your access to this service has been turned off.',
};

export function ssoPages(app: FastifyInstance): void {
  const oidc = app.deployment.oidc;
  if (!oidc) return;
  const { reasonOf } = oidc;
  const cookie = {
    path: '/sign-in/sso',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: app.secureCookies,
  };

  app.get<{ Querystring: { next?: string } }>('/sign-in/sso', async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.user) return reply.redirect(next);
    let started: { url: string; pending: string };
    try {
      started = await oidc.begin(next, Date.now());
    } catch (err) {
      return refused(request, reply, err, 502, {
        title: 'Sign-in is not working at the moment',
        message:
          'This service could not reach your organisation’s sign-in, or did not recognise it. Try again later, or sign in with your username and password if you have one.',
      });
    }
    reply.setCookie(PENDING_COOKIE, started.pending, { ...cookie, maxAge: 10 * 60 });
    return reply.redirect(started.url, 302);
  });

  app.get('/sign-in/sso/callback', async (request, reply) => {
    const sealed = request.cookies[PENDING_COOKIE];
    // One way back per sign-in: the cookie goes whatever happens next.
    reply.clearCookie(PENDING_COOKIE, cookie);
    let finished: { claims: OidcClaims; next: string };
    try {
      if (!sealed) throw new Error('no sign-in in progress in this browser');
      const callbackUrl = new URL(request.url, app.deployment.config.web.baseUrl);
      finished = await oidc.finish(callbackUrl, sealed, Date.now());
    } catch (err) {
      return refused(request, reply, err, 400, {
        title: 'Sign-in did not work',
        message:
          'The sign-in with your organisation account did not complete, or took too long. Start again from the sign-in page.',
      });
    }
    const { claims } = finished;
    const result = await app.store.signInWithOidc({ claims, roles: oidc.roles, clientAddress: request.ip });
    if (!result.ok) {
      request.log.warn(
        {
          via: 'sso',
          client: request.ip,
          issuer: claims.issuer,
          username: result.username ?? '(none)',
          reason: result.reason,
        },
        'sign-in refused',
      );
      reply.code(403);
      return reply.view('staff/no-access.njk', {
        ...pageContext(request, reply),
        reason: NO_ACCESS[result.reason],
        username: result.username,
      });
    }
    await beginSession(app, request, reply, result, { via: 'sso', role: result.user.role });
    return reply.redirect(safeNext(finished.next), 303);
  });

  /** A sign-in the protocol refused: logged at warn with the reason (never a token or code), and said so. */
  async function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    err: unknown,
    status: number,
    page: { title: string; message: string },
  ) {
    request.log.warn({ via: 'sso', client: request.ip, reason: reasonOf(err) }, 'sign-in refused');
    reply.code(status);
    return reply.view('error.njk', { ...pageContext(request, reply), status, ...page });
  }
}
