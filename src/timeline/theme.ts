import type { AgencyId, DeliverableKind, InspectionOption, Party, WallTime } from './types';

/**
 * A deep-dive theme as data: every deliverable of Annex A/C with its owner, due day and time.
 * The next theme (gangs and exploitation; children missing) is a new file beside ./themes/csa-family.ts.
 */

/** When a deliverable is due: working day N after notification (day 0), at a time or at end of day. */
export interface DueRule {
  day: number;
  /** UK wall time; absent means the inspection's end of day (17:00 unless configured). */
  time?: WallTime;
}

export interface DocumentItem {
  code: string;
  title: string;
}

export interface DeliverableDefinition {
  /** Stable key, used in commands and links: `list-6`, `key-documents`. */
  key: string;
  title: string;
  /** What is asked for, in the guidance's words (shown to agencies). */
  description: string;
  kind: DeliverableKind;
  options: readonly InspectionOption[];
  due: DueRule;
  /** One deliverable per owner; several owners give `key.owner` ids. */
  owners: readonly Party[];
  /** The deliverable (by key) that must be received before this one is asked for. */
  requires?: string;
  /** For kind 'list': the list specification it is checked against (src/lists). */
  list?: string;
  /** For kind 'documents': the documents asked of each owner (Annex A codes) or of every owner. */
  documents?: Partial<Record<AgencyId, readonly DocumentItem[]>> | readonly DocumentItem[];
  /** Asked once for each tracked child (key documents, joint evaluation, consent). */
  perTrackedChild?: boolean;
  /**
   * Sent "where possible" or when there is something to say (individual agency evaluations, the DCS's note of
   * context): shown on the agency's page, recorded and packed, but never chased, never overdue, and never
   * holding up the end of the inspection.
   */
  optional?: boolean;
  /** Where the guidance says so. */
  source: string;
}

/**
 * Option A: a question of the 20-case return whose answer another agency holds (issue 14). The local authority
 * answers the rest itself; each agency is asked only its own questions, for the 20 children.
 */
export interface TwentyQuestion {
  /** The question's column key in the 20-case return (src/lists/specs/twenty.ts). */
  column: string;
  agency: AgencyId;
  /** A few words for emails and titles (the page shows the column's full header). */
  label: string;
}

export interface TwentyAnswersDefinition {
  /** The agencies' own due time, before the local authority's return (the coordinator may set another). */
  due: DueRule;
  questions: readonly TwentyQuestion[];
}

export interface Theme {
  id: string;
  title: string;
  /** The Y/N column every theme list carries. */
  themeQuestion: string;
  /** Option A: how many children the lead inspector may pick for more information. */
  maxSelected: number;
  /** How many children are tracked: between min and max. */
  tracked: { min: number; max: number };
  /** Annex B: the questions a joint evaluation of a tracked child answers. */
  evaluationQuestions: readonly string[];
  /** Annex B's header: what an evaluation says of the child first (age, individual needs), asked before the questions. */
  evaluationHeader?: readonly { label: string; hint?: string }[];
  deliverables: readonly DeliverableDefinition[];
  /** Option A: which of the 20-case questions go to which agency, and when their answers are due. */
  twentyAnswers?: TwentyAnswersDefinition;
}

/** Deliverables of the theme that apply to an inspection under `option`. */
export function deliverablesFor(theme: Theme, option: InspectionOption): DeliverableDefinition[] {
  return theme.deliverables.filter((d) => d.options.includes(option));
}

/** Documents a given owner is asked for under a documents deliverable. */
export function documentsFor(definition: DeliverableDefinition, owner: Party): readonly DocumentItem[] {
  const docs = definition.documents;
  if (!docs) return [];
  if (Array.isArray(docs)) return docs as readonly DocumentItem[];
  return (docs as Partial<Record<string, readonly DocumentItem[]>>)[owner] ?? [];
}
