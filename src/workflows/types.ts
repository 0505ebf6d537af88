import type {
  InspectionSchedule,
  Recipient,
  Rung,
  ScheduledDeliverable,
  TwentyAnswersSchedule,
} from '../timeline/schedule';
import type { AgencyId, Instant } from '../timeline/types';

/** Who made a change: a signed-in member of staff (or the CLI's user), or an agency through its link. */
export type Actor = { kind: 'staff'; name: string } | { kind: 'agency'; agency: AgencyId };

/** Who to write to. Professional contacts only: never child-level data. */
/** The kinds of email the workflow sends; their wording is a table in src/activities/email-templates.ts. */
export type NoticeTemplate =
  | 'request-digest'
  /** The first email of an inspection started after some deadlines had already passed. */
  | 'request-digest-late'
  | 'request'
  | 'reminder'
  | 'escalation-lead'
  | 'escalation-coordinator'
  | 'link'
  /** To the coordinator: an email to an agency could not be delivered and was given up. */
  | 'delivery-failed'
  /** To the agency that sent something: what arrived, when, its SHA-256 (never a file name: it may name a child). */
  | 'receipt'
  /** To the coordinator: what arrived since the last digest. */
  | 'arrivals-digest'
  /** To an agency: a deadline of something it owes has moved, or it is no longer owed. */
  | 'extended'
  | 'waived'
  /** To an agency: its answers for the 20 are no longer needed (the local authority sent its return). */
  | 'answers-closed'
  /** To an agency: the coordinator has left a message on its page (the email says only that). */
  | 'message';

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
  /** A rehearsal on a compressed clock (issue 14): labelled as such everywhere, never mixed with real ones. */
  rehearsal?: { dayMinutes: number };
  /**
   * When the starter asked for the inspection (its clock, not the first workflow task's, which may run
   * minutes later when the worker is busy): chasing rungs already past at this instant are skipped, no others.
   */
  requestedAt: Instant;
  /** The notification date is in the past and the starter said so: what is already overdue is escalated at once. */
  lateStart?: boolean;
  /** Days after the inspection closes before it is purged (files, keys, history); 90 when absent. */
  retentionDays?: number;
  /** The coordinator's digest of arrivals, at most every this many minutes; none when absent or 0. */
  arrivalsDigestMinutes?: number;
  startedBy?: Actor;
}

export interface SubmittedFile {
  /** The name the agency gave the file: shown, never used as a path. */
  name: string;
  sha256: string;
  size: number;
  /** Annex A document code (e.g. `3.1`) or key-document kind (`KD1`), when given. */
  code?: string;
  /** Taken back by the agency before the deadline: kept in the record, no longer counted or packed. */
  withdrawn?: { at: Instant; reason: string; by?: Actor };
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
  /** When it was sent (stamped by the CLI or web app at receipt, within bounds): lateness is judged on this. */
  at: Instant;
  /** When the workflow recorded it, where that differs from `at` (a list is checked first). */
  recordedAt?: Instant;
  late: boolean;
  by?: Actor;
  files: SubmittedFile[];
  note?: string;
  childId?: string;
  /** Documents: the agency says it has sent all it has, even if some codes are missing. */
  complete?: boolean;
  /** Lists: rows read and the warnings accepted with the list. */
  rows?: number;
  /**
   * The first warnings, kept only on a deliverable's latest submission (for its page); every warning is in
   * `queriesFile`, a document in the file store, and counted in `queryCount`.
   */
  queries?: ListQuery[];
  queryCount?: number;
  queriesFile?: SubmittedFile;
}

export interface ChaseEntry {
  rung: string;
  kind: 'request' | 'reminder' | 'escalation';
  to: Recipient;
  at: Instant;
  /** The email's key in the outbox, where its delivery state is kept. */
  messageKey: string;
}

/**
 * An email the workflow means to send, recorded before it is sent: `queued`, then `sent`, or `failing` (with
 * the reason) while it is retried, then `given-up` after a day; `skipped` when it stopped mattering before it
 * could go (the deliverable arrived, a reminder's deadline passed during a mail outage, the inspection ended).
 */
export type DeliveryStatus = 'queued' | 'sent' | 'failing' | 'given-up' | 'skipped';

export interface Delivery {
  /** Unique per intended message; the Message-ID derives from it, so a resend carries the same one. */
  key: string;
  template: NoticeTemplate;
  agency: AgencyId;
  to: Recipient;
  deliverableIds: string[];
  queuedAt: Instant;
  /** The rung's instant, for a reminder or escalation: the email's Date, however late the timer ran. */
  scheduledFor?: Instant;
  status: DeliveryStatus;
  attempts: number;
  sentAt?: Instant;
  failingSince?: Instant;
  /** The last failure (or why it was skipped), one line. */
  reason?: string;
  /** A send whose outcome was unknown (the worker died, the server went quiet after the message) was retried. */
  possibleDuplicate?: boolean;
  /** For a receipt: the submission it confirms. */
  submissionId?: string;
  /** For the coordinator's digest: what arrived, as `deliverableId/submissionId`. */
  arrivals?: string[];
}

export interface Extension {
  at: Instant;
  from: Instant;
  to: Instant;
  reason: string;
  by?: Actor;
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
  waived?: { at: Instant; reason: string; by?: Actor };
  extensions: Extension[];
  submissions: Submission[];
  /** Absent until an agency first answers queries on one of its lists. */
  queryAnswers?: QueryAnswers[];
  chaseLog: ChaseEntry[];
  /** Lists refused (errors, unreadable, over a limit) before one was accepted: for the debrief. */
  refusedSubmissions?: number;
  /** In a status answer: how many submissions there are in all (`submissions` holds the latest only). */
  submissionCount?: number;
  /** Added during the inspection (see AddDeliverableRequest): by whom, and the children it concerns. */
  added?: { at: Instant; by?: Actor; source: AddedSource; childIds?: string[] };
  /** Kind 'answers': the columns of the 20-case return the agency answers, and its answers so far. */
  answers?: TwentyAnswers;
}

/** Where an added deliverable comes from: an addDeliverable request, or the selection of the 20 (Option A). */
export type AddedSource = AddDeliverableRequest['source'] | 'twenty-answers';

export type YesNo = 'Y' | 'N';

/** An agency's answers for the 20 children: child ID -> column -> Y or N (unanswered cells are absent). */
export interface TwentyAnswers {
  columns: string[];
  given: Record<string, Record<string, YesNo>>;
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
  startedBy?: Actor;
  lateStart?: boolean;
  endedAt?: Instant;
  cancelled?: { at: Instant; reason: string; by?: Actor };
  /** Once ended: when its files, data key and history are purged (sooner if a purge is asked for). */
  purgeAt?: Instant;
  purgeRequested?: { at: Instant; by?: Actor };
  /**
   * A random value of this run of the workflow: agency links name it, so a link of a cancelled run never
   * opens a later run that happens to have the same inspection id.
   */
  runNonce: string;
  limits: InspectionInput['limits'];
  contacts: InspectionContacts;
  selection: { twenty: string[]; tracked: string[]; twentyBy?: Actor; trackedBy?: Actor };
  /** Child ID -> the lists it was put forward on (children flagged for the theme, YOT and NPS lists). */
  candidates: Record<string, string[]>;
  /** Bumped to revoke an agency's links. */
  linkVersions: Record<AgencyId, number>;
  deliverables: DeliverableState[];
  /** Every email the workflow meant to send, with its delivery state (see Delivery). */
  outbox: Delivery[];
  /** Changes of contacts, by whom (the contacts themselves are `contacts`). */
  contactChanges?: { at: Instant; by?: Actor; agencies: AgencyId[] }[];
  rehearsal?: { dayMinutes: number };
  /** Messages from the coordinator to agencies: shown on the agency's page; the email only says there is one. */
  messages?: AgencyMessage[];
  /** Option A: which agency answers which of the 20-case questions, and by when (from the schedule). */
  twentyAnswers?: TwentyAnswersSchedule;
  /**
   * Option A: the local authority shares the 20 children's identifying details (a document in the encrypted
   * file store, named by its hash) with these agencies, shown only on their own pages; none: it relays itself.
   */
  twentyDetails?: { at: Instant; by?: Actor; sharedWith: AgencyId[]; file?: SubmittedFile };
  /** The coordinator's digest of what arrived (off when absent). */
  arrivalsDigest?: { everyMinutes: number; sent: number; lastAt?: Instant; pending: string[] };
}

export interface AgencyMessage {
  id: string;
  agency: AgencyId;
  at: Instant;
  text: string;
  by?: Actor;
}

/**
 * What the `status` query answers: the state, bounded whatever agencies send (its size stays well under
 * Temporal's 2 MB limit on a query's answer): the children put forward are counted (the `candidates` query
 * lists them), each deliverable carries its latest submissions only (`submissionCount` says how many there
 * are; the `files` query lists every file received).
 */
export type InspectionStatus = InspectionRecord & { candidateCount: number };

/** What rules and views read of an inspection: everything but the children put forward. */
export type InspectionRecord = Omit<InspectionState, 'candidates'>;

/**
 * What the `fileUsage` query answers, over the whole state (not the bounded status): which of the hashes asked
 * about the inspection names anywhere (so that a refused upload never deletes a stored file something refers
 * to), and per agency the files and bytes of its accepted submissions and answers (its upload quota).
 */
export interface FileUsage {
  referenced: string[];
  byAgency: Partial<Record<AgencyId, { files: number; bytes: number }>>;
}

/** Every file received, for the pack and for single-file downloads. */
export interface ReceivedFile extends SubmittedFile {
  deliverableId: string;
  submissionId: string;
  agency: AgencyId;
  at: Instant;
  late: boolean;
  childId?: string;
}

// ---- Update arguments ----

export interface SubmitRequest {
  deliverableId: string;
  agency: AgencyId;
  files: SubmittedFile[];
  childId?: string;
  note?: string;
  complete?: boolean;
  /** When the CLI or web app received it: lateness is judged on this (bounded by the workflow's own time). */
  sentAt?: Instant;
  by?: Actor;
  /**
   * The agency's upload quota in the inspection (the web app's, for agency links): the submission is refused
   * if the agency's accepted files and bytes, those of its submissions still being checked, and this one's would
   * pass it. Checked where submissions are serialised, so posts made at once cannot all pass.
   */
  quota?: UploadQuota;
}

/** Files and bytes one agency may send in one inspection. */
export interface UploadQuota {
  files: number;
  bytes: number;
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
  by?: Actor;
}

export interface ConfirmRequest {
  deliverableId: string;
  note?: string;
  by?: Actor;
}

export interface ExtendRequest {
  deliverableId: string;
  dueAt: Instant;
  /** The new chasing ladder, computed by the client from the calendar (kept out of workflow code). */
  ladder: Rung[];
  reason: string;
  by?: Actor;
}

export interface WaiveRequest {
  deliverableId: string;
  reason: string;
  by?: Actor;
}

/** Send an agency its link again; with `revoke`, earlier links stop working first. */
export interface LinkRequest {
  agency: AgencyId;
  revoke: boolean;
  by?: Actor;
}

export interface CancelRequest {
  reason: string;
  by?: Actor;
}

/** An agency takes back a file it sent, before the deadline (a wrong file): recorded, never silent. */
export interface WithdrawRequest {
  deliverableId: string;
  agency: AgencyId;
  submissionId: string;
  sha256: string;
  reason: string;
  by?: Actor;
}

/** The coordinator writes to an agency (plain text, kept in the record, shown on the agency's page). */
export interface MessageRequest {
  agency: AgencyId;
  text: string;
  by?: Actor;
}

/**
 * A deliverable added during the inspection: CQC's request to health for some tracked children, a lead
 * inspector's ad-hoc request (review cases on the recording system, staff meetings, schools). Chased like any
 * other; the client computes its chasing ladder from the calendar, as for an extension.
 */
export interface AddDeliverableRequest {
  title: string;
  description: string;
  owner: AgencyId;
  kind: 'documents' | 'confirmation';
  dueAt: Instant;
  ladder: Rung[];
  /** Where it comes from: `cqc-request` or `ad-hoc`. */
  source: 'cqc-request' | 'ad-hoc';
  /** Tracked children it concerns (CQC asks about some children): their IDs, shown only to who may see them. */
  childIds?: string[];
  /** The working day of the inspection its due time falls on (for the timeline), as the client counts it. */
  day: number;
  by?: Actor;
}

/**
 * An agency's Y/N answers to its own questions of the 20-case return (Option A), from the form on its page or a
 * sheet: a blank value leaves (or makes) the cell unanswered. Merged as it comes into the local authority's return.
 */
export interface TwentyAnswersRequest {
  deliverableId: string;
  agency: AgencyId;
  answers: { childId: string; column: string; value: YesNo | '' }[];
  /** The sheet the answers were read from (kept in the file store like an upload), when sent as a sheet. */
  file?: SubmittedFile;
  sentAt?: Instant;
  by?: Actor;
}

/**
 * Option A: the local authority chooses which agencies see the identifying details of the 20 (name, date of
 * birth, address from its records) on their pages: `file` is the details, kept encrypted in the file store; no
 * agencies (and no file) means it relays the questions itself. A later choice replaces the earlier one.
 */
export interface TwentyDetailsRequest {
  sharedWith: AgencyId[];
  file?: SubmittedFile;
  by?: Actor;
}

/** Purge an inspection that has ended now, rather than when its retention runs out. */
export interface PurgeRequest {
  by?: Actor;
}

/** What a purged inspection leaves as its workflow result: no child data, nothing to decrypt. */
export interface PurgeOutcome {
  inspectionId: string;
  purgedAt: Instant;
}

/** Replace who is written to; an agency whose contact changes gets a new link and its old links stop working. */
export interface ContactsRequest {
  contacts: InspectionContacts;
  by?: Actor;
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
