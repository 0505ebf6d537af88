import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JtaiError } from '../../client/errors';
import type { Role } from '../../infra/db';
import { coordinator, field, formPage, type Body } from './guards';
import { redirectWith, takeFlash } from './notes';

/**
 * The people who sign in: coordinators add them with a role, or give one a new password (shown once), and
 * remove them. A new password or a removal ends that person's sessions at once (the store does it in the same
 * statement); each change is in the audit log. Each POST answers with a redirect: the new password goes to the
 * next page in a note read once (kept server-side, bound to the session), so a reload neither shows it again
 * nor gives the person another password.
 */
/** The roles a person may be given (every role: the type says so). */
const ROLE_NAMES: Record<Role, true> = { coordinator: true, manager: true };

export function userPages(app: FastifyInstance): void {
  app.get('/users', { preHandler: coordinator }, async (request, reply) => {
    const flash = await takeFlash(app, request);
    return reply.view(
      'staff/users.njk',
      formPage(request, reply, {
        nav: 'users',
        users: await app.store.users.list(),
        form: { errors: flash.errors ?? [], values: flash.values },
        ...(flash.created ? { created: flash.created, password: flash.password } : {}),
      }),
    );
  });
  const audited = (
    request: FastifyRequest,
    action: 'user.added' | 'user.changed' | 'user.removed',
    target: string,
  ) =>
    app.audit.record({
      actor: { kind: 'user', username: request.user?.username ?? '' },
      action,
      clientAddress: request.ip,
      details: { user: target },
    });

  app.post<{ Body: Body }>('/users', { preHandler: coordinator }, async (request, reply) => {
    const username = field(request.body, 'username');
    const role = field(request.body, 'role') as Role;
    const errors: { text: string; href: string }[] = [];
    if (!Object.hasOwn(ROLE_NAMES, role)) errors.push({ text: 'Choose a role.', href: '#role' });
    const password = app.store.newPassword();
    let created;
    let existed = false;
    if (errors.length === 0) {
      try {
        existed = (await app.store.users.find(username)) !== undefined;
        created = await app.store.users.set(username, role, password);
      } catch (err) {
        errors.push({ text: (err as Error).message, href: '#username' });
      }
    }
    if (!created) return redirectWith(app, request, reply, '/users', { errors, values: { username, role } });
    // A new password lifts a lockout of the username (not one of a client address) at once.
    await app.store.signInAttempts.unlock(created.username);
    await audited(request, existed ? 'user.changed' : 'user.added', created.username);
    return redirectWith(app, request, reply, '/users', {
      created: { username: created.username, role: created.role },
      password,
    });
  });

  app.post<{ Body: Body }>('/users/remove', { preHandler: coordinator }, async (request, reply) => {
    const username = field(request.body, 'username');
    if (username === request.user?.username)
      throw new JtaiError('You cannot remove your own account while signed in with it.', 'BadRequest');
    if (await app.store.users.remove(username)) await audited(request, 'user.removed', username);
    return reply.redirect('/users', 303);
  });
}
