import type { FastifyInstance } from 'fastify';
import { parseCommand, performCommand, startInspection, type perform } from '../../client/commands';
import { safeSegment } from '../../infra';
import { sendError } from '../app';
import { basicUser, canAct } from '../auth';
import { openApiDocument } from '../openapi';

/**
 * The JSON API for the partnership's own reporting tools: the same sign-in as the pages (the session cookie,
 * or HTTP Basic for scripts), the same client methods. Errors are `{ error: { type, message } }`.
 * A browser session may call the actions only with a JSON body (which a cross-site form cannot send).
 */

interface IdParams {
  id: string;
}
type Body = Record<string, unknown>;

export function apiRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization?.startsWith('Basic '))
      request.user = await basicUser(request, app.users);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url === '/api/openapi.json') return;
    if (!request.user) return sendError(request, reply, 401, 'Unauthorised', 'Sign in, or use HTTP Basic.');
    if (request.method !== 'GET') {
      if (!canAct(request.user))
        return sendError(request, reply, 403, 'Forbidden', 'Only a coordinator can do this.');
      const json = (request.headers['content-type'] ?? '').startsWith('application/json');
      if (request.user.via === 'session' && !json)
        return sendError(request, reply, 415, 'UnsupportedMediaType', 'Send a JSON body (application/json).');
    }
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get('/openapi.json', () => openApiDocument());

  app.get('/inspections', async () => ({ inspections: await app.inspections.list() }));

  app.post<{ Body: Body }>('/inspections', async (request, reply) => {
    const body = request.body ?? {};
    const command = parseCommand('start', { ...body, contacts: body.contacts ?? body.contactsYaml });
    const { inspectionId, input } = await startInspection(app.inspections, command);
    return reply.code(201).send({ inspectionId, deliverables: input.schedule.deliverables.length });
  });

  app.get<{ Params: IdParams }>('/inspections/:id', async (request) =>
    app.inspections.view(request.params.id),
  );

  app.get<{ Params: IdParams }>('/inspections/:id/timeline.ics', async (request, reply) => {
    const ics = await app.inspections.calendar(request.params.id);
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="${safeSegment(request.params.id)}.ics"`)
      .send(ics);
  });

  const post = <K extends keyof typeof perform>(
    url: string,
    name: K,
    answer: (result: Awaited<ReturnType<typeof performCommand<K>>>) => unknown,
  ) =>
    app.post<{ Params: IdParams & { agency?: string }; Body: Body }>(url, async (request, reply) => {
      const input = { ...request.body, ...(request.params.agency ? { agency: request.params.agency } : {}) };
      return reply.send(answer(await performCommand(app.inspections, request.params.id, name, input)));
    });

  post('/inspections/:id/select', 'select', ({ result }) => result);
  post('/inspections/:id/confirm', 'confirm', ({ result }) => result);
  post('/inspections/:id/extend', 'extend', ({ command }) => ({
    ok: true,
    deliverable: command.deliverable,
    dueAt: new Date(command.to).toISOString(),
  }));
  post('/inspections/:id/waive', 'waive', ({ command }) => ({ ok: true, deliverable: command.deliverable }));
  post('/inspections/:id/cancel', 'cancel', () => ({ ok: true }));
  post('/inspections/:id/links/:agency', 'sendLink', ({ result }) => ({ ok: true, version: result }));
  done();
}
