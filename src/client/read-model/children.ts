import { formatUkDateTime } from '../../timeline/format';
import { PARTY_NAMES, type Party } from '../../timeline/types';
import type { DeliverableState, InspectionRecord } from '../../workflows/types';
import { iso } from './inspection';

/**
 * What has been sent for each tracked child: per child, each deliverable given per tracked child (key
 * documents, evaluations, consent) with what its agency has sent for that child. These views carry child
 * IDs: they are for the coordinator, and for an agency only about what it owes per child.
 */

export interface ChildDeliverableProgress {
  childId: string;
  deliverableId: string;
  title: string;
  owner: Party;
  ownerName: string;
  received: boolean;
  receivedAt?: string;
  receivedAtUk?: string;
  files: { name: string; code?: string }[];
  /** The latest note sent with it. */
  note?: string;
}

export interface TrackedChildProgress {
  childId: string;
  deliverables: ChildDeliverableProgress[];
  /** How many of those deliverables have something received for this child. */
  received: number;
}

/** What an agency has sent of one per-child deliverable for one child. */
export function childProgress(d: DeliverableState, childId: string): ChildDeliverableProgress {
  const sent = d.submissions.filter((s) => s.childId === childId);
  const last = sent.at(-1);
  return {
    childId,
    deliverableId: d.id,
    title: d.title,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    received: sent.length > 0,
    ...(last ? { receivedAt: iso(last.at), receivedAtUk: formatUkDateTime(last.at) } : {}),
    files: sent.flatMap((s) => s.files.map((f) => ({ name: f.name, ...(f.code ? { code: f.code } : {}) }))),
    ...(last?.note ? { note: last.note } : {}),
  };
}

/** Every tracked child, in the order selected, with each per-child deliverable's progress. */
export function trackedChildProgress(state: InspectionRecord): TrackedChildProgress[] {
  const perChild = state.deliverables.filter((d) => d.perTrackedChild);
  return state.selection.tracked.map((childId) => {
    const deliverables = perChild.map((d) => childProgress(d, childId));
    return { childId, deliverables, received: deliverables.filter((x) => x.received).length };
  });
}
