import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import {
  CommandError,
  parseCommand,
  performCommand,
  type Commands,
  type Results,
} from '../../client/commands';
import type { CoordinatorPage } from '../../client/read-model';
import { JtaiError } from '../../client/errors';
import { auditCommand, auditRow, auditStaff, inspectionAudit } from '../audit';
import { canAct, viewerOf } from '../auth';
import { showsChildren } from '../../client/read-model';
import { presentCoordinatorPage } from '../presenters';
import { coordinator, formPage, signedIn, type Body, type IdParams } from './guards';
import { redirectWith, takeFlash, type TypedValues } from './notes';

/**
 * One inspection's pages (overview, timeline, children, agencies and links, documents, actions: plain GET
 * pages reached by a sub-navigation), and the coordinator's actions on them: each form is parsed as its command
 * and run through the same client as the CLI; it answers with a redirect to the page of the rows it acts on,
 * and a refusal to the form's page with the reason in the error summary.
 */

/** The inspection's sub-pages, reached by its sub-navigation; `acts`: the coordinator's only. */
interface Section {
  key: 'overview' | 'timeline' | 'children' | 'agencies' | 'documents' | 'actions';
  path: string;
  title: string;
  /** Whether it shows child IDs (to a coordinator, who sees them): each such view is in the audit log. */
  childIds?: (page: CoordinatorPage) => boolean;
  acts?: boolean;
}
const SECTIONS: Section[] = [
  // The overview names only the children selected; the Children page also those put forward.
  {
    key: 'overview',
    path: '',
    title: 'Overview',
    childIds: (page) => page.selection.twenty.length + page.selection.tracked.length > 0,
  },
  { key: 'timeline', path: '/timeline', title: 'Timeline' },
  { key: 'children', path: '/children', title: 'Children', childIds: showsChildren },
  { key: 'agencies', path: '/agencies', title: 'Agencies and links' },
  { key: 'documents', path: '/documents', title: 'Documents', acts: true },
  { key: 'actions', path: '/actions', title: 'Actions', acts: true },
];

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

/** Audit lines on the inspection's page; the CSV export has them all. */
const AUDIT_LINES_SHOWN = 50;

export function inspectionPages(app: FastifyInstance): void {
  async function renderInspection(
    request: FastifyRequest<{ Params: IdParams; Querystring: { deliverable?: string } }>,
    reply: FastifyReply,
    section: Section,
    extra: { errors?: { text: string; href: string }[]; done?: string; typed?: TypedValues } = {},
  ) {
    const page = await app.inspections.coordinatorPage(request.params.id, {
      withLinks: canAct(request.user),
      at: app.now(),
      viewer: viewerOf(request.user),
    });
    // Child IDs on the page (a coordinator's, once children are put forward): who saw them is in the log.
    if (page.seesChildIds && section.childIds?.(page))
      await auditStaff(app, request, 'status.viewed', request.params.id, { surface: 'page' });
    // The coordinator sees who saw or did what in this inspection, newest first (the CSV has every line).
    const audit =
      section.key === 'overview' && canAct(request.user) ? await inspectionAudit(app, request.params.id) : [];
    const p = presentCoordinatorPage(page);
    const chosen = request.query.deliverable;
    return reply.view(
      `staff/inspection/${section.key}.njk`,
      formPage(request, reply, {
        nav: 'inspections',
        section: section.key,
        sections: SECTIONS.filter((s) => !s.acts || canAct(request.user)).map((s) => ({
          text: s.title,
          href: `/inspections/${page.view.inspectionId}${s.path}`,
          current: s.key === section.key,
        })),
        sectionTitle: section.title,
        p,
        ...(page.view.rehearsal ? { rehearsal: page.view.rehearsal } : {}),
        canAct: canAct(request.user),
        // The deliverable whose row's "Extend or waive" was followed: chosen in both forms.
        chosen: typeof chosen === 'string' && p.open.some((o) => o.id === chosen) ? chosen : undefined,
        audit: {
          count: audit.length,
          latest: audit
            .slice(-AUDIT_LINES_SHOWN)
            .reverse()
            .map((line) => auditRow(line, app.store.audit.labelOf)),
        },
        errors: extra.errors ?? [],
        // What was typed into a form the workflow refused, by the form's anchor: shown again in it.
        typed: extra.typed ?? {},
        // A fresh id for each form shown: a second click of the same form counts once.
        updateIds: {
          message: randomUUID(),
          request: randomUUID(),
          confirm: randomUUID(),
          extend: randomUUID(),
          resend: randomUUID(),
        },
        done: extra.done ? DONE[extra.done] : undefined,
      }),
    );
  }

  for (const section of SECTIONS)
    app.get<{ Params: IdParams; Querystring: { deliverable?: string } }>(
      `/inspections/:id${section.path}`,
      { preHandler: section.acts ? coordinator : signedIn },
      async (request, reply) => {
        const flash = await takeFlash(app, request);
        return renderInspection(request, reply, section, {
          ...(flash.done ? { done: flash.done } : {}),
          ...(flash.errors ? { errors: flash.errors } : {}),
          ...(flash.typed ? { typed: flash.typed } : {}),
        });
      },
    );

  /**
   * Back to the inspection's page with the refusal in the error summary, linked to the form's heading, and what
   * was typed back in the form (kept with the session's page note, read once).
   */
  function refused(
    request: FastifyRequest<{ Params: IdParams }>,
    reply: FastifyReply,
    err: unknown,
    what: Pick<Act, 'anchor' | 'form'>,
    input: unknown,
  ) {
    if (!(err instanceof JtaiError) || err.type === 'NotFound') throw err;
    const problems = err instanceof CommandError ? err.problems.map((p) => p.message) : [err.message];
    // Text fields, and ticked boxes (a list, or one value when one box is ticked).
    const typed = Object.entries(input ?? {}).filter(
      (entry): entry is [string, string | string[]] =>
        entry[0] !== 'updateId' &&
        (typeof entry[1] === 'string' ||
          (Array.isArray(entry[1]) && entry[1].every((v) => typeof v === 'string'))),
    );
    return redirectWith(app, request, reply, `/inspections/${request.params.id}${what.form}`, {
      errors: problems.map((text) => ({ text, href: `#${what.anchor}` })),
      typed: { [what.anchor]: Object.fromEntries(typed) },
    });
  }

  /** How a command is offered on the page: its anchor, what it reads, whether it is checked first. */
  interface Act {
    key: string;
    anchor: string;
    /** The sub-page its form is on (a refusal goes back there), and the one that shows what it did. */
    form: string;
    shows: string;
    input?: (
      request: FastifyRequest<{ Params: IdParams & { agency?: string }; Body: Body }>,
    ) => Record<string, unknown>;
    check?: (input: Record<string, unknown>) => boolean;
    /** Runs it (audited unless told not to); the key of its outcome. */
    run: (request: FastifyRequest<{ Params: IdParams }>, input: unknown, audited: boolean) => Promise<string>;
  }
  function act<K extends keyof Results>(
    name: K,
    [anchor, form, shows = form]: [string, string, string?],
    done: (command: Commands[K]) => string,
    more: Pick<Act, 'input' | 'check'> = {},
  ): Act {
    return {
      key: name,
      anchor,
      form,
      shows,
      ...more,
      run: async (request, input, audited) => {
        const { command } = await performCommand(app.inspections, request.params.id, name, input);
        if (audited) await auditCommand(app, request, request.params.id, name, command);
        return done(command);
      },
    };
  }

  /** Run a command on the inspection, then back to its page with the outcome. */
  async function perform(
    request: FastifyRequest<{ Params: IdParams }>,
    reply: FastifyReply,
    what: Act,
    input: unknown,
    audited = true,
  ) {
    const done = await what.run(request, input, audited);
    return redirectWith(app, request, reply, `/inspections/${request.params.id}${what.shows}`, { done });
  }

  /**
   * A coordinator's action: the form parsed as its command. One that cannot be undone (`check`) goes first
   * to a check-your-answers page (the answers kept server-side with a fresh update id); the others run at
   * once. Every answer is a redirect (post/redirect/get); a refusal goes back with the reason.
   */
  function action(url: string, what: Act) {
    app.post<{ Params: IdParams & { agency?: string }; Body: Body }>(
      url,
      { preHandler: coordinator },
      async (request, reply) => {
        const input = what.input ? what.input(request) : withoutCsrf(request.body);
        try {
          if (!what.check?.(input)) return await perform(request, reply, what, input);
          parseCommand(what.key as keyof Results, input);
          const session = request.user?.sessionId;
          if (!session) return await perform(request, reply, what, input);
          const updateId = randomUUID();
          const noteId = await app.store.pageNotes.put(session, {
            act: what.key,
            input: { ...input, updateId },
          });
          return await reply.redirect(`/inspections/${request.params.id}/check/${noteId}`, 303);
        } catch (err) {
          return refused(request, reply, err, what, input);
        }
      },
    );
  }

  const acts = {
    select: act('select', ['selection', '/children'], (c) => c.stage, { check: () => true }),
    confirm: act('confirm', ['confirmations', '/actions', '/timeline'], () => 'confirmed'),
    extend: act('extend', ['extend', '/actions', '/timeline'], () => 'extended'),
    waive: act('waive', ['waive', '/actions', '/timeline'], () => 'waived', { check: () => true }),
    cancel: act('cancel', ['cancel', '/actions', ''], () => 'cancelled', { check: () => true }),
    message: act('message', ['message', '/agencies'], () => 'messaged'),
    request: act('request', ['request', '/actions', '/timeline'], () => 'requested'),
    sendLink: act('sendLink', ['agencies', '/agencies'], (c) => (c.revoke ? 'revoked' : 'resent'), {
      input: (request) => ({
        agency: request.params.agency,
        revoke: request.body?.action === 'revoke',
        ...(typeof request.body?.updateId === 'string' ? { updateId: request.body.updateId } : {}),
      }),
      check: (input) => (input as { revoke?: boolean }).revoke === true,
    }),
  };
  action('/inspections/:id/select', acts.select);
  action('/inspections/:id/confirm', acts.confirm);
  action('/inspections/:id/extend', acts.extend);
  action('/inspections/:id/waive', acts.waive);
  action('/inspections/:id/cancel', acts.cancel);
  action('/inspections/:id/message', acts.message);
  action('/inspections/:id/request', acts.request);
  action('/inspections/:id/links/:agency', acts.sendLink);

  type CheckParams = IdParams & { note: string };
  const pendingOf = async (request: FastifyRequest<{ Params: CheckParams }>) => {
    const session = request.user?.sessionId;
    const note = session ? await app.store.pageNotes.get(session, request.params.note) : undefined;
    const act = note && Object.values(acts).find((a) => a.key === note.act);
    return act && note
      ? { act, input: note.input as Record<string, unknown> & { updateId: string } }
      : undefined;
  };
  const expired = (request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) =>
    redirectWith(app, request, reply, `/inspections/${request.params.id}`, {
      errors: [
        {
          text: 'That check had expired or was not yours: nothing was done. Try again.',
          href: '#main-content',
        },
      ],
    });

  /** Check your answers: what is about to be done, and a button to do it. */
  app.get<{ Params: CheckParams }>(
    '/inspections/:id/check/:note',
    { preHandler: coordinator },
    async (request, reply) => {
      const pending = await pendingOf(request);
      if (!pending) return expired(request, reply);
      const page = await app.inspections.coordinatorPage(request.params.id, {
        withLinks: false,
        at: app.now(),
        viewer: viewerOf(request.user),
      });
      return reply.view(
        'staff/check.njk',
        formPage(request, reply, {
          nav: 'inspections',
          v: page.view,
          ...(page.view.rehearsal ? { rehearsal: page.view.rehearsal } : {}),
          check: checkPage(pending.act.key, pending.input, page),
          updateId: pending.input.updateId,
        }),
      );
    },
  );

  /** Do it: once, however often the button is pressed (the kept update id, and the note marked used). */
  app.post<{ Params: CheckParams; Body: Body }>(
    '/inspections/:id/check/:note',
    { preHandler: coordinator },
    async (request, reply) => {
      const pending = await pendingOf(request);
      const session = request.user?.sessionId;
      if (!pending || !session) return expired(request, reply);
      const first = await app.store.pageNotes.use(session, request.params.note);
      try {
        return await perform(request, reply, pending.act, pending.input, first);
      } catch (err) {
        if (first) await app.store.pageNotes.unuse(session, request.params.note);
        return refused(request, reply, err, pending.act, pending.input);
      }
    },
  );
}

const withoutCsrf = (body: Body | undefined): Record<string, unknown> => {
  const { _csrf: _ignored, ...rest } = body ?? {};
  return rest;
};

/** What a check-your-answers page shows of each act. */
function checkPage(key: string, input: Record<string, unknown>, page: CoordinatorPage) {
  const text = (name: string) => (typeof input[name] === 'string' ? input[name] : '');
  const deliverable = page.open.find((o) => o.id === text('deliverable'));
  switch (key) {
    case 'select': {
      const ids = parseCommand('select', input).childIds;
      const twenty = input.stage === 'twenty';
      return {
        title: twenty ? 'Check the children selected for more information' : 'Check the tracked children',
        rows: [
          {
            key: { text: twenty ? 'Selected for more information' : 'Tracked' },
            value: { text: ids.join(', ') },
          },
          { key: { text: 'How many' }, value: { text: String(ids.length) } },
        ],
        warning: twenty
          ? 'Each agency is asked at once for what depends on these children.'
          : 'Each agency is asked at once for the tracked children’s records. Recording it again replaces the choice, but the agencies will already have been asked.',
        button: twenty ? 'Record the selection' : 'Record the tracked children',
        change: '/children#selection',
      };
    }
    case 'waive':
      return {
        title: 'Check before you waive a deliverable',
        rows: [
          {
            key: { text: 'Deliverable' },
            value: {
              text: deliverable
                ? `${deliverable.title} (${deliverable.ownerName}, due ${deliverable.dueUk})`
                : text('deliverable'),
            },
          },
          { key: { text: 'Reason' }, value: { text: text('reason') } },
        ],
        warning: 'Nothing more is owed for it and chasing stops. This cannot be undone.',
        button: 'Waive it',
        danger: true,
        change: '/actions#waive',
      };
    case 'cancel':
      return {
        title: 'Check before you cancel the inspection',
        rows: [
          {
            key: { text: 'Inspection' },
            value: { text: `${page.view.localAuthority}, notified ${page.view.notifiedOn}` },
          },
          { key: { text: 'Reason' }, value: { text: text('reason') } },
        ],
        warning: 'All chasing stops and nothing more can be recorded. This cannot be undone.',
        button: 'Cancel the inspection',
        danger: true,
        change: '/actions#cancel',
      };
    default: {
      return {
        title: 'Check before you revoke a link',
        rows: [
          {
            key: { text: 'Agency' },
            value: {
              text: page.agencyChoices.find((c) => c.value === input.agency)?.text ?? text('agency'),
            },
          },
        ],
        warning:
          'Its earlier links stop working at once and its contact is emailed a new one. This cannot be undone.',
        button: 'Revoke and send a new link',
        danger: true,
        change: '/agencies#agencies',
      };
    }
  }
}
