import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { JtaiError, type FileToSubmit } from '../../client/inspections';
import type { FileStore } from '../../infra/files';
import type { LinkGrant } from '../../infra/links';
import { isListId, LIST_TITLES, templateFileName, writeListTemplate } from '../../lists';
import type { AgencyItem, AgencyView, QueryView, ReceiptView } from '../../client/read-model';
import { formatUkDateTime } from '../../timeline/format';
import { pageContext, protectFormPages } from '../app';
import { showError, webError } from '../errors';
import { presentAgencyPage, presentItem, taskListItems, type PresentedItem } from '../presenters';
import {
  DOCUMENT_TYPES,
  LIST_TYPES,
  readUpload,
  storeText,
  type Upload,
  type UploadedFile,
} from '../uploads';

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

const UPDATE_ID = /^[A-Za-z0-9-]{8,80}$/;

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
    if (page.linkVersion !== grant.version) throw refused();
    return { grant, page };
  }

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
      ...pageContext(request, reply),
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
    if (!d.list || !isListId(d.list)) throw webError('NotFound', 'This deliverable is not a list.');
    const dir = await app.deployment.scratch.make('template');
    const file = path.join(dir, 'template.xlsx');
    try {
      await writeListTemplate(d.list, a.page.option, file, { rows: 2000 });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const stream = createReadStream(file);
    stream.on('close', () => void rm(dir, { recursive: true, force: true }));
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${templateFileName(d.list, a.page.option)}"`)
      .send(stream);
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
        ({ files, extra } = await submissionFrom(d, upload, childId, a, store));
      } catch (err) {
        if (err instanceof FormError)
          return renderDeliverable(request, reply, a, d, childId, {
            status: 400,
            errors: err.errors,
            values,
          });
        throw err;
      }
      const updateId = UPDATE_ID.test(values.updateId ?? '') ? values.updateId : randomUUID();
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
      const page = await app.inspections.agencyPage(a.page.inspectionId, a.grant.agency, app.now());
      const after = page.items.find((x) => x.view.id === d.view.id) ?? d;
      const submission = after.submissions.find((s) => s.id === receipt.submissionId);
      return reply.view('agency/receipt.njk', {
        ...pageContext(request, reply),
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
      const answers = d.lastQueries
        .map((q, i) => ({
          row: q.row,
          column: q.column,
          query: q.message,
          answer: textField(body[`answer-${i}`]),
        }))
        .filter((x) => x.answer !== '');
      if (!d.latestSubmissionId || answers.length === 0) {
        return renderDeliverable(request, reply, a, d, undefined, {
          status: 400,
          errors: [{ text: 'Write an answer to at least one query', href: '#answer-0' }],
          values: {},
        });
      }
      try {
        await app.inspections.answerQueries(
          a.page.inspectionId,
          d.view.id,
          a.grant.agency,
          d.latestSubmissionId,
          answers,
        );
      } catch (err) {
        if (!(err instanceof JtaiError)) throw err;
        return renderDeliverable(request, reply, a, d, undefined, {
          status: showError(err).status,
          errors: [{ text: err.message, href: '#main-content' }],
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
      ...pageContext(request, reply),
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

/** A urlencoded text field: a string, or nothing (repeated or odd fields count as empty). */
function textField(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function refused(): JtaiError {
  return webError('LinkRefused', 'This link does not work.');
}

/** A form field's element id: `file:3.1` becomes `file-3-1`. */
export function fieldId(field: string): string {
  return field.replace(/[^A-Za-z0-9_-]/g, '-');
}

class FormError extends Error {
  constructor(readonly errors: { text: string; href: string }[]) {
    super(errors[0]?.text ?? 'form error');
  }
}

const asFile = (f: UploadedFile, code?: string): FileToSubmit => ({
  stored: f.stored,
  name: f.name,
  ...(code ? { code } : {}),
});

/** Turn a form into what is submitted: files with codes, a child, a note, the complete flag. */
async function submissionFrom(
  d: AgencyItem,
  upload: Upload,
  childId: string | undefined,
  a: Access,
  store: FileStore,
): Promise<{ files: FileToSubmit[]; extra: { childId?: string; note?: string; complete?: boolean } }> {
  const v = upload.fields;
  if (d.perTrackedChild && (!childId || !a.page.trackedChildren.includes(childId))) {
    throw new FormError([{ text: 'Choose one of the tracked children.', href: '#main-content' }]);
  }
  const child = d.perTrackedChild && childId ? { childId } : {};
  switch (d.kind) {
    case 'list': {
      if (d.list === 'meetings' && v.mode === 'none') {
        return {
          files: [],
          extra: { note: 'No multi-agency meetings to declare in the fieldwork week.' },
        };
      }
      const file = upload.files.find((f) => f.field === 'file');
      if (!file || upload.files.length !== 1)
        throw new FormError([{ text: 'Choose the list file (.xlsx or .csv) to upload.', href: '#file' }]);
      return { files: [asFile(file)], extra: {} };
    }
    case 'documents': {
      const codes = new Set(d.documents.map((doc) => doc.code));
      const files = upload.files.map((f) => {
        const code = f.field.startsWith('file:') ? f.field.slice(5) : undefined;
        return asFile(f, code && codes.has(code) ? code : undefined);
      });
      const note = (v.note ?? '').trim();
      const complete = v.complete === 'yes';
      if (files.length === 0 && !note && !complete) {
        throw new FormError([
          {
            text: 'Choose at least one file, or say that there is nothing more to send.',
            href: `#${fieldId(`file:${d.documents[0]?.code ?? ''}`)}`,
          },
        ]);
      }
      return {
        files,
        extra: {
          ...child,
          ...(note ? { note: note.slice(0, 2000) } : {}),
          ...(complete ? { complete } : {}),
        },
      };
    }
    case 'evaluation': {
      if (v.mode === 'upload') {
        const file = upload.files.find((f) => f.field === 'file');
        if (!file)
          throw new FormError([{ text: 'Choose the evaluation document to upload.', href: '#file' }]);
        return { files: [asFile(file)], extra: child };
      }
      const answers = a.page.evaluationQuestions.map((q, i) => ({ q, a: (v[`q${i + 1}`] ?? '').trim() }));
      const missing = answers.map((x, i) => (x.a ? -1 : i)).filter((i) => i >= 0);
      if (missing.length > 0) {
        throw new FormError(
          missing.map((i) => ({
            text: `Answer question ${i + 1}: ${answers[i]?.q ?? ''}`,
            href: `#q${i + 1}`,
          })),
        );
      }
      const text = [
        `Joint evaluation of a tracked child's experience (Annex B)`,
        `Inspection: ${a.page.localAuthority}, notified ${a.page.notifiedOn}`,
        `Child ID: ${childId ?? ''}`,
        '',
        ...answers.flatMap((x, i) => [`${i + 1}. ${x.q}`, '', x.a, '']),
      ].join('\n');
      const stored = await storeText(store, text);
      return {
        files: [{ stored, name: `joint-evaluation-${childId ?? 'child'}.txt` }],
        extra: child,
      };
    }
    case 'consent': {
      const choice = v.consent;
      const details = (v.details ?? '').trim();
      const errors = [];
      if (choice !== 'arranged' && choice !== 'not-possible')
        errors.push({ text: 'Say whether the discussions can take place.', href: '#consent' });
      if (!details)
        errors.push({
          text:
            choice === 'not-possible'
              ? 'Give the reasons why the discussions cannot take place.'
              : 'Describe the arrangements.',
          href: '#details',
        });
      if (errors.length > 0) throw new FormError(errors);
      const heading =
        choice === 'arranged'
          ? 'Arrangements for inspectors to meet the child and family'
          : 'Reasons why inspectors cannot meet the child and family';
      const stored = await storeText(
        store,
        [heading, `Child ID: ${childId ?? ''}`, '', details, ''].join('\n'),
      );
      return {
        files: [{ stored, name: `consent-${childId ?? 'child'}.txt` }],
        extra: {
          ...child,
          note: choice === 'arranged' ? 'Arrangements made' : 'Discussions cannot take place: reasons given',
        },
      };
    }
    default:
      throw new FormError([{ text: 'This is recorded by the coordinator.', href: '#main-content' }]);
  }
}
