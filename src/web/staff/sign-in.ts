import type { FastifyInstance } from 'fastify';
import { endSession, startSession } from '../auth';
import { field, formPage, type Body } from './guards';

/** Sign-in and sign-out: a session cookie for the pages (the API also takes HTTP Basic). */
export function signInPages(app: FastifyInstance): void {
  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    if (request.user) return reply.redirect('/');
    return reply.view(
      'staff/sign-in.njk',
      formPage(request, reply, { next: request.query.next ?? '', form: {} }),
    );
  });

  app.post<{ Body: Body }>('/sign-in', async (request, reply) => {
    const username = field(request.body, 'username');
    const password = field(request.body, 'password');
    const next = field(request.body, 'next');
    const user = username && password ? await app.users.authenticate(username, password) : undefined;
    if (!user) {
      reply.code(400);
      return reply.view(
        'staff/sign-in.njk',
        formPage(request, reply, {
          next,
          form: {
            errors: [{ text: 'The username or password is not right.', href: '#username' }],
            values: { username },
          },
        }),
      );
    }
    startSession(reply, user, Date.now(), app.secureCookies);
    return reply.redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/', 303);
  });

  app.post('/sign-out', async (_request, reply) => {
    endSession(reply);
    return reply.redirect('/sign-in', 303);
  });
}
