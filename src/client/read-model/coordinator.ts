import { AGENCIES, PARTY_NAMES, type AgencyId, type Instant } from '../../timeline/types';
import { countedSubmissions, isEnded, isSettled } from '../../workflows/rules';
import type { InspectionRecord } from '../../workflows/types';
import {
  inspectionView,
  missingToShow,
  progressOf,
  seesChildIds,
  type DeliverableView,
  type InspectionView,
  type Progress,
  type Viewer,
} from './inspection';
import { childGrid, childGridWithoutIds, type ChildGrid } from './children';
import type { RehearsalContext } from './rehearsal';
import { formatUkDateTime } from '../../timeline/format';
import { receivedFiles } from '../../workflows/status';
import { receivedFileName } from './pack';

/** What the coordinator's and managers' page of one inspection shows. */

export interface TimelineEntry {
  view: DeliverableView;
  progress: Progress;
  /** Annex A codes still missing, while that is worth saying. */
  missing: string[];
  /** The title of what must come first, while this one is not yet asked for. */
  requires?: string;
  /** The agency's latest note (a note of context, no meetings to declare); per-child notes are in the grid. */
  note?: string;
}

export interface AgencyLinkView {
  id: AgencyId;
  name: string;
  contact: string;
  escalation: string;
  version: number;
  url: string;
}

export interface CoordinatorPage {
  view: InspectionView;
  /** Whether this page shows child IDs (a coordinator's) or only counts and progress (a manager's). */
  seesChildIds: boolean;
  days: { day: number; rows: TimelineEntry[] }[];
  counts: Record<Progress, number>;
  /** Each agency's contacts and current link; empty for readers who may not act. */
  agencies: AgencyLinkView[];
  selection: { twenty: string[]; tracked: string[] };
  limits: InspectionRecord['limits'];
  candidates: { id: string; lists: string[]; selected: boolean; tracked: boolean }[];
  canSelectTwenty: boolean;
  canSelectTracked: boolean;
  trackedChoices: string[];
  confirmations: { id: string; title: string }[];
  open: { id: string; title: string; ownerName: string; dueUk: string }[];
  /** Agency × tracked child: what has come for each child (empty until children are tracked). */
  childGrid: ChildGrid;
  /** The coordinator's messages to agencies, newest first. */
  messages: { agencyName: string; atUk: string; text: string }[];
  /** The agencies, for the forms that name one. */
  agencyChoices: { value: AgencyId; text: string }[];
  /** Every file received (of the latest submissions the status holds), newest first, named by what it is. */
  files: ReceivedFileView[];
}

export interface ReceivedFileView {
  sha256: string;
  /** What it is: `KD9 Chronology … - Example Police - Tracked child 2.pdf`. */
  name: string;
  agencyName: string;
  atUk: string;
  late: boolean;
  /** A browser can show it (PDF, text, picture); everything can be downloaded. */
  viewable: boolean;
}

function filesView(state: InspectionRecord): ReceivedFileView[] {
  return receivedFiles(state)
    .sort((a, b) => b.at - a.at)
    .map((f) => {
      const name = receivedFileName(state, f);
      return {
        sha256: f.sha256,
        name,
        agencyName: state.contacts.agencies[f.agency]?.name ?? PARTY_NAMES[f.agency],
        atUk: formatUkDateTime(f.at),
        late: f.late,
        viewable: /\.(pdf|txt|png|jpe?g)$/.test(name),
      };
    });
}

const NO_COUNTS: Record<Progress, number> = {
  received: 0,
  'due-soon': 0,
  overdue: 0,
  waived: 0,
  awaiting: 0,
  'not-yet-requested': 0,
};

/**
 * `candidates` are the children put forward on the lists (the `candidates` query); `linkFor` gives an agency's
 * current link (the client signs it); without it no links are shown. A rehearsal's clock (`rehearsal`) says
 * what each time stands for. For a manager (`viewer`) the page holds no child ID: no candidates or selection,
 * the grid's children numbered, not named, and without the agencies' notes (free text may name a child).
 */
export function coordinatorPage(
  state: InspectionRecord,
  candidates: Record<string, string[]>,
  now: Instant,
  linkFor?: (agency: AgencyId) => string,
  rehearsal?: RehearsalContext,
  viewer: Viewer = 'coordinator',
): CoordinatorPage {
  const page = fullCoordinatorPage(state, candidates, now, linkFor, rehearsal);
  if (seesChildIds(viewer)) return page;
  const view = inspectionView(state, now, rehearsal, viewer);
  const byId = new Map(view.deliverables.map((v) => [v.id, v]));
  return {
    ...page,
    view,
    // Each row as the manager's view has it, without the agency's note; no messages (free text, all of them).
    days: page.days.map((d) => ({
      ...d,
      rows: d.rows.map(({ note: _note, ...row }) => ({ ...row, view: byId.get(row.view.id) ?? row.view })),
    })),
    messages: [],
    seesChildIds: false,
    selection: { twenty: [], tracked: [] },
    candidates: [],
    canSelectTwenty: false,
    canSelectTracked: false,
    trackedChoices: [],
    childGrid: childGridWithoutIds(page.childGrid),
  };
}

function fullCoordinatorPage(
  state: InspectionRecord,
  candidates: Record<string, string[]>,
  now: Instant,
  linkFor?: (agency: AgencyId) => string,
  rehearsal?: RehearsalContext,
): CoordinatorPage {
  const view = inspectionView(state, now, rehearsal, 'coordinator');
  const rows = state.deliverables.map((d, i): TimelineEntry => {
    const v = view.deliverables[i] as DeliverableView;
    const requirement = d.requires ? state.deliverables.find((x) => x.key === d.requires) : undefined;
    const note =
      d.perTrackedChild || (!d.chase && !d.optional) ? undefined : countedSubmissions(d).at(-1)?.note;
    return {
      ...(note ? { note } : {}),
      view: v,
      progress: progressOf(v.status, d.dueAt, now),
      missing: missingToShow(v),
      ...(requirement && d.requestedAt === undefined ? { requires: requirement.title } : {}),
    };
  });
  const days: CoordinatorPage['days'] = [];
  // Deliverables added during the inspection come last in state: by day here (a stable sort keeps the rest).
  for (const row of [...rows].sort((a, b) => a.view.day - b.view.day)) {
    const last = days.at(-1);
    if (last && last.day === row.view.day) last.rows.push(row);
    else days.push({ day: row.view.day, rows: [row] });
  }
  const counts = { ...NO_COUNTS };
  for (const row of rows) counts[row.progress] += 1;

  const { selection } = state;
  const hasTwenty = state.deliverables.some((d) => d.key === 'selection-twenty');
  const twentyDone = state.deliverables.some((d) => d.key === 'selection-twenty' && isSettled(state, d));
  const perChildStarted = state.deliverables.some((d) => d.perTrackedChild && d.submissions.length > 0);
  const ended = isEnded(state);
  const settled = state.deliverables.map((d) => isSettled(state, d));
  const open = ended ? [] : rows.filter((_, i) => !settled[i]);
  const agencyName = (id: AgencyId) => state.contacts.agencies[id]?.name ?? PARTY_NAMES[id];
  return {
    view,
    seesChildIds: true,
    days,
    counts,
    childGrid: childGrid(state),
    messages: (state.messages ?? [])
      .map((m) => ({ agencyName: agencyName(m.agency), atUk: formatUkDateTime(m.at), text: m.text }))
      .reverse(),
    agencyChoices: AGENCIES.map((id) => ({ value: id, text: agencyName(id) })),
    files: filesView(state),
    agencies: linkFor
      ? AGENCIES.map((id) => ({
          id,
          name: state.contacts.agencies[id]?.name ?? PARTY_NAMES[id],
          contact: state.contacts.agencies[id]?.contact ?? '',
          escalation: state.contacts.agencies[id]?.escalation ?? '',
          version: state.linkVersions[id],
          url: linkFor(id),
        }))
      : [],
    selection: { twenty: [...selection.twenty], tracked: [...selection.tracked] },
    limits: state.limits,
    candidates: Object.entries(candidates)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, lists]) => ({
        id,
        lists,
        selected: selection.twenty.includes(id),
        tracked: selection.tracked.includes(id),
      })),
    canSelectTwenty: !ended && hasTwenty && selection.tracked.length === 0,
    canSelectTracked: !ended && !perChildStarted && (!hasTwenty || twentyDone),
    trackedChoices: hasTwenty ? [...selection.twenty] : Object.keys(candidates).sort(),
    confirmations: open
      .filter((r) => r.view.kind === 'confirmation' && r.view.status !== 'not-yet-requested')
      .map((r) => ({ id: r.view.id, title: r.view.title })),
    open: open.map((r) => ({
      id: r.view.id,
      title: r.view.title,
      ownerName: r.view.ownerName,
      dueUk: r.view.dueUk,
    })),
  };
}

/** Whether a page holds any child ID: children put forward, selected or tracked. */
export function showsChildren(page: CoordinatorPage): boolean {
  return (
    page.candidates.length > 0 ||
    page.selection.twenty.length > 0 ||
    page.selection.tracked.length > 0 ||
    page.childGrid.children.length > 0
  );
}
