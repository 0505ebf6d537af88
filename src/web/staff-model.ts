import { inspectionView, timelineIcs, type DeliverableView, type InspectionView } from '../client/view';
import type { Deployment } from '../infra';
import { AGENCIES, PARTY_NAMES, type AgencyId, type Instant } from '../timeline/types';
import { isSettled, linkExpiresAt } from '../workflows/rules';
import type { InspectionState } from '../workflows/types';
import { tagFor, type Tag } from './model';

/** What the coordinator's and managers' pages show of one inspection: pure, from state. */

export interface TimelineRow {
  view: DeliverableView;
  tag: Tag;
  requires?: string;
}

export interface AgencyLink {
  id: AgencyId;
  name: string;
  contact: string;
  escalation: string;
  version: number;
  url: string;
}

export interface InspectionPage {
  view: InspectionView;
  state: InspectionState;
  days: { day: number; rows: TimelineRow[] }[];
  counts: Record<string, number>;
  agencies: AgencyLink[];
  candidates: { id: string; lists: string[]; selected: boolean; tracked: boolean }[];
  canSelectTwenty: boolean;
  canSelectTracked: boolean;
  trackedChoices: string[];
  confirmations: { id: string; title: string }[];
  open: { id: string; title: string; ownerName: string; dueUk: string }[];
}

export function agencyLinkUrl(deployment: Deployment, state: InspectionState, agency: AgencyId): string {
  const token = deployment.links.sign({
    inspectionId: state.inspectionId,
    agency,
    version: state.linkVersions[agency],
    run: state.runNonce,
    expiresAt: linkExpiresAt(state),
  });
  return `${deployment.config.web.baseUrl}/a/${token}`;
}

export function inspectionPage(
  state: InspectionState,
  now: Instant,
  deployment: Deployment,
  withLinks: boolean,
): InspectionPage {
  const view = inspectionView(state, now);
  const rows = state.deliverables.map((d, i): TimelineRow => {
    const v = view.deliverables[i] as DeliverableView;
    const requirement = d.requires ? state.deliverables.find((x) => x.key === d.requires) : undefined;
    return {
      view: v,
      tag: tagFor(v.status, d.dueAt, now),
      ...(requirement && d.requestedAt === undefined ? { requires: requirement.title } : {}),
    };
  });
  const days: InspectionPage['days'] = [];
  for (const row of rows) {
    const last = days.at(-1);
    if (last && last.day === row.view.day) last.rows.push(row);
    else days.push({ day: row.view.day, rows: [row] });
  }
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.tag.colour] = (counts[row.tag.colour] ?? 0) + 1;

  const twentyDone = state.deliverables.some((d) => d.key === 'selection-twenty' && isSettled(state, d));
  const hasTwenty = state.deliverables.some((d) => d.key === 'selection-twenty');
  const ended = view.ended;
  const perChildStarted = state.deliverables.some((d) => d.perTrackedChild && d.submissions.length > 0);
  return {
    view,
    state,
    days,
    counts,
    agencies: withLinks
      ? AGENCIES.map((id) => ({
          id,
          name: state.contacts.agencies[id]?.name ?? PARTY_NAMES[id],
          contact: state.contacts.agencies[id]?.contact ?? '',
          escalation: state.contacts.agencies[id]?.escalation ?? '',
          version: state.linkVersions[id],
          url: agencyLinkUrl(deployment, state, id),
        }))
      : [],
    candidates: Object.entries(state.candidates)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, lists]) => ({
        id,
        lists,
        selected: state.selection.twenty.includes(id),
        tracked: state.selection.tracked.includes(id),
      })),
    canSelectTwenty: !ended && hasTwenty && state.selection.tracked.length === 0,
    canSelectTracked: !ended && !perChildStarted && (!hasTwenty || twentyDone),
    trackedChoices: hasTwenty ? state.selection.twenty : Object.keys(state.candidates).sort(),
    confirmations: ended
      ? []
      : state.deliverables
          .filter((d) => d.kind === 'confirmation' && d.requestedAt !== undefined && !isSettled(state, d))
          .map((d) => ({ id: d.id, title: d.title })),
    open: ended
      ? []
      : state.deliverables
          .filter((d) => !isSettled(state, d))
          .map((d, i) => ({
            id: d.id,
            title: d.title,
            ownerName: PARTY_NAMES[d.owner],
            dueUk: view.deliverables.find((x) => x.id === d.id)?.dueUk ?? String(i),
          })),
  };
}

/** The inspection's deadlines as a calendar file, as `jtai timeline --ics` makes one (current due times). */
export function inspectionIcs(state: InspectionState): string {
  return timelineIcs(
    `JTAI ${state.localAuthority} from ${state.notifiedOn}`,
    state.notifiedOn,
    state.deliverables,
  );
}
