import type { AgencyId, Instant } from '../timeline/types';
import type { ListQuery, SubmittedFile } from '../workflows/types';

/** The kinds of email the workflow sends; their wording is a table in ./email-templates.ts. */
export type NoticeTemplate =
  'request-digest' | 'request' | 'reminder' | 'escalation-lead' | 'escalation-coordinator' | 'link';

/** One intended email. Carries deliverables and due times, never child-level data. */
export interface Notice {
  inspectionId: string;
  localAuthority: string;
  template: NoticeTemplate;
  agency: AgencyId;
  agencyName: string;
  deliverables: { id: string; title: string; dueAt: Instant; missing?: string[] }[];
  to: string[];
  cc: string[];
  /** Unique per intended message: the Message-ID and the sent-ledger key derive from it. */
  messageKey: string;
  /** Workflow time when the workflow decided to send: the email's Date. */
  sentAt: Instant;
  link: { version: number; expiresAt: Instant };
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
  warnings: ListQuery[];
  /** Child IDs the list puts forward for selection. */
  candidates: string[];
}
