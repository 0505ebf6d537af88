import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Contacts } from '../../client/contacts';
import { safeSegment } from '../../infra';
import * as actions from '../actions';
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
    const given = body.contacts ?? body.contactsYaml;
    const contacts =
      typeof given === 'string'
        ? given
        : typeof given === 'object' && given !== null
          ? (given as Contacts)
          : undefined;
    const { inspectionId, input } = await actions.startInspection(app.inspections, {
      localAuthority: body.localAuthority,
      notifiedOn: body.notifiedOn,
      option: body.option,
      contacts,
    });
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

  const post = (
    url: string,
    run: (
      id: string,
      body: Body,
      request: FastifyRequest<{ Params: IdParams & { agency?: string } }>,
    ) => Promise<unknown>,
  ) =>
    app.post<{ Params: IdParams & { agency?: string }; Body: Body }>(
      url,
      async (request, reply: FastifyReply) =>
        reply.send((await run(request.params.id, request.body ?? {}, request)) ?? { ok: true }),
    );

  post('/inspections/:id/select', (id, body) =>
    actions.select(app.inspections, id, body.stage, body.childIds),
  );
  post('/inspections/:id/confirm', (id, body) =>
    actions.confirm(app.inspections, id, body.deliverable, body.note),
  );
  post('/inspections/:id/extend', async (id, body) => {
    const { deliverable, dueAt } = await actions.extend(app.inspections, id, body);
    return { ok: true, deliverable, dueAt: new Date(dueAt).toISOString() };
  });
  post('/inspections/:id/waive', async (id, body) => ({
    ok: true,
    ...(await actions.waive(app.inspections, id, body)),
  }));
  post('/inspections/:id/cancel', async (id, body) => {
    await actions.cancel(app.inspections, id, body.reason);
    return { ok: true };
  });
  post('/inspections/:id/links/:agency', async (id, body, request) => ({
    ok: true,
    version: await actions.sendLink(app.inspections, id, request.params.agency, body.revoke === true),
  }));
  done();
}
