import { AGENCIES, type AgencyId } from '../../timeline/types';
import { systemClock, type Clock, type Queryable } from './database';

/**
 * The append-only audit log: who did or saw what, about which inspection, when and from where. The table
 * refuses UPDATE, DELETE and TRUNCATE itself (a trigger, see 003-audit-log.sql), so no code path here or
 * elsewhere can rewrite it. A purge of an inspection appends a line; it does not remove that inspection's
 * earlier lines, which hold no child data.
 */

/** What can be recorded, with how it reads in the log and its CSV export. */
export const AUDIT_ACTIONS = {
  'user.signed-in': 'Signed in',
  'user.signed-out': 'Signed out',
  'user.locked-out': 'Locked out after repeated wrong passwords',
  'user.added': 'Added a user',
  'user.changed': 'Changed a user (role, password or access)',
  'user.removed': 'Removed a user',
  'inspection.started': 'Started the inspection',
  'inspection.cancelled': 'Cancelled the inspection',
  'inspection.purged': 'Purged the inspection: files, key and history deleted',
  'status.viewed': 'Viewed the status with child IDs',
  'pack.downloaded': 'Downloaded the inspector pack',
  'file.viewed': 'Viewed a received file',
  'file.downloaded': 'Downloaded a received file',
  'file.withdrawn': 'Withdrew a sent file',
  'candidates.downloaded': 'Downloaded the candidates workbook',
  'audit.exported': 'Downloaded the inspection’s audit log',
  'payloads.decoded': 'Decoded Temporal payloads (the Temporal UI’s codec)',
  'deliverable.submitted': 'Sent a deliverable',
  'queries.answered': 'Answered the queries on a list',
  'answers.given': 'Answered its questions on the children selected (Option A)',
  'details.shared': 'Chose which agencies see the identifying details of the children selected',
  'details.viewed': 'Viewed the identifying details of the children selected',
  'answers.downloaded': 'Downloaded the 20-case return pre-filled with the agencies’ answers',
  'deliverable.extended': 'Extended a deadline',
  'deliverable.waived': 'Waived a deliverable',
  'deliverable.added': 'Added a deliverable',
  'selection.recorded': 'Recorded the lead inspector’s selection',
  'confirmation.recorded': 'Recorded a confirmation',
  'contacts.changed': 'Changed an agency’s contacts',
  'link.sent': 'Emailed an agency its link again',
  'link.revoked': 'Revoked an agency link',
  'message.sent': 'Sent an agency a message',
  'directory.changed': 'Changed the agency directory',
  'keys.rotated': 'Rotated the master key',
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

export type Actor =
  | { kind: 'user'; username: string }
  | { kind: 'agency'; agency: AgencyId }
  /** Something the service did on its own, e.g. the automatic purge. */
  | { kind: 'system'; name: string };

/**
 * Details are a few flat facts (a deliverable id, a file's SHA-256, a reason's length): numbers, booleans
 * and short strings. Never child data: keys that name it are refused, and a tracked child is referred to by
 * its opaque reference, never its ID.
 */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditInput {
  actor: Actor;
  action: AuditAction;
  inspectionId?: string;
  clientAddress?: string;
  details?: AuditDetails;
}

export interface AuditEntry extends AuditInput {
  id: number;
  at: Date;
  details: AuditDetails;
}

const DETAIL_KEY = /^[a-z][A-Za-z0-9]{0,39}$/;
const CHILD_DATA_KEY =
  /^(child|childid|childids|children|name|forename|surname|dob|dateofbirth|address|postcode)$/i;
const MAX_DETAILS = 20;
const MAX_DETAIL_TEXT = 200;

export function checkDetails(details: AuditDetails = {}): AuditDetails {
  const entries = Object.entries(details);
  if (entries.length > MAX_DETAILS) throw new Error(`Audit details: at most ${MAX_DETAILS} facts.`);
  for (const [key, value] of entries) {
    if (!DETAIL_KEY.test(key)) throw new Error(`Audit details: "${key.slice(0, 40)}" is not a detail name.`);
    if (CHILD_DATA_KEY.test(key)) throw new Error(`Audit details: "${key}" would hold child data.`);
    const ok =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= MAX_DETAIL_TEXT && !value.includes('\u0000'));
    if (!ok)
      throw new Error(
        `Audit details: "${key}" must be a number, a boolean or text of at most ${MAX_DETAIL_TEXT} characters.`,
      );
  }
  return details;
}

function actorColumns(actor: Actor): [Actor['kind'], string] {
  switch (actor.kind) {
    case 'user':
      return ['user', actor.username];
    case 'agency':
      if (!(AGENCIES as readonly string[]).includes(actor.agency))
        throw new Error(`Unknown agency ${actor.agency}`);
      return ['agency', actor.agency];
    case 'system':
      return ['system', actor.name];
  }
}

function actorOf(kind: Actor['kind'], name: string): Actor {
  if (kind === 'user') return { kind, username: name };
  if (kind === 'agency') return { kind, agency: name as AgencyId };
  return { kind, name };
}

interface AuditRow extends Record<string, unknown> {
  id: number;
  at: Date;
  actor_kind: Actor['kind'];
  actor: string;
  action: AuditAction;
  inspection_id: string | null;
  client_address: string | null;
  details: AuditDetails;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: actorOf(row.actor_kind, row.actor),
    action: row.action,
    ...(row.inspection_id !== null ? { inspectionId: row.inspection_id } : {}),
    ...(row.client_address !== null ? { clientAddress: row.client_address } : {}),
    details: row.details,
  };
}

const COLUMNS = 'id, at, actor_kind, actor, action, inspection_id, client_address, details';

export function auditRepository(db: Queryable, clock: Clock = systemClock) {
  async function append(input: AuditInput): Promise<AuditEntry> {
    if (!Object.hasOwn(AUDIT_ACTIONS, input.action)) throw new Error(`Unknown audit action ${input.action}`);
    const [kind, name] = actorColumns(input.actor);
    const [row] = await db.query<AuditRow>(
      `INSERT INTO audit_log (at, actor_kind, actor, action, inspection_id, client_address, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb) RETURNING ${COLUMNS}`,
      [
        clock(),
        kind,
        name,
        input.action,
        input.inspectionId ?? null,
        input.clientAddress ?? null,
        JSON.stringify(checkDetails(input.details)),
      ],
    );
    if (!row) throw new Error('The audit line was not written.');
    return toEntry(row);
  }

  return {
    append,

    /** How an action reads, for people (pages, the CSV export). */
    labelOf: (action: AuditAction): string => AUDIT_ACTIONS[action],

    /** Lines in the order written, oldest first; page with `afterId`. */
    async list(
      filter: { inspectionId?: string; afterId?: number; limit?: number } = {},
    ): Promise<AuditEntry[]> {
      const rows = await db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log
         WHERE ($1::text IS NULL OR inspection_id = $1) AND id > $2
         ORDER BY id LIMIT $3`,
        [
          filter.inspectionId ?? null,
          filter.afterId ?? 0,
          Math.min(Math.max(filter.limit ?? 1000, 1), 10_000),
        ],
      );
      return rows.map(toEntry);
    },

    /** The line that says an inspection was purged; its earlier lines stay. */
    purged(inspectionId: string, actor: Actor, details: AuditDetails = {}): Promise<AuditEntry> {
      return append({ actor, action: 'inspection.purged', inspectionId, details });
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
