import type { AgencyId, Instant } from '../timeline/types';
import type { ListQuery, SubmittedFile } from '../workflows/types';

/** The kinds of email the workflow sends; their wording is a table in ./email-templates.ts. */
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
  /** To an agency: the coordinator has left a message on its page (the email says only that). */
  | 'message';

/** One intended email. Carries deliverables and due times, never child-level data. */
export interface Notice {
  inspectionId: string;
  localAuthority: string;
  template: NoticeTemplate;
  agency: AgencyId;
  agencyName: string;
  deliverables: { id: string; title: string; dueAt: Instant; missing?: string[]; overdue?: boolean }[];
  to: string[];
  cc: string[];
  /** Unique per intended message: the Message-ID derives from it, so a resend carries the same one. */
  messageKey: string;
  /** Workflow time when the workflow decided to send: the email's Date. */
  sentAt: Instant;
  link: { version: number; run: string; expiresAt: Instant };
  /** A retry after a send whose outcome was unknown: logged as a possible duplicate. */
  possibleDuplicate?: boolean;
  /** For `delivery-failed`: which email, since when, and why. */
  failure?: { agencyName: string; to: string; since: Instant; reason: string };
  /** For `receipt`: when it arrived and the files (code, SHA-256, size). */
  receipt?: { at: Instant; late: boolean; files: { code?: string; sha256: string; size: number }[] };
  /** For `arrivals-digest`: each arrival, by whom and when. */
  arrivals?: { title: string; agencyName: string; at: Instant; late: boolean }[];
  /**
   * A rehearsal's email: says REHEARSAL in its subject and first line. Until the workflow sets it, a rehearsal
   * is also known by its inspection id (`-rehearsal-<n>`).
   */
  rehearsal?: boolean;
}

export interface PurgeRequest {
  inspectionId: string;
  /** Who asked, when it was asked for rather than its retention running out (for the audit record). */
  requestedBy?: string;
}

export interface ValidationRequest {
  inspectionId: string;
  list: string;
  file: SubmittedFile;
  option: 'A' | 'B';
  notifiedOn: string;
  /** Workflow time of the submission: "in the future" means after this. */
  submittedAt: Instant;
}

export interface ValidationResult {
  rows: number;
  errorCount: number;
  /** The first errors, for the refusal (row, column, fix). */
  errors: ListQuery[];
  /** The first warnings (for the page and the receipt); every warning is in `warningsFile`. */
  warnings: ListQuery[];
  warningCount: number;
  /** Every warning as a JSON document in the inspection's file store (absent when there are none). */
  warningsFile?: { name: string; sha256: string; size: number };
  /** Child IDs the list puts forward for selection. */
  candidates: string[];
}
