import type { FastifyInstance } from 'fastify';
import { JtaiError } from '../../client/errors';
import { ROLES, randomPassword, type Role } from '../users';
import { coordinator, field, formPage, type Body } from './guards';

/** The people who sign in: coordinators add them, with a role; a new password is shown once. */
export function userPages(app: FastifyInstance): void {
  app.get('/users', { preHandler: coordinator }, async (request, reply) =>
    reply.view(
      'staff/users.njk',
      formPage(request, reply, { nav: 'users', users: app.users.list(), form: { errors: [] } }),
    ),
  );

  app.post<{ Body: Body }>('/users', { preHandler: coordinator }, async (request, reply) => {
    const username = field(request.body, 'username');
    const role = request.body.role as Role;
    const errors: { text: string; href: string }[] = [];
    if (!ROLES.includes(role)) errors.push({ text: 'Choose a role.', href: '#role' });
    const password = randomPassword();
    let created;
    if (errors.length === 0) {
      try {
        created = await app.users.set(username, role, password);
      } catch (err) {
        errors.push({ text: (err as Error).message, href: '#username' });
      }
    }
    if (!created) {
      reply.code(400);
      return reply.view(
        'staff/users.njk',
        formPage(request, reply, {
          nav: 'users',
          users: app.users.list(),
          form: { errors, values: { username, role } },
        }),
      );
    }
    return reply.view(
      'staff/users.njk',
      formPage(request, reply, {
        nav: 'users',
        users: app.users.list(),
        form: { errors: [] },
        created,
        password,
      }),
    );
  });

  app.post<{ Body: Body }>('/users/remove', { preHandler: coordinator }, async (request, reply) => {
    const username = field(request.body, 'username');
    if (username === request.user?.username)
      throw new JtaiError('You cannot remove your own account while signed in with it.', 'BadRequest');
    app.users.remove(username);
    return reply.redirect('/users', 303);
  });
}
