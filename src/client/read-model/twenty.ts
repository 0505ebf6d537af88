import { formatUkDateTime } from '../../timeline/format';
import { PARTY_NAMES, type AgencyId, type Instant } from '../../timeline/types';
import type { DeliverableState, InspectionRecord, YesNo } from '../../workflows/types';

/**
 * Option A: the local authority's 20-case return, pre-filled as the agencies' answers arrive (issue 14). Each
 * cell says where its answer comes from; an agency that has not answered by its due time leaves the cell blank
 * and flagged, never a guess. The local authority answers its own questions and may override any answer.
 */

export type CellState =
  /** Answered by the agency that holds the answer. */
  | 'answered'
  /** The agency's due time has not passed yet. */
  | 'awaiting'
  /** The agency did not answer by its due time: blank, for the local authority to look into. */
  | 'not-answered'
  /** A question the local authority answers itself. */
  | 'local-authority';

export interface ReturnCell {
  column: string;
  value: YesNo | '';
  state: CellState;
  source: AgencyId;
  sourceName: string;
  /** Words for the page and the sheet's Sources tab. */
  sourceText: string;
  /** Blank after the agency's due time: the local authority is told. */
  flagged: boolean;
}

export interface TwentyReturnView {
  /** The questions in the return's order, each with who answers it. */
  columns: { key: string; agency: AgencyId; agencyName: string }[];
  rows: { childId: string; cells: ReturnCell[] }[];
  flaggedCount: number;
  agencies: { agency: AgencyId; agencyName: string; dueUk: string; answered: number; asked: number }[];
  /** Whom the local authority has shown the children's identifying details (on their pages only), and when. */
  detailsSharedWith: AgencyId[];
  detailsSharedUk?: string;
}

/**
 * The return as the local authority sees it; undefined before the 20 are recorded or when no agency is asked.
 * `columns` is the return's question keys in order (src/lists twentyColumns, without the child ID).
 */
export function twentyReturn(
  state: InspectionRecord,
  columns: readonly string[],
  now: Instant,
): TwentyReturnView | undefined {
  const asked = state.deliverables.filter((d) => d.kind === 'answers' && d.answers);
  if (asked.length === 0 || state.selection.twenty.length === 0) return undefined;
  const holder = new Map<string, DeliverableState>();
  for (const d of asked) for (const c of d.answers?.columns ?? []) holder.set(c, d);
  const nameOf = (a: AgencyId) => state.contacts.agencies[a]?.name ?? PARTY_NAMES[a];
  const cell = (childId: string, column: string): ReturnCell => {
    const d = holder.get(column);
    if (!d) {
      const la = 'local-authority';
      return {
        column,
        value: '',
        state: 'local-authority',
        source: la,
        sourceName: nameOf(la),
        sourceText: 'Local authority: yours to answer',
        flagged: false,
      };
    }
    const agency = d.owner as AgencyId;
    const value = d.answers?.given[childId]?.[column];
    const answeredAt = value ? lastAnswerAt(d) : undefined;
    const base = { column, source: agency, sourceName: nameOf(agency) };
    if (value)
      return {
        ...base,
        value,
        state: 'answered',
        sourceText: `${nameOf(agency)}${answeredAt ? `, ${formatUkDateTime(answeredAt)}` : ''}`,
        flagged: false,
      };
    const overdue = d.waived !== undefined || now > d.dueAt;
    return {
      ...base,
      value: '',
      state: overdue ? 'not-answered' : 'awaiting',
      sourceText: overdue
        ? `Not answered by ${nameOf(agency)} by ${formatUkDateTime(d.dueAt)}: check and answer it yourself`
        : `Awaiting ${nameOf(agency)} (due ${formatUkDateTime(d.dueAt)})`,
      flagged: overdue,
    };
  };
  const rows = state.selection.twenty.map((childId) => ({
    childId,
    cells: columns.map((c) => cell(childId, c)),
  }));
  return {
    columns: columns.map((key) => {
      const agency = (holder.get(key)?.owner ?? 'local-authority') as AgencyId;
      return { key, agency, agencyName: nameOf(agency) };
    }),
    rows,
    detailsSharedWith: state.twentyDetails?.sharedWith ?? [],
    ...(state.twentyDetails ? { detailsSharedUk: formatUkDateTime(state.twentyDetails.at) } : {}),
    flaggedCount: rows.reduce((n, r) => n + r.cells.filter((c) => c.flagged).length, 0),
    agencies: asked.map((d) => {
      const cols = d.answers?.columns ?? [];
      const children = d.added?.childIds ?? [];
      return {
        agency: d.owner as AgencyId,
        agencyName: nameOf(d.owner as AgencyId),
        dueUk: formatUkDateTime(d.dueAt),
        asked: cols.length * children.length,
        answered: children.reduce(
          (n, id) => n + cols.filter((c) => d.answers?.given[id]?.[c] !== undefined).length,
          0,
        ),
      };
    }),
  };
}

function lastAnswerAt(d: DeliverableState): Instant | undefined {
  return d.submissions.at(-1)?.at;
}

/** What an agency's page shows of its own answers deliverable: its children and its questions only. */
export interface AgencyAnswersView {
  columns: string[];
  rows: { childId: string; values: Record<string, YesNo | ''> }[];
}

export function agencyAnswers(d: DeliverableState): AgencyAnswersView | undefined {
  const answers = d.answers;
  if (d.kind !== 'answers' || !answers) return undefined;
  return {
    columns: [...answers.columns],
    rows: (d.added?.childIds ?? []).map((childId) => ({
      childId,
      values: Object.fromEntries(answers.columns.map((c) => [c, answers.given[childId]?.[c] ?? ''])),
    })),
  };
}
