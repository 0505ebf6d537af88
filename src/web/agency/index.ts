import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandError, performCommand, updateId as updateIdField } from '../../client/commands';
import { outcomeOfFailure, type Outcome } from '../../client/errors';
import { JtaiError, type FileToSubmit } from '../../client/inspections';
import {
  missingToShow,
  type AgencyItem,
  type AgencyView,
  type QueryView,
  type ReceiptView,
} from '../../client/read-model';
import type { LinkGrant } from '../../infra/links';
import { isListId, LIST_TITLES, templateFileName, writeListTemplate } from '../../lists';
import { syntheticFileName, writeSyntheticList } from '../../lists/synthetic';
import { formatUkDateTime } from '../../timeline/format';
import type { AgencyId } from '../../timeline/types';
import { auditAgency } from '../audit';
import { showError, webError } from '../errors';
import { pageContext, protectFormPages, sendScratchFile } from '../http';
import { presentAgencyPage, presentItem, taskListItems, type PresentedItem } from '../presenters';
import { DOCUMENT_TYPES, formatSize, LIST_TYPES, readUpload, type Allowance, type Upload } from '../uploads';
import { fieldId, FormError, submissionFrom } from './forms';
import { registerTwentyRoutes, twentyReturnPage } from './twenty';

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

  /** A tracked child in a URL or form: its opaque reference, never its ID (see LinkSigner.childRef). */
  const childRef = (a: Access, childId: string) =>
    app.deployment.links.childRef(a.grant.inspectionId, a.grant.run, childId);
  /** The tracked child a reference stands for; undefined for anything else. */
  const childOf = (a: Access, ref: string | undefined) =>
    ref ? a.page.trackedChildren.find((c) => childRef(a, c) === ref) : undefined;

  /** What every agency page is given; a rehearsal's pages show the REHEARSAL banner. */
  const context = (request: FastifyRequest, reply: FastifyReply, a: Access) => ({
    ...pageContext(request, reply),
    ...(a.page.rehearsal ? { rehearsal: {} } : {}),
  });

  // Option A: the agencies' answers for the 20, and the local authority's pre-filled return (./twenty.ts).
  const twenty = registerTwentyRoutes(app, {
    access,
    owned,
    context,
    rateLimited,
    tooManyUploads,
    allowanceOf,
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
      if (d.kind === 'answers') return twenty.renderAnswers(request, reply, a, d.view.id);
      return renderDeliverable(request, reply, a, d, childOf(a, request.query.child));
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
      const token = request.params.token;
      const tooMany = await rateLimited(token);
      if (tooMany) return tooManyUploads(request, reply, tooMany);
      const a = await access(token);
      const d = owned(a, request.params.deliverable);
      if (!request.isMultipart()) throw webError('BadRequest', 'Send the form as it is on the page.');
      const { inspectionId } = a.page;
      const allowance = await allowanceOf(inspectionId, a.grant.agency);
      let upload: Upload | undefined;
      const refuse = (state: FormState) => () =>
        renderDeliverable(
          request,
          reply,
          a,
          d,
          childOf(a, upload?.fields.child ?? request.query.child),
          state,
        );
      if (allowance.left.files <= 0 || allowance.left.bytes <= 0)
        return refuse({ status: 413, errors: [quotaReached(a.page, allowance)], values: {} })();

      // Everything this post puts into the store goes through one intake: kept if the submission is
      // accepted, deleted again if it is refused (unless something else refers to the same bytes). The intake
      // is settled before the answer is sent: once the agency sees a refusal, nothing of it is in the store.
      const intake = app.inspections.openIntake(inspectionId);
      let outcome: Outcome = 'refused';
      let answer: () => Promise<FastifyReply>;
      try {
        answer = await (async () => {
          upload = await readUpload(
            app,
            request,
            intake,
            d.kind === 'list' ? LIST_TYPES : DOCUMENT_TYPES,
            allowance,
          );
          const childId = d.perTrackedChild
            ? childOf(a, upload.fields.child ?? request.query.child)
            : undefined;
          const values = upload.fields;
          // Documents: a file that cannot be taken does not lose the good ones of the same post. They are
          // recorded, and the page says which were not, each under its own document: a browser cannot put
          // chosen files back in the form, so holding them back would have the agency choose them all again.
          const problems = upload.problems.map((p) => ({ text: p.message, href: `#${fieldId(p.field)}` }));
          const partly = problems.length > 0 && d.kind === 'documents' && upload.files.length > 0;
          if (problems.length > 0 && !partly) {
            return refuse({
              status: 400,
              errors: problems,
              values,
            });
          }
          let files: FileToSubmit[];
          let extra: { childId?: string; note?: string; complete?: boolean };
          try {
            ({ files, extra } = await submissionFrom(d, upload, childId, a.page, intake));
            // Not everything came: it is not the last of it.
            if (partly) delete extra.complete;
          } catch (err) {
            if (err instanceof FormError) return refuse({ status: 400, errors: err.errors, values });
            throw err;
          }
          // The page's own id makes a double click count once; a form without one still counts once.
          const updateId = updateIdField.safeParse(values.updateId).data ?? randomUUID();
          let receipt: ReceiptView;
          outcome = 'unknown'; // from here until the workflow answers, the submission may be recorded
          try {
            // The quota again, where submissions are serialised: posts made at once cannot all pass it.
            receipt = await app.inspections.submit(inspectionId, d.view.id, a.grant.agency, files, {
              ...extra,
              updateId,
              quota: allowance.quota,
            });
            outcome = 'accepted';
            await auditAgency(app, request, a.grant.agency, 'deliverable.submitted', inspectionId, {
              deliverable: d.view.id,
              submission: receipt.submissionId,
              files: files.length,
              forTrackedChild: childId !== undefined,
            });
          } catch (err) {
            outcome = outcomeOfFailure(err);
            if (!(err instanceof JtaiError)) throw err;
            return refuse(refusedSubmission(err, values, a.page));
          }
          if (partly) return () => partlyReceived(request, reply, a, d, childId, files, problems);
          // Post/redirect/get: a reload shows the receipt again and sends nothing.
          return async () => reply.redirect(receiptUrl(request.params.token, d, receipt.submissionId), 303);
        })();
      } finally {
        const deleted = await intake.settle(outcome).catch((err: unknown) => {
          request.log.error(
            { err: { message: (err as Error).message } },
            'files of a refused upload were kept',
          );
          return [];
        });
        if (deleted.length > 0)
          request.log.info({ deleted: deleted.length }, 'files of a refused upload deleted');
      }
      return answer();
    },
  );

  function receiptUrl(token: string, d: AgencyItem, submissionId: string): string {
    return `/a/${token}/d/${encodeURIComponent(d.view.id)}/receipt/${encodeURIComponent(submissionId)}`;
  }

  // The receipt of one submission, read from the inspection as it stands (where an upload's POST leads).
  app.get<{ Params: DeliverableParams & { submission: string } }>(
    '/:token/d/:deliverable/receipt/:submission',
    async (request, reply) => {
      const a = await access(request.params.token);
      const item = owned(a, request.params.deliverable);
      const submission = item.submissions.find((s) => s.id === request.params.submission);
      if (!submission)
        throw webError('NotFound', 'There is no such receipt for your agency in this inspection.');
      const complete = item.view.status === 'received' || item.view.status === 'received-late';
      // What is still owed, by code and title, in the panel itself: "Received" alone reads as all done.
      const stillOwed = complete ? [] : missingToShow(item.view).map((code) => documentLabel(item, code));
      const receipt: ReceiptView = {
        deliverableId: item.view.id,
        submissionId: submission.id,
        receivedAt: Date.parse(submission.at),
        late: submission.late,
        complete,
        queries: submission.id === item.latestSubmissionId ? item.lastQueries : [],
      };
      return reply.view('agency/receipt.njk', {
        stillOwed,
        ...context(request, reply, a),
        base: `/a/${request.params.token}`,
        page: a.page,
        item: presentItem(item),
        receipt,
        receivedAtUk: submission.atUk,
        files: submission.files,
        rows: submission.rows,
        note: submission.note,
        childId: submission.childId,
      });
    },
  );

  /** Some files of a post recorded, others not: the form again, saying which came and which to send again. */
  async function partlyReceived(
    request: FastifyRequest,
    reply: FastifyReply,
    a: Access,
    d: AgencyItem,
    childId: string | undefined,
    files: FileToSubmit[],
    errors: FormState['errors'],
  ): Promise<FastifyReply> {
    const page = await app.inspections.agencyPage(a.page.inspectionId, a.grant.agency, app.now());
    const after = page.items.find((x) => x.view.id === d.view.id) ?? d;
    const received = files.map((f) => ('stored' in f ? f.name : '') + (f.code ? ` (${f.code})` : ''));
    return renderDeliverable(request, reply, { ...a, page }, after, childId, {
      status: 200,
      errors,
      values: {},
      received,
    });
  }

  /** A refusal of the workflow's, as the page shows it: a list's errors by row and column, else its message. */
  function refusedSubmission(err: JtaiError, values: Record<string, string>, page: AgencyView): FormState {
    const shown = showError(err);
    if (err.type === 'QuotaReached')
      return {
        status: shown.status,
        errors: [quotaPassed(page, app.deployment.config.uploads.quota)],
        values,
      };
    if (err.type === 'Unavailable') {
      // Not taken in time, but it may still be: the form again keeps the same update id, so the same upload
      // sent again from it counts once whether or not the first is recorded meanwhile.
      const first = (err.details[0] as { updateId?: unknown } | undefined)?.updateId;
      return {
        status: shown.status,
        errors: [{ text: UPLOAD_NOT_CONFIRMED, href: '#sent' }],
        values,
        ...(typeof first === 'string' ? { updateId: first } : {}),
      };
    }
    if (err.type !== 'ListInvalid')
      return { status: shown.status, errors: [{ text: err.message, href: '#main-content' }], values };
    // The validator's messages start with their place ("Row 3, column "X": …"); the page shows the
    // place once, in its own words and columns.
    const inWords = (detail: unknown) =>
      ((Array.isArray(detail) ? detail : []) as QueryView[]).map((f) => ({
        ...f,
        message: f.message.replace(/^Row \d+, column "[^"]*": /, ''),
      }));
    const findings = inWords(err.details[0]);
    // Its warnings too, after the errors: all there is to fix in one upload.
    const warnings = inWords(err.details[1]);
    return {
      status: 400,
      summary: err.message.split(';')[0] ?? err.message,
      errors: findings.map((f) => ({
        text: f.row > 0 ? `Row ${f.row}, column “${f.column}”: ${f.message}` : f.message,
        href: '#file',
      })),
      findings,
      ...(warnings.length ? { warnings } : {}),
      values: {},
    };
  }

  /** The agency's quota in the inspection and what is left of it: accepted files and their bytes. */
  async function allowanceOf(inspectionId: string, agency: AgencyId): Promise<Allowance> {
    const { quota } = app.deployment.config.uploads;
    const used = (await app.inspections.fileUsage(inspectionId)).byAgency[agency] ?? { files: 0, bytes: 0 };
    return { quota, left: { files: quota.files - used.files, bytes: quota.bytes - used.bytes } };
  }

  /**
   * Posts through one link (accepted or not) within the window: counted before anything is read, so a
   * flood costs a signature check and one row. A token that does not verify is not counted (it gets its 403
   * next). Counted in the store, so every web instance counts the same posts.
   */
  async function rateLimited(token: string): Promise<{ retryAt: number } | undefined> {
    const grant = app.deployment.links.verify(token, app.now());
    if (!grant) return undefined;
    const key = `upload/${grant.inspectionId}/${grant.agency}/${grant.run}/${grant.version}`;
    const taken = await app.store.rateLimits.take(key, app.deployment.config.uploads.rate, app.now());
    return taken.allowed ? undefined : { retryAt: taken.retryAt };
  }

  function tooManyUploads(request: FastifyRequest, reply: FastifyReply, limited: { retryAt: number }) {
    const { max, windowMs } = app.deployment.config.uploads.rate;
    // The request's body is not read: Node discards it once the answer is sent.
    return reply
      .code(429)
      .header('retry-after', String(Math.max(1, Math.ceil((limited.retryAt - app.now()) / 1000))))
      .view('agency/too-many-uploads.njk', {
        ...pageContext(request, reply),
        base: `/a/${(request.params as TokenParams).token}`,
        max,
        minutes: Math.round(windowMs / 60_000),
        retryAtUk: formatUkDateTime(limited.retryAt),
      });
  }

  // Answers to the queries on the latest list: kept as a document in the file store, never in workflow state.
  app.post<{ Params: DeliverableParams; Body: Record<string, unknown> }>(
    '/:token/d/:deliverable/answers',
    async (request, reply) => {
      const tooMany = await rateLimited(request.params.token);
      if (tooMany) return tooManyUploads(request, reply, tooMany);
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
        return refusedForm(err, request, reply, a, d, (field) =>
          field.startsWith('answers') ? '#answer-0' : '#main-content',
        );
      }
      return reply.redirect(`/a/${request.params.token}/d/${encodeURIComponent(d.view.id)}`, 303);
    },
  );

  // A wrong file taken back before the deadline: recorded with the reason (never silent); then back to the page.
  app.post<{ Params: DeliverableParams; Body: Record<string, unknown> }>(
    '/:token/d/:deliverable/withdraw',
    async (request, reply) => {
      const a = await access(request.params.token);
      const d = owned(a, request.params.deliverable);
      const body = request.body ?? {};
      try {
        const { command } = await performCommand(app.inspections, a.page.inspectionId, 'withdraw', {
          deliverable: d.view.id,
          agency: a.grant.agency,
          submissionId: body.submissionId,
          sha256: body.sha256,
          reason: body.reason,
          updateId: body.updateId,
        });
        await auditAgency(app, request, a.grant.agency, 'file.withdrawn', a.page.inspectionId, {
          deliverable: command.deliverable,
          sha256: command.sha256,
          reasonLength: command.reason.length,
        });
      } catch (err) {
        return refusedForm(err, request, reply, a, d, () => '#sent');
      }
      return reply.redirect(`/a/${request.params.token}/d/${encodeURIComponent(d.view.id)}#sent`, 303);
    },
  );

  /** A refused command from a form on a deliverable's page: the page again, each problem in its summary. */
  function refusedForm(
    err: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    a: Access,
    d: AgencyItem,
    hrefFor: (field: string) => string,
  ): Promise<FastifyReply> {
    if (!(err instanceof JtaiError)) throw err;
    const problems = err instanceof CommandError ? err.problems : [{ field: '', message: err.message }];
    return renderDeliverable(request, reply, a, d, undefined, {
      status: showError(err).status,
      errors: problems.map((p) => ({ text: p.message, href: hrefFor(p.field) })),
      values: {},
    });
  }

  interface FormState {
    /** The update id of a post that may still be recorded: the form sends it again. */
    updateId?: string;
    status: number;
    errors: { text: string; href: string }[];
    summary?: string;
    findings?: QueryView[];
    /** A refused list's warnings, shown after its errors. */
    warnings?: QueryView[];
    values: Record<string, string>;
    /** Files of the same post that were recorded (the others are the errors). */
    received?: string[];
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
    const query = new URLSearchParams({ _csrf: csrfToken, ...(child ? { child: childRef(a, child) } : {}) });
    const id = item.view.id;
    const answers =
      item.list === 'twenty' ? await app.inspections.twentyReturn(a.page.inspectionId, app.now()) : undefined;
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
      childRef: child ? childRef(a, child) : undefined,
      childRefs: Object.fromEntries(a.page.trackedChildren.map((c) => [c, childRef(a, c)])),
      childProgress: child ? item.perChild?.find((p) => p.childId === child) : undefined,
      action: `/a/${token}/d/${encodeURIComponent(id)}?${query.toString()}`,
      answersAction: `/a/${token}/d/${encodeURIComponent(id)}/answers?${new URLSearchParams({ _csrf: csrfToken }).toString()}`,
      withdrawAction: `/a/${token}/d/${encodeURIComponent(id)}/withdraw?${new URLSearchParams({ _csrf: csrfToken }).toString()}`,
      updateId: form?.updateId ?? randomUUID(),
      questions: a.page.evaluationQuestions.map((text, i) => ({ name: `q${i + 1}`, text })),
      header: a.page.evaluationHeader.map((h, i) => ({ name: `h${i + 1}`, ...h })),
      accept: (item.kind === 'list' ? LIST_TYPES : DOCUMENT_TYPES).join(','),
      form: form ?? { errors: [], values: {} },
      fieldId,
      ...(answers
        ? {
            twentyReturn: twentyReturnPage(answers, app.now()),
            detailsAction: `/a/${token}/d/${encodeURIComponent(id)}/details?${new URLSearchParams({ _csrf: csrfToken }).toString()}`,
          }
        : {}),
    });
  }
  done();
}

/** What the upload form says when the workflow did not take an upload in time (it may still). */
const UPLOAD_NOT_CONFIRMED =
  'Your upload could not be confirmed: the inspection system did not answer in time. It may still be ' +
  'recorded in the next few minutes: look under "What you have sent" before sending it again. If you send the ' +
  'same files again from this page, they will only count once.';

/** The agency has sent all its quota allows: what the page says, and whom to ask. */
function quotaReached(page: AgencyView, allowance: Allowance): { text: string; href: string } {
  const { quota, left } = allowance;
  const reached = left.files <= 0 ? `${quota.files} files` : `${formatSize(quota.bytes)} of files`;
  return quotaProblem(
    page,
    `Your agency has sent ${reached} for this inspection, the most one agency may send.`,
  );
}

/** The workflow refused the post for the quota (another upload of the agency's was accepted meanwhile). */
function quotaPassed(page: AgencyView, quota: Allowance['quota']): { text: string; href: string } {
  return quotaProblem(
    page,
    `This upload would take your agency past its limit of ${quota.files} files and ${formatSize(quota.bytes)} ` +
      `for this inspection (with what it has sent already).`,
  );
}

function quotaProblem(page: AgencyView, what: string): { text: string; href: string } {
  return {
    text: `${what} Nothing from this upload was kept. To send more, contact ${page.coordinator.name} (${page.coordinator.email}).`,
    href: '#main-content',
  };
}

function refused(): JtaiError {
  return webError('LinkRefused', 'This link does not work.');
}

/** A document by its code and title: "3.5 Strategy, policies and guidance …". */
function documentLabel(item: AgencyItem, code: string): string {
  const title = item.documents.find((doc) => doc.code === code)?.title;
  return title ? `${code} ${title}` : code;
}
