import {
  sanitiseName,
  type PackContent,
  type PackCover,
  type PackFile,
  type PackRow,
} from '../../lists/pack';
import { formatUkDate, formatUkDateTime } from '../../timeline/format';
import { AGENCIES, PARTY_NAMES, type Instant, type Party } from '../../timeline/types';
import { countedSubmissions, deliverableStatus } from '../../workflows/rules';
import type {
  DeliverableState,
  InspectionRecord,
  QueryAnswers,
  ReceivedFile,
  Submission,
} from '../../workflows/types';

/**
 * What goes where in the inspector pack (written by src/lists/pack.ts): a section and folder per tracked child,
 * "Tracked child 1" … in the order selected, holding each agency's key documents by KD code, the evaluations and
 * consent, with a cover sheet that alone carries the child's ID; the Annex A documents by agency and code; the
 * lists by agency; anything else asked for. The index lists everything asked for, with what is outstanding,
 * waived or extended. Files are named by what they are; the uploader's name gives only the extension.
 */

/** A received file's extension, from the name it was sent with: one of the kinds a pack may hold. */
export function extensionOf(name: string): string {
  return (
    /\.(xlsx|csv|pdf|docx?|xls|txt|zip|png|jpe?g|odt|ods|rtf|html?|msg|eml)$/i
      .exec(name)?.[0]
      ?.toLowerCase() ?? ''
  );
}

/**
 * Annex B's header items as an evaluation made with the agency form writes them (`Age of child/young person: 14`,
 * one line each, before the questions): read back for the child's cover sheet. Other documents give none.
 */
export function evaluationHeaderOf(
  text: string,
  labels: readonly string[],
): { label: string; value: string }[] {
  const lines = text.split(/\r?\n/);
  return labels.flatMap((label) => {
    const line = lines.find((l) => l.startsWith(`${label}: `));
    return line ? [{ label, value: line.slice(label.length + 2).trim() }] : [];
  });
}

/** A title as a file or folder name: `List 6: children in need` reads `List 6 - children in need`. */
function asName(text: string): string {
  return text
    .replace(/\s*:\s*/g, ' - ')
    .replace(/\s*\/\s*/g, ' or ')
    .trim();
}

export const trackedChildLabel = (index: number): string => `Tracked child ${index + 1}`;

/** Where a per-child deliverable's files go inside the child's folder, and what each is called. */
function perChildPlace(d: DeliverableState, agencyName: string): { folder: string[]; name: string } {
  if (d.kind === 'documents') return { folder: ['Key documents', agencyName], name: 'Key document' };
  if (d.kind === 'evaluation') {
    const joint = d.owner === 'partnership';
    return {
      folder: ['Evaluations'],
      name: joint ? `Joint evaluation - ${agencyName}` : `Individual evaluation - ${agencyName}`,
    };
  }
  if (d.kind === 'consent') return { folder: ['Consent'], name: `Consent - ${agencyName}` };
  return { folder: [asName(d.title)], name: `${asName(d.title)} - ${agencyName}` };
}

const agencyNameIn = (state: InspectionRecord, p: Party): string =>
  state.contacts.agencies[p as keyof typeof state.contacts.agencies]?.name ?? PARTY_NAMES[p];

/**
 * A received file named by what it is, for a single download: `KD9 Chronology of significant events … - Example
 * Police - Tracked child 2.pdf`; never the name it was sent with (that gives only the extension).
 */
export function receivedFileName(state: InspectionRecord, f: ReceivedFile): string {
  const d = state.deliverables.find((x) => x.id === f.deliverableId);
  const agency = agencyNameIn(state, f.agency);
  const doc = f.code ? d?.documents.find((x) => x.code === f.code) : undefined;
  const what = doc
    ? `${doc.code} ${asName(doc.title)}`
    : d?.perTrackedChild
      ? perChildPlace(d, agency).name
      : asName(d?.title ?? 'Received file');
  const child = f.childId === undefined ? -1 : state.selection.tracked.indexOf(f.childId);
  const parts = [
    what,
    ...(what.includes(agency) ? [] : [agency]),
    ...(child >= 0 ? [trackedChildLabel(child)] : []),
  ];
  const extension = extensionOf(f.name);
  return sanitiseName(`${parts.join(' - ')}${extension}`, `Received file${extension}`);
}

/** The index's sections after the tracked children, in order; deliverables not named here by key go by kind. */
const SECTIONS = [
  'Note of local context from the DCS',
  'Annex A documents',
  'Lists',
  'Other requests',
  'Inspectorate milestones',
] as const;
const SECTION_BY_KEY: Record<string, (typeof SECTIONS)[number]> = {
  'dcs-context-note': 'Note of local context from the DCS',
  'annex-a-documents': 'Annex A documents',
};

function sectionOf(d: DeliverableState): string {
  const named = SECTION_BY_KEY[d.key];
  if (named) return named;
  if (d.kind === 'list') return 'Lists';
  return (AGENCIES as readonly string[]).includes(d.owner) ? 'Other requests' : 'Inspectorate milestones';
}

/** A file made or decrypted for the pack: its copy on disk and the SHA-256 it is checked against. */
export interface PackSource {
  path: string;
  sha256: string;
}

/** What the store holds about the warnings on a list's latest counted submission, ready for the pack. */
export interface ListQueriesInPack {
  /** Every warning the list was accepted with, as a CSV for people (the store keeps them as JSON). */
  warnings: PackSource;
  /** The agency's latest answers to them (the CSV it made on its page), and when they came. */
  answers?: PackSource & { at: Instant };
}

/** The submission of a list that the pack holds: a corrected list replaces the earlier one. */
export function packedListSubmission(d: DeliverableState): Submission | undefined {
  return d.kind === 'list' ? countedSubmissions(d).at(-1) : undefined;
}

/** The answers to the queries on the packed submission of a list, if the agency has sent any. */
export function packedQueryAnswers(d: DeliverableState): QueryAnswers | undefined {
  const latest = packedListSubmission(d);
  return latest && d.queryAnswers?.filter((a) => a.submissionId === latest.id).at(-1);
}

/**
 * The pack's contents from an inspection's state and every file received (the `files` query), at `at`;
 * `pathOf` gives each file's decrypted copy on disk.
 */
export function packContent(
  state: InspectionRecord,
  received: ReceivedFile[],
  at: Instant,
  pathOf: (file: ReceivedFile) => string,
  extras: {
    /** What the joint evaluation says of each tracked child first (Annex B's header: age, needs), by child ID. */
    childFacts?: Record<string, { label: string; value: string }[]>;
    /** Each list's warnings and the agency's answers to them, by deliverable id. */
    listQueries?: Record<string, ListQueriesInPack>;
  } = {},
): PackContent {
  const { childFacts = {}, listQueries = {} } = extras;
  const agencyName = (p: Party) => agencyNameIn(state, p);
  const when = (instant: Instant) => formatUkDateTime(instant);

  /** What is still to come of `d`: its state in words (waived, not yet asked for, overdue, extended). */
  function openStatus(d: DeliverableState): string {
    const s = deliverableStatus(state, d, at);
    if (s === 'waived') return d.waived ? `waived ${when(d.waived.at)}` : 'waived (not asked for)';
    if (s === 'not-yet-requested') return 'not yet asked for';
    if (s === 'optional') return 'optional: not sent';
    const moved = d.extensions.at(-1);
    const extended = moved ? ` (extended to ${when(d.dueAt)} from ${when(d.originalDueAt)})` : '';
    return s === 'overdue' ? `overdue${extended}` : `outstanding${extended}`;
  }

  const file = (f: ReceivedFile, folder: string[], name: string): PackFile => ({
    folder,
    name,
    extension: extensionOf(f.name),
    path: pathOf(f),
    sha256: f.sha256,
  });
  const receivedRow = (f: ReceivedFile) => ({
    status: f.late ? 'received late' : 'received',
    received: when(f.at),
  });
  const filesOf = (d: DeliverableState) => received.filter((f) => f.deliverableId === d.id);

  const rows: PackRow[] = [];
  const covers: PackCover[] = [];

  // A folder per tracked child, in the order selected.
  const perChild = state.deliverables.filter((d) => d.perTrackedChild);
  state.selection.tracked.forEach((childId, i) => {
    const section = trackedChildLabel(i);
    const notes: PackCover['notes'] = [];
    for (const d of perChild) {
      const agency = agencyName(d.owner);
      const place = perChildPlace(d, agency);
      const files = filesOf(d).filter((f) => f.childId === childId);
      for (const f of files) {
        const doc = f.code ? d.documents.find((x) => x.code === f.code) : undefined;
        rows.push({
          section,
          agency,
          ...(doc ? { code: doc.code } : {}),
          title: doc?.title ?? d.title,
          ...receivedRow(f),
          due: when(d.dueAt),
          file: file(f, [section, ...place.folder], doc ? `${doc.code} ${asName(doc.title)}` : place.name),
        });
      }
      const sent = countedSubmissions(d).filter((s) => s.childId === childId);
      for (const s of sent) if (s.note) notes.push({ label: `${agency}: ${d.title}`, text: s.note });
      const noFile = sent.filter((s) => s.files.length === 0);
      for (const s of noFile)
        rows.push({
          section,
          agency,
          title: d.title,
          status: s.complete
            ? 'nothing more to send (see the cover sheet)'
            : 'note sent (see the cover sheet)',
          received: when(s.at),
          due: when(d.dueAt),
        });
      if (sent.length === 0)
        rows.push({ section, agency, title: d.title, status: openStatus(d), due: when(d.dueAt) });
    }
    covers.push({
      section,
      facts: [{ label: 'Child ID', value: childId }, ...(childFacts[childId] ?? [])],
      notes,
    });
  });

  for (const d of state.deliverables.filter((x) => !x.perTrackedChild)) {
    const section = sectionOf(d);
    const agency = agencyName(d.owner);
    const counted = countedSubmissions(d);
    let files = filesOf(d);
    const folder = section === 'Inspectorate milestones' ? [section] : [section, agency];
    if (d.kind === 'list') {
      // A corrected list replaces the earlier one: only the latest is packed, with its warnings and answers.
      const latest = packedListSubmission(d);
      files = files.filter((f) => f.submissionId === latest?.id);
      const queries = listQueries[d.id];
      if (latest && queries) rows.push(...queryRows(d, latest, queries, folder, agency));
    }
    if (d.documents.length > 0) {
      const complete = counted.some((s) => s.complete);
      for (const doc of d.documents) {
        const coded = files.filter((f) => f.code === doc.code);
        for (const f of coded)
          rows.push({
            section,
            agency,
            code: doc.code,
            title: doc.title,
            ...receivedRow(f),
            due: when(d.dueAt),
            file: file(f, folder, `${doc.code} ${asName(doc.title)}`),
          });
        if (coded.length === 0)
          rows.push({
            section,
            agency,
            code: doc.code,
            title: doc.title,
            status: complete ? 'not sent: the agency has sent all it has' : openStatus(d),
            due: when(d.dueAt),
          });
      }
      for (const f of files.filter((x) => !x.code || !d.documents.some((doc) => doc.code === x.code)))
        rows.push({
          section,
          agency,
          title: `${d.title}: other document`,
          ...receivedRow(f),
          due: when(d.dueAt),
          file: file(f, folder, 'Other document'),
        });
      continue;
    }
    for (const f of files)
      rows.push({
        section,
        agency,
        title: d.title,
        ...receivedRow(f),
        due: when(d.dueAt),
        file: file(f, folder, asName(d.title)),
      });
    // An agency's note (a note of context, no meetings to declare) is packed as a page; the coordinator's notes
    // on the inspectorates' milestones are not.
    const notes = section === 'Inspectorate milestones' ? [] : counted.filter((x) => x.note);
    for (const s of notes)
      rows.push({
        section,
        agency,
        title: d.title,
        status: s.late ? 'note sent late' : 'note sent',
        received: when(s.at),
        due: when(d.dueAt),
        note: { folder, name: `${asName(d.title)} - note`, text: s.note ?? '' },
      });
    if (files.length === 0 && notes.length === 0) {
      const last = counted.at(-1);
      rows.push({
        section,
        agency,
        title: d.title,
        status: last ? (last.late ? 'recorded late' : 'recorded') : openStatus(d),
        ...(last ? { received: when(last.at) } : {}),
        due: when(d.dueAt),
      });
    }
  }

  /** The index lines (and files) for the warnings a list was accepted with and the agency's answers to them. */
  function queryRows(
    d: DeliverableState,
    latest: Submission,
    queries: ListQueriesInPack,
    folder: string[],
    agency: string,
  ): PackRow[] {
    const { warnings, answers } = queries;
    const csv = (source: PackSource, name: string): PackFile => ({
      folder,
      name,
      extension: '.csv',
      ...source,
    });
    const count = latest.queryCount ?? latest.queries?.length ?? 0;
    const base = { section: sectionOf(d), agency, due: when(d.dueAt) };
    return [
      {
        ...base,
        title: `${d.title}: ${count} warning${count === 1 ? '' : 's'} found when it arrived`,
        status: 'accepted with the list',
        received: when(latest.at),
        file: csv(warnings, `${asName(d.title)} - warnings found when it arrived`),
      },
      answers
        ? {
            ...base,
            title: `${d.title}: the agency's answers to the warnings`,
            status: 'received',
            received: when(answers.at),
            file: csv(answers, `${asName(d.title)} - answers to the warnings`),
          }
        : { ...base, title: `${d.title}: the agency's answers to the warnings`, status: 'not answered' },
    ];
  }

  return {
    title: `JTAI inspector pack: ${state.localAuthority}`,
    facts: [
      { label: 'Local authority', value: state.localAuthority },
      { label: 'Notified', value: formatUkDate(state.notifiedOn) },
      { label: 'Option', value: state.option },
      { label: 'Tracked children', value: String(state.selection.tracked.length) },
    ],
    rows: [...rows.filter((r) => r.section.startsWith('Tracked child')), ...sortSections(rows)],
    covers,
  };
}

/** Sections after the tracked children, in a fixed order. */
function sortSections(rows: PackRow[]): PackRow[] {
  return SECTIONS.flatMap((s) => rows.filter((r) => r.section === s));
}
