import type { ScheduledDeliverable } from '../timeline/schedule';
import { toIcs } from '../timeline/ics';
import { formatUkDateTime } from '../timeline/format';
import { PARTY_NAMES, type Instant } from '../timeline/types';
import {
  deliverableStatus,
  nextDue,
  overdueCount,
  stageOf,
  STATUS_LABELS,
  type DeliverableStatus,
} from '../workflows/rules';
import type { InspectionState, Stage } from '../workflows/types';

/**
 * What people see of an inspection: derived from workflow state at a given instant, as plain data
 * (for --json, the web app and the API) and as text (for the terminal). Child IDs are not shown.
 */
export interface DeliverableView {
  id: string;
  title: string;
  owner: string;
  ownerName: string;
  kind: string;
  day: number;
  dueAt: string;
  dueUk: string;
  status: DeliverableStatus;
  statusLabel: string;
  received?: {
    at: string;
    atUk: string;
    late: boolean;
    submissions: number;
    files: { name: string; sha256: string; code?: string }[];
  };
  waived?: { at: string; reason: string };
  extensions: { from: string; to: string; toUk: string; reason: string }[];
  queries: { row: number; column: string; code: string; message: string }[];
  /** When the agency answered the queries on its latest list. */
  queriesAnswered?: { at: string; atUk: string };
  missingDocuments?: string[];
  chaseLog: { rung: string; kind: string; to: string; at: string; atUk: string }[];
}

export interface InspectionView {
  inspectionId: string;
  localAuthority: string;
  option: string;
  notifiedOn: string;
  stage: Stage;
  overdue: number;
  nextDue?: string;
  nextDueUk?: string;
  tracked: number;
  selected: number;
  ended: boolean;
  cancelled?: { at: string; reason: string };
  deliverables: DeliverableView[];
}

const iso = (at: Instant) => new Date(at).toISOString();

/** Stages in words, for people. */
export const STAGE_LABELS: Record<Stage, string> = {
  'case-lists': 'case lists',
  'case-selection': 'case selection',
  documents: 'key documents',
  evaluation: 'evaluations',
  completed: 'completed',
  cancelled: 'cancelled',
};

export function inspectionView(state: InspectionState, at: Instant): InspectionView {
  const due = nextDue(state);
  return {
    inspectionId: state.inspectionId,
    localAuthority: state.localAuthority,
    option: state.option,
    notifiedOn: state.notifiedOn,
    stage: stageOf(state),
    overdue: overdueCount(state, at),
    ...(due !== undefined && !state.endedAt && !state.cancelled
      ? { nextDue: iso(due), nextDueUk: formatUkDateTime(due) }
      : {}),
    tracked: state.selection.tracked.length,
    selected: state.selection.twenty.length,
    ended: state.endedAt !== undefined || state.cancelled !== undefined,
    ...(state.cancelled
      ? { cancelled: { at: iso(state.cancelled.at), reason: state.cancelled.reason } }
      : {}),
    deliverables: state.deliverables.map((d) => {
      const status = deliverableStatus(state, d, at);
      const files = d.submissions.flatMap((s) =>
        s.files.map((f) => ({ name: f.name, sha256: f.sha256, ...(f.code ? { code: f.code } : {}) })),
      );
      const codes = new Set(files.map((f) => f.code));
      return {
        id: d.id,
        title: d.title,
        owner: d.owner,
        ownerName: PARTY_NAMES[d.owner],
        kind: d.kind,
        day: d.day,
        dueAt: iso(d.dueAt),
        dueUk: formatUkDateTime(d.dueAt),
        status,
        statusLabel: STATUS_LABELS[status],
        ...(d.receivedAt !== undefined
          ? {
              received: {
                at: iso(d.receivedAt),
                atUk: formatUkDateTime(d.receivedAt),
                late: d.late ?? false,
                submissions: d.submissions.length,
                files,
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
        ...answeredView(d),
        ...(d.kind === 'documents' && !d.perTrackedChild && d.documents.length > 0
          ? { missingDocuments: d.documents.filter((doc) => !codes.has(doc.code)).map((doc) => doc.code) }
          : {}),
        chaseLog: d.chaseLog.map((c) => ({
          rung: c.rung,
          kind: c.kind,
          to: c.to,
          at: iso(c.at),
          atUk: formatUkDateTime(c.at),
        })),
      };
    }),
  };
}

function answeredView(d: InspectionState['deliverables'][number]): Pick<DeliverableView, 'queriesAnswered'> {
  const latest = d.submissions.at(-1);
  const answered = latest && d.queryAnswers?.filter((a) => a.submissionId === latest.id).at(-1);
  return answered ? { queriesAnswered: { at: iso(answered.at), atUk: formatUkDateTime(answered.at) } } : {};
}

/** A fixed-width table for the terminal. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatStatus(view: InspectionView): string {
  const header = [
    `${view.localAuthority}: JTAI notified ${view.notifiedOn}, option ${view.option} (${view.inspectionId})`,
    `Stage: ${STAGE_LABELS[view.stage]}. Overdue: ${view.overdue}.${view.nextDueUk ? ` Next due: ${view.nextDueUk} UK time.` : ''}` +
      (view.cancelled ? ` Cancelled: ${view.cancelled.reason}.` : ''),
    '',
  ];
  const rows = view.deliverables.map((d) => [
    d.dueUk,
    d.ownerName,
    d.id,
    d.statusLabel,
    d.received
      ? `${d.received.files.length} file(s), ${d.received.atUk}`
      : d.waived
        ? `waived: ${d.waived.reason}`
        : '',
  ]);
  const details = view.deliverables.flatMap((d) => [
    ...d.extensions.map((e) => `  ${d.id}: extended to ${e.toUk} (${e.reason})`),
    ...(d.missingDocuments &&
    d.missingDocuments.length > 0 &&
    d.status !== 'waived' &&
    d.status !== 'not-yet-requested'
      ? [`  ${d.id}: documents still missing: ${d.missingDocuments.join(', ')}`]
      : []),
    ...d.queries.map((q) => `  ${d.id}: query, row ${q.row}, column "${q.column}": ${q.message}`),
    ...(d.queriesAnswered ? [`  ${d.id}: queries answered ${d.queriesAnswered.atUk}`] : []),
    ...d.chaseLog.map((c) => `  ${d.id}: ${c.kind} (${c.rung}) to ${c.to}, ${c.atUk}`),
  ]);
  return [
    ...header,
    table(['Due (UK time)', 'Owed by', 'Deliverable', 'State', 'Received'], rows),
    '',
    ...(details.length ? ['Chase log and notes:', ...details] : []),
  ].join('\n');
}

/** The Annex C timeline: every deliverable with its due time, owner and chasing, for `jtai timeline` and the web. */
export function timelineRows(deliverables: readonly ScheduledDeliverable[]) {
  return deliverables.map((d) => ({
    day: d.day,
    dueAt: iso(d.dueAt),
    dueUk: formatUkDateTime(d.dueAt),
    id: d.id,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    title: d.title,
    description: d.description,
    ...(d.requires ? { after: d.requires } : {}),
    reminders: d.ladder.map((r) => ({ rung: r.id, to: r.to, at: iso(r.at), atUk: formatUkDateTime(r.at) })),
  }));
}

/** The deadlines as a calendar file agencies can import into Outlook (one event per deliverable). */
export function timelineIcs(
  calendarName: string,
  notifiedOn: string,
  deliverables: readonly ScheduledDeliverable[],
): string {
  return toIcs(
    calendarName,
    timelineRows(deliverables).map((r) => ({
      uid: `${r.id}-${notifiedOn}@jtai`,
      start: Date.parse(r.dueAt),
      summary: `JTAI: ${r.title} (${r.ownerName})`,
      description: `${r.description}\nDay ${r.day}. Owed by ${r.ownerName}.`,
    })),
  );
}
