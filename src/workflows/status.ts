import { keptFiles } from './rules';
import type { InspectionState, InspectionStatus, ReceivedFile } from './types';

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
export function receivedFiles(state: InspectionState): ReceivedFile[] {
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
