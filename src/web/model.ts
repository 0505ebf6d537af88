import { inspectionView, type DeliverableView, type InspectionView } from '../client/view';
import { formatUkDateTime } from '../timeline/format';
import type { DocumentItem } from '../timeline/theme';
import { AGENCIES, PARTY_NAMES, type AgencyId, type Instant } from '../timeline/types';
import type { DeliverableStatus } from '../workflows/rules';
import type { DeliverableState, InspectionState, ListQuery } from '../workflows/types';

/**
 * What the pages show, derived from workflow state: pure functions, no I/O. The agency's model holds only
 * that agency's deliverables; child IDs appear only where the agency owes something per tracked child.
 */

/** Within this of its deadline, an open deliverable is "due soon". */
export const DUE_SOON_MS = 24 * 3_600_000;

export interface Tag {
  text: string;
  classes: string;
  /** received | due-soon | overdue | waived | awaiting | … for tests and styling */
  colour: string;
}

export function tagFor(status: DeliverableStatus, dueAt: Instant, now: Instant): Tag {
  switch (status) {
    case 'received':
      return { text: 'received', classes: 'govuk-tag--green', colour: 'received' };
    case 'received-late':
      return { text: 'received late', classes: 'govuk-tag--teal', colour: 'received' };
    case 'overdue':
      return { text: 'overdue', classes: 'govuk-tag--red', colour: 'overdue' };
    case 'waived':
      return { text: 'waived', classes: 'govuk-tag--grey', colour: 'waived' };
    case 'not-yet-requested':
      return { text: 'not yet requested', classes: 'govuk-tag--grey', colour: 'not-yet-requested' };
    case 'awaiting':
    case 'extended': {
      const soon = dueAt - now <= DUE_SOON_MS;
      const text = status === 'extended' ? 'extended' : 'awaiting';
      return soon
        ? { text: `${text}, due soon`, classes: 'govuk-tag--yellow', colour: 'due-soon' }
        : { text, classes: 'govuk-tag--blue', colour: 'awaiting' };
    }
  }
}

export interface ChildProgress {
  childId: string;
  received: boolean;
  receivedAtUk?: string;
  files: { name: string; code?: string }[];
  note?: string;
}

export interface AgencyItem {
  view: DeliverableView;
  tag: Tag;
  description: string;
  /** What the agency does on its page for it. */
  action?: string;
  documents: DocumentItem[];
  /** Document codes received so far (documents kinds). */
  receivedCodes: string[];
  perChild?: ChildProgress[];
  waitsFor?: string;
  list?: string;
  lastQueries: ListQuery[];
}

export interface AgencyPage {
  inspectionId: string;
  localAuthority: string;
  agency: AgencyId;
  agencyName: string;
  coordinator: { name: string; email: string };
  notifiedOn: string;
  ended: boolean;
  items: AgencyItem[];
  owed: AgencyItem[];
  settled: AgencyItem[];
  next: AgencyItem[];
  nextDueUk?: string;
}

const ACTIONS: Record<string, string> = {
  list: 'Upload the list',
  documents: 'Upload documents',
  evaluation: 'Give the evaluations',
  consent: 'Confirm the arrangements',
};

function progressByChild(state: InspectionState, d: DeliverableState): ChildProgress[] {
  return state.selection.tracked.map((childId) => {
    const subs = d.submissions.filter((s) => s.childId === childId);
    const last = subs.at(-1);
    return {
      childId,
      received: subs.length > 0,
      ...(last ? { receivedAtUk: formatInstant(last.at) } : {}),
      files: subs.flatMap((s) => s.files.map((f) => ({ name: f.name, ...(f.code ? { code: f.code } : {}) }))),
      ...(last?.note ? { note: last.note } : {}),
    };
  });
}

const formatInstant = (at: Instant) => formatUkDateTime(at);

export function agencyItem(
  state: InspectionState,
  view: InspectionView,
  d: DeliverableState,
  now: Instant,
): AgencyItem {
  const v = view.deliverables.find((x) => x.id === d.id) as DeliverableView;
  const requirement = d.requires ? state.deliverables.find((x) => x.key === d.requires) : undefined;
  const receivedCodes = [
    ...new Set(d.submissions.flatMap((s) => s.files.map((f) => f.code)).filter((c): c is string => !!c)),
  ];
  return {
    view: v,
    tag: tagFor(v.status, d.dueAt, now),
    description: d.description,
    ...(ACTIONS[d.kind] ? { action: ACTIONS[d.kind] } : {}),
    documents: d.documents,
    receivedCodes,
    ...(d.perTrackedChild ? { perChild: progressByChild(state, d) } : {}),
    ...(requirement && d.requestedAt === undefined ? { waitsFor: requirement.title } : {}),
    ...(d.list ? { list: d.list } : {}),
    lastQueries: d.submissions.at(-1)?.queries ?? [],
  };
}

export function agencyPage(state: InspectionState, agency: AgencyId, now: Instant): AgencyPage {
  const view = inspectionView(state, now);
  const items = state.deliverables
    .filter((d) => d.owner === agency)
    .map((d) => agencyItem(state, view, d, now));
  const settledStatuses = ['received', 'received-late', 'waived'];
  const owed = items.filter(
    (i) => i.view.status !== 'not-yet-requested' && !settledStatuses.includes(i.view.status),
  );
  const nextOwed = owed.map((i) => i.view.dueAt).sort()[0];
  return {
    inspectionId: state.inspectionId,
    localAuthority: state.localAuthority,
    agency,
    agencyName: state.contacts.agencies[agency]?.name ?? PARTY_NAMES[agency],
    coordinator: state.contacts.coordinator,
    notifiedOn: state.notifiedOn,
    ended: view.ended,
    items,
    owed,
    settled: items.filter((i) => settledStatuses.includes(i.view.status)),
    next: items.filter((i) => i.view.status === 'not-yet-requested'),
    ...(nextOwed ? { nextDueUk: formatInstant(Date.parse(nextOwed)) } : {}),
  };
}

export function isAgency(x: string): x is AgencyId {
  return (AGENCIES as readonly string[]).includes(x);
}

/** Rows of the GOV.UK task list on an agency's page. */
export function taskListItems(items: AgencyItem[], base: string, ended: boolean) {
  return items.map((i) => {
    const v = i.view;
    const parts = [`Due ${v.dueUk}`];
    if (v.received) {
      const n = v.received.files.length;
      parts.push(`Received ${v.received.atUk}${n ? `: ${n} file${n === 1 ? '' : 's'}` : ''}`);
    }
    if (v.waived) parts.push(`Waived: ${v.waived.reason}`);
    if (v.missingDocuments?.length && v.status !== 'waived' && v.status !== 'not-yet-requested')
      parts.push(`Still missing: ${v.missingDocuments.join(', ')}`);
    if (i.perChild && i.perChild.length > 0)
      parts.push(
        `${i.perChild.filter((c) => c.received).length} of ${i.perChild.length} tracked children done`,
      );
    if (i.lastQueries.length)
      parts.push(`${i.lastQueries.length} ${i.lastQueries.length === 1 ? 'query' : 'queries'} to check`);
    const open = !!i.action && !ended && v.status !== 'waived' && v.status !== 'not-yet-requested';
    return {
      title: { text: v.title },
      ...(open ? { href: `${base}/d/${encodeURIComponent(v.id)}` } : {}),
      hint: { text: parts.join('. ') },
      status: { tag: { text: i.tag.text, classes: i.tag.classes } },
    };
  });
}
