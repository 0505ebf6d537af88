import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandError, performCommand, type Commands, type Results } from '../../client/commands';
import { JtaiError } from '../../client/errors';
import { auditCommand } from '../audit';
import { canAct } from '../auth';
import { showError } from '../errors';
import { presentCoordinatorPage } from '../presenters';
import { coordinator, formPage, signedIn, type Body, type IdParams } from './guards';
import { redirectWith, takeFlash } from './notes';

/**
 * One inspection's page, and the coordinator's actions on it: each form is parsed as its command and run
 * through the same client as the CLI; a refusal shows the page again with the reason in the error summary.
 */

/** What the page says after each action. */
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
  messaged: 'The message is on the agency’s page; its contact has been emailed that there is one.',
  requested:
    'The request is recorded and the agency has been asked; it is chased like any other deliverable.',
};

export function inspectionPages(app: FastifyInstance): void {
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
      formPage(request, reply, {
        nav: 'inspections',
        p: presentCoordinatorPage(page),
        ...(page.view.rehearsal ? { rehearsal: page.view.rehearsal } : {}),
        canAct: canAct(request.user),
        errors: extra.errors ?? [],
        // A fresh id for each form shown: a second click of the same form counts once.
        updateIds: { message: randomUUID(), request: randomUUID() },
        done: extra.done ? DONE[extra.done] : undefined,
      }),
    );
  }

  app.get<{ Params: IdParams }>('/inspections/:id', { preHandler: signedIn }, async (request, reply) => {
    const flash = await takeFlash(app, request);
    return renderInspection(request, reply, {
      ...(flash.done ? { done: flash.done } : {}),
      ...(flash.errors ? { errors: flash.errors } : {}),
    });
  });

  /**
   * A coordinator's action: the form parsed as its command and run through the client, then back to the
   * page; on a refusal, the page again with the reason in the error summary.
   */
  function action<K extends keyof Results>(
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
          await auditCommand(app, request, request.params.id, name, command);
          return await redirectWith(app, request, reply, `/inspections/${request.params.id}`, {
            done: done(command),
          });
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
  action('/inspections/:id/message', 'message', 'message', () => 'messaged');
  action('/inspections/:id/request', 'request', 'request', () => 'requested');
  action(
    '/inspections/:id/links/:agency',
    'agencies',
    'sendLink',
    (c) => (c.revoke ? 'revoked' : 'resent'),
    (request) => ({ agency: request.params.agency, revoke: request.body?.action === 'revoke' }),
  );
}
