import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { validateListFile as ValidateListFile } from '../lists';
import { ukDate } from '../timeline/calendar';
import { formatUkDateTimeLabelled } from '../timeline/format';
import { isRehearsalId } from '../timeline/rehearsal';
import { documentLabel, EMAIL_TEMPLATES, fillTemplate, REHEARSAL_WORDING } from './email-templates';
import type { FileStore } from '../infra/files';
import type { Scratch } from '../infra/scratch';
import type { LinkSigner } from '../infra/links';
import { INSPECTION_HEADER, MailSendError, type Mailer } from '../infra/mail';
import { MailFailure } from '../workflows/failures';
import type { Notice, NoticeOutcome, PurgeRequest, ValidationRequest, ValidationResult } from './types';

export interface ActivityDependencies {
  mailer: Mailer;
  mailFrom: string;
  links: LinkSigner;
  webBaseUrl: string;
  /** The encrypted file store of one inspection. */
  fileStoreFor(inspectionId: string): FileStore;
  validateListFile: typeof ValidateListFile;
  /** Private scratch space for decrypted lists while they are checked. */
  scratch: Scratch;
  /** Delete an inspection's files, data key and outbox copies (src/infra/purge.ts). */
  purgeData(inspectionId: string): Promise<void>;
  /** Delete an inspection's Temporal execution and history. */
  deleteExecution(inspectionId: string): Promise<void>;
}

/** Most findings to carry back into the workflow: the rest are counted (and warnings kept in the store). */
const MAX_ERRORS = 50;
const MAX_WARNINGS = 20;
/**
 * More children put forward by one list than any area has at risk of sexual abuse in the family: a theme
 * column filled with Y by mistake. Refused, so the children put forward stay a list a lead inspector can
 * read (and the workflow's state stays bounded).
 */
export const MAX_CANDIDATES_PER_LIST = 5_000;
/** Errors of a list check that refuse the list rather than fail the activity (see validateSubmission). */
const REFUSED_CHECKS = new Set(['UnreadableListError', 'ListLimitError', 'ListCheckCrashedError']);
/** A check process killed or exited for another reason than memory (a worker stopping) is tried again. */
const isCrashOtherThanMemory = (err: Error) =>
  err.name === 'ListCheckCrashedError' && (err as Error & { reason?: string }).reason !== 'out-of-memory';

/** Heartbeats while a slow step runs, so a worker that dies is noticed in seconds, not at the timeout. */
const HEARTBEAT_MS = 5_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The Message-ID of an inspection's email: from its message key alone, so a resend carries the same one. */
export function messageIdFor(inspectionId: string, messageKey: string): string {
  return `<${sha256(`${inspectionId}/${messageKey}`).slice(0, 32)}@jtai>`;
}

/** The email of a notice: subject, text and HTML from the wording table, the agency's link, no child data. */
export function renderNotice(notice: Notice, link: string): { subject: string; text: string; html: string } {
  const items = notice.deliverables
    .map((d) => {
      // Each by code and title, one to a line (titles hold commas).
      const missing = missingLabels(d, notice.agency)
        .map((label) => `\n      ${label}`)
        .join('');
      return `  - ${d.title}\n    ${dueText(d)}${missing ? `\n    still missing:${missing}` : ''}`;
    })
    .join('\n');
  const first = notice.deliverables[0];
  const receiptFiles = (notice.receipt?.files ?? []).map(
    (f) =>
      `${f.code ? `${documentLabel(first?.id ?? '', notice.agency, f.code)}: ` : ''}${f.sha256} (${f.size.toLocaleString('en-GB')} bytes)`,
  );
  const arrivals = (notice.arrivals ?? []).map(
    (a) => `${a.title}, from ${a.agencyName}, ${formatUkDateTimeLabelled(a.at)}${a.late ? ' (late)' : ''}`,
  );
  const values = {
    localAuthority: notice.localAuthority,
    agencyName: notice.agencyName,
    items,
    link,
    coordinator: 'JTAI coordination, on behalf of the safeguarding partnership',
    firstDue: first ? formatUkDateTimeLabelled(first.dueAt) : '',
    failedAgency: notice.failure?.agencyName ?? '',
    failedTo: notice.failure?.to ?? '',
    failedSince: notice.failure ? formatUkDateTimeLabelled(notice.failure.since) : '',
    failedReason: notice.failure?.reason ?? '',
    firstTitle: first?.title ?? '',
    receivedAt: notice.receipt ? formatUkDateTimeLabelled(notice.receipt.at) : '',
    receivedLate: notice.receipt?.late ? ' (after the deadline)' : '',
    receiptFiles: receiptFiles.map((f) => `  - ${f}`).join('\n') || '  (none: a note or a confirmation)',
    arrivals: arrivals.map((a) => `  - ${a}`).join('\n'),
  };
  const template = EMAIL_TEMPLATES[notice.template];
  const rehearsal = notice.rehearsal || isRehearsalId(notice.inspectionId);
  const subject = `${rehearsal ? REHEARSAL_WORDING.subjectPrefix : ''}${fillTemplate(template.subject, values)}`;
  const text = `${rehearsal ? REHEARSAL_WORDING.bodyPrefix : ''}${fillTemplate(template.body, values)}`;
  const html = noticeHtml({
    subject,
    body: template.body,
    values,
    rehearsal,
    // The coordinator's copy of an escalation links to the agency's page, not their own.
    buttonLabel:
      notice.template === 'escalation-coordinator' ? 'Open the agency’s page' : 'Open your agency page',
    blocks: {
      items: itemsTable(notice.deliverables, notice.agency),
      receiptFiles: bulletList(receiptFiles, '(none: a note or a confirmation)'),
      arrivals: bulletList(arrivals, ''),
    },
  });
  return { subject, text, html };
}

/** The documents still missing, each by code and title. */
function missingLabels(d: Notice['deliverables'][number], agency: Notice['agency']): string[] {
  return (d.missing ?? []).map((code) => documentLabel(d.id, agency, code));
}

function dueText(d: Notice['deliverables'][number]): string {
  return d.overdue
    ? `OVERDUE: was due ${formatUkDateTimeLabelled(d.dueAt)}`
    : `due ${formatUkDateTimeLabelled(d.dueAt)}`;
}

/** Every text put into the HTML part goes through this. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FONT = "font-family: Arial, 'Helvetica Neue', Helvetica, sans-serif; color: #0b0c0c;";
const CELL =
  'padding: 8px 8px 8px 0; border-bottom: 1px solid #b1b4b6; text-align: left; vertical-align: top;';

/** The deliverables as a table: what, and when (UK time), with any codes still missing. */
function itemsTable(deliverables: Notice['deliverables'], agency: Notice['agency']): string {
  if (deliverables.length === 0) return '';
  const rows = deliverables
    .map((d) => {
      const labels = missingLabels(d, agency);
      const missing =
        labels.length > 0
          ? `<br><span style="font-size: 16px; color: #505a5f;">Still missing:${labels.map((l) => `<br>${escapeHtml(l)}`).join('')}</span>`
          : '';
      const due = d.overdue
        ? `<strong style="color: #d4351c;">OVERDUE</strong><br>was due ${escapeHtml(formatUkDateTimeLabelled(d.dueAt))}`
        : escapeHtml(formatUkDateTimeLabelled(d.dueAt));
      return `<tr><td style="${CELL}">${escapeHtml(d.title)}${missing}</td><td style="${CELL}">${due}</td></tr>`;
    })
    .join('');
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="width: 100%; border-collapse: collapse; margin: 0 0 20px; font-size: 19px;">
<thead><tr><th style="${CELL} font-weight: bold;">What</th><th style="${CELL} font-weight: bold;">Due (UK time)</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function bulletList(lines: string[], none: string): string {
  if (lines.length === 0) return none ? `<p style="margin: 0 0 20px;">${escapeHtml(none)}</p>` : '';
  return `<ul style="margin: 0 0 20px; padding-left: 20px; word-break: break-all;">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

/** The link as a green GOV.UK-like button, with the address written out beneath it for copying. */
function linkButton(link: string, label: string): string {
  const href = escapeHtml(link);
  return `<p style="margin: 0 0 20px;"><a href="${href}" style="display: inline-block; background: #00703c; color: #ffffff; font-weight: bold; font-size: 19px; text-decoration: none; padding: 10px 16px; border-bottom: 2px solid #002d18;">${escapeHtml(label)}</a></p>
<p style="margin: 0 0 20px; font-size: 14px; color: #505a5f; word-break: break-all;">Or copy this address: ${href}</p>`;
}

/**
 * The HTML part: the same wording as the text part, line by line, with the deliverables as a table, the link
 * as a button and lists as lists; inline styles only, no images or anything fetched from elsewhere, and
 * every text escaped.
 */
function noticeHtml(input: {
  subject: string;
  body: string;
  values: Record<string, string>;
  rehearsal: boolean;
  buttonLabel: string;
  blocks: Record<string, string>;
}): string {
  const parts: string[] = [];
  if (input.rehearsal)
    parts.push(
      `<p style="margin: 0 0 20px; padding: 10px; border: 5px solid #d4351c; font-weight: bold;">${escapeHtml(REHEARSAL_WORDING.bodyPrefix.trim())}</p>`,
    );
  for (const line of input.body.split('\n')) {
    if (line.trim() === '') continue;
    const block = /^\{(\w+)\}$/.exec(line.trim())?.[1];
    if (block && block in input.blocks) {
      parts.push(input.blocks[block] ?? '');
      continue;
    }
    if (line.includes('{link}')) {
      const before = line.replace('{link}', '').trim();
      if (before)
        parts.push(`<p style="margin: 0 0 10px;">${escapeHtml(fillTemplate(before, input.values))}</p>`);
      parts.push(linkButton(input.values.link ?? '', input.buttonLabel));
      continue;
    }
    parts.push(`<p style="margin: 0 0 20px;">${escapeHtml(fillTemplate(line, input.values))}</p>`);
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.subject)}</title>
</head>
<body style="margin: 0; padding: 0; background: #ffffff;">
<div style="${FONT} max-width: 580px; margin: 0 auto; padding: 15px; font-size: 19px; line-height: 1.4;">
<div style="border-bottom: 10px solid #1d70b8; margin: 0 0 20px; padding: 0 0 10px; font-weight: bold; font-size: 16px;">JTAI coordination</div>
${parts.join('\n')}
</div>
</body>
</html>
`;
}

/** Heartbeat every few seconds while `work` runs (an activity whose worker dies then fails fast). */
async function withHeartbeat<T>(work: () => Promise<T>, details?: () => unknown): Promise<T> {
  const context = Context.current();
  context.heartbeat(details?.());
  const timer = setInterval(() => context.heartbeat(details?.()), HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createActivities(deps: ActivityDependencies) {
  /** One attempt at one email; a failure is thrown typed (MailFailure), for the workflow to decide on. */
  async function sendOne(notice: Notice): Promise<void> {
    const token = deps.links.sign({
      inspectionId: notice.inspectionId,
      agency: notice.agency,
      version: notice.link.version,
      run: notice.link.run,
      expiresAt: notice.link.expiresAt,
    });
    const { subject, text, html } = renderNotice(notice, `${deps.webBaseUrl}/a/${token}`);
    const logged = { template: notice.template, agency: notice.agency, messageKey: notice.messageKey };
    if (notice.possibleDuplicate)
      log.warn('Email sent again after an unknown outcome: possible duplicate', logged);
    try {
      await deps.mailer.send({
        from: deps.mailFrom,
        to: notice.to,
        cc: notice.cc,
        subject,
        text,
        html,
        messageId: messageIdFor(notice.inspectionId, notice.messageKey),
        date: new Date(notice.sentAt),
        headers: { 'X-Jtai-Message-Key': notice.messageKey, [INSPECTION_HEADER]: notice.inspectionId },
      });
    } catch (err) {
      const outcome = err instanceof MailSendError ? err.outcome : 'temporary';
      const reason = err instanceof Error ? err.message : String(err);
      log.error('Email not sent', { ...logged, outcome, reason });
      throw ApplicationFailure.create({
        type:
          outcome === 'permanent'
            ? MailFailure.Permanent
            : outcome === 'unknown-outcome'
              ? MailFailure.UnknownOutcome
              : MailFailure.Temporary,
        message: reason,
        nonRetryable: true,
      });
    }
    log.info('Email sent', logged);
  }

  return {
    /**
     * Send one email. Each call is one attempt: the workflow records the intent first and decides on retries,
     * so a failure is thrown typed (MailFailure) and never retried here. The Message-ID derives from the
     * message key, so a resend carries the same one.
     */
    async sendNotice(notice: Notice): Promise<void> {
      await withHeartbeat(() => sendOne(notice));
    },

    /**
     * One attempt at each of several emails queued together (an inspection's request emails at its start), side
     * by side, each on its own connection as sendNotice's would be: one activity and one workflow task for all
     * of them instead of one each, and no slower than the slowest send. A send's failure does not stop the
     * rest: each outcome comes back (typed as sendNotice throws them). The heartbeat carries the outcomes so
     * far (null: not known yet), so after a crash the workflow knows those; the others may or may not have gone.
     */
    async sendNotices(notices: Notice[]): Promise<NoticeOutcome[]> {
      const outcomes: (NoticeOutcome | null)[] = notices.map(() => null);
      return withHeartbeat(
        () =>
          Promise.all(
            notices.map(async (notice, i) => {
              let outcome: NoticeOutcome;
              try {
                await sendOne(notice);
                outcome = { sent: true };
              } catch (err) {
                const failure = err as ApplicationFailure;
                outcome = {
                  sent: false,
                  type: failure.type ?? MailFailure.Temporary,
                  reason: failure.message,
                };
              }
              outcomes[i] = outcome;
              // The SDK sends the latest details at its own pace: after a crash the server has those last sent.
              Context.current().heartbeat({ outcomes });
              return outcome;
            }),
          ),
        () => ({ outcomes }),
      );
    },

    /**
     * Purge an inspection: its data first (files, then the key that opens them), then its Temporal execution,
     * which is the one running this activity: deleting it ends the workflow, so this activity's own
     * completion is expected to find nothing to report to.
     */
    async purgeInspection(req: PurgeRequest): Promise<void> {
      await deps.purgeData(req.inspectionId);
      log.info('Inspection data purged; deleting its history', { inspectionId: req.inspectionId });
      await deps.deleteExecution(req.inspectionId);
    },

    /** Check a stored list against its specification; errors refuse the submission in the workflow. */
    async validateSubmission(req: ValidationRequest): Promise<ValidationResult> {
      const extension = path.extname(req.file.name).toLowerCase() === '.csv' ? '.csv' : '.xlsx';
      // Heartbeats while it runs: a worker that dies mid-check is noticed in seconds and the check starts again.
      return withHeartbeat(() =>
        deps.scratch.use('list', async (scratch) => {
          const copy = path.join(scratch, `list${extension}`);
          try {
            await deps.fileStoreFor(req.inspectionId).exportTo(req.file.sha256, copy);
            const report = await deps.validateListFile(
              req.list as Parameters<typeof ValidateListFile>[0],
              copy,
              {
                notifiedOn: req.notifiedOn,
                option: req.option,
                today: ukDate(req.submittedAt),
              },
            );
            const pick = (severity: 'error' | 'warning', max: number) =>
              report.findings
                .filter((f) => f.severity === severity)
                .slice(0, max)
                .map(({ row, column, code, message }) => ({ row, column, code, message }));
            if (report.counts.errors === 0 && report.candidates.length > MAX_CANDIDATES_PER_LIST)
              return refusedCheck(
                'too-many-candidates',
                `The list puts forward ${report.candidates.length.toLocaleString('en-GB')} children as at risk of, or subject to, sexual abuse in the family environment: more than ${MAX_CANDIDATES_PER_LIST.toLocaleString('en-GB')} is not plausible. Check the theme column (Y/N).`,
              );
            const warnings = report.findings
              .filter((f) => f.severity === 'warning')
              .map(({ row, column, code, message }) => ({ row, column, code, message }));
            // Every warning (up to the validator's own cap) into the store: the workflow keeps a count and the first few.
            // A list with errors is refused: nothing would name its warnings' file, so none is written.
            const warningsFile =
              warnings.length > 0 && report.counts.errors === 0
                ? {
                    name: 'queries.json',
                    ...(await deps
                      .fileStoreFor(req.inspectionId)
                      .put(Readable.from([Buffer.from(JSON.stringify(warnings))]))),
                  }
                : undefined;
            return {
              rows: report.rows,
              errorCount: report.counts.errors,
              errors: pick('error', MAX_ERRORS),
              warnings: warnings.slice(0, MAX_WARNINGS),
              warningCount: report.counts.warnings,
              ...(warningsFile ? { warningsFile } : {}),
              candidates: report.candidates,
            };
          } catch (err) {
            // A file that cannot be read, is over a limit, or exhausts the check's memory is refused, not retried.
            if (err instanceof Error && REFUSED_CHECKS.has(err.name) && !isCrashOtherThanMemory(err)) {
              const reason =
                err.name === 'ListCheckCrashedError'
                  ? 'over-limit'
                  : ((err as Error & { reason?: string }).reason ?? 'unreadable');
              return refusedCheck(reason, err.message);
            }
            throw err;
          }
        }),
      );
    },
  };
}

/** A list refused as a whole (unreadable, over a limit): one finding with no row. */
function refusedCheck(code: string, message: string): ValidationResult {
  return {
    rows: 0,
    errorCount: 1,
    errors: [{ row: 0, column: '', code, message }],
    warnings: [],
    warningCount: 0,
    candidates: [],
  };
}

export type Activities = ReturnType<typeof createActivities>;
