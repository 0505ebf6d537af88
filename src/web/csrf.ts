import Tokens from '@fastify/csrf';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webError } from './errors';

/**
 * CSRF tokens for every form. A signed-in member of staff's tokens are made from their session's secret,
 * which is in the database and new at each sign-in, so a token taken before sign-in, or from another session,
 * is refused, and signing out ends them all. Pages without a session (the sign-in form, the agency link
 * pages) use a secret in a signed cookie of their own, cleared at sign-in.
 */
declare module 'fastify' {
  interface FastifyInstance {
    /** A preValidation hook: refuses a request whose CSRF token is missing or not this visitor's. */
    csrfProtection(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void;
  }
  interface FastifyReply {
    /** A token for this visitor's forms (a session's, or the pre-session cookie's, made if missing). */
    generateCsrf(): string;
  }
}

export const CSRF_COOKIE = 'jtai_csrf';

const FORM_EXPIRED =
  'The form had expired or did not come from this site. Go back, reload the page and try again.';

/** Where a form posts its token: a field, the action's query string (multipart forms), or a header. */
function tokenOf(request: FastifyRequest): string | undefined {
  const from = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return (
    from((request.body as { _csrf?: unknown } | undefined)?._csrf) ??
    from((request.query as { _csrf?: unknown } | undefined)?._csrf) ??
    from(request.headers['x-csrf-token'])
  );
}

export function registerCsrf(app: FastifyInstance, secure: boolean): void {
  const tokens = new Tokens({}) as {
    secretSync(): string;
    create(secret: string): string;
    verify(secret: string, token: string): boolean;
  };
  const cookieSecret = (request: FastifyRequest) => {
    const raw = request.cookies[CSRF_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    return unsigned?.valid ? (unsigned.value ?? undefined) : undefined;
  };
  const secretOf = (request: FastifyRequest) => request.user?.csrfSecret ?? cookieSecret(request);

  app.decorateReply('generateCsrf', function generateCsrf(this: FastifyReply): string {
    let secret = secretOf(this.request);
    if (!secret) {
      secret = tokens.secretSync();
      this.setCookie(CSRF_COOKIE, secret, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure,
      });
      // Later calls in the same request (several forms on one page) use the same secret.
      this.request.cookies[CSRF_COOKIE] = this.signCookie(secret);
    }
    return tokens.create(secret);
  });

  app.decorate(
    'csrfProtection',
    (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
      const secret = secretOf(request);
      const token = tokenOf(request);
      done(secret && token && tokens.verify(secret, token) ? undefined : webError('Forbidden', FORM_EXPIRED));
    },
  );
}

/** At sign-in: the pre-session secret goes, so no token made before it works afterwards. */
export function clearPreSessionCsrf(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(CSRF_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
