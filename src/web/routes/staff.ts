import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  CommandError,
  parseCommand,
  performCommand,
  startInspection,
  type Commands,
  type perform,
} from '../../client/commands';
import { writeCandidates, writePack } from '../../client/exports';
import { JtaiError } from '../../client/inspections';
import { timelineOf, type TimelineView } from '../../client/read-model';
import { safeSegment } from '../../infra';
import { assertIsoDate } from '../../timeline/calendar';
import { pageContext, protectFormPages, sendError } from '../app';
import { canAct, endSession, startSession } from '../auth';
import { showError } from '../errors';
import { presentCoordinatorPage } from '../presenters';
import { ROLES, randomPassword, type Role } from '../users';

/**
 * The coordinator's and managers' pages, behind sign-in. Managers read; coordinators also act, through the
 * same InspectionsClient methods as the CLI. Every form carries a CSRF token.
 */

interface IdParams {
  id: string;
}
type Body = Record<string, unknown>;

const DONE: Record<string, string> = {
  started: 'The inspection has started. Each agency has been emailed what it owes, with its link.',
  twenty: 'The selection of children for more information is recorded.',
  tracked: 'The tracked children are recorded. Each agency has been asked for what depends on them.',
  confirmed: 'The confirmation is recorded.',
  extended: 'The deadline is moved; reminders move with it.',
  waived: 'The deliverable is waived: nothing more is owed and chasing stops.',
  cancelled: 'The inspection is cancelled: all chasing stops.',
  resent: 'The agency has been emailed its link again.',
  revoked: 'Earlier links of the agency no longer work. It has been emailed a new one.',
};

export function staffRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  protectFormPages(app);

  /** Pages need a signed-in user: a GET goes to the sign-in page and comes back afterwards. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (request.user) return;
    if (request.method === 'GET') {
      const next = request.url.startsWith('/') && !request.url.startsWith('//') ? request.url : '/';
      return reply.redirect(`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
    }
    return sendError(request, reply, 401, 'Unauthorised', 'Sign in to continue.');
  }
  /** Actions need a coordinator: managers read only. */
  async function coordinator(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
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

  const ctx = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => ({
    ...pageContext(request, reply),
    csrfToken: reply.generateCsrf(),
    ...extra,
  });

  // ---- Sign-in ----

  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    if (request.user) return reply.redirect('/');
    return reply.view('staff/sign-in.njk', ctx(request, reply, { next: request.query.next ?? '', form: {} }));
  });

  app.post<{ Body: Body }>('/sign-in', async (request, reply) => {
    const username = typeof request.body.username === 'string' ? request.body.username : '';
    const password = typeof request.body.password === 'string' ? request.body.password : '';
    const next = typeof request.body.next === 'string' ? request.body.next : '';
    const user = username && password ? await app.users.authenticate(username, password) : undefined;
    if (!user) {
      reply.code(400);
      return reply.view(
        'staff/sign-in.njk',
        ctx(request, reply, {
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

  // ---- Dashboard ----

  // Dashboards opened at the same moment share one visibility call in flight (no cache: an answer is never
  // older than one call's round trip).
  let listing: ReturnType<typeof app.inspections.list> | undefined;
  const listInspections = () => {
    listing ??= app.inspections.list().finally(() => {
      listing = undefined;
    });
    return listing;
  };

  app.get('/', { preHandler: signedIn }, async (request, reply) => {
    const inspections = await listInspections();
    return reply.view('staff/dashboard.njk', ctx(request, reply, { inspections, nav: 'inspections' }));
  });

  // ---- Start ----

  app.get('/inspections/new', { preHandler: coordinator }, async (request, reply) =>
    reply.view('staff/new.njk', ctx(request, reply, { nav: 'new', form: { errors: [], values: {} } })),
  );

  app.post('/inspections', { preHandler: coordinator }, async (request, reply) => {
    const values: Record<string, string> = {};
    let contacts = '';
    if (request.isMultipart()) {
      for await (const part of request.parts()) {
        if (part.type === 'field') values[part.fieldname] = String(part.value);
        else if (part.fieldname === 'contacts' && part.filename) {
          const buffer = await part.toBuffer();
          if (buffer.length > 256 * 1024)
            throw new JtaiError('The contacts file is too large.', 'BadRequest');
          contacts = buffer.toString('utf8');
        } else await part.toBuffer();
      }
    } else Object.assign(values, request.body as Record<string, string>);
    contacts ||= values.contactsText ?? '';
    try {
      const command = parseCommand('start', { ...values, contacts });
      const { inspectionId } = await startInspection(app.inspections, command);
      return await reply.redirect(`/inspections/${inspectionId}?done=started`, 303);
    } catch (err) {
      if (!(err instanceof JtaiError)) throw err;
      const errors =
        err instanceof CommandError
          ? err.problems.map((p) => ({ text: p.message, href: `#${p.field || 'localAuthority'}` }))
          : [{ text: err.message, href: hrefFor(err.message) }];
      reply.code(showError(err).status);
      return reply.view('staff/new.njk', ctx(request, reply, { nav: 'new', form: { errors, values } }));
    }
  });

  // ---- One inspection ----

  async function renderInspection(
    request: FastifyRequest<{ Params: IdParams }>,
    reply: FastifyReply,
    extra: { errors?: { text: string; href: string }[]; done?: string; status?: number } = {},
  ) {
    const page = await app.inspections.coordinatorPage(request.params.id, {
      withLinks: canAct(request.user),
      at: app.now(),
    });
    if (extra.status) reply.code(extra.status);
    return reply.view(
      'staff/inspection.njk',
      ctx(request, reply, {
        nav: 'inspections',
        p: presentCoordinatorPage(page),
        canAct: canAct(request.user),
        errors: extra.errors ?? [],
        done: extra.done ? DONE[extra.done] : undefined,
      }),
    );
  }

  app.get<{ Params: IdParams; Querystring: { done?: string } }>(
    '/inspections/:id',
    { preHandler: signedIn },
    async (request, reply) => renderInspection(request, reply, { done: request.query.done ?? '' }),
  );

  /**
   * A coordinator's action: the form parsed as its command and run through the client, then back to the
   * page; on a refusal, the page again with the reason in the error summary.
   */
  function action<K extends keyof typeof perform>(
    url: string,
    anchor: string,
    name: K,
    done: (command: Commands[K]) => string,
    input: (request: FastifyRequest<{ Params: IdParams & { agency?: string }; Body: Body }>) => unknown = (
      request,
    ) => request.body,
  ) {
    app.post<{ Params: IdParams & { agency?: string }; Body: Body }>(
      url,
      { preHandler: coordinator },
      async (request, reply) => {
        try {
          const { command } = await performCommand(app.inspections, request.params.id, name, input(request));
          return await reply.redirect(`/inspections/${request.params.id}?done=${done(command)}`, 303);
        } catch (err) {
          if (!(err instanceof JtaiError)) throw err;
          if (err.type === 'NotFound') throw err;
          const problems = err instanceof CommandError ? err.problems.map((p) => p.message) : [err.message];
          return renderInspection(request, reply, {
            errors: problems.map((text) => ({ text, href: `#${anchor}` })),
            status: showError(err).status,
          });
        }
      },
    );
  }

  action('/inspections/:id/select', 'selection', 'select', (c) => c.stage);
  action('/inspections/:id/confirm', 'confirmations', 'confirm', () => 'confirmed');
  action('/inspections/:id/extend', 'extend', 'extend', () => 'extended');
  action('/inspections/:id/waive', 'waive', 'waive', () => 'waived');
  action('/inspections/:id/cancel', 'cancel', 'cancel', () => 'cancelled');
  action(
    '/inspections/:id/links/:agency',
    'agencies',
    'sendLink',
    (c) => (c.revoke ? 'revoked' : 'resent'),
    (request) => ({ agency: request.params.agency, revoke: request.body?.action === 'revoke' }),
  );

  // ---- Downloads ----

  /** Write a file into a private scratch folder, send it, and remove the folder once sent. */
  async function sendScratchFile(
    reply: FastifyReply,
    name: string,
    type: string,
    write: (file: string) => Promise<unknown>,
  ) {
    const dir = await app.deployment.scratch.make('download');
    const file = path.join(dir, name);
    try {
      await write(file);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const stream = createReadStream(file);
    stream.on('close', () => void rm(dir, { recursive: true, force: true }));
    return reply.type(type).header('content-disposition', `attachment; filename="${name}"`).send(stream);
  }

  app.get<{ Params: IdParams }>(
    '/inspections/:id/pack.zip',
    { preHandler: signedIn },
    async (request, reply) => {
      const id = safeSegment(request.params.id);
      return sendScratchFile(reply, `${id}-pack.zip`, 'application/zip', (file) =>
        writePack(app.inspections, id, file),
      );
    },
  );

  app.get<{ Params: IdParams }>(
    '/inspections/:id/candidates.xlsx',
    { preHandler: signedIn },
    async (request, reply) => {
      const id = safeSegment(request.params.id);
      return sendScratchFile(
        reply,
        `${id}-candidates.xlsx`,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        (file) => writeCandidates(app.inspections, id, file),
      );
    },
  );

  app.get<{ Params: IdParams }>(
    '/inspections/:id/timeline.ics',
    { preHandler: signedIn },
    async (request, reply) => {
      const ics = await app.inspections.calendar(request.params.id);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${safeSegment(request.params.id)}.ics"`)
        .send(ics);
    },
  );

  // ---- Timeline of a notification date (jtai timeline) ----

  app.get<{ Querystring: { notified?: string; option?: string; format?: string } }>(
    '/timeline',
    { preHandler: signedIn },
    async (request, reply) => {
      const notified = request.query.notified ?? '';
      const option = request.query.option === 'B' ? 'B' : 'A';
      let timeline: TimelineView | undefined;
      let error: string | undefined;
      if (notified) {
        try {
          assertIsoDate(notified, 'notification date');
          timeline = timelineOf({ notifiedOn: notified, option, calendar: app.deployment.calendar });
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
      }
      if (timeline && request.query.format === 'ics') {
        return reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', `attachment; filename="jtai-${notified}.ics"`)
          .send(timeline.ics());
      }
      if (error) reply.code(400);
      return reply.view(
        'staff/timeline.njk',
        ctx(request, reply, {
          nav: 'timeline',
          notified,
          option,
          rows: timeline?.rows,
          form: { errors: error ? [{ text: error, href: '#notified' }] : [], values: { notified, option } },
        }),
      );
    },
  );

  // ---- Users ----

  app.get('/users', { preHandler: coordinator }, async (request, reply) =>
    reply.view(
      'staff/users.njk',
      ctx(request, reply, { nav: 'users', users: app.users.list(), form: { errors: [] } }),
    ),
  );

  app.post<{ Body: Body }>('/users', { preHandler: coordinator }, async (request, reply) => {
    const username = typeof request.body.username === 'string' ? request.body.username : '';
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
        ctx(request, reply, {
          nav: 'users',
          users: app.users.list(),
          form: { errors, values: { username, role } },
        }),
      );
    }
    return reply.view(
      'staff/users.njk',
      ctx(request, reply, { nav: 'users', users: app.users.list(), form: { errors: [] }, created, password }),
    );
  });

  app.post<{ Body: Body }>('/users/remove', { preHandler: coordinator }, async (request, reply) => {
    const username = typeof request.body.username === 'string' ? request.body.username : '';
    if (username === request.user?.username)
      throw new JtaiError('You cannot remove your own account while signed in with it.', 'BadRequest');
    app.users.remove(username);
    return reply.redirect('/users', 303);
  });
  done();
}

/** Which field of the start form a message is about. */
function hrefFor(message: string): string {
  if (/local authority/i.test(message)) return '#localAuthority';
  if (/notification|date|working day/i.test(message)) return '#notifiedOn';
  if (/option/i.test(message)) return '#option';
  if (/contacts/i.test(message)) return '#contacts';
  return '#localAuthority';
}
