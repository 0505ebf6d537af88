import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Commands } from '../client/commands';
import type { AuditAction, AuditDetails, AuditEntry } from '../infra/db';
import { csvField } from '../lists/safe-cells';
import { formatUkDateTime } from '../timeline/format';
import type { AgencyId } from '../timeline/types';

/**
 * The web app's lines in the audit log: who did or saw what, about which inspection, from where. A member of
 * staff is named by their username (session or HTTP Basic), an agency by its id (its link). Details are the
 * facts of an action that hold no child data: a deliverable's id, a stage, a count; never a child ID, a reason
 * or a note (free text may name a child).
 */

/** The commands a coordinator runs, page or API, and how each reads in the log. */
const COMMAND_LINES: {
  [K in keyof Commands]?: (command: Commands[K]) => { action: AuditAction; details?: AuditDetails };
} = {
  select: (c) => ({ action: 'selection.recorded', details: { stage: c.stage, count: c.childIds.length } }),
  confirm: (c) => ({ action: 'confirmation.recorded', details: { deliverable: c.deliverable } }),
  extend: (c) => ({
    action: 'deliverable.extended',
    details: {
      deliverable: c.deliverable,
      to: new Date(c.to).toISOString(),
      ...(c.agency ? { agency: c.agency } : {}),
    },
  }),
  waive: (c) => ({
    action: 'deliverable.waived',
    details: { deliverable: c.deliverable, ...(c.agency ? { agency: c.agency } : {}) },
  }),
  cancel: () => ({ action: 'inspection.cancelled' }),
  contacts: () => ({ action: 'contacts.changed' }),
  sendLink: (c) => ({ action: c.revoke ? 'link.revoked' : 'link.sent', details: { agency: c.agency } }),
  // The message's text and the request's children stay out of the log: how long, and how many.
  message: (c) => ({ action: 'message.sent', details: { agency: c.agency, length: c.text.length } }),
  request: (c) => ({
    action: 'deliverable.added',
    details: { owner: c.owner, source: c.source, kind: c.kind, trackedChildren: c.childIds?.length ?? 0 },
  }),
  withdraw: (c) => ({ action: 'file.withdrawn', details: { deliverable: c.deliverable, agency: c.agency } }),
};

/** The signed-in member of staff's line (the route has checked there is one). */
export async function auditStaff(
  app: FastifyInstance,
  request: FastifyRequest,
  action: AuditAction,
  inspectionId: string | undefined,
  details: AuditDetails = {},
): Promise<void> {
  const user = request.user;
  if (!user) throw new Error('An audited staff action without a signed-in user.');
  await app.audit.record({
    actor: { kind: 'user', username: user.username },
    action,
    ...(inspectionId ? { inspectionId } : {}),
    clientAddress: request.ip,
    details: { ...details, via: user.via === 'basic' ? 'api-basic' : 'session' },
  });
}

/** A coordinator's command that has been carried out, as its line. */
export async function auditCommand<K extends keyof Commands>(
  app: FastifyInstance,
  request: FastifyRequest,
  inspectionId: string,
  name: K,
  command: Commands[K],
): Promise<void> {
  const line = COMMAND_LINES[name]?.(command);
  if (!line) return;
  await auditStaff(app, request, line.action, inspectionId, line.details);
}

/** An agency's action through its link. */
export async function auditAgency(
  app: FastifyInstance,
  request: FastifyRequest,
  agency: AgencyId,
  action: AuditAction,
  inspectionId: string,
  details: AuditDetails = {},
): Promise<void> {
  await app.audit.record({
    actor: { kind: 'agency', agency },
    action,
    inspectionId,
    clientAddress: request.ip,
    details,
  });
}

/** An inspection's audit lines, oldest first, page by page from the store (the log is never pruned). */
export async function inspectionAudit(app: FastifyInstance, inspectionId: string): Promise<AuditEntry[]> {
  const lines: AuditEntry[] = [];
  for (;;) {
    const page = await app.store.audit.list({ inspectionId, afterId: lines.at(-1)?.id ?? 0, limit: 10_000 });
    lines.push(...page);
    if (page.length < 10_000) return lines;
  }
}

/** How an action reads (the store's words for it). */
type Label = (action: AuditAction) => string;

/** One audit line as people read it: when (UK time), who, what, from where, and its facts. */
export function auditRow(line: AuditEntry, label: Label) {
  const actor = line.actor;
  return {
    at: line.at.toISOString(),
    atUk: formatUkDateTime(line.at.getTime()),
    actorKind: actor.kind,
    actor: actor.kind === 'user' ? actor.username : actor.kind === 'agency' ? actor.agency : actor.name,
    action: line.action,
    what: label(line.action),
    from: line.clientAddress ?? '',
    details: Object.entries(line.details)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('; '),
  };
}

const CSV_COLUMNS = [
  ['at', 'When (ISO)'],
  ['atUk', 'When (UK time)'],
  ['actorKind', 'Who (kind)'],
  ['actor', 'Who'],
  ['action', 'Action'],
  ['what', 'What'],
  ['from', 'From (address)'],
  ['details', 'Details'],
] as const;

/** The audit lines as CSV (cells a spreadsheet would run as formulas neutralised). */
export function auditCsv(lines: AuditEntry[], label: Label): string {
  const rows = lines
    .map((line) => auditRow(line, label))
    .map((r) => CSV_COLUMNS.map(([key]) => csvField(r[key])).join(','));
  return `${[CSV_COLUMNS.map(([, title]) => csvField(title)).join(','), ...rows].join('\r\n')}\r\n`;
}
