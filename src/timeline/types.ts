/** Shared vocabulary of the timeline: pure types, no I/O, safe to import from workflow code. */

/** A calendar date in UK terms, `YYYY-MM-DD`. */
export type IsoDate = string;
/** A UK wall-clock time, `HH:MM` (24-hour). */
export type WallTime = string;
/** An instant: milliseconds since the Unix epoch (UTC). Stored everywhere; shown in UK time. */
export type Instant = number;

export type InspectionOption = 'A' | 'B';

/** The agencies of a local area that owe deliverables and get links. */
export const AGENCIES = [
  'local-authority',
  'police',
  'health',
  'probation',
  'youth-justice',
  'partnership',
] as const;
export type AgencyId = (typeof AGENCIES)[number];

export const AGENCY_NAMES: Record<AgencyId, string> = {
  'local-authority': "Local authority children's services",
  police: 'Police',
  health: 'Health',
  probation: 'Probation (NPS)',
  'youth-justice': 'Youth justice (YOT)',
  partnership: 'Safeguarding partnership',
};

/** Inspectorate parties: their milestones are recorded by the coordinator, never chased. */
export const INSPECTORATES = ['lead-inspector', 'cqc'] as const;
export type InspectorateId = (typeof INSPECTORATES)[number];
export type Party = AgencyId | InspectorateId;

export const PARTY_NAMES: Record<Party, string> = {
  ...AGENCY_NAMES,
  'lead-inspector': 'Lead inspector',
  cqc: 'CQC',
};

export type DeliverableKind =
  | 'list'
  | 'documents'
  | 'selection'
  | 'confirmation'
  | 'evaluation'
  | 'consent'
  /** Option A: an agency's Y/N answers to its own questions of the 20-case return, for the 20 children. */
  | 'answers';
