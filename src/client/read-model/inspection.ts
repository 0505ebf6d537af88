import { z } from 'zod';
import { formatUkDateTime, iso } from '../../timeline/format';
import { PARTY_NAMES, type Instant } from '../../timeline/types';
import {
  deliverableStatus,
  isEnded,
  mailProblems,
  missingDocumentCodes,
  nextDue,
  overdueCount,
  stageOf,
  STATUS_LABELS,
  type DeliverableStatus,
} from '../../workflows/rules';
import type {
  DeliverableState,
  Delivery,
  DeliveryStatus,
  InspectionRecord,
  Receipt,
  Stage,
} from '../../workflows/types';
import { rehearsalView, rehearsalViewSchema, standsForIn, type RehearsalContext } from './rehearsal';

/**
 * The inspection as people see it, derived from workflow state at an instant: what `jtai status`, the
 * coordinator's page and `GET /api/inspections/:id` show. The shapes are zod schemas so that the API's
 * OpenAPI document is generated from the very types the views are built to. The view carries how many
 * children are selected and tracked; their IDs only for a coordinator (`Viewer`); file names are the names the
 * agencies gave.
 */

const at = (instant: Instant) => ({ at: iso(instant), atUk: formatUkDateTime(instant) });

const DELIVERY_STATUSES = [
  'queued',
  'sent',
  'failing',
  'given-up',
  'skipped',
] as const satisfies readonly DeliveryStatus[];

/** Failing or given-up email grouped by agency and recipient, oldest failure first. */
export function mailProblemsView(state: Pick<InspectionRecord, 'outbox'>): MailProblemView[] {
  const groups = new Map<string, Delivery[]>();
  for (const x of mailProblems(state)) {
    const key = `${x.agency}/${x.to}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  return [...groups.values()]
    .map((xs) => {
      const first = xs[0] as Delivery;
      const last = xs.at(-1) as Delivery;
      const since = Math.min(...xs.map((x) => x.failingSince ?? x.queuedAt));
      return {
        agency: first.agency,
        agencyName: PARTY_NAMES[first.agency],
        to: first.to,
        status: xs.some((x) => x.status === 'failing') ? ('failing' as const) : ('given-up' as const),
        since: iso(since),
        sinceUk: formatUkDateTime(since),
        reason: last.reason ?? 'unknown',
        waiting: xs.length,
      };
    })
    .sort((a, b) => a.since.localeCompare(b.since));
}

/** "to Police (contact) failing since …: reason, 3 emails waiting": the same words on every surface. */
export function mailProblemLine(p: MailProblemView): string {
  const who = `to ${p.agencyName} (${p.to.replace('-', ' ')})`;
  const count = `${p.waiting} email${p.waiting === 1 ? '' : 's'}`;
  return p.status === 'failing'
    ? `${who} failing since ${p.sinceUk}: ${p.reason}; ${count} waiting`
    : `${who} given up (failing since ${p.sinceUk}): ${p.reason}; ${count} not sent: check the address and resend the link`;
}

/** A chase log entry's email, as it stands in the outbox. */
function deliveryOf(state: Pick<InspectionRecord, 'outbox'>, messageKey: string) {
  const x = state.outbox.find((y) => y.key === messageKey);
  return x ? { delivery: x.status, ...(x.reason && x.status !== 'sent' ? { reason: x.reason } : {}) } : {};
}

/** Stages in words, for people. */
export const STAGE_LABELS: Record<Stage, string> = {
  'case-lists': 'case lists',
  'case-selection': 'case selection',
  documents: 'key documents',
  evaluation: 'evaluations',
  completed: 'completed',
  cancelled: 'cancelled',
};

const keysOf = <K extends string>(labels: Record<K, string>) => Object.keys(labels) as [K, ...K[]];

const instantView = z.object({ at: z.string(), atUk: z.string() });

export const queryViewSchema = z.object({
  row: z.number().int(),
  column: z.string(),
  code: z.string(),
  message: z.string(),
});
export type QueryView = z.infer<typeof queryViewSchema>;

export const fileViewSchema = z.object({
  name: z.string(),
  sha256: z.string(),
  code: z.string().optional(),
  /** Withdrawn by the agency: when (UK time) and why; no longer counted or packed. */
  withdrawn: z.object({ atUk: z.string(), reason: z.string() }).optional(),
});
export type FileView = z.infer<typeof fileViewSchema>;

export const deliverableViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.string(),
  ownerName: z.string(),
  kind: z.enum(['list', 'selection', 'documents', 'confirmation', 'evaluation', 'consent', 'answers']),
  day: z.number().int(),
  dueAt: z.string().describe('ISO instant'),
  dueUk: z.string().describe('UK time, for people'),
  dueStandsFor: z
    .string()
    .optional()
    .describe('Rehearsal: the time of the week rehearsed that the due time stands for'),
  status: z.enum(keysOf(STATUS_LABELS)),
  statusLabel: z.string(),
  received: instantView
    .extend({ late: z.boolean(), submissions: z.number().int(), files: z.array(fileViewSchema) })
    .optional(),
  waived: z.object({ at: z.string(), reason: z.string() }).optional(),
  extensions: z.array(z.object({ from: z.string(), to: z.string(), toUk: z.string(), reason: z.string() })),
  queries: z
    .array(queryViewSchema)
    .describe(
      'The first warnings on the latest list, for the agency to answer (queryCount says how many in all)',
    ),
  queryCount: z.number().int().describe('How many warnings the latest list has in all'),
  queriesAnswered: instantView.optional().describe('When the agency answered the queries on its latest list'),
  missingDocuments: z.array(z.string()).optional().describe('Annex A document codes not yet received'),
  chaseLog: z.array(
    instantView.extend({
      rung: z.string(),
      kind: z.string(),
      to: z.string(),
      delivery: z
        .enum(DELIVERY_STATUSES)
        .optional()
        .describe('Where its email stands: queued, sent, failing (retried), given-up, or skipped'),
      reason: z.string().optional().describe('Why it is failing, given up or skipped, one line'),
    }),
  ),
});
export type DeliverableView = z.infer<typeof deliverableViewSchema>;

/** Emails to one agency's contact (or escalation contact) that are failing or were given up. */
export const mailProblemSchema = z.object({
  agency: z.string(),
  agencyName: z.string(),
  to: z
    .enum(['contact', 'escalation-lead', 'coordinator'])
    .describe("Who: the agency's contact, its escalation lead, or the coordinator"),
  status: z
    .enum(['failing', 'given-up'])
    .describe('failing: still retried; given-up: not sent, needs a person'),
  since: z.string().describe('ISO instant: when the first of them began failing'),
  sinceUk: z.string(),
  reason: z.string().describe('The last failure, one line'),
  waiting: z.number().int().describe('How many emails to them are failing or were given up'),
});
export type MailProblemView = z.infer<typeof mailProblemSchema>;

export const inspectionViewSchema = z.object({
  inspectionId: z.string(),
  localAuthority: z.string(),
  rehearsal: rehearsalViewSchema.optional(),
  option: z.enum(['A', 'B']),
  notifiedOn: z.string(),
  stage: z.enum(keysOf(STAGE_LABELS)),
  overdue: z.number().int(),
  nextDue: z.string().optional(),
  nextDueUk: z.string().optional(),
  tracked: z.number().int().describe('How many children are tracked'),
  selected: z.number().int().describe('How many children are selected for more information'),
  ended: z.boolean(),
  cancelled: z.object({ at: z.string(), reason: z.string() }).optional(),
  mailProblems: z
    .array(mailProblemSchema)
    .describe('Email that is failing or was given up, by agency and recipient: shown prominently'),
  children: z
    .object({ selected: z.array(z.string()), tracked: z.array(z.string()) })
    .optional()
    .describe('The child IDs selected and tracked: for coordinators only (managers see the counts above)'),
  deliverables: z.array(deliverableViewSchema),
});
export type InspectionView = z.infer<typeof inspectionViewSchema>;

/** What a recorded submission, selection or confirmation answers. */
export const receiptSchema = z.object({
  deliverableId: z.string(),
  submissionId: z.string(),
  receivedAt: z.number().describe('milliseconds since the epoch'),
  late: z.boolean(),
  complete: z
    .boolean()
    .describe('Whether nothing more is owed for it (a per-child deliverable may need more)'),
  queries: z.array(queryViewSchema),
});
export type ReceiptView = z.infer<typeof receiptSchema>;
/** The workflow's receipt is what the API sends: typecheck fails unless the schema describes it exactly. */
export const RECEIPT_SCHEMA_MATCHES: Same<ReceiptView, Receipt> = true;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const inspectionSummarySchema = z.object({
  inspectionId: z.string(),
  rehearsal: z.literal(true).optional().describe('A rehearsal, counted apart from real inspections'),
  localAuthority: z.string(),
  status: z.string().describe('The workflow status: RUNNING, COMPLETED, …'),
  stage: z.string(),
  nextDue: z.string().optional().describe('UK time'),
  overdue: z.number().int().optional().describe('Absent when the inspection could not be read'),
  unavailable: z.string().optional().describe('Why the inspection could not be read, when it could not'),
  mailFailing: z
    .number()
    .int()
    .optional()
    .describe('How many of its emails are failing or were given up (absent when none)'),
});
export type InspectionSummary = z.infer<typeof inspectionSummarySchema>;

/** Within this of its deadline, an open deliverable is due soon. */
export const DUE_SOON_MS = 24 * 3_600_000;

/** Where a deliverable stands for someone scanning a page: its status, with "due soon" split out. */
export type Progress = 'received' | 'due-soon' | 'overdue' | 'waived' | 'awaiting' | 'not-yet-requested';

export function progressOf(status: DeliverableStatus, dueAt: Instant, now: Instant): Progress {
  switch (status) {
    case 'received':
    case 'received-late':
      return 'received';
    case 'awaiting':
    case 'extended':
      return dueAt - now <= DUE_SOON_MS ? 'due-soon' : 'awaiting';
    case 'optional':
      return 'awaiting';
    default:
      return status;
  }
}

/** Annex A documents a deliverable still lacks, where it has a checklist (one agency's documents). */
function missingDocuments(d: DeliverableState): Pick<DeliverableView, 'missingDocuments'> {
  return d.kind === 'documents' && !d.perTrackedChild && d.documents.length > 0
    ? { missingDocuments: missingDocumentCodes(d) }
    : {};
}

function answeredView(d: DeliverableState): Pick<DeliverableView, 'queriesAnswered'> {
  const latest = d.submissions.at(-1);
  const answered = latest && d.queryAnswers?.filter((a) => a.submissionId === latest.id).at(-1);
  return answered ? { queriesAnswered: at(answered.at) } : {};
}

export function deliverableView(
  state: InspectionRecord,
  d: DeliverableState,
  now: Instant,
  rehearsal?: RehearsalContext,
): DeliverableView {
  const status = deliverableStatus(state, d, now);
  const dueStandsFor = standsForIn(rehearsal, d.dueAt);
  return {
    id: d.id,
    title: d.title,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    kind: d.kind,
    day: d.day,
    dueAt: iso(d.dueAt),
    dueUk: formatUkDateTime(d.dueAt),
    ...(dueStandsFor ? { dueStandsFor } : {}),
    status,
    statusLabel: STATUS_LABELS[status],
    ...(d.receivedAt !== undefined
      ? {
          received: {
            ...at(d.receivedAt),
            late: d.late ?? false,
            submissions: d.submissions.length,
            files: d.submissions.flatMap((s) =>
              s.files.map((f) => ({ name: f.name, sha256: f.sha256, ...(f.code ? { code: f.code } : {}) })),
            ),
          },
        }
      : {}),
    ...(d.waived ? { waived: { at: iso(d.waived.at), reason: d.waived.reason } } : {}),
    extensions: d.extensions.map((e) => ({
      from: iso(e.from),
      to: iso(e.to),
      toUk: formatUkDateTime(e.to),
      reason: e.reason,
    })),
    queries: d.submissions.at(-1)?.queries ?? [],
    queryCount: d.submissions.at(-1)?.queryCount ?? d.submissions.at(-1)?.queries?.length ?? 0,
    ...answeredView(d),
    ...missingDocuments(d),
    chaseLog: d.chaseLog.map((c) => ({
      rung: c.rung,
      kind: c.kind,
      to: c.to,
      ...at(c.at),
      ...deliveryOf(state, c.messageKey),
    })),
  };
}

/**
 * Who is looking, for the views that may hold child IDs: a coordinator sees them (the CLI, run on the host, sees
 * what a coordinator sees); a manager sees how many and how far along, never which children.
 */
export type Viewer = 'coordinator' | 'manager';
export const seesChildIds = (viewer: Viewer): boolean => viewer === 'coordinator';

/**
 * With `rehearsal`, each due time also says what it stands for in the week rehearsed. Child IDs only for a
 * viewer who may see them (`viewer`, a manager unless said).
 */
export function inspectionView(
  state: InspectionRecord,
  now: Instant,
  rehearsal?: RehearsalContext,
  viewer: Viewer = 'manager',
): InspectionView {
  const due = nextDue(state);
  const ended = isEnded(state);
  return {
    inspectionId: state.inspectionId,
    localAuthority: state.localAuthority,
    ...rehearsalView(state, rehearsal),
    option: state.option,
    notifiedOn: state.notifiedOn,
    stage: stageOf(state),
    overdue: overdueCount(state, now),
    ...(due !== undefined && !ended ? { nextDue: iso(due), nextDueUk: formatUkDateTime(due) } : {}),
    tracked: state.selection.tracked.length,
    selected: state.selection.twenty.length,
    ended,
    ...(state.cancelled
      ? {
          cancelled: {
            at: iso(state.cancelled.at),
            reason: seesChildIds(viewer) ? state.cancelled.reason : SHOWN_TO_COORDINATORS,
          },
        }
      : {}),
    mailProblems: mailProblemsView(state),
    ...(seesChildIds(viewer)
      ? { children: { selected: [...state.selection.twenty], tracked: [...state.selection.tracked] } }
      : {}),
    deliverables: state.deliverables.map((d) => {
      const v = deliverableView(state, d, now, rehearsal);
      return seesChildIds(viewer) ? v : withoutFreeText(v);
    }),
  };
}

/** Kept from a manager: free text (reasons, list queries) and names agencies gave files may name a child. */
export const SHOWN_TO_COORDINATORS = 'shown to coordinators only';

/** A deliverable as a manager sees it: its files named by what they are, no reasons, no query messages. */
function withoutFreeText(v: DeliverableView): DeliverableView {
  return {
    ...v,
    ...(v.received
      ? {
          received: {
            ...v.received,
            files: v.received.files.map((f) => ({ ...f, name: `${f.code ? `${f.code} ` : ''}${v.title}` })),
          },
        }
      : {}),
    ...(v.waived ? { waived: { ...v.waived, reason: SHOWN_TO_COORDINATORS } } : {}),
    extensions: v.extensions.map((e) => ({ ...e, reason: SHOWN_TO_COORDINATORS })),
    queries: [],
  };
}

/** Missing documents are worth mentioning only while the deliverable is asked for and not waived. */
export function missingToShow(d: DeliverableView): string[] {
  return d.missingDocuments && d.status !== 'waived' && d.status !== 'not-yet-requested'
    ? d.missingDocuments
    : [];
}
