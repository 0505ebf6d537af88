import {
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NoticeTemplate } from '../activities/types';
import type { Rung } from '../timeline/schedule';
import type { AgencyId, Instant } from '../timeline/types';
import { dateAt, now } from './clock';
import { Refusal, refuse } from './failures';
import * as messages from './messages';
import {
  checkAnswerQueries,
  checkCancel,
  checkChangeContacts,
  checkConfirm,
  checkExtend,
  checkSelect,
  checkSendLink,
  checkSubmit,
  checkWaive,
  isComplete,
  isEnded,
  isSettled,
  missingDocumentCodes,
  nextDue,
  overdueCount,
  stageOf,
} from './rules';
import { LOCAL_AUTHORITY_KEY, NEXT_DUE_KEY, OVERDUE_KEY, STAGE_KEY } from './search-attributes';
import type {
  AnswerQueriesRequest,
  CancelRequest,
  InspectionContacts,
  ConfirmRequest,
  DeliverableState,
  ExtendRequest,
  InspectionInput,
  InspectionState,
  LinkRequest,
  Receipt,
  SelectRequest,
  Submission,
  SubmitRequest,
  WaiveRequest,
} from './types';

const { sendNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});
const { validateSubmission } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});

const DAY = 86_400_000;

/** One inspection: the Annex C timeline as timers and messages, from notification to close. */
export async function inspection(input: InspectionInput): Promise<InspectionState> {
  const state = initialState(input);
  /** Bumped on every change, so the main loop refreshes search attributes and checks completion. */
  let changes = 0;

  setHandler(messages.status, () => state);

  setHandler(
    messages.submit,
    async (req): Promise<Receipt> => {
      const d = checkSubmit(state, req);
      let extra: Pick<Submission, 'rows' | 'queries'> = {};
      if (d.kind === 'list' && d.list && req.files[0]) {
        const result = await validateSubmission({
          inspectionId: state.inspectionId,
          list: d.list,
          file: req.files[0],
          option: state.option,
          notifiedOn: state.notifiedOn,
          submittedAt: now(),
        });
        if (result.errorCount > 0) {
          const first = result.errors[0];
          refuse(
            Refusal.ListInvalid,
            `The list has ${result.errorCount} error${result.errorCount === 1 ? '' : 's'} and was not recorded` +
              // Where, not what: the message stays in history in clear, the findings (details) are encrypted.
              (first && first.row > 0
                ? `; first: row ${first.row}, column "${first.column}".`
                : first
                  ? `: ${first.message}`
                  : '.'),
            result.errors,
          );
        }
        if (isEnded(state))
          refuse(Refusal.InspectionEnded, 'The inspection ended while the list was being checked.');
        extra = { rows: result.rows, queries: result.warnings };
        recordCandidates(state, d.list, result.candidates);
      }
      return record(d, {
        agency: req.agency,
        files: req.files,
        ...(req.note ? { note: req.note } : {}),
        ...(req.childId ? { childId: req.childId } : {}),
        ...(req.complete ? { complete: true } : {}),
        ...extra,
      });
    },
    { validator: (req: SubmitRequest) => void checkSubmit(state, req) },
  );

  setHandler(
    messages.answerQueries,
    (req) => {
      const d = checkAnswerQueries(state, req);
      (d.queryAnswers ??= []).push({
        submissionId: req.submissionId,
        agency: req.agency,
        at: now(),
        file: req.file,
      });
      changes++;
    },
    { validator: (req: AnswerQueriesRequest) => void checkAnswerQueries(state, req) },
  );

  setHandler(
    messages.select,
    (req): Receipt => {
      const d = checkSelect(state, req);
      const ids = req.childIds.map((id) => id.trim());
      if (req.stage === 'twenty') state.selection.twenty = ids;
      else state.selection.tracked = ids;
      return record(d, { agency: 'partnership', files: [], note: `${ids.length} children selected` });
    },
    { validator: (req: SelectRequest) => void checkSelect(state, req) },
  );

  setHandler(
    messages.confirm,
    (req): Receipt => {
      const d = checkConfirm(state, req);
      return record(d, { agency: 'partnership', files: [], ...(req.note ? { note: req.note } : {}) });
    },
    { validator: (req: ConfirmRequest) => void checkConfirm(state, req) },
  );

  setHandler(
    messages.extendDeadline,
    (req) => {
      const at = now();
      const d = checkExtend(state, req, at);
      d.extensions.push({ at, from: d.dueAt, to: req.dueAt, reason: req.reason });
      d.dueAt = req.dueAt;
      d.ladder = req.ladder;
      d.ladderFrom = at;
      d.ladderVersion++;
      changes++;
    },
    { validator: (req: ExtendRequest) => void checkExtend(state, req, now()) },
  );

  setHandler(
    messages.waive,
    (req) => {
      const d = checkWaive(state, req);
      d.waived = { at: now(), reason: req.reason };
      changes++;
    },
    { validator: (req: WaiveRequest) => void checkWaive(state, req) },
  );

  setHandler(
    messages.changeContacts,
    (contacts) => {
      checkChangeContacts(state, contacts);
      state.contacts = contacts;
      changes++;
    },
    { validator: (contacts: InspectionContacts) => void checkChangeContacts(state, contacts) },
  );

  setHandler(
    messages.cancel,
    (req) => {
      checkCancel(state, req);
      state.cancelled = { at: now(), reason: req.reason };
      changes++;
    },
    { validator: (req: CancelRequest) => void checkCancel(state, req) },
  );

  setHandler(
    messages.sendLink,
    async (req): Promise<number> => {
      checkSendLink(state, req);
      if (req.revoke) state.linkVersions[req.agency]++;
      const version = state.linkVersions[req.agency];
      const owed = state.deliverables.filter(
        (d) => d.owner === req.agency && d.chase && !isSettled(state, d),
      );
      await notify('link', req.agency, owed, `link/${req.agency}/${currentUpdateInfo()?.id ?? version}`);
      changes++;
      return version;
    },
    { validator: (req: LinkRequest) => void checkSendLink(state, req) },
  );

  /** Record a submission (or a selection or confirmation, made by the partnership) under its update id. */
  function record(d: DeliverableState, fields: Omit<Submission, 'id' | 'at' | 'late'>): Receipt {
    const at = now();
    const submission: Submission = {
      id: currentUpdateInfo()?.id ?? `${d.id}-${d.submissions.length + 1}`,
      at,
      late: at > d.dueAt,
      ...fields,
    };
    d.submissions.push(submission);
    markReceivedIfComplete(d, at);
    changes++;
    return receipt(d, submission);
  }

  /** Ask for what depends on this stage once the stage is reached. */
  function markReceivedIfComplete(d: DeliverableState, at: Instant): void {
    if (d.receivedAt !== undefined || !isComplete(state, d)) return;
    d.receivedAt = at;
    d.late = at > d.dueAt;
    for (const next of state.deliverables) {
      if (next.requires === d.key && next.requestedAt === undefined) {
        next.requestedAt = at;
        next.ladderFrom = at;
      }
    }
  }

  async function notify(
    template: NoticeTemplate,
    agency: AgencyId,
    items: DeliverableState[],
    messageKey: string,
    to: Rung['to'] | 'contact' = 'contact',
  ): Promise<void> {
    const agencyContacts = state.contacts.agencies[agency];
    const coordinator = state.contacts.coordinator.email;
    const recipients =
      to === 'contact'
        ? { to: [agencyContacts.contact], cc: [] }
        : to === 'escalation-lead'
          ? { to: [agencyContacts.escalation], cc: [agencyContacts.contact] }
          : { to: [coordinator], cc: [agencyContacts.escalation] };
    await sendNotice({
      inspectionId: state.inspectionId,
      localAuthority: state.localAuthority,
      template,
      agency,
      agencyName: agencyContacts.name,
      deliverables: items.map((d) => ({
        id: d.id,
        title: d.title,
        dueAt: d.dueAt,
        ...(d.kind === 'documents' && d.documents.length > 0 && !d.perTrackedChild
          ? { missing: missingDocumentCodes(d) }
          : {}),
      })),
      ...recipients,
      messageKey,
      sentAt: now(),
      link: { version: state.linkVersions[agency], expiresAt: state.closesAt + 14 * DAY },
    });
  }

  /** Remind before the deadline and escalate after it, until the deliverable is settled. */
  async function chase(d: DeliverableState): Promise<void> {
    const done = () => isSettled(state, d) || isEnded(state);
    await condition(() => d.requestedAt !== undefined || done());
    if (done()) return;
    const agency = d.owner as AgencyId;
    if (d.requires) {
      d.chaseLog.push({ rung: 'request', kind: 'request', to: 'contact', at: now() });
      await notify('request', agency, [d], `${d.id}/request`);
    }
    let version = d.ladderVersion;
    let index = 0;
    while (!done()) {
      if (d.ladderVersion !== version) {
        version = d.ladderVersion;
        index = 0;
      }
      const rung = d.ladder[index];
      if (!rung) {
        await condition(() => done() || d.ladderVersion !== version);
        continue;
      }
      if (rung.at < d.ladderFrom) {
        index++;
        continue;
      }
      const v = version;
      if (await waitUntil(rung.at, () => done() || d.ladderVersion !== v)) continue;
      d.chaseLog.push({ rung: rung.id, kind: rung.kind, to: rung.to, at: now() });
      const template: NoticeTemplate =
        rung.kind === 'reminder'
          ? 'reminder'
          : rung.to === 'coordinator'
            ? 'escalation-coordinator'
            : 'escalation-lead';
      await notify(template, agency, [d], `${d.id}/${rung.id}/v${version}`, rung.to);
      index++;
    }
  }

  function refreshSearchAttributes(): void {
    if (!input.searchAttributes) return;
    const due = nextDue(state);
    upsertSearchAttributes([
      { key: LOCAL_AUTHORITY_KEY, value: state.localAuthority },
      { key: STAGE_KEY, value: stageOf(state) },
      { key: NEXT_DUE_KEY, value: due === undefined ? null : dateAt(due) },
      { key: OVERDUE_KEY, value: overdueCount(state, now()) },
    ]);
  }

  // Each deliverable an agency owes is chased on its own; a chase ends once it is settled or the inspection ends.
  for (const d of state.deliverables) if (d.chase) void chase(d);
  // Every agency is asked, in one email, for everything it owes from the start.
  const startedAt = now();
  const digests = agenciesOwing(state).map(({ agency, items }) =>
    notify('request-digest', agency, items, `request-digest/${agency}`).then(() => {
      for (const d of items)
        d.chaseLog.push({ rung: 'request', kind: 'request', to: 'contact', at: startedAt });
    }),
  );

  while (true) {
    refreshSearchAttributes();
    if (isEnded(state)) break;
    const at = now();
    if (state.deliverables.every((d) => isSettled(state, d)) || at >= state.closesAt) {
      state.endedAt = at;
      changes++;
      break;
    }
    // Wake at the next deadline (to count it overdue), the close, or any change.
    const boundaries = state.deliverables.map((d) => d.dueAt).filter((t) => t > at);
    const wakeAt = Math.min(state.closesAt, ...boundaries.map((t) => t + 1));
    const seen = changes;
    await waitUntil(wakeAt, () => changes !== seen);
  }
  refreshSearchAttributes();
  await Promise.all(digests);
  await condition(allHandlersFinished);
  return state;
}

/** Wait until `at` (workflow time) or until `interrupted()`; true when interrupted. */
async function waitUntil(at: Instant, interrupted: () => boolean): Promise<boolean> {
  const ms = at - now();
  if (ms <= 0) return interrupted();
  return condition(interrupted, ms);
}

function initialState(input: InspectionInput): InspectionState {
  const startedAt = now();
  const { schedule } = input;
  return {
    inspectionId: input.inspectionId,
    localAuthority: input.localAuthority,
    themeId: schedule.themeId,
    option: schedule.option,
    notifiedOn: schedule.notifiedOn,
    endOfDay: schedule.endOfDay,
    closesAt: schedule.closesAt,
    startedAt,
    limits: input.limits,
    contacts: input.contacts,
    selection: { twenty: [], tracked: [] },
    candidates: {},
    linkVersions: {
      'local-authority': 1,
      police: 1,
      health: 1,
      probation: 1,
      'youth-justice': 1,
      partnership: 1,
    },
    deliverables: schedule.deliverables.map((d) => ({
      ...d,
      originalDueAt: d.dueAt,
      ...(d.requires ? {} : { requestedAt: startedAt }),
      ladderFrom: startedAt,
      ladderVersion: 1,
      extensions: [],
      submissions: [],
      chaseLog: [],
    })),
  };
}

/** What each agency owes from the start, for its first email. */
function agenciesOwing(state: InspectionState): { agency: AgencyId; items: DeliverableState[] }[] {
  const byAgency = new Map<AgencyId, DeliverableState[]>();
  for (const d of state.deliverables) {
    if (!d.chase || d.requestedAt === undefined) continue;
    const agency = d.owner as AgencyId;
    byAgency.set(agency, [...(byAgency.get(agency) ?? []), d]);
  }
  return [...byAgency.entries()].map(([agency, items]) => ({ agency, items }));
}

/** A corrected list replaces what the earlier version put forward. */
function recordCandidates(state: InspectionState, list: string, childIds: string[]): void {
  for (const [id, lists] of Object.entries(state.candidates)) {
    const kept = lists.filter((l) => l !== list);
    if (kept.length > 0) state.candidates[id] = kept;
    else delete state.candidates[id];
  }
  for (const id of childIds) state.candidates[id] = [...(state.candidates[id] ?? []), list];
}

function receipt(d: DeliverableState, s: Submission): Receipt {
  return {
    deliverableId: d.id,
    submissionId: s.id,
    receivedAt: s.at,
    late: s.late,
    complete: d.receivedAt !== undefined,
    queries: s.queries ?? [],
  };
}
