import { formatUkDateTime, iso } from '../../timeline/format';
import { PARTY_NAMES, type Party } from '../../timeline/types';
import { countedSubmissions, keptFiles } from '../../workflows/rules';
import type { DeliverableState, InspectionRecord } from '../../workflows/types';

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
  // A submission whose every file was withdrawn no longer counts (see countedSubmissions).
  const sent = countedSubmissions(d).filter((s) => s.childId === childId);
  const last = sent.at(-1);
  return {
    childId,
    deliverableId: d.id,
    title: d.title,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    received: sent.length > 0,
    ...(last ? { receivedAt: iso(last.at), receivedAtUk: formatUkDateTime(last.at) } : {}),
    files: sent.flatMap((s) =>
      keptFiles(s).map((f) => ({ name: f.name, ...(f.code ? { code: f.code } : {}) })),
    ),
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

/**
 * The coordinator's grid: a row per per-child deliverable (each agency's key documents, the joint evaluation,
 * consent), a column per tracked child, and in each cell whether something has come for that child.
 */
export interface ChildGrid {
  children: string[];
  rows: {
    deliverableId: string;
    title: string;
    ownerName: string;
    received: number;
    cells: { childId: string; received: boolean; atUk?: string; note?: string }[];
  }[];
}

export function childGrid(state: InspectionRecord): ChildGrid {
  const children = [...state.selection.tracked];
  const rows = state.deliverables
    .filter((d) => d.perTrackedChild)
    .map((d) => {
      const cells = children.map((childId) => {
        const p = childProgress(d, childId);
        return {
          childId,
          received: p.received,
          ...(p.receivedAtUk ? { atUk: p.receivedAtUk } : {}),
          ...(p.note ? { note: p.note } : {}),
        };
      });
      const ownerName = state.contacts.agencies[d.owner as keyof typeof state.contacts.agencies]?.name;
      return {
        deliverableId: d.id,
        title: d.title,
        ownerName: ownerName ?? PARTY_NAMES[d.owner],
        received: cells.filter((c) => c.received).length,
        cells,
      };
    });
  return { children, rows };
}

/** The grid for someone who may not see child IDs: the same progress, children numbered in the order tracked. */
export function childGridWithoutIds(grid: ChildGrid): ChildGrid {
  const label = (i: number) => `Child ${i + 1}`;
  return {
    children: grid.children.map((_, i) => label(i)),
    rows: grid.rows.map((r) => ({
      ...r,
      cells: r.cells.map((c, i) => ({
        childId: label(i),
        received: c.received,
        ...(c.atUk ? { atUk: c.atUk } : {}),
      })),
    })),
  };
}
