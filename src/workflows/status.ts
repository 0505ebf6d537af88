import { keptFiles, uploadUsage } from './rules';
import type { FileUsage, InspectionState, InspectionStatus, ReceivedFile } from './types';

/** How many of a deliverable's latest submissions a status answer carries. */
export const SUBMISSIONS_SHOWN = 20;

/** The bounded view the `status` query answers (see InspectionStatus). */
export function statusView(state: InspectionState): InspectionStatus {
  const { candidates, ...rest } = state;
  return {
    ...rest,
    candidateCount: Object.keys(candidates).length,
    deliverables: state.deliverables.map((d) =>
      d.submissions.length <= SUBMISSIONS_SHOWN
        ? d
        : {
            ...d,
            submissions: d.submissions.slice(-SUBMISSIONS_SHOWN),
            submissionCount: d.submissions.length,
          },
    ),
  };
}

/** Every file received and not withdrawn, deliverable by deliverable, oldest first. */
export function receivedFiles(state: Pick<InspectionState, 'deliverables'>): ReceivedFile[] {
  return state.deliverables.flatMap((d) =>
    d.submissions.flatMap((s) =>
      keptFiles(s).map((f) => ({
        ...f,
        deliverableId: d.id,
        submissionId: s.id,
        agency: s.agency,
        at: s.at,
        late: s.late,
        ...(s.childId ? { childId: s.childId } : {}),
      })),
    ),
  );
}

/** How many hashes one `fileUsage` question may ask about (an upload form brings at most 30 files). */
export const FILE_USAGE_MAX_HASHES = 1000;

/**
 * The `fileUsage` answer. Hashes are gathered from wherever the state holds a `sha256` (submissions, their
 * warnings files, answers to queries, and any file a later change keeps there), not from a list of places
 * that a change could leave incomplete; the children put forward hold no files and are not walked.
 */
export function fileUsageOf(state: InspectionState, asked: string[]): FileUsage {
  const names = new Set<string>();
  const { candidates: _candidates, ...rest } = state;
  hashesIn(rest, names);
  const referenced = [...new Set(asked.slice(0, FILE_USAGE_MAX_HASHES))].filter((h) => names.has(h));
  return { referenced, byAgency: uploadUsage(state) };
}

function hashesIn(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) hashesIn(item, into);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === 'sha256' && typeof item === 'string') into.add(item);
      else hashesIn(item, into);
    }
}
