import type { AgencyId, Instant } from '../timeline/types';
import { Refusal, refuse } from './failures';
import { isUntrusted } from './trust';
import type {
  AddDeliverableRequest,
  AnswerQueriesRequest,
  CancelRequest,
  ConfirmRequest,
  ContactsRequest,
  Delivery,
  DeliverableState,
  ExtendRequest,
  FileUsage,
  InspectionRecord,
  InspectionState,
  LinkRequest,
  MessageRequest,
  PurgeRequest,
  SelectRequest,
  Stage,
  Submission,
  SubmitRequest,
  SubmittedFile,
  TwentyAnswersRequest,
  TwentyDetailsRequest,
  WaiveRequest,
  WithdrawRequest,
} from './types';

/**
 * The rules of an inspection as pure functions of its state: what a deliverable's state is, what stage
 * the inspection is at, and which requests are refused. The workflow's update validators call them,
 * and so do clients that show status, so both always agree.
 */

export type DeliverableStatus =
  | 'not-yet-requested'
  | 'awaiting'
  | 'extended'
  | 'overdue'
  | 'received'
  | 'received-late'
  | 'waived'
  /** Asked for where possible (d.optional) and not sent: never overdue. */
  | 'optional';

export const STATUS_LABELS: Record<DeliverableStatus, string> = {
  'not-yet-requested': 'not yet requested',
  awaiting: 'awaiting',
  extended: 'extended',
  overdue: 'overdue',
  received: 'received',
  'received-late': 'received late',
  waived: 'waived',
  optional: 'optional',
};

/** Agency links stay valid until 14 days after the inspection closes. */
export const LINK_VALID_AFTER_CLOSE_MS = 14 * 86_400_000;

export function linkExpiresAt(state: Pick<InspectionState, 'closesAt'>): Instant {
  return state.closesAt + LINK_VALID_AFTER_CLOSE_MS;
}

export function isEnded(state: InspectionRecord): boolean {
  return state.endedAt !== undefined || state.cancelled !== undefined;
}

function byKey(state: InspectionRecord, key: string): DeliverableState[] {
  return state.deliverables.filter((d) => d.key === key);
}

/** The deliverable this one waits for was waived: it will never be asked for, so it is settled too. */
function gateWaived(state: InspectionRecord, d: DeliverableState): boolean {
  if (!d.requires) return false;
  const gates = byKey(state, d.requires);
  return gates.length > 0 && gates.every((g) => g.waived !== undefined);
}

/** Nothing more is owed: received, waived, never to be asked for, or only asked for where possible. */
export function isSettled(state: InspectionRecord, d: DeliverableState): boolean {
  // `optional` exists only in schedules made since it was added: earlier inspections are settled as before.
  return d.receivedAt !== undefined || d.waived !== undefined || gateWaived(state, d) || d.optional === true;
}

export function deliverableStatus(
  state: InspectionRecord,
  d: DeliverableState,
  at: Instant,
): DeliverableStatus {
  if (d.waived || gateWaived(state, d)) return 'waived';
  if (d.receivedAt !== undefined) return d.late ? 'received-late' : 'received';
  if (d.requestedAt === undefined) return 'not-yet-requested';
  if (d.optional) return 'optional';
  if (at > d.dueAt) return 'overdue';
  return d.extensions.length > 0 ? 'extended' : 'awaiting';
}

export function overdueCount(state: InspectionRecord, at: Instant): number {
  return state.deliverables.filter((d) => deliverableStatus(state, d, at) === 'overdue').length;
}

/** The earliest due instant still owed (requested or not), if any. */
export function nextDue(state: InspectionRecord): Instant | undefined {
  const open = state.deliverables.filter((d) => !isSettled(state, d)).map((d) => d.dueAt);
  return open.length > 0 ? Math.min(...open) : undefined;
}

const CASE_LIST_KEYS = ['list-6', 'list-7', 'list-8', 'list-yot', 'list-nps'];

export function stageOf(state: InspectionRecord): Stage {
  if (state.cancelled) return 'cancelled';
  if (state.endedAt !== undefined) return 'completed';
  if (state.selection.tracked.length === 0) {
    const listsIn = state.deliverables
      .filter((d) => CASE_LIST_KEYS.includes(d.key))
      .every((d) => isSettled(state, d));
    return listsIn ? 'case-selection' : 'case-lists';
  }
  const documentsOpen = state.deliverables.some((d) => d.day <= 6 && !isSettled(state, d));
  return documentsOpen ? 'documents' : 'evaluation';
}

/**
 * Find a deliverable by id (`key-documents.police`), or by key and agency (`key-documents` + police),
 * or by key alone when only one deliverable has it.
 */
export function findDeliverable(
  state: InspectionRecord,
  idOrKey: string,
  agency?: AgencyId,
): DeliverableState {
  const exact = state.deliverables.find((d) => d.id === idOrKey);
  if (exact) return exact;
  const sameKey = byKey(state, idOrKey);
  const owned = agency ? sameKey.filter((d) => d.owner === agency) : sameKey;
  if (owned.length === 1 && owned[0]) return owned[0];
  if (sameKey.length > 1 && !agency) {
    refuse(
      Refusal.UnknownDeliverable,
      `"${idOrKey}" is owed by several agencies (${sameKey.map((d) => d.owner).join(', ')}): say which with the agency.`,
    );
  }
  if (sameKey.length > 0 && agency) {
    refuse(
      Refusal.WrongAgency,
      `${agency} does not owe "${idOrKey}"; it is owed by ${sameKey.map((d) => d.owner).join(', ')}.`,
    );
  }
  refuse(
    Refusal.UnknownDeliverable,
    `There is no deliverable "${idOrKey}" in this inspection. See the status for the list.`,
  );
}

/** A request that did not come through jtai (see ./trust.ts) changes nothing. */
function refuseIfUntrusted(req: unknown): void {
  if (isUntrusted(req) || typeof req !== 'object' || req === null)
    refuse(Refusal.Untrusted, 'This request did not come through jtai and was not acted on.');
}

function refuseIfEnded(state: InspectionRecord): void {
  if (state.cancelled)
    refuse(Refusal.InspectionEnded, 'This inspection has been cancelled: nothing more can be recorded.');
  if (state.endedAt !== undefined)
    refuse(Refusal.InspectionEnded, 'This inspection has ended: nothing more can be recorded.');
}

function refuseIfSettled(state: InspectionRecord, d: DeliverableState): void {
  if (d.waived || gateWaived(state, d))
    refuse(Refusal.AlreadySettled, `"${d.id}" was waived: nothing is owed.`);
}

function refuseIfNotRequested(d: DeliverableState): void {
  if (d.requestedAt === undefined) {
    refuse(
      Refusal.NotYetRequested,
      `"${d.id}" has not been asked for yet: it follows "${d.requires ?? 'an earlier stage'}".`,
    );
  }
}

/** A deliverable an agency acts on as its own: the request is jtai's, the inspection running, the agency its owner. */
function ownDeliverable(
  state: InspectionState,
  req: { deliverableId: string; agency: AgencyId },
): DeliverableState {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const d = findDeliverable(state, req.deliverableId, req.agency);
  if (d.owner !== req.agency)
    refuse(Refusal.WrongAgency, `"${d.id}" is owed by ${d.owner}, not ${req.agency}.`);
  return d;
}

export function checkSubmit(state: InspectionState, req: SubmitRequest): DeliverableState {
  const d = ownDeliverable(state, req);
  if (d.kind === 'selection' || d.kind === 'confirmation') {
    refuse(Refusal.WrongKind, `"${d.id}" is recorded by the coordinator (select or confirm), not submitted.`);
  }
  refuseIfSettled(state, d);
  refuseIfNotRequested(d);
  if (d.kind === 'list') {
    // The meetings list may instead be a note that there are no meetings to declare (Annex A asks only for
    // the meetings that take place in the fieldwork week; there may be none).
    const noneToDeclare = d.list === 'meetings' && req.files.length === 0 && (req.note ?? '').trim() !== '';
    // A list already received may be sent again: the corrected list is recorded as a new submission.
    if (req.files.length !== 1 && !noneToDeclare)
      refuse(Refusal.BadRequest, `"${d.id}" is a list: submit exactly one file (.xlsx or .csv).`);
  }
  if (d.perTrackedChild) {
    if (!req.childId)
      refuse(Refusal.BadRequest, `"${d.id}" is given for each tracked child: say which child.`);
    if (!state.selection.tracked.includes(req.childId)) {
      refuse(
        Refusal.NotOnAnyList,
        `That child is not one of the ${state.selection.tracked.length} tracked children.`,
      );
    }
  }
  const hasContent = req.files.length > 0 || (req.note ?? '').trim() !== '' || req.complete === true;
  if (!hasContent) refuse(Refusal.BadRequest, 'Nothing to record: give at least one file or a note.');
  for (const f of req.files) {
    if (!/^[0-9a-f]{64}$/.test(f.sha256))
      refuse(Refusal.BadRequest, `File "${f.name}" has no valid SHA-256.`);
    if (f.code !== undefined && d.documents.length > 0 && !d.documents.some((doc) => doc.code === f.code)) {
      refuse(
        Refusal.BadRequest,
        `"${f.code}" is not a document code of "${d.id}"; the codes are ${d.documents.map((doc) => doc.code).join(', ')}.`,
      );
    }
  }
  return d;
}

export function checkAnswerQueries(state: InspectionState, req: AnswerQueriesRequest): DeliverableState {
  const d = ownDeliverable(state, req);
  const submission = d.submissions.find((s) => s.id === req.submissionId);
  if (!submission?.queries?.length) refuse(Refusal.BadRequest, 'That submission has no queries to answer.');
  if (!/^[0-9a-f]{64}$/.test(req.file.sha256))
    refuse(Refusal.BadRequest, 'The answers have no valid SHA-256.');
  return d;
}

export function checkSelect(state: InspectionState, req: SelectRequest): DeliverableState {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const key = req.stage === 'twenty' ? 'selection-twenty' : 'selection-tracked';
  const d = state.deliverables.find((x) => x.key === key);
  if (!d)
    refuse(
      Refusal.WrongKind,
      `Option ${state.option} has no selection of 20: the lead inspector picks the tracked children straight from the lists.`,
    );
  refuseIfSettled(state, d);
  const ids = req.childIds.map((id) => id.trim());
  if (ids.some((id) => id === '')) refuse(Refusal.SelectionInvalid, 'A child ID is empty.');
  if (new Set(ids).size !== ids.length) refuse(Refusal.SelectionInvalid, 'The same child ID is given twice.');
  const { maxSelected, tracked } = state.limits;
  if (req.stage === 'twenty') {
    if (ids.length === 0 || ids.length > maxSelected) {
      refuse(
        Refusal.SelectionInvalid,
        `The lead inspector selects up to ${maxSelected} children; ${ids.length} were given.`,
      );
    }
    if (state.selection.tracked.length > 0)
      refuse(Refusal.AlreadySettled, 'The tracked children are already selected.');
    refuseIfNotOnLists(ids, (id) => state.candidates[id] !== undefined, 'on any list received');
  } else {
    if (ids.length < tracked.min || ids.length > tracked.max) {
      refuse(
        Refusal.SelectionInvalid,
        `Between ${tracked.min} and ${tracked.max} children are tracked; ${ids.length} ${ids.length === 1 ? 'was' : 'were'} given.`,
      );
    }
    if (state.option === 'A') {
      if (state.selection.twenty.length === 0) {
        refuse(
          Refusal.NotYetRequested,
          'Option A: record the selection of 20 children before the tracked children.',
        );
      }
      refuseIfNotOnLists(ids, (id) => state.selection.twenty.includes(id), 'among the 20 selected');
    } else {
      refuseIfNotOnLists(ids, (id) => state.candidates[id] !== undefined, 'on any list received');
    }
    const perChildStarted = state.deliverables.some((x) => x.perTrackedChild && x.submissions.length > 0);
    if (perChildStarted)
      refuse(
        Refusal.AlreadySettled,
        'Documents have already been received for the tracked children: the selection cannot change.',
      );
  }
  return d;
}

/** Name the offending positions, not the IDs: refusals are stored and shown, child IDs are not echoed. */
function refuseIfNotOnLists(ids: string[], known: (id: string) => boolean, where: string): void {
  const positions = ids.map((id, i) => (known(id) ? 0 : i + 1)).filter((p) => p > 0);
  if (positions.length > 0) {
    refuse(
      Refusal.NotOnAnyList,
      `${positions.length === 1 ? 'The child' : `${positions.length} children`} at position${positions.length === 1 ? '' : 's'} ${positions.join(', ')} ${positions.length === 1 ? 'is' : 'are'} not ${where}: check the ID.`,
    );
  }
}

export function checkConfirm(state: InspectionState, req: ConfirmRequest): DeliverableState {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const d = findDeliverable(state, req.deliverableId);
  if (d.kind !== 'confirmation')
    refuse(Refusal.WrongKind, `"${d.id}" is not a confirmation: use submit or select.`);
  refuseIfSettled(state, d);
  refuseIfNotRequested(d);
  return d;
}

/** A deliverable the coordinator extends or waives: still owed (not received, waived or ended). */
function stillOwed(state: InspectionState, req: { deliverableId: string }, act: string): DeliverableState {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const d = findDeliverable(state, req.deliverableId);
  refuseIfSettled(state, d);
  if (d.receivedAt !== undefined)
    refuse(Refusal.AlreadySettled, `"${d.id}" has been received: nothing to ${act}.`);
  return d;
}

export function checkExtend(state: InspectionState, req: ExtendRequest, at: Instant): DeliverableState {
  const d = stillOwed(state, req, 'extend');
  if (req.dueAt <= at)
    refuse(Refusal.ExtensionInPast, 'The new deadline has already passed: choose a later date and time.');
  if (req.reason.trim() === '') refuse(Refusal.BadRequest, 'Give a reason for the extension.');
  if (req.ladder.some((r) => !Number.isFinite(r.at)))
    refuse(Refusal.BadRequest, 'The chasing ladder is malformed.');
  return d;
}

export function checkWaive(state: InspectionState, req: WaiveRequest): DeliverableState {
  const d = stillOwed(state, req, 'waive');
  if (req.reason.trim() === '') refuse(Refusal.BadRequest, 'Give a reason for waiving it.');
  return d;
}

export function checkSendLink(state: InspectionState, req: LinkRequest): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  if (!(req.agency in state.linkVersions)) refuse(Refusal.BadRequest, `Unknown agency "${req.agency}".`);
}

export function checkChangeContacts(state: InspectionState, req: ContactsRequest): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const contacts = req.contacts;
  if (typeof contacts !== 'object' || contacts === null)
    refuse(Refusal.BadRequest, 'The contacts are missing or malformed.');
  const email = /^[^\s@]+@[^\s@]+$/;
  if (!email.test(contacts.coordinator?.email ?? ''))
    refuse(Refusal.BadRequest, "The coordinator's email address is missing or malformed.");
  for (const agency of Object.keys(state.linkVersions) as AgencyId[]) {
    const c = contacts.agencies?.[agency];
    if (!c || !email.test(c.contact) || !email.test(c.escalation)) {
      refuse(Refusal.BadRequest, `The contacts of ${agency} are missing or malformed.`);
    }
  }
}

export function checkWithdraw(state: InspectionState, req: WithdrawRequest, at: Instant): DeliverableState {
  const d = ownDeliverable(state, req);
  if (d.kind === 'list')
    refuse(
      Refusal.WrongKind,
      'A list is not withdrawn: send the corrected list instead, it replaces the earlier one.',
    );
  if (at > d.dueAt)
    refuse(
      Refusal.AlreadySettled,
      'The deadline has passed: a file sent can no longer be withdrawn. Tell the coordinator if it is wrong.',
    );
  const file = d.submissions
    .find((s) => s.id === req.submissionId)
    ?.files.find((f) => f.sha256 === req.sha256 && !f.withdrawn);
  if (!file) refuse(Refusal.BadRequest, 'There is no such file to withdraw.');
  if (typeof req.reason !== 'string' || req.reason.trim() === '' || req.reason.length > 500)
    refuse(Refusal.BadRequest, 'Say why the file is withdrawn (up to 500 characters).');
  return d;
}

/** Most messages an inspection keeps (its state stays bounded). */
export const MAX_MESSAGES = 200;

export function checkMessage(state: InspectionState, req: MessageRequest): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  if (!(req.agency in state.linkVersions))
    refuse(Refusal.BadRequest, `Unknown agency "${String(req.agency)}".`);
  if (typeof req.text !== 'string' || req.text.trim() === '' || req.text.length > 2000)
    refuse(Refusal.BadRequest, 'Write the message (up to 2,000 characters).');
  if ((state.messages?.length ?? 0) >= MAX_MESSAGES)
    refuse(Refusal.BadRequest, `This inspection already holds ${MAX_MESSAGES} messages.`);
}

/** Deliverables added by an addDeliverable request (not the answers asked for when the 20 are recorded). */
export function addedOnRequest(state: InspectionRecord): DeliverableState[] {
  return state.deliverables.filter((d) => d.added && d.added.source !== 'twenty-answers');
}

/** Most deliverables that can be added during an inspection. */
export const MAX_ADDED = 100;

export function checkAddDeliverable(state: InspectionState, req: AddDeliverableRequest, at: Instant): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  if (!(req.owner in state.linkVersions))
    refuse(Refusal.BadRequest, `Unknown agency "${String(req.owner)}".`);
  if (req.kind !== 'documents' && req.kind !== 'confirmation')
    refuse(Refusal.BadRequest, 'An added request asks for documents or a confirmation.');
  if (req.source !== 'cqc-request' && req.source !== 'ad-hoc') refuse(Refusal.BadRequest, 'Unknown source.');
  for (const [text, max, what] of [
    [req.title, 200, 'a title'],
    [req.description, 2000, 'what is asked for'],
  ] as const)
    if (typeof text !== 'string' || text.trim() === '' || text.length > max)
      refuse(Refusal.BadRequest, `Give ${what} (up to ${max} characters).`);
  if (!Number.isFinite(req.dueAt) || req.dueAt <= at)
    refuse(Refusal.ExtensionInPast, 'The due time has already passed: choose a later date and time.');
  if (req.dueAt >= state.closesAt)
    refuse(
      Refusal.BadRequest,
      "The due time is after the inspection's data side closes: choose an earlier one.",
    );
  if (!Number.isInteger(req.day) || req.day < 0) refuse(Refusal.BadRequest, 'The working day is malformed.');
  if (!Array.isArray(req.ladder) || req.ladder.some((r) => !Number.isFinite(r.at)))
    refuse(Refusal.BadRequest, 'The chasing ladder is malformed.');
  const children = req.childIds ?? [];
  if (!Array.isArray(children) || children.some((id) => !state.selection.tracked.includes(id)))
    refuse(Refusal.NotOnAnyList, 'Every child named must be one of the tracked children.');
  if (addedOnRequest(state).length >= MAX_ADDED)
    refuse(Refusal.BadRequest, `This inspection already has ${MAX_ADDED} added requests.`);
}

export function checkPurge(state: InspectionState, req: PurgeRequest): void {
  refuseIfUntrusted(req);
  if (!isEnded(state))
    refuse(Refusal.NotYetEnded, 'Only an inspection that has ended or been cancelled can be purged.');
}

export function checkCancel(state: InspectionState, req: CancelRequest): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  if (req.reason.trim() === '') refuse(Refusal.BadRequest, 'Give a reason for cancelling the inspection.');
}

/** Most answers one request may carry: 20 children, each question of the return. */
const MAX_ANSWERS = 20 * 7;

/**
 * An agency's answers for the 20 (Option A): its own answers deliverable, children among the 20, its own
 * columns only, values Y, N or blank.
 */
export function checkAnswerTwenty(state: InspectionState, req: TwentyAnswersRequest): DeliverableState {
  const d = ownDeliverable(state, req);
  if (d.kind !== 'answers' || !d.answers)
    refuse(Refusal.WrongKind, `"${d.id}" does not ask for answers about the 20 children.`);
  refuseIfSettled(state, d);
  if (!Array.isArray(req.answers) || req.answers.length === 0 || req.answers.length > MAX_ANSWERS)
    refuse(Refusal.BadRequest, 'Give at least one answer (Y or N) for a child.');
  const children = d.added?.childIds ?? [];
  const columns = d.answers.columns;
  const seen = new Set<string>();
  req.answers.forEach((a, i) => {
    const at = `Answer ${i + 1}`;
    if (typeof a !== 'object' || a === null) refuse(Refusal.BadRequest, `${at} is malformed.`);
    // Positions, not IDs: refusals are stored and shown, child IDs are not echoed.
    if (!children.includes(a.childId))
      refuse(Refusal.NotOnAnyList, `${at} is for a child who is not one of the ${children.length} selected.`);
    if (!columns.includes(a.column))
      refuse(Refusal.WrongAgency, `${at} is to a question your agency is not asked.`);
    if (a.value !== 'Y' && a.value !== 'N' && a.value !== '')
      refuse(Refusal.BadRequest, `${at} is not Y, N or blank.`);
    const cell = `${a.childId}\u0000${a.column}`;
    if (seen.has(cell))
      refuse(Refusal.BadRequest, `${at} answers the same question for the same child again.`);
    seen.add(cell);
  });
  if (req.file && !/^[0-9a-f]{64}$/.test(req.file.sha256))
    refuse(Refusal.BadRequest, 'The sheet has no valid SHA-256.');
  return d;
}

/** Option A: the details go only to agencies asked for answers on the 20, once the 20 are selected. */
export function checkShareTwentyDetails(state: InspectionState, req: TwentyDetailsRequest): void {
  refuseIfUntrusted(req);
  refuseIfEnded(state);
  const asked = state.deliverables.filter((d) => d.kind === 'answers').map((d) => d.owner);
  if (asked.length === 0)
    refuse(Refusal.NotYetRequested, 'No agency has been asked about the 20 children yet.');
  if (!Array.isArray(req.sharedWith) || req.sharedWith.some((a) => !asked.includes(a)))
    refuse(Refusal.BadRequest, 'Details are shared only with the agencies asked about the 20 children.');
  if (req.sharedWith.length > 0 && !req.file)
    refuse(Refusal.BadRequest, 'Give the details to share with the agencies chosen.');
  if (req.file && !/^[0-9a-f]{64}$/.test(req.file.sha256))
    refuse(Refusal.BadRequest, 'The details have no valid SHA-256.');
}

/** Kind 'answers': every child of the 20 has a Y or N for every question the agency is asked. */
export function answersComplete(d: DeliverableState): boolean {
  const { answers } = d;
  if (!answers) return false;
  return (d.added?.childIds ?? []).every((id) =>
    answers.columns.every((c) => answers.given[id]?.[c] !== undefined),
  );
}

/** Is a per-child or documents deliverable now complete, given its submissions? */
export function isComplete(state: InspectionRecord, d: DeliverableState): boolean {
  if (d.kind === 'answers') return answersComplete(d);
  const counted = countedSubmissions(d);
  if (counted.length === 0) return false;
  if (d.perTrackedChild) {
    const covered = new Set(counted.map((s) => s.childId));
    return state.selection.tracked.every((id) => covered.has(id));
  }
  if (d.kind === 'documents' && d.documents.length > 0) {
    if (counted.some((s) => s.complete)) return true;
    const codes = new Set(counted.flatMap((s) => keptFiles(s).map((f) => f.code)));
    return d.documents.every((doc) => codes.has(doc.code));
  }
  return true;
}

/**
 * Per agency, the files and bytes of its accepted submissions and answers (withdrawn files too: they were sent
 * and are kept): what its upload quota counts.
 */
export function uploadUsage(state: InspectionRecord): FileUsage['byAgency'] {
  const byAgency: FileUsage['byAgency'] = {};
  const count = (agency: AgencyId, size: number) => {
    const used = (byAgency[agency] ??= { files: 0, bytes: 0 });
    used.files += 1;
    used.bytes += size;
  };
  for (const d of state.deliverables) {
    for (const s of d.submissions) for (const f of s.files) count(s.agency, f.size);
    for (const answers of d.queryAnswers ?? []) count(answers.agency, answers.file.size);
  }
  return byAgency;
}

/**
 * A submission that carries a quota: refused if the agency's accepted files and bytes, with those `reserved`
 * for its submissions still being checked and this one's, would pass it.
 */
export function checkQuota(
  state: InspectionRecord,
  req: SubmitRequest,
  reserved: FileUsage['byAgency'],
): void {
  const { quota } = req;
  if (!quota) return;
  const used = uploadUsage(state)[req.agency] ?? { files: 0, bytes: 0 };
  const held = reserved[req.agency] ?? { files: 0, bytes: 0 };
  const files = used.files + held.files + req.files.length;
  const bytes = used.bytes + held.bytes + req.files.reduce((n, f) => n + f.size, 0);
  if (files > quota.files || bytes > quota.bytes)
    refuse(
      Refusal.QuotaReached,
      `The submission would take the agency past its upload quota for this inspection (${quota.files} files, ` +
        `${quota.bytes} bytes): ${used.files + held.files} files and ${used.bytes + held.bytes} bytes are ` +
        `received or being checked, and it brings ${req.files.length} files and ${bytes - used.bytes - held.bytes} bytes.`,
      { quota },
    );
}

/** A submission's files that were not withdrawn. */
export function keptFiles(s: Submission): SubmittedFile[] {
  return s.files.filter((f) => !f.withdrawn);
}

/** Submissions that still count: those without files (a note, a confirmation) and those with a file kept. */
export function countedSubmissions(d: DeliverableState): Submission[] {
  return d.submissions.filter((s) => s.files.length === 0 || keptFiles(s).length > 0);
}

/** Document codes still missing from a documents deliverable (for checklists and reminders). */
export function missingDocumentCodes(d: DeliverableState): string[] {
  const codes = new Set(d.submissions.flatMap((s) => keptFiles(s).map((f) => f.code)));
  return d.documents.filter((doc) => !codes.has(doc.code)).map((doc) => doc.code);
}

/** How far a client's stamp may be from the workflow's time: outside this, the workflow's time is used. */
const STAMP_SKEW = { before: 60 * 60_000, after: 2 * 60_000 };

/**
 * An instant stamped by the CLI or web app (when a submission was received, when a start was asked for), if it
 * is no more than an hour before the workflow's time (a long check, a busy worker) and not in its future
 * beyond clock skew; otherwise the workflow's time. Never later than the workflow's time.
 */
export function stampWithinBounds(stamp: Instant | undefined, workflowNow: Instant): Instant {
  if (stamp === undefined || !Number.isFinite(stamp)) return workflowNow;
  if (stamp < workflowNow - STAMP_SKEW.before || stamp > workflowNow + STAMP_SKEW.after) return workflowNow;
  return Math.min(stamp, workflowNow);
}

/**
 * Emails that need someone's attention: failing now, or given up with no later email to the same agency and
 * recipient delivered since (a fixed address or a resent link clears it).
 */
export function mailProblems(state: Pick<InspectionState, 'outbox'>): Delivery[] {
  return state.outbox.filter((x) => {
    if (x.status === 'failing') return true;
    if (x.status !== 'given-up') return false;
    return !state.outbox.some(
      (y) => y.status === 'sent' && y.agency === x.agency && y.to === x.to && (y.sentAt ?? 0) > x.queuedAt,
    );
  });
}
