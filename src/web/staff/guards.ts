import type { FastifyReply, FastifyRequest } from 'fastify';
import { canAct } from '../auth';
import { pageContext, sendError } from '../http';

/** Who may see and do what on the staff pages, and what every staff page is given. */

export interface IdParams {
  id: string;
}
/** A urlencoded form's fields. */
export type Body = Record<string, unknown>;

/** Pages need a signed-in user: a GET goes to the sign-in page and comes back afterwards. */
export async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (request.user) return;
  if (request.method === 'GET') {
    const next = request.url.startsWith('/') && !request.url.startsWith('//') ? request.url : '/';
    return reply.redirect(`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
  }
  return sendError(request, reply, 401, 'Unauthorised', 'Sign in to continue.');
}

/** Actions need a coordinator: managers read only. */
export async function coordinator(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (!request.user) return signedIn(request, reply);
  if (canAct(request.user)) return;
  return sendError(
    request,
    reply,
    403,
    'Forbidden',
    'Only a coordinator can do this; your account can read only.',
  );
}

/** A staff page's context: the signed-in user, the CSP nonce, and the CSRF token of its forms. */
export function formPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
  return { ...pageContext(request, reply), csrfToken: reply.generateCsrf(), ...extra };
}

/** A field of a urlencoded form as text ('' when absent, repeated or odd). */
export function field(body: Body | undefined, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}
