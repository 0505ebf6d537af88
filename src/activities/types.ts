import type { AgencyId, Instant } from '../timeline/types';
import type { ListQuery, NoticeTemplate, SubmittedFile } from '../workflows/types';

// The kinds of email are the workflow's (it decides which to send); their wording is here.
export type { NoticeTemplate } from '../workflows/types';

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

/** What one attempt at one email of a batch came to (sendNotices): failures typed as MailFailure. */
export type NoticeOutcome = { sent: true } | { sent: false; type: string; reason: string };

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
