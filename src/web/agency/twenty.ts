import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { updateId as updateIdField } from '../../client/commands';
import { outcomeOfFailure, type Outcome } from '../../client/errors';
import { JtaiError, type InspectionsClient } from '../../client/inspections';
import type { AgencyItem, AgencyView, TwentyReturnView } from '../../client/read-model';
import {
  answerValue,
  readAnswersSheet,
  readDetailsSheet,
  type DetailsRow,
  twentyColumn,
  writeAnswersSheet,
  type AnswerRow,
} from '../../lists/twenty-answers';
import { formatUkDateTime } from '../../timeline/format';
import { auditAgency } from '../audit';
import { showError, webError } from '../errors';
import { sendScratchFile } from '../http';
import { presentItem } from '../presenters';
import { readUpload, type Allowance, type Upload } from '../uploads';

/**
 * Option A, the answers for the 20 (issue 14), on the agency link pages: an agency answers its own questions,
 * on a form or a small sheet, and sees no other agency's; the local authority's 20-case return page shows each
 * answer with its source and offers the return pre-filled. Registered by ./index.ts, which checks the link.
 */

interface Access {
  grant: { agency: AgencyView['agency'] };
  page: AgencyView;
}

/** The answers an agency gives in one go (Y, N or blank per child and question). */
type Answers = Parameters<InspectionsClient['answerTwenty']>[3];

export interface TwentyRouteDeps {
  access(token: string): Promise<Access>;
  owned(a: Access, id: string): AgencyItem;
  context(request: FastifyRequest, reply: FastifyReply, a: Access): Record<string, unknown>;
  rateLimited(token: string): Promise<{ retryAt: number } | undefined>;
  tooManyUploads(request: FastifyRequest, reply: FastifyReply, limited: { retryAt: number }): unknown;
  allowanceOf(inspectionId: string, agency: AgencyView['agency']): Promise<Allowance>;
}

interface Params {
  token: string;
  deliverable: string;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One answers deliverable of the agency's (kind 'answers'), or a 404. */
function answersItem(
  deps: TwentyRouteDeps,
  a: Access,
  id: string,
): AgencyItem & { answers: NonNullable<AgencyItem['answers']> } {
  const item = deps.owned(a, id);
  const answers = item.answers;
  if (item.kind !== 'answers' || !answers) throw webError('NotFound', 'This is not a request for answers.');
  return { ...item, answers };
}

export interface AnswersForm {
  status: number;
  errors: { text: string; href: string }[];
}

export function registerTwentyRoutes(
  app: FastifyInstance,
  deps: TwentyRouteDeps,
): { renderAnswers: typeof renderAnswers } {
  /** The agency's own questions for the 20, with its answers so far: a form and a sheet. */
  async function renderAnswers(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    a: Access,
    id: string,
    form?: AnswersForm,
  ): Promise<FastifyReply> {
    const item = answersItem(deps, a, id);
    const token = request.params.token;
    const csrf = new URLSearchParams({ _csrf: reply.generateCsrf() }).toString();
    const base = `/a/${token}`;
    const here = `${base}/d/${encodeURIComponent(item.view.id)}`;
    // The identifying details the local authority shared with this agency, if it did: this page only, audited.
    const { details, localAuthority } = await app.inspections.twentyDetailsFor(
      a.page.inspectionId,
      a.grant.agency,
    );
    if (details)
      await auditAgency(app, request, a.grant.agency, 'details.viewed', a.page.inspectionId, {
        deliverable: item.view.id,
        rows: details.length,
      });
    if (form) reply.code(form.status);
    return reply.view('agency/twenty-answers.njk', {
      details: details ? Object.fromEntries(details.map((d) => [d.childId, d])) : undefined,
      localAuthority,
      ...deps.context(request, reply, a),
      base,
      page: a.page,
      item: presentItem(item),
      questions: item.answers.columns.map((key) => ({ key, header: twentyColumn(key).header })),
      rows: item.answers.rows,
      formAction: `${here}/answers-form?${csrf}`,
      sheetAction: `${here}/answers-sheet?${csrf}`,
      sheetUrl: `${here}/answers.xlsx`,
      updateId: randomUUID(),
      form: form ?? { errors: [] },
    });
  }

  /** Record answers, audit them, then back to the page (or the page again with the refusal). */
  async function recordAnswers(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    a: Access,
    item: AgencyItem,
    answers: Answers,
    extra: { sheet?: { stored: { sha256: string; size: number }; name: string }; updateId?: string },
  ): Promise<{ outcome: Outcome; answer: () => Promise<unknown> }> {
    const { inspectionId } = a.page;
    try {
      const receipt = await app.inspections.answerTwenty(
        inspectionId,
        item.view.id,
        a.grant.agency,
        answers,
        extra,
      );
      await auditAgency(app, request, a.grant.agency, 'answers.given', inspectionId, {
        deliverable: item.view.id,
        submission: receipt.submissionId,
        answers: answers.length,
        sheet: extra.sheet !== undefined,
      });
    } catch (err) {
      if (!(err instanceof JtaiError)) throw err;
      const shown = showError(err);
      const errors = [{ text: err.message, href: '#answers' }];
      return {
        outcome: outcomeOfFailure(err),
        answer: () => renderAnswers(request, reply, a, item.view.id, { status: shown.status, errors }),
      };
    }
    const to = `/a/${request.params.token}/d/${encodeURIComponent(item.view.id)}?answered=1#answers`;
    const redirect = () => {
      void reply.redirect(to, 303);
      return Promise.resolve(reply);
    };
    return { outcome: 'accepted', answer: redirect };
  }

  app.get<{ Params: Params }>('/:token/d/:deliverable/answers.xlsx', async (request, reply) => {
    const a = await deps.access(request.params.token);
    const item = answersItem(deps, a, request.params.deliverable);
    return sendScratchFile(app, reply, { name: 'jtai-answers.xlsx', type: XLSX }, (file) =>
      writeAnswersSheet(file, { columns: item.answers.columns, rows: item.answers.rows }),
    );
  });

  // The form: one Y/N/blank choice per child and question; only what changed is sent.
  app.post<{ Params: Params; Body: Record<string, unknown> }>(
    '/:token/d/:deliverable/answers-form',
    async (request, reply) => {
      const tooMany = await deps.rateLimited(request.params.token);
      if (tooMany) return deps.tooManyUploads(request, reply, tooMany);
      const a = await deps.access(request.params.token);
      const item = answersItem(deps, a, request.params.deliverable);
      const body = request.body ?? {};
      const answers: Answers = [];
      const errors: AnswersForm['errors'] = [];
      item.answers.rows.forEach((row, r) => {
        for (const column of item.answers.columns) {
          const field = `a-${r}-${column}`;
          const raw = body[field];
          const value = answerValue(typeof raw === 'string' ? raw : '');
          if (value === undefined)
            errors.push({ text: `Row ${r + 1}: choose Y, N or not known yet.`, href: `#${field}` });
          else if (value !== (row.values[column] ?? ''))
            answers.push({ childId: row.childId, column, value });
        }
      });
      if (errors.length === 0 && answers.length === 0)
        errors.push({ text: 'Nothing has changed: choose Y or N for at least one child.', href: '#answers' });
      if (errors.length > 0) return renderAnswers(request, reply, a, item.view.id, { status: 400, errors });
      const updateId = updateIdField.safeParse(body.updateId).data;
      return (await recordAnswers(request, reply, a, item, answers, updateId ? { updateId } : {})).answer();
    },
  );

  // The sheet: read from the upload (kept in the encrypted store like any upload if the answers are recorded).
  app.post<{ Params: Params }>('/:token/d/:deliverable/answers-sheet', async (request, reply) => {
    const tooMany = await deps.rateLimited(request.params.token);
    if (tooMany) return deps.tooManyUploads(request, reply, tooMany);
    const a = await deps.access(request.params.token);
    const item = answersItem(deps, a, request.params.deliverable);
    if (!request.isMultipart()) throw webError('BadRequest', 'Send the form as it is on the page.');
    const { inspectionId } = a.page;
    const allowance = await deps.allowanceOf(inspectionId, a.grant.agency);
    const intake = app.inspections.openIntake(inspectionId);
    let outcome: Outcome = 'refused';
    let answer: () => Promise<unknown>;
    try {
      const upload: Upload = await readUpload(app, request, intake, ['.xlsx', '.csv'], allowance);
      const file = upload.files[0];
      const refuse = (errors: AnswersForm['errors']) => () =>
        renderAnswers(request, reply, a, item.view.id, { status: 400, errors });
      if (upload.problems.length > 0)
        answer = refuse(upload.problems.map((p) => ({ text: p.message, href: '#sheet' })));
      else if (!file) answer = refuse([{ text: 'Choose the sheet to upload.', href: '#sheet' }]);
      else {
        const dir = await app.deployment.scratch.make('answers');
        let read;
        try {
          const copy = path.join(dir, `answers${path.extname(file.name).toLowerCase() || '.xlsx'}`);
          await app.deployment.fileStoreFor(inspectionId).exportTo(file.stored.sha256, copy);
          read = await readAnswersSheet(
            copy,
            item.answers.columns,
            item.answers.rows.map((r) => r.childId),
          );
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        if (read.problems.length > 0)
          answer = refuse(read.problems.slice(0, 20).map((text) => ({ text, href: '#sheet' })));
        else {
          outcome = 'unknown'; // from here until the workflow answers, the answers may be recorded
          const updateId = updateIdField.safeParse(upload.fields.updateId).data;
          ({ outcome, answer } = await recordAnswers(request, reply, a, item, read.answers, {
            sheet: { stored: file.stored, name: file.name },
            ...(updateId ? { updateId } : {}),
          }));
        }
      }
    } catch (err) {
      outcome = outcomeOfFailure(err);
      throw err;
    } finally {
      await intake
        .settle(outcome)
        .catch((err: unknown) =>
          request.log.error(
            { err: { message: (err as Error).message } },
            'files of a refused upload were kept',
          ),
        );
    }
    return answer();
  });

  // The local authority chooses whom to show the 20 children's identifying details, from a sheet of its records.
  app.post<{ Params: Params }>('/:token/d/:deliverable/details', async (request, reply) => {
    const tooMany = await deps.rateLimited(request.params.token);
    if (tooMany) return deps.tooManyUploads(request, reply, tooMany);
    const a = await deps.access(request.params.token);
    const item = deps.owned(a, request.params.deliverable);
    if (item.list !== 'twenty') throw webError('NotFound', 'This is not the 20-case return.');
    if (!request.isMultipart()) throw webError('BadRequest', 'Send the form as it is on the page.');
    const { inspectionId } = a.page;
    const view = await app.inspections.twentyReturn(inspectionId, app.now());
    if (!view) throw webError('NotFound', 'The 20 children have not been selected yet.');
    // The sheet uploaded is read and deleted again: only the details read from it are kept (encrypted).
    const intake = app.inspections.openIntake(inspectionId);
    let problems: string[] = [];
    let sharedWith: AgencyView['agency'][] = [];
    let rows: DetailsRow[] = [];
    try {
      const upload = await readUpload(app, request, intake, ['.xlsx', '.csv']);
      sharedWith = view.agencies
        .map((x) => x.agency)
        .filter((agency) => upload.fields[`share-${agency}`] === 'yes');
      problems = upload.problems.map((p) => p.message);
      const file = upload.files[0];
      if (problems.length === 0 && sharedWith.length > 0 && !file)
        problems.push('Choose the sheet of details to share.');
      if (problems.length === 0 && sharedWith.length > 0 && file) {
        const dir = await app.deployment.scratch.make('details');
        try {
          const copy = path.join(dir, `details${path.extname(file.name).toLowerCase() || '.xlsx'}`);
          await app.deployment.fileStoreFor(inspectionId).exportTo(file.stored.sha256, copy);
          ({ rows, problems } = await readDetailsSheet(
            copy,
            view.rows.map((r) => r.childId),
          ));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    } finally {
      await intake
        .settle('refused')
        .catch((err: unknown) =>
          request.log.error(
            { err: { message: (err as Error).message } },
            'an uploaded details sheet was kept',
          ),
        );
    }
    const back = `/a/${request.params.token}/d/${encodeURIComponent(item.view.id)}`;
    if (problems.length > 0)
      return reply.code(400).view('agency/twenty-details-refused.njk', {
        ...deps.context(request, reply, a),
        base: `/a/${request.params.token}`,
        back,
        errors: problems.slice(0, 20).map((text) => ({ text, href: '#details' })),
      });
    await app.inspections.shareTwentyDetails(inspectionId, sharedWith, sharedWith.length > 0 ? rows : []);
    await auditAgency(app, request, a.grant.agency, 'details.shared', inspectionId, {
      agencies: sharedWith.join(',') || 'none',
      rows: sharedWith.length > 0 ? rows.length : 0,
    });
    return reply.redirect(`${back}#details`, 303);
  });

  // The local authority's return, pre-filled with the agencies' answers; their sources on a second sheet.
  app.get<{ Params: Params }>('/:token/d/:deliverable/prefilled.xlsx', async (request, reply) => {
    const a = await deps.access(request.params.token);
    const item = deps.owned(a, request.params.deliverable);
    if (item.list !== 'twenty') throw webError('NotFound', 'This is not the 20-case return.');
    const view = await app.inspections.twentyReturn(a.page.inspectionId, app.now());
    if (!view) throw webError('NotFound', 'The 20 children have not been selected yet.');
    await auditAgency(app, request, a.grant.agency, 'answers.downloaded', a.page.inspectionId, {
      deliverable: item.view.id,
      flagged: view.flaggedCount,
    });
    const { rows, sources } = prefilled(view);
    return sendScratchFile(app, reply, { name: 'jtai-list-twenty-prefilled.xlsx', type: XLSX }, (file) =>
      writeAnswersSheet(file, {
        columns: view.columns.map((c) => c.key),
        rows,
        sources,
        sheetName: 'Twenty children',
      }),
    );
  });

  return { renderAnswers };
}

/** The return's values and, per cell, where each comes from. */
function prefilled(view: TwentyReturnView): {
  rows: AnswerRow[];
  sources: Record<string, Record<string, string>>;
} {
  const sources: Record<string, Record<string, string>> = {};
  const rows = view.rows.map((r) => {
    sources[r.childId] = Object.fromEntries(r.cells.map((c) => [c.column, c.sourceText]));
    return { childId: r.childId, values: Object.fromEntries(r.cells.map((c) => [c.column, c.value])) };
  });
  return { rows, sources };
}

/** What the 20-case return's page shows: each question with who answers it, each cell with its source. */
export function twentyReturnPage(view: TwentyReturnView, now: number) {
  return {
    ...view,
    atUk: formatUkDateTime(now),
    headers: view.columns.map((c) => ({ ...c, header: twentyColumn(c.key).header })),
  };
}
