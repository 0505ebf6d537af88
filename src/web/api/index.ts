import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { commands, runCommand, startInspection, type Commands, type Results } from '../../client/commands';
import {
  apart,
  debriefSchema,
  inspectionSummarySchema,
  inspectionViewSchema,
  receiptSchema,
} from '../../client/read-model';
import { auditCommand, auditStaff } from '../audit';
import { basicUser, canAct, lockedMessage, viewerOf } from '../auth';
import { noStore, sendError, sendInspectionCalendar } from '../http';
import {
  actionRefusals,
  agencyParams,
  answer,
  idParams,
  okSchema,
  readRefusals,
  startBody,
  startedSchema,
} from './schemas';

/**
 * The JSON API for the partnership's own reporting tools: the same sign-in as the pages (the session cookie,
 * or HTTP Basic for scripts), the same commands and client. Every route declares its schemas; the OpenAPI
 * document at /api/openapi.json is generated from them. Errors are `{ error: { type, message } }`.
 * Actions take a JSON body only, whoever calls (a cross-site form cannot send one).
 */
export function apiRoutes(parent: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  // Who may ask comes first, before the body is even read: then that the body is JSON.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/api/openapi.json') return;
    const basic = await basicUser(request, app);
    if (basic && 'user' in basic) request.user = basic.user;
    else if (basic?.refused === 'locked')
      return sendError(request, reply, 429, 'TooManyAttempts', lockedMessage(basic.lockout));
    else if (basic) request.user = undefined; // wrong Basic credentials are not rescued by a cookie
    if (!request.user) return sendError(request, reply, 401, 'Unauthorised', 'Sign in, or use HTTP Basic.');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (!canAct(request.user))
        return sendError(request, reply, 403, 'Forbidden', 'Only a coordinator can do this.');
      // JSON only, whoever calls: a cross-site form (urlencoded, multipart, text/plain) cannot send it, so a
      // browser holding Basic credentials or a session cookie cannot be made to act by another site.
      if (!isJson(request.headers['content-type']))
        return sendError(request, reply, 415, 'UnsupportedMediaType', 'Send a JSON body (application/json).');
    }
  });
  // No body at all reads as an empty one, so that each missing field is named.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.method !== 'GET') request.body ??= {};
    done();
  });
  noStore(app);

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get(
    '/inspections',
    {
      schema: {
        summary:
          'Inspections, a page at a time, open ones first: stage, next deadline, overdue count; rehearsals apart (as `jtai list --json`)',
        querystring: commands.list,
        response: {
          200: answer(
            'A page of the inspections and, apart, the rehearsals, open ones first, each newest first',
            z.object({
              inspections: z.array(inspectionSummarySchema),
              rehearsals: z
                .array(inspectionSummarySchema)
                .describe('Rehearsals: never counted as inspections'),
              nextPage: z
                .string()
                .optional()
                .describe('Absent on the last page; otherwise give it as `page` for the next'),
            }),
          ),
          401: readRefusals[401],
        },
      },
    },
    async (request) => {
      const { inspections, nextPage } = await app.inspections.listPage(request.query);
      return { ...apart(inspections), ...(nextPage ? { nextPage } : {}) };
    },
  );

  app.post(
    '/inspections',
    {
      schema: {
        summary: 'Start an inspection (as `jtai start`)',
        body: startBody,
        response: { 201: answer('Started', startedSchema), ...actionRefusals },
      },
    },
    async (request, reply) => {
      const { inspectionId, input } = await startInspection(app.inspections, request.body);
      await auditStaff(app, request, 'inspection.started', inspectionId, { rehearsal: !!input.rehearsal });
      return reply.code(201).send({ inspectionId, deliverables: input.schedule.deliverables.length });
    },
  );

  app.get(
    '/inspections/:id',
    {
      schema: {
        summary: 'One inspection: every deliverable, its state and chase log (as `jtai status --json`)',
        params: idParams,
        response: { 200: answer('The inspection', inspectionViewSchema), ...readRefusals },
      },
    },
    async (request) => {
      const view = await app.inspections.view(request.params.id, app.now(), viewerOf(request.user));
      // A view with child IDs (a coordinator's, once children are selected): who read it is in the log.
      if (view.children && (view.children.selected.length > 0 || view.children.tracked.length > 0))
        await auditStaff(app, request, 'status.viewed', request.params.id, { surface: 'api' });
      return view;
    },
  );

  app.get(
    '/inspections/:id/debrief',
    {
      schema: {
        summary:
          'The debrief: each agency and deliverable, on time or how late, refusals, how long the chase took (as `jtai debrief --json`)',
        params: idParams,
        response: { 200: answer('The debrief', debriefSchema), ...readRefusals },
      },
    },
    async (request) => app.inspections.debrief(request.params.id, app.now()),
  );

  app.get(
    '/inspections/:id/timeline.ics',
    {
      schema: {
        summary: 'The inspection’s deadlines as an iCalendar file',
        params: idParams,
        response: { 200: answer('Calendar', z.string(), 'text/calendar'), ...readRefusals },
      },
    },
    async (request, reply) => sendInspectionCalendar(app, reply, request.params.id),
  );

  const OK = { ok: true } as const;

  /** An action on one inspection: its command is the body (and the agency, for links, the path). */
  function action<K extends keyof Results, Answer extends z.ZodType>(
    url: string,
    name: K,
    description: { summary: string; params?: z.ZodType; body?: z.ZodType },
    answerSchema: Answer,
    answerOf: (command: Commands[K], result: Results[K]) => z.input<Answer>,
  ) {
    app.post(
      url,
      {
        schema: {
          summary: description.summary,
          params: description.params ?? idParams,
          body: description.body ?? commands[name],
          response: { 200: answer('Done', answerSchema), ...actionRefusals },
        },
      },
      async (request) => {
        const params = request.params as { id: string; agency?: string };
        const command = {
          ...(request.body as object),
          ...(params.agency ? { agency: params.agency } : {}),
        } as Commands[K];
        const result = await runCommand(app.inspections, params.id, name, command);
        await auditCommand(app, request, params.id, name, command);
        return answerOf(command, result);
      },
    );
  }

  action(
    '/inspections/:id/select',
    'select',
    { summary: 'Record the lead inspector’s selection (as `jtai select`)' },
    receiptSchema,
    (_c, receipt) => receipt,
  );
  action(
    '/inspections/:id/confirm',
    'confirm',
    { summary: 'Record a confirmation: `call` or another confirmation deliverable (as `jtai confirm`)' },
    receiptSchema,
    (_c, receipt) => receipt,
  );
  action(
    '/inspections/:id/extend',
    'extend',
    { summary: 'Move a deadline; reminders move with it (as `jtai extend`)' },
    okSchema.extend({ deliverable: z.string(), dueAt: z.string().describe('The new deadline, ISO instant') }),
    (c, dueAt) => ({ ...OK, deliverable: c.deliverable, dueAt: new Date(dueAt).toISOString() }),
  );
  action(
    '/inspections/:id/waive',
    'waive',
    { summary: 'Waive a deliverable: nothing more is owed, chasing stops (as `jtai waive`)' },
    okSchema.extend({ deliverable: z.string() }),
    (c) => ({ ...OK, deliverable: c.deliverable }),
  );
  action(
    '/inspections/:id/cancel',
    'cancel',
    { summary: 'Cancel the inspection: all chasing stops (as `jtai cancel`)' },
    okSchema,
    () => OK,
  );
  action(
    '/inspections/:id/contacts',
    'contacts',
    { summary: 'Replace the contacts; later emails go to the new addresses (as `jtai contacts`)' },
    okSchema,
    () => OK,
  );
  action(
    '/inspections/:id/links/:agency',
    'sendLink',
    {
      summary: 'Email an agency its link again; with `revoke`, its earlier links stop working',
      params: agencyParams,
      body: commands.sendLink.omit({ agency: true }),
    },
    okSchema.extend({ version: z.number().int().describe('The link version now valid') }),
    (_c, version) => ({ ...OK, version }),
  );
  action(
    '/inspections/:id/messages',
    'message',
    {
      summary:
        'Leave an agency a message on its page; the email says only that there is one (as `jtai message`)',
    },
    okSchema.extend({ id: z.string().describe('The message id') }),
    (_c, id) => ({ ...OK, id }),
  );
  action(
    '/inspections/:id/requests',
    'request',
    {
      summary:
        'Ask an agency for something more (CQC’s request, an ad-hoc one), chased like the rest (as `jtai request`)',
    },
    okSchema.extend({ deliverable: z.string().describe('The new deliverable id') }),
    (_c, deliverable) => ({ ...OK, deliverable }),
  );
  done();
}

/** `application/json`, with or without parameters (`; charset=utf-8`), and nothing else. */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}
