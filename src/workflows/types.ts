import type { InspectionSchedule, Recipient, Rung, ScheduledDeliverable } from '../timeline/schedule';
import type { AgencyId, Instant } from '../timeline/types';

/** Who to write to. Professional contacts only: never child-level data. */
export interface InspectionContacts {
  coordinator: { name: string; email: string };
  agencies: Record<AgencyId, { name: string; contact: string; escalation: string }>;
}

export interface InspectionInput {
  inspectionId: string;
  localAuthority: string;
  schedule: InspectionSchedule;
  contacts: InspectionContacts;
  /** From the theme, copied in so the workflow never needs theme files. */
  limits: { maxSelected: number; tracked: { min: number; max: number } };
  /** Upsert the Jtai* search attributes (off only where the server has none registered). */
  searchAttributes: boolean;
}

export interface SubmittedFile {
  /** The name the agency gave the file: shown, never used as a path. */
  name: string;
  sha256: string;
  size: number;
  /** Annex A document code (e.g. `3.1`) or key-document kind (`KD1`), when given. */
  code?: string;
}

/** A finding from list validation kept as a query for the agency: row, column, what to check. */
export interface ListQuery {
  row: number;
  column: string;
  code: string;
  message: string;
}

export interface Submission {
  /** The update id: a double click or a retry with the same id is recorded once. */
  id: string;
  agency: AgencyId;
  at: Instant;
  late: boolean;
  files: SubmittedFile[];
  note?: string;
  childId?: string;
  /** Documents: the agency says it has sent all it has, even if some codes are missing. */
  complete?: boolean;
  /** Lists: rows read and the warnings accepted with the list. */
  rows?: number;
  queries?: ListQuery[];
}

export interface ChaseEntry {
  rung: string;
  kind: 'request' | 'reminder' | 'escalation';
  to: Recipient;
  at: Instant;
}

export interface Extension {
  at: Instant;
  from: Instant;
  to: Instant;
  reason: string;
}

/** An agency's answers to the queries on a list it sent: a document in the file store. */
export interface QueryAnswers {
  submissionId: string;
  agency: AgencyId;
  at: Instant;
  file: SubmittedFile;
}

export interface DeliverableState extends ScheduledDeliverable {
  originalDueAt: Instant;
  /** When the agency was asked (start, or when the stage it depends on was reached). */
  requestedAt?: Instant;
  /** Rungs before this instant are skipped (set on request and on extension). */
  ladderFrom: Instant;
  ladderVersion: number;
  receivedAt?: Instant;
  late?: boolean;
  waived?: { at: Instant; reason: string };
  extensions: Extension[];
  submissions: Submission[];
  /** Absent until an agency first answers queries on one of its lists. */
  queryAnswers?: QueryAnswers[];
  chaseLog: ChaseEntry[];
}

export type Stage = 'case-lists' | 'case-selection' | 'documents' | 'evaluation' | 'completed' | 'cancelled';

export interface InspectionState {
  inspectionId: string;
  localAuthority: string;
  themeId: string;
  option: 'A' | 'B';
  notifiedOn: string;
  endOfDay: string;
  closesAt: Instant;
  startedAt: Instant;
  endedAt?: Instant;
  cancelled?: { at: Instant; reason: string };
  limits: InspectionInput['limits'];
  contacts: InspectionContacts;
  selection: { twenty: string[]; tracked: string[] };
  /** Child ID -> the lists it was put forward on (children flagged for the theme, YOT and NPS lists). */
  candidates: Record<string, string[]>;
  /** Bumped to revoke an agency's links. */
  linkVersions: Record<AgencyId, number>;
  deliverables: DeliverableState[];
}

// ---- Update arguments ----

export interface SubmitRequest {
  deliverableId: string;
  agency: AgencyId;
  files: SubmittedFile[];
  childId?: string;
  note?: string;
  complete?: boolean;
}

export interface AnswerQueriesRequest {
  deliverableId: string;
  agency: AgencyId;
  /** The submission whose queries are answered. */
  submissionId: string;
  file: SubmittedFile;
}

export interface SelectRequest {
  stage: 'twenty' | 'tracked';
  childIds: string[];
}

export interface ConfirmRequest {
  deliverableId: string;
  note?: string;
}

export interface ExtendRequest {
  deliverableId: string;
  dueAt: Instant;
  /** The new chasing ladder, computed by the client from the calendar (kept out of workflow code). */
  ladder: Rung[];
  reason: string;
}

export interface WaiveRequest {
  deliverableId: string;
  reason: string;
}

/** Send an agency its link again; with `revoke`, earlier links stop working first. */
export interface LinkRequest {
  agency: AgencyId;
  revoke: boolean;
}

export interface CancelRequest {
  reason: string;
}

export interface Receipt {
  deliverableId: string;
  submissionId: string;
  receivedAt: Instant;
  late: boolean;
  /** Whether the deliverable is now complete (a per-child deliverable may need more submissions). */
  complete: boolean;
  queries: ListQuery[];
}
