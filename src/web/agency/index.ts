import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandError, performCommand, updateId as updateIdField } from '../../client/commands';
import { JtaiError, type FileToSubmit } from '../../client/inspections';
import type { AgencyItem, AgencyView, QueryView, ReceiptView } from '../../client/read-model';
import type { LinkGrant } from '../../infra/links';
import { isListId, LIST_TITLES, templateFileName, writeListTemplate } from '../../lists';
import { syntheticFileName, writeSyntheticList } from '../../lists/synthetic';
import { formatUkDateTime } from '../../timeline/format';
import { auditAgency } from '../audit';
import { showError, webError } from '../errors';
import { pageContext, protectFormPages, sendScratchFile } from '../http';
import { presentAgencyPage, presentItem, taskListItems, type PresentedItem } from '../presenters';
import { DOCUMENT_TYPES, LIST_TYPES, readUpload } from '../uploads';
import { fieldId, FormError, submissionFrom } from './forms';

/**
 * The agency link pages, `/a/<token>`: one agency of one inspection. The token is checked on every request
 * (signature, expiry, and that its version is still the agency's current one); anything else is a plain 403.
 */

interface TokenParams {
  token: string;
}
interface DeliverableParams extends TokenParams {
  deliverable: string;
}
interface ChildQuery {
  child?: string;
}

interface Access {
  grant: LinkGrant;
  page: AgencyView;
}

export function agencyRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  // Forms here are multipart (their token is in the action's query string) or urlencoded.
  protectFormPages(app);

  async function access(token: string): Promise<Access> {
    const grant = app.deployment.links.verify(token, app.now());
    if (!grant) throw refused();
    let page: AgencyView;
    try {
      page = await app.inspections.agencyPage(grant.inspectionId, grant.agency, app.now());
    } catch (err) {
      if (err instanceof JtaiError && err.type === 'NotFound') throw refused();
      throw err;
    }
    // A link of an earlier run (cancelled, then started again under the same id) or a revoked version: refused.
    if (page.linkRun !== grant.run || page.linkVersion !== grant.version) throw refused();
    return { grant, page };
  }

  /** What every agency page is given; a rehearsal's pages show the REHEARSAL banner. */
  const context = (request: FastifyRequest, reply: FastifyReply, a: Access) => ({
    ...pageContext(request, reply),
    ...(a.page.rehearsal ? { rehearsal: {} } : {}),
  });

  /** One of the agency's own deliverables (the page holds only those). */
  function owned(a: Access, id: string): AgencyItem {
    const item = a.page.items.find((x) => x.view.id === id);
    if (!item) throw webError('NotFound', 'There is no such deliverable for your agency in this inspection.');
    return item;
  }

  app.get<{ Params: TokenParams }>('/:token', async (request, reply) => {
    const a = await access(request.params.token);
    const page = presentAgencyPage(a.page);
    const base = `/a/${request.params.token}`;
    return reply.view('agency/home.njk', {
      ...context(request, reply, a),
      page,
      base,
      taskItems: (items: PresentedItem[]) => taskListItems(items, base, page.ended),
    });
  });

  app.get<{ Params: DeliverableParams; Querystring: ChildQuery }>(
    '/:token/d/:deliverable',
    async (request, reply) => {
      const a = await access(request.params.token);
      const d = owned(a, request.params.deliverable);
      return renderDeliverable(request, reply, a, d, request.query.child);
    },
  );

  app.get<{ Params: DeliverableParams }>('/:token/d/:deliverable/template.xlsx', async (request, reply) => {
    const a = await access(request.params.token);
    const d = owned(a, request.params.deliverable);
    const list = d.list;
    if (!list || !isListId(list)) throw webError('NotFound', 'This deliverable is not a list.');
    return sendScratchFile(
      app,
      reply,
      {
        name: templateFileName(list, a.page.option),
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      (file) => writeListTemplate(list, a.page.option, file, { rows: 2000 }),
    );
  });

  // A rehearsal may use synthetic lists (the partnership chooses): one that passes the list's checks.
  app.get<{ Params: DeliverableParams }>('/:token/d/:deliverable/synthetic.xlsx', async (request, reply) => {
    const a = await access(request.params.token);
    const d = owned(a, request.params.deliverable);
    const list = d.list;
    if (!a.page.rehearsal) throw webError('NotFound', 'Synthetic lists are for rehearsals only.');
    if (!list || !isListId(list)) throw webError('NotFound', 'This deliverable is not a list.');
    return sendScratchFile(
      app,
      reply,
      {
        name: syntheticFileName(list),
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      (file) => writeSyntheticList(list, file, { option: a.page.option, notifiedOn: a.page.notifiedOn }),
    );
  });

  app.post<{ Params: DeliverableParams; Querystring: ChildQuery }>(
    '/:token/d/:deliverable',
    async (request, reply) => {
      const a = await access(request.params.token);
      const d = owned(a, request.params.deliverable);
      if (!request.isMultipart()) throw webError('BadRequest', 'Send the form as it is on the page.');
      const store = app.deployment.fileStoreFor(a.page.inspectionId);
      const upload = await readUpload(request, store, d.kind === 'list' ? LIST_TYPES : DOCUMENT_TYPES);
      const childId = d.perTrackedChild ? (upload.fields.child ?? request.query.child) : undefined;
      const values = upload.fields;
      if (upload.problems.length > 0) {
        return renderDeliverable(request, reply, a, d, childId, {
          status: 400,
          errors: upload.problems.map((p) => ({ text: p.message, href: `#${fieldId(p.field)}` })),
          values,
        });
      }
      let files: FileToSubmit[];
      let extra: { childId?: string; note?: string; complete?: boolean };
      try {
        ({ files, extra } = await submissionFrom(d, upload, childId, a.page, store));
      } catch (err) {
        if (err instanceof FormError)
          return renderDeliverable(request, reply, a, d, childId, {
            status: 400,
            errors: err.errors,
            values,
          });
        throw err;
      }
      // The page's own id makes a double click count once; a form without one still counts once.
      const updateId = updateIdField.safeParse(values.updateId).data ?? randomUUID();
      let receipt: ReceiptView;
      try {
        receipt = await app.inspections.submit(a.page.inspectionId, d.view.id, a.grant.agency, files, {
          ...extra,
          updateId,
        });
      } catch (err) {
        if (!(err instanceof JtaiError)) throw err;
        const shown = showError(err);
        if (err.type === 'ListInvalid') {
          // The validator's messages start with their place ("Row 3, column "X": …"); the page shows the
          // place once, in its own words and columns.
          const findings = ((Array.isArray(err.details[0]) ? err.details[0] : []) as QueryView[]).map(
            (f) => ({
              ...f,
              message: f.message.replace(/^Row \d+, column "[^"]*": /, ''),
            }),
          );
          return renderDeliverable(request, reply, a, d, childId, {
            status: 400,
            summary: err.message.split(';')[0] ?? err.message,
            errors: findings.map((f) => ({
              text: f.row > 0 ? `Row ${f.row}, column “${f.column}”: ${f.message}` : f.message,
              href: '#file',
            })),
            findings,
            values: {},
          });
        }
        return renderDeliverable(request, reply, a, d, childId, {
          status: shown.status,
          errors: [{ text: err.message, href: '#main-content' }],
          values,
        });
      }
      await auditAgency(app, request, a.grant.agency, 'deliverable.submitted', a.page.inspectionId, {
        deliverable: d.view.id,
        submission: receipt.submissionId,
        files: files.length,
        forTrackedChild: childId !== undefined,
      });
      const page = await app.inspections.agencyPage(a.page.inspectionId, a.grant.agency, app.now());
      const after = page.items.find((x) => x.view.id === d.view.id) ?? d;
      const submission = after.submissions.find((s) => s.id === receipt.submissionId);
      return reply.view('agency/receipt.njk', {
        ...context(request, reply, a),
        base: `/a/${request.params.token}`,
        page,
        item: presentItem(after),
        receipt,
        receivedAtUk: formatUkDateTime(receipt.receivedAt),
        files: submission?.files ?? [],
        rows: submission?.rows,
        note: submission?.note,
        childId,
      });
    },
  );

  // Answers to the queries on the latest list: kept as a document in the file store, never in workflow state.
  app.post<{ Params: DeliverableParams; Body: Record<string, unknown> }>(
    '/:token/d/:deliverable/answers',
    async (request, reply) => {
      const a = await access(request.params.token);
      const d = owned(a, request.params.deliverable);
      const body = request.body ?? {};
      // Empty boxes are queries left unanswered, not answers.
      const answers = d.lastQueries
        .map((q, i) => ({ row: q.row, column: q.column, query: q.message, answer: body[`answer-${i}`] }))
        .filter((x) => typeof x.answer === 'string' && x.answer.trim() !== '');
      try {
        await performCommand(app.inspections, a.page.inspectionId, 'answerQueries', {
          deliverable: d.view.id,
          agency: a.grant.agency,
          submissionId: d.latestSubmissionId,
          answers,
        });
        await auditAgency(app, request, a.grant.agency, 'queries.answered', a.page.inspectionId, {
          deliverable: d.view.id,
          answers: answers.length,
        });
      } catch (err) {
        if (!(err instanceof JtaiError)) throw err;
        const problems = err instanceof CommandError ? err.problems : [{ field: '', message: err.message }];
        return renderDeliverable(request, reply, a, d, undefined, {
          status: showError(err).status,
          errors: problems.map((p) => ({
            text: p.message,
            href: p.field.startsWith('answers') ? '#answer-0' : '#main-content',
          })),
          values: {},
        });
      }
      return reply.redirect(`/a/${request.params.token}/d/${encodeURIComponent(d.view.id)}`, 303);
    },
  );

  interface FormState {
    status: number;
    errors: { text: string; href: string }[];
    summary?: string;
    findings?: QueryView[];
    values: Record<string, string>;
  }

  async function renderDeliverable(
    request: FastifyRequest,
    reply: FastifyReply,
    a: Access,
    item: AgencyItem,
    childId: string | undefined,
    form?: FormState,
  ): Promise<FastifyReply> {
    const child = childId && a.page.trackedChildren.includes(childId) ? childId : undefined;
    const csrfToken = reply.generateCsrf();
    const token = (request.params as TokenParams).token;
    const query = new URLSearchParams({ _csrf: csrfToken, ...(child ? { child } : {}) });
    const id = item.view.id;
    if (form) reply.code(form.status);
    return reply.view('agency/deliverable.njk', {
      ...context(request, reply, a),
      base: `/a/${token}`,
      page: a.page,
      item: presentItem(item),
      d: {
        id,
        kind: item.kind,
        list: item.list,
        perTrackedChild: item.perTrackedChild,
        title: item.view.title,
      },
      listTitle: item.list && isListId(item.list) ? LIST_TITLES[item.list] : undefined,
      child,
      childProgress: child ? item.perChild?.find((p) => p.childId === child) : undefined,
      action: `/a/${token}/d/${encodeURIComponent(id)}?${query.toString()}`,
      answersAction: `/a/${token}/d/${encodeURIComponent(id)}/answers?${new URLSearchParams({ _csrf: csrfToken }).toString()}`,
      updateId: randomUUID(),
      questions: a.page.evaluationQuestions.map((text, i) => ({ name: `q${i + 1}`, text })),
      accept: (item.kind === 'list' ? LIST_TYPES : DOCUMENT_TYPES).join(','),
      form: form ?? { errors: [], values: {} },
      fieldId,
    });
  }
  done();
}

function refused(): JtaiError {
  return webError('LinkRefused', 'This link does not work.');
}
