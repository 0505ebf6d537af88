import { formatUkDateTime, iso } from '../../timeline/format';
import type { DocumentItem } from '../../timeline/theme';
import { themeById } from '../../timeline/themes';
import { PARTY_NAMES, type AgencyId, type DeliverableKind, type Instant } from '../../timeline/types';
import { isEnded, keptFiles } from '../../workflows/rules';
import type { DeliverableState, InspectionRecord } from '../../workflows/types';
import { childProgress, type ChildDeliverableProgress } from './children';
import {
  deliverableView,
  progressOf,
  type FileView,
  type DeliverableView,
  type Progress,
  type QueryView,
} from './inspection';
import { isRehearsal } from './rehearsal';
import { agencyAnswers, type AgencyAnswersView } from './twenty';

/**
 * What an agency's link pages show: only that agency's deliverables; child IDs only where the agency owes
 * something per tracked child.
 */

export interface SubmissionView {
  id: string;
  at: string;
  atUk: string;
  late: boolean;
  files: FileView[];
  rows?: number;
  note?: string;
  childId?: string;
}

export interface AgencyItem {
  view: DeliverableView;
  progress: Progress;
  description: string;
  kind: DeliverableKind;
  list?: string;
  perTrackedChild: boolean;
  documents: DocumentItem[];
  /** Document codes received so far (documents kinds). */
  receivedCodes: string[];
  perChild?: ChildDeliverableProgress[];
  /** The title of what must come first, while this one is not yet asked for. */
  waitsFor?: string;
  /** The warnings on the latest list, and that list's submission (whose queries are answered). */
  lastQueries: QueryView[];
  latestSubmissionId?: string;
  submissions: SubmissionView[];
  /** Option A: the agency's own questions for the 20 children and its answers so far (kind 'answers'). */
  answers?: AgencyAnswersView;
  /** Files sent may still be withdrawn (before the deadline, not a list: a list is replaced by sending it again). */
  canWithdraw: boolean;
}

export interface AgencyView {
  inspectionId: string;
  localAuthority: string;
  agency: AgencyId;
  agencyName: string;
  coordinator: { name: string; email: string };
  notifiedOn: string;
  option: 'A' | 'B';
  /** A rehearsal, not a real inspection: its pages say so, and offer synthetic lists. */
  rehearsal: boolean;
  /** The link version now valid: an older link has been revoked. */
  linkVersion: number;
  /** The run of the workflow links must name (see InspectionRecord.runNonce). */
  linkRun: string;
  ended: boolean;
  /** The tracked children, when the agency owes something per tracked child (else none). */
  trackedChildren: string[];
  /** Annex B's header items (the child's age, individual needs), asked before the questions (else none). */
  evaluationHeader: { label: string; hint?: string }[];
  /** The Annex B questions, when the agency owes a joint evaluation (else none). */
  evaluationQuestions: string[];
  items: AgencyItem[];
  owed: AgencyItem[];
  /** Asked for where possible (individual evaluations, a note of context): never chased, never overdue. */
  optional: AgencyItem[];
  settled: AgencyItem[];
  next: AgencyItem[];
  nextDueUk?: string;
  /** The coordinator's messages to this agency, newest first. */
  messages: { id: string; atUk: string; text: string }[];
}

const SETTLED = new Set(['received', 'received-late', 'waived']);

function submissionViews(d: DeliverableState): SubmissionView[] {
  return d.submissions.map((s) => ({
    id: s.id,
    at: iso(s.at),
    atUk: formatUkDateTime(s.at),
    late: s.late,
    files: s.files.map((f) => ({
      name: f.name,
      sha256: f.sha256,
      ...(f.code ? { code: f.code } : {}),
      ...(f.withdrawn
        ? { withdrawn: { atUk: formatUkDateTime(f.withdrawn.at), reason: f.withdrawn.reason } }
        : {}),
    })),
    ...(s.rows !== undefined ? { rows: s.rows } : {}),
    ...(s.note ? { note: s.note } : {}),
    ...(s.childId ? { childId: s.childId } : {}),
  }));
}

function agencyItem(state: InspectionRecord, d: DeliverableState, now: Instant): AgencyItem {
  const view = deliverableView(state, d, now);
  const requirement = d.requires ? state.deliverables.find((x) => x.key === d.requires) : undefined;
  const latest = d.submissions.at(-1);
  return {
    view,
    progress: progressOf(view.status, d.dueAt, now),
    description: d.description,
    kind: d.kind,
    ...(d.list ? { list: d.list } : {}),
    perTrackedChild: d.perTrackedChild,
    documents: d.documents,
    receivedCodes: [
      ...new Set(
        d.submissions.flatMap((s) => keptFiles(s).map((f) => f.code)).filter((c): c is string => !!c),
      ),
    ],
    ...(d.perTrackedChild
      ? { perChild: state.selection.tracked.map((childId) => childProgress(d, childId)) }
      : {}),
    ...(requirement && d.requestedAt === undefined ? { waitsFor: requirement.title } : {}),
    lastQueries: latest?.queries ?? [],
    ...(latest ? { latestSubmissionId: latest.id } : {}),
    submissions: submissionViews(d),
    ...(d.kind === 'answers' ? { answers: agencyAnswers(d) } : {}),
    canWithdraw: d.kind !== 'list' && !isEnded(state) && now <= d.dueAt,
  };
}

export function agencyView(state: InspectionRecord, agency: AgencyId, now: Instant): AgencyView {
  const owned = state.deliverables.filter((d) => d.owner === agency);
  const items = owned.map((d) => agencyItem(state, d, now));
  const owed = items.filter(
    (i) => !['not-yet-requested', 'optional'].includes(i.view.status) && !SETTLED.has(i.view.status),
  );
  const nextOwed = owed.map((i) => i.view.dueAt).sort()[0];
  return {
    inspectionId: state.inspectionId,
    localAuthority: state.localAuthority,
    agency,
    agencyName: state.contacts.agencies[agency]?.name ?? PARTY_NAMES[agency],
    coordinator: state.contacts.coordinator,
    notifiedOn: state.notifiedOn,
    option: state.option,
    rehearsal: isRehearsal(state),
    linkVersion: state.linkVersions[agency],
    linkRun: state.runNonce,
    ended: isEnded(state),
    trackedChildren: owned.some((d) => d.perTrackedChild) ? [...state.selection.tracked] : [],
    evaluationHeader: owned.some((d) => d.kind === 'evaluation')
      ? [...(themeById(state.themeId).evaluationHeader ?? [])]
      : [],
    evaluationQuestions: owned.some((d) => d.kind === 'evaluation')
      ? [...themeById(state.themeId).evaluationQuestions]
      : [],
    items,
    owed,
    optional: items.filter((i) => i.view.status === 'optional'),
    settled: items.filter((i) => SETTLED.has(i.view.status)),
    next: items.filter((i) => i.view.status === 'not-yet-requested'),
    ...(nextOwed ? { nextDueUk: formatUkDateTime(Date.parse(nextOwed)) } : {}),
    messages: (state.messages ?? [])
      .filter((m) => m.agency === agency)
      .map((m) => ({ id: m.id, atUk: formatUkDateTime(m.at), text: m.text }))
      .reverse(),
  };
}
