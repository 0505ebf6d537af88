import { z } from 'zod';
import { csvDocument } from '../../lists/safe-cells';
import { formatUkDateTime, iso } from '../../timeline/format';
import { rehearsedWorkingMinutes } from '../../timeline/rehearsal';
import { AGENCIES, PARTY_NAMES, type Instant } from '../../timeline/types';
import { deliverableStatus, isEnded, type DeliverableStatus } from '../../workflows/rules';
import type { DeliverableState, InspectionRecord } from '../../workflows/types';
import { rehearsalView, rehearsalViewSchema, standsForIn, type RehearsalContext } from './rehearsal';

/**
 * The coordinator's debrief: for each agency and deliverable, sent on time or how late, how many submissions
 * were refused before a clean one, and how long the chase took (asked to received, with the reminders and
 * escalations it needed). For a rehearsal, each length is also given in working time of the week rehearsed
 * ("3 minutes late" on a 20-minute day stands for 72 minutes of the working day).
 */

/** What became of a deliverable, in the debrief's words. */
export const OUTCOME_LABELS: Record<DeliverableStatus, string> = {
  received: 'sent on time',
  'received-late': 'sent late',
  optional: 'not sent (optional)',
  waived: 'waived',
  overdue: 'not received (overdue)',
  awaiting: 'not yet due',
  extended: 'not yet due (extended)',
  'not-yet-requested': 'never asked for',
};

const minutes = z.number().describe('Minutes, to a tenth');

export const debriefRowSchema = z.object({
  agency: z.string(),
  agencyName: z.string(),
  deliverableId: z.string(),
  title: z.string(),
  dueAt: z.string().describe('ISO instant, after any extension'),
  dueUk: z.string(),
  dueStandsFor: z.string().optional().describe('Rehearsal: the time of the week rehearsed'),
  outcome: z.enum(Object.keys(OUTCOME_LABELS) as [DeliverableStatus, ...DeliverableStatus[]]),
  outcomeLabel: z.string(),
  sentAt: z.string().optional().describe('When it was sent, ISO instant'),
  sentUk: z.string().optional(),
  lateMinutes: minutes.optional().describe('How late it was sent, in real minutes'),
  lateWorkingMinutes: minutes
    .optional()
    .describe('Rehearsal: how late, in working minutes of the week rehearsed'),
  refusals: z
    .number()
    .int()
    .optional()
    .describe('Submissions refused (a list with errors) before it was received; absent where not counted'),
  accepted: z.number().int().describe('Submissions recorded'),
  reminders: z.number().int(),
  escalations: z.number().int(),
  extensions: z.number().int(),
  chaseMinutes: minutes
    .optional()
    .describe('From being asked to being received, waived or (if neither) the end or now, in real minutes'),
  chaseWorkingMinutes: minutes.optional().describe('Rehearsal: the same in working minutes of the week'),
});
export type DebriefRow = z.infer<typeof debriefRowSchema>;

export const debriefSchema = z.object({
  inspectionId: z.string(),
  localAuthority: z.string(),
  rehearsal: rehearsalViewSchema.optional(),
  ended: z.boolean().describe('False: the debrief so far'),
  at: z.string().describe('The instant it was drawn up (the end, once ended)'),
  counts: z
    .array(z.object({ outcome: z.string(), label: z.string(), count: z.number().int() }))
    .describe('Deliverables by outcome, in the order of OUTCOME_LABELS'),
  rows: z.array(debriefRowSchema),
});
export type Debrief = z.infer<typeof debriefSchema>;

const MINUTE = 60_000;
const tenth = (n: number) => Math.round(n * 10) / 10;

/** Workflow state as it may count refused submissions (once the workflow does). */
type Counted = DeliverableState & { refusedSubmissions?: number };

function debriefRow(
  state: InspectionRecord,
  d: Counted,
  at: Instant,
  rehearsal: RehearsalContext | undefined,
): DebriefRow {
  const outcome = deliverableStatus(state, d, at);
  const working = (from: Instant, to: Instant) =>
    rehearsal ? tenth(rehearsedWorkingMinutes(rehearsal.clock, rehearsal.calendar, from, to)) : undefined;
  const late = d.receivedAt !== undefined && d.late ? d.receivedAt : undefined;
  const chaseEnd = d.receivedAt ?? d.waived?.at ?? at;
  const dueStandsFor = standsForIn(rehearsal, d.dueAt);
  const lateWorking = late !== undefined ? working(d.dueAt, late) : undefined;
  const chaseWorking = d.requestedAt !== undefined ? working(d.requestedAt, chaseEnd) : undefined;
  return {
    agency: d.owner,
    agencyName:
      state.contacts.agencies[d.owner as keyof typeof state.contacts.agencies]?.name ?? PARTY_NAMES[d.owner],
    deliverableId: d.id,
    title: d.title,
    dueAt: iso(d.dueAt),
    dueUk: formatUkDateTime(d.dueAt),
    ...(dueStandsFor ? { dueStandsFor } : {}),
    outcome,
    outcomeLabel: OUTCOME_LABELS[outcome],
    ...(d.receivedAt !== undefined
      ? { sentAt: iso(d.receivedAt), sentUk: formatUkDateTime(d.receivedAt) }
      : {}),
    ...(late !== undefined ? { lateMinutes: tenth((late - d.dueAt) / MINUTE) } : {}),
    ...(lateWorking !== undefined ? { lateWorkingMinutes: lateWorking } : {}),
    ...(typeof d.refusedSubmissions === 'number' ? { refusals: d.refusedSubmissions } : {}),
    accepted: d.submissions.length,
    reminders: d.chaseLog.filter((c) => c.kind === 'reminder').length,
    escalations: d.chaseLog.filter((c) => c.kind === 'escalation').length,
    extensions: d.extensions.length,
    ...(d.requestedAt !== undefined ? { chaseMinutes: tenth((chaseEnd - d.requestedAt) / MINUTE) } : {}),
    ...(chaseWorking !== undefined ? { chaseWorkingMinutes: chaseWorking } : {}),
  };
}

/** The debrief of an inspection or rehearsal at `now` (at its end, once it has ended). */
export function debriefOf(state: InspectionRecord, now: Instant, rehearsal?: RehearsalContext): Debrief {
  const ended = isEnded(state);
  const at = ended ? (state.endedAt ?? state.cancelled?.at ?? now) : now;
  const agencyOrder = (owner: string) => (AGENCIES as readonly string[]).indexOf(owner);
  const rows = state.deliverables
    .filter((d) => d.chase)
    .sort((a, b) => agencyOrder(a.owner) - agencyOrder(b.owner) || a.dueAt - b.dueAt)
    .map((d) => debriefRow(state, d, at, rehearsal));
  const counts = (Object.entries(OUTCOME_LABELS) as [DeliverableStatus, string][])
    .map(([outcome, label]) => ({ outcome, label, count: rows.filter((r) => r.outcome === outcome).length }))
    .filter((c) => c.count > 0);
  return {
    inspectionId: state.inspectionId,
    localAuthority: state.localAuthority,
    ...rehearsalView(state, rehearsal),
    ended,
    at: iso(at),
    counts,
    rows,
  };
}

/** "1 h 40 min", "3.5 min", "45 s": a length of time for people. */
export function formatMinutes(total: number): string {
  const sign = total < 0 ? '−' : '';
  const m = Math.abs(total);
  if (m < 1) return `${sign}${Math.round(m * 60)} s`;
  if (m < 60) return `${sign}${tenth(m)} min`;
  const hours = Math.floor(m / 60);
  const rest = Math.round(m - hours * 60);
  return `${sign}${hours} h${rest ? ` ${rest} min` : ''}`;
}

/** The columns of the debrief's CSV: header and value, numbers as numbers (a spreadsheet sums them). */
const CSV_COLUMNS: [string, (row: DebriefRow) => string | number | undefined][] = [
  ['Agency', (r) => r.agencyName],
  ['Deliverable', (r) => r.title],
  ['Deliverable id', (r) => r.deliverableId],
  ['Due (UK time)', (r) => r.dueUk],
  ['Stands for (week rehearsed)', (r) => r.dueStandsFor],
  ['Outcome', (r) => r.outcomeLabel],
  ['Sent (UK time)', (r) => r.sentUk],
  ['Late by (minutes)', (r) => r.lateMinutes],
  ['Late by (working minutes of the week)', (r) => r.lateWorkingMinutes],
  ['Refused submissions', (r) => r.refusals],
  ['Submissions recorded', (r) => r.accepted],
  ['Reminders', (r) => r.reminders],
  ['Escalations', (r) => r.escalations],
  ['Extensions', (r) => r.extensions],
  ['Chase took (minutes)', (r) => r.chaseMinutes],
  ['Chase took (working minutes of the week)', (r) => r.chaseWorkingMinutes],
];

/** The debrief as CSV (UTF-8 with a byte-order mark for Excel); every cell neutralised against formulas. */
export function debriefCsv(debrief: Debrief): string {
  return csvDocument([
    CSV_COLUMNS.map(([header]) => header),
    ...debrief.rows.map((row) => CSV_COLUMNS.map(([, value]) => value(row))),
  ]);
}
