import { log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { validateListFile as ValidateListFile } from '../lists';
import { ukDate } from '../timeline/calendar';
import { formatUkDateTimeLabelled } from '../timeline/format';
import { EMAIL_TEMPLATES, fillTemplate } from './email-templates';
import type { FileStore } from '../infra/files';
import type { Scratch } from '../infra/scratch';
import type { LinkSigner } from '../infra/links';
import type { Mailer } from '../infra/mail';
import type { Notice, ValidationRequest, ValidationResult } from './types';

export interface ActivityDependencies {
  mailer: Mailer;
  mailFrom: string;
  links: LinkSigner;
  webBaseUrl: string;
  /** Where the record of sent messages is kept, so a retried activity never sends twice. */
  sentDir: string;
  /** The encrypted file store of one inspection. */
  fileStoreFor(inspectionId: string): FileStore;
  validateListFile: typeof ValidateListFile;
  /** Private scratch space for decrypted lists while they are checked. */
  scratch: Scratch;
}

/** Most findings to carry back into the workflow: the rest are counted, not copied. */
const MAX_ERRORS = 50;
const MAX_WARNINGS = 200;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function createActivities(deps: ActivityDependencies) {
  return {
    /** Send one email, exactly once per intended message (keyed by inspection and message key). */
    async sendNotice(notice: Notice): Promise<{ sent: boolean }> {
      const key = `${notice.inspectionId}/${notice.messageKey}`;
      const marker = path.join(deps.sentDir, `${sha256(key)}.sent`);
      if (
        await stat(marker).then(
          () => true,
          () => false,
        )
      )
        return { sent: false };

      const token = deps.links.sign({
        inspectionId: notice.inspectionId,
        agency: notice.agency,
        version: notice.link.version,
        expiresAt: notice.link.expiresAt,
      });
      const items = notice.deliverables
        .map((d) => {
          const missing =
            d.missing && d.missing.length > 0 ? `\n    still missing: ${d.missing.join(', ')}` : '';
          return `  - ${d.title}\n    due ${formatUkDateTimeLabelled(d.dueAt)}${missing}`;
        })
        .join('\n');
      const first = notice.deliverables[0];
      const values = {
        localAuthority: notice.localAuthority,
        agencyName: notice.agencyName,
        items,
        link: `${deps.webBaseUrl}/a/${token}`,
        coordinator: 'JTAI coordination, on behalf of the safeguarding partnership',
        firstDue: first ? formatUkDateTimeLabelled(first.dueAt) : '',
      };
      const template = EMAIL_TEMPLATES[notice.template];
      await deps.mailer.send({
        from: deps.mailFrom,
        to: notice.to,
        cc: notice.cc,
        subject: fillTemplate(template.subject, values),
        text: fillTemplate(template.body, values),
        messageId: `<${sha256(key).slice(0, 32)}@jtai>`,
        date: new Date(notice.sentAt),
        headers: { 'X-Jtai-Message-Key': notice.messageKey },
      });
      await mkdir(deps.sentDir, { recursive: true });
      await writeFile(marker, new Date().toISOString(), { flag: 'w' });
      log.info('Email sent', {
        template: notice.template,
        agency: notice.agency,
        messageKey: notice.messageKey,
      });
      return { sent: true };
    },

    /** Check a stored list against its specification; errors refuse the submission in the workflow. */
    async validateSubmission(req: ValidationRequest): Promise<ValidationResult> {
      const extension = path.extname(req.file.name).toLowerCase() === '.csv' ? '.csv' : '.xlsx';
      return deps.scratch.use('list', async (scratch) => {
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
          return {
            rows: report.rows,
            errorCount: report.findings.filter((f) => f.severity === 'error').length,
            errors: pick('error', MAX_ERRORS),
            warnings: pick('warning', MAX_WARNINGS),
            candidates: report.candidates,
          };
        } catch (err) {
          if (err instanceof Error && err.name === 'UnreadableListError') {
            const reason = (err as Error & { reason?: string }).reason ?? 'unreadable';
            return {
              rows: 0,
              errorCount: 1,
              errors: [{ row: 0, column: '', code: reason, message: err.message }],
              warnings: [],
              candidates: [],
            };
          }
          throw err;
        }
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
