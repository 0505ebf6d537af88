import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  currentUpdateInfo,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NoticeTemplate } from '../activities/types';
import type { Recipient, Rung } from '../timeline/schedule';
import type { AgencyId, Instant } from '../timeline/types';
import { type ChaseCursor, chaseWakeAt, newCursor, nextRung } from './chase';
import { dateAt, now } from './clock';
import { Refusal, refuse } from './failures';
import { createLocks } from './lock';
import * as messages from './messages';
import { deliver, deliverTogether, type DeliveryHooks, MAX_BATCH } from './outbox';
import { fileUsageOf, receivedFiles, statusView } from './status';
import { isUntrusted } from './trust';
import {
  checkAddDeliverable,
  checkAnswerQueries,
  checkAnswerTwenty,
  checkShareTwentyDetails,
  checkCancel,
  checkQuota,
  checkChangeContacts,
  checkConfirm,
  checkExtend,
  checkMessage,
  checkPurge,
  checkSelect,
  checkSendLink,
  checkSubmit,
  checkWaive,
  checkWithdraw,
  addedOnRequest,
  isComplete,
  isEnded,
  isSettled,
  linkExpiresAt,
  mailProblems,
  missingDocumentCodes,
  nextDue,
  overdueCount,
  stampWithinBounds,
  stageOf,
} from './rules';
import {
  LOCAL_AUTHORITY_KEY,
  MAIL_FAILING_KEY,
  NEXT_DUE_KEY,
  OVERDUE_KEY,
  STAGE_KEY,
} from './search-attributes';
import type {
  Actor,
  AddDeliverableRequest,
  AnswerQueriesRequest,
  CancelRequest,
  ConfirmRequest,
  ContactsRequest,
  Delivery,
  DeliverableState,
  ExtendRequest,
  FileUsage,
  InspectionInput,
  InspectionState,
  LinkRequest,
  MessageRequest,
  PurgeOutcome,
  PurgeRequest,
  Receipt,
  SelectRequest,
  Submission,
  SubmitRequest,
  TwentyAnswersRequest,
  TwentyDetailsRequest,
  WaiveRequest,
  WithdrawRequest,
} from './types';

const { purgeInspection } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 minute', maximumInterval: '1 hour' },
});

const { validateSubmission } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The check heartbeats every few seconds: a worker that dies mid-check is noticed within this, and the
  // check starts again on another worker at once rather than after the start-to-close timeout.
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [Refusal.ListTooLarge] },
});

/** One inspection: the Annex C timeline as timers and messages, from notification to close. */
export async function inspection(input: InspectionInput): Promise<PurgeOutcome> {
  // Started with a payload jtai did not encrypt (from the Temporal UI or CLI): fail at once, never run it.
  if (isUntrusted(input) || typeof input?.schedule !== 'object')
    throw ApplicationFailure.create({
      type: Refusal.Untrusted,
      message: 'This inspection was not started through jtai and was not run.',
      nonRetryable: true,
    });
  const state = initialState(input);
  // Decided once, in the first workflow task (its marker there, not in an update's task), for inspections whose
  // schedule asks agencies for answers on the 20; inspections started before it never reach it.
  const twentyAnswersOn = state.twentyAnswers !== undefined && patched(TWENTY_ANSWERS_PATCH);
  /** Decided once, in the first workflow task: every deliverable chased by one coroutine with one timer. */
  const oneChaseTimer = patched(ONE_CHASE_TIMER_PATCH);
  /** Bumped on every change, so the main loop refreshes search attributes and checks completion. */
  let changes = 0;
  /** Emails being delivered: the workflow ends only when each is sent, skipped or given up. */
  let deliveries = 0;
  /** Emails queued in this workflow task and not yet sent (see queue); before any handler can queue one. */
  const batch: Delivery[] = [];
  const deliveryHooks: DeliveryHooks = {
    skipReason: (x) => skipReason(x),
    notice: (x) => noticeFor(x),
    // Not a change for the main loop (waking it would cancel and restart its timer for every email):
    // only the dashboard's count of failing email moves.
    changed: () => refreshMailFailing(),
    gaveUp: (x) => {
      // The coordinator hears of it (if mail works for them) and sees it on the dashboard either way.
      if (x.template !== 'delivery-failed' && x.to !== 'coordinator')
        queue('delivery-failed', x.agency, byIds(x.deliverableIds), `${x.key}/given-up`, 'coordinator');
    },
  };
  // One submission to a deliverable at a time: a second upload waits for the first to be checked and recorded.
  const locks = createLocks();
  /** Files and bytes of submissions being checked, per agency: counted by the upload quota (checkQuota). */
  const reserved: FileUsage['byAgency'] = {};
  function reserveQuota(req: SubmitRequest): { release(): void } {
    checkQuota(state, req, reserved);
    const files = req.files.length;
    const bytes = req.files.reduce((n, f) => n + f.size, 0);
    const held = (reserved[req.agency] ??= { files: 0, bytes: 0 });
    held.files += files;
    held.bytes += bytes;
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        held.files -= files;
        held.bytes -= bytes;
      },
    };
  }

  setHandler(messages.status, () => statusView(state));
  setHandler(messages.candidates, () => state.candidates);
  setHandler(messages.files, () => receivedFiles(state));
  setHandler(messages.fileUsage, (hashes) => fileUsageOf(state, Array.isArray(hashes) ? hashes : []));

  setHandler(
    messages.submit,
    async (req): Promise<Receipt> => {
      // When it was sent, not when its check ends: a list sent at 16:59 is on time however long the check takes.
      const sentAt = stampWithinBounds(req.sentAt, now());
      let d = checkSubmit(state, req);
      return locks.exclusive(d.id, async () => {
        // Another submission, a waiver or the end may have come while this one waited.
        d = checkSubmit(state, req);
        // The agency's upload quota, with what its submissions still being checked hold: held until this one is
        // recorded or refused, so that posts made at once cannot all pass.
        const quota = req.quota && patched(UPLOAD_QUOTA_PATCH) ? reserveQuota(req) : undefined;
        try {
          let extra: Pick<Submission, 'rows' | 'queries'> = {};
          if (d.kind === 'list' && d.list && req.files[0]) {
            const result = await validateSubmission({
              inspectionId: state.inspectionId,
              list: d.list,
              file: req.files[0],
              option: state.option,
              notifiedOn: state.notifiedOn,
              submittedAt: sentAt,
            });
            if (result.errorCount > 0) {
              d.refusedSubmissions = (d.refusedSubmissions ?? 0) + 1;
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
                // Its warnings too (shown after the errors), so one upload shows all there is to fix.
                ...(patched(REFUSAL_WARNINGS_PATCH) ? [result.warnings] : []),
              );
            }
            // The check took time: re-check what it depends on (waived, ended, a later selection) before recording.
            d = checkSubmit(state, req);
            extra = {
              rows: result.rows,
              ...(result.warningCount > 0
                ? {
                    queries: result.warnings,
                    queryCount: result.warningCount,
                    ...(result.warningsFile ? { queriesFile: result.warningsFile } : {}),
                  }
                : {}),
            };
            recordCandidates(state, d.list ?? '', result.candidates);
          }
          quota?.release(); // counted in the state from here
          const receipt = record(d, sentAt, {
            agency: req.agency,
            files: req.files,
            ...(req.note ? { note: req.note } : {}),
            ...(req.childId ? { childId: req.childId } : {}),
            ...(req.complete ? { complete: true } : {}),
            ...(req.by ? { by: req.by } : {}),
            ...extra,
          });
          // The sender hears what arrived (not the coordinator's own acts: selections and confirmations).
          if (patched(NOTICES_PATCH)) {
            const { submissionId } = receipt;
            queue('receipt', req.agency, [d], `receipt/${submissionId}`, 'contact', undefined, {
              submissionId,
            });
            state.arrivalsDigest?.pending.push(`${d.id}/${receipt.submissionId}`);
          }
          return receipt;
        } finally {
          quota?.release();
        }
      });
    },
    {
      validator: (req: SubmitRequest) => {
        checkSubmit(state, req);
        checkQuota(state, req, reserved);
      },
    },
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
      if (req.stage === 'twenty') {
        state.selection.twenty = ids;
        if (req.by) state.selection.twentyBy = req.by;
        // Option A: each agency holding some of the answers is asked its own questions for these children.
        if (state.twentyAnswers && twentyAnswersOn) askForTwentyAnswers(state.twentyAnswers, ids, req.by);
      } else {
        state.selection.tracked = ids;
        if (req.by) state.selection.trackedBy = req.by;
      }
      return record(d, now(), {
        agency: 'partnership',
        files: [],
        note: `${ids.length} children selected`,
        ...(req.by ? { by: req.by } : {}),
      });
    },
    { validator: (req: SelectRequest) => void checkSelect(state, req) },
  );

  setHandler(
    messages.confirm,
    (req): Receipt => {
      const d = checkConfirm(state, req);
      return record(d, now(), {
        agency: 'partnership',
        files: [],
        ...(req.note ? { note: req.note } : {}),
        ...(req.by ? { by: req.by } : {}),
      });
    },
    { validator: (req: ConfirmRequest) => void checkConfirm(state, req) },
  );

  setHandler(
    messages.extendDeadline,
    (req) => {
      const at = now();
      const d = checkExtend(state, req, at);
      d.extensions.push({
        at,
        from: d.dueAt,
        to: req.dueAt,
        reason: req.reason,
        ...(req.by ? { by: req.by } : {}),
      });
      d.dueAt = req.dueAt;
      d.ladder = req.ladder;
      d.ladderFrom = at;
      d.ladderVersion++;
      tellOwner('extended', d, `extended/${d.id}/${d.extensions.length}`);
      changes++;
    },
    { validator: (req: ExtendRequest) => void checkExtend(state, req, now()) },
  );

  setHandler(
    messages.waive,
    (req) => {
      const d = checkWaive(state, req);
      d.waived = { at: now(), reason: req.reason, ...(req.by ? { by: req.by } : {}) };
      tellOwner('waived', d, `waived/${d.id}`);
      changes++;
    },
    { validator: (req: WaiveRequest) => void checkWaive(state, req) },
  );

  setHandler(
    messages.changeContacts,
    (req) => {
      checkChangeContacts(state, req);
      const before = state.contacts;
      state.contacts = req.contacts;
      // Whoever had an agency's link may have left: a new contact gets a new link, and the old ones stop working.
      const changed = (Object.keys(state.linkVersions) as AgencyId[]).filter(
        (a) => before.agencies[a]?.contact !== req.contacts.agencies[a]?.contact,
      );
      (state.contactChanges ??= []).push({ at: now(), agencies: changed, ...(req.by ? { by: req.by } : {}) });
      for (const agency of changed) {
        state.linkVersions[agency]++;
        sendLinkTo(agency, `link/${agency}/contacts-${currentUpdateInfo()?.id ?? now()}`);
      }
      changes++;
    },
    { validator: (req: ContactsRequest) => void checkChangeContacts(state, req) },
  );

  setHandler(
    messages.cancel,
    (req) => {
      checkCancel(state, req);
      state.cancelled = { at: now(), reason: req.reason, ...(req.by ? { by: req.by } : {}) };
      changes++;
    },
    { validator: (req: CancelRequest) => void checkCancel(state, req) },
  );

  setHandler(
    messages.withdraw,
    (req) => {
      const at = now();
      const d = checkWithdraw(state, req, at);
      const file = d.submissions
        .find((x) => x.id === req.submissionId)
        ?.files.find((f) => f.sha256 === req.sha256 && !f.withdrawn);
      if (!file) return; // checked by checkWithdraw
      file.withdrawn = { at, reason: req.reason, ...(req.by ? { by: req.by } : {}) };
      owedAgainIfIncomplete(d, at);
      changes++;
    },
    { validator: (req: WithdrawRequest) => void checkWithdraw(state, req, now()) },
  );

  setHandler(
    messages.message,
    (req): string => {
      checkMessage(state, req);
      const id = currentUpdateInfo()?.id ?? `message-${(state.messages?.length ?? 0) + 1}`;
      (state.messages ??= []).push({
        id,
        agency: req.agency,
        at: now(),
        text: req.text,
        ...(req.by ? { by: req.by } : {}),
      });
      queue('message', req.agency, [], `message/${id}`);
      changes++;
      return id;
    },
    { validator: (req: MessageRequest) => void checkMessage(state, req) },
  );

  setHandler(
    messages.addDeliverable,
    (req): string => {
      const at = now();
      checkAddDeliverable(state, req, at);
      const n = addedOnRequest(state).length + 1;
      const id = `${req.source}-${n}`;
      startAdded(
        {
          id,
          key: id,
          title: req.title.trim(),
          description: req.description.trim(),
          kind: req.kind,
          owner: req.owner,
          day: req.day,
          dueAt: req.dueAt,
          ladder: req.ladder,
          source: req.source === 'cqc-request' ? 'CQC request' : "Lead inspector's request",
          added: {
            at,
            source: req.source,
            ...(req.by ? { by: req.by } : {}),
            ...(req.childIds?.length ? { childIds: req.childIds } : {}),
          },
        },
        at,
      );
      return id;
    },
    { validator: (req: AddDeliverableRequest) => void checkAddDeliverable(state, req, now()) },
  );

  setHandler(
    messages.answerTwenty,
    (req): Receipt => {
      const sentAt = stampWithinBounds(req.sentAt, now());
      const d = checkAnswerTwenty(state, req);
      const given = d.answers?.given ?? {};
      for (const a of req.answers) {
        const row = (given[a.childId] ??= {});
        if (a.value === '') delete row[a.column];
        else row[a.column] = a.value;
      }
      const answered = req.answers.filter((a) => a.value !== '').length;
      const receipt = record(d, sentAt, {
        agency: req.agency,
        files: req.file ? [req.file] : [],
        note: `${answered} answer${answered === 1 ? '' : 's'}${req.file ? ' from a sheet' : ''}`,
        ...(req.by ? { by: req.by } : {}),
      });
      // A blank given for a cell answered before: owed again.
      owedAgainIfIncomplete(d, now());
      queue('receipt', req.agency, [d], `receipt/${receipt.submissionId}`, 'contact', undefined, {
        submissionId: receipt.submissionId,
      });
      state.arrivalsDigest?.pending.push(`${d.id}/${receipt.submissionId}`);
      return receipt;
    },
    { validator: (req: TwentyAnswersRequest) => void checkAnswerTwenty(state, req) },
  );

  setHandler(
    messages.shareTwentyDetails,
    (req) => {
      checkShareTwentyDetails(state, req);
      state.twentyDetails = {
        at: now(),
        sharedWith: [...req.sharedWith],
        ...(req.file && req.sharedWith.length > 0 ? { file: req.file } : {}),
        ...(req.by ? { by: req.by } : {}),
      };
      changes++;
    },
    { validator: (req: TwentyDetailsRequest) => void checkShareTwentyDetails(state, req) },
  );

  /** A deliverable added during the inspection (at `at`): asked for at once, then chased on its ladder. */
  function startAdded(fields: AddedFields, at: Instant): void {
    const d: DeliverableState = {
      ...fields,
      originalDueAt: fields.dueAt,
      documents: [],
      perTrackedChild: false,
      chase: true,
      requestedAt: at,
      ladderFrom: at,
      ladderVersion: 1,
      extensions: [],
      submissions: [],
      chaseLog: [{ rung: 'request', kind: 'request', to: 'contact', at, messageKey: `${fields.id}/request` }],
    };
    state.deliverables.push(d);
    queue('request', d.owner as AgencyId, [d], `${d.id}/request`);
    chaseFrom(d, true);
    changes++;
  }

  /** What was complete may be owed again: chased from now on, on the rungs still ahead of its deadline. */
  function owedAgainIfIncomplete(d: DeliverableState, at: Instant): void {
    if (d.receivedAt === undefined || isComplete(state, d)) return;
    delete d.receivedAt;
    delete d.late;
    d.ladderFrom = at;
    d.ladderVersion++;
    if (d.chase) chaseFrom(d, true);
  }

  /**
   * Option A: once the 20 are recorded, each agency the theme names is asked its own questions for them (an
   * added deliverable, chased like any other). A new selection of the 20 changes the children asked about:
   * answers already given for children still selected are kept.
   */
  function askForTwentyAnswers(
    plan: NonNullable<InspectionState['twentyAnswers']>,
    childIds: string[],
    by: Actor | undefined,
  ): void {
    const at = now();
    const agencies = [...new Set(plan.questions.map((q) => q.agency))];
    // The local authority's return: its deadline (and ladder) stand in when the agencies' time has passed.
    const ret = state.deliverables.find((x) => x.list === 'twenty');
    for (const agency of agencies) {
      const questions = plan.questions.filter((q) => q.agency === agency);
      const id = `twenty-answers.${agency}`;
      const existing = state.deliverables.find((x) => x.id === id);
      if (existing) {
        if (existing.added) existing.added.childIds = [...childIds];
        owedAgainIfIncomplete(existing, at);
        markReceivedIfComplete(existing, at);
        continue;
      }
      const late = plan.dueAt <= at && ret !== undefined && ret.dueAt > at;
      startAdded(
        {
          id,
          key: 'twenty-answers',
          title: `Answers for the children selected: ${questions.map((q) => q.label).join('; ')}`,
          description: `For each of the ${childIds.length} children the lead inspector selected, answer Y or N: ${questions.map((q) => q.label).join('; ')}.`,
          kind: 'answers',
          owner: agency,
          day: late ? ret.day : plan.day,
          dueAt: late ? ret.dueAt : plan.dueAt,
          ladder: late ? ret.ladder : plan.ladder,
          source: 'Annex C, Option A, Thu day 3 (the answers the local authority gives by 4.00pm)',
          added: { at, source: 'twenty-answers', ...(by ? { by } : {}), childIds: [...childIds] },
          answers: { columns: questions.map((q) => q.column), given: {} },
        },
        at,
      );
    }
  }

  setHandler(
    messages.purge,
    (req) => {
      checkPurge(state, req);
      state.purgeRequested = { at: now(), ...(req.by ? { by: req.by } : {}) };
    },
    { validator: (req: PurgeRequest) => void checkPurge(state, req) },
  );

  setHandler(
    messages.sendLink,
    (req): number => {
      checkSendLink(state, req);
      if (req.revoke) state.linkVersions[req.agency]++;
      // The email goes from the workflow's own coroutine: the request answers at once, mail up or down.
      sendLinkTo(req.agency, `link/${req.agency}/${currentUpdateInfo()?.id ?? now()}`);
      changes++;
      return state.linkVersions[req.agency];
    },
    { validator: (req: LinkRequest) => void checkSendLink(state, req) },
  );

  /** Record a submission (or a selection or confirmation, made by the partnership) under its update id. */
  function record(
    d: DeliverableState,
    sentAt: Instant,
    fields: Omit<Submission, 'id' | 'at' | 'late' | 'recordedAt'>,
  ): Receipt {
    const recordedAt = now();
    const submission: Submission = {
      id: currentUpdateInfo()?.id ?? `${d.id}-${d.submissions.length + 1}`,
      at: sentAt,
      ...(recordedAt - sentAt >= 1000 ? { recordedAt } : {}),
      late: sentAt > d.dueAt,
      ...fields,
    };
    // Only the latest submission keeps its queries inline (the rest stay in the store): state stays bounded.
    for (const earlier of d.submissions) delete earlier.queries;
    d.submissions.push(submission);
    markReceivedIfComplete(d, sentAt);
    changes++;
    return receipt(d, submission);
  }

  /**
   * The local authority's return of the 20 has gone to the inspectors: the agencies' answers still owed for it
   * are no longer needed (closed, not chased, never overdue), and each agency still asked is told.
   */
  function closeTwentyAnswers(at: Instant): void {
    for (const x of state.deliverables) {
      if (x.added?.source !== 'twenty-answers' || isSettled(state, x)) continue;
      x.waived = {
        at,
        reason: 'The local authority sent its return for the 20: these answers are no longer needed.',
      };
      tellOwner('answers-closed', x, `answers-closed/${x.id}`);
    }
  }

  /** Ask for what depends on this stage once the stage is reached. */
  function markReceivedIfComplete(d: DeliverableState, at: Instant): void {
    if (d.receivedAt !== undefined || !isComplete(state, d)) return;
    d.receivedAt = at;
    d.late = at > d.dueAt;
    if (d.list === 'twenty' && patched(ANSWERS_CLOSED_PATCH)) closeTwentyAnswers(at);
    const askedAt = now();
    for (const next of state.deliverables) {
      if (next.requires === d.key && next.requestedAt === undefined) {
        next.requestedAt = askedAt;
        next.ladderFrom = askedAt;
      }
    }
  }

  /**
   * Queue an email (recorded in the outbox before the first attempt) and deliver it in its own coroutine:
   * whoever queued it goes on at once, whatever the mail server does.
   */
  function queue(
    template: NoticeTemplate,
    agency: AgencyId,
    items: DeliverableState[],
    key: string,
    to: Recipient = 'contact',
    scheduledFor?: Instant,
    about: Pick<Delivery, 'submissionId' | 'arrivals'> = {},
  ): Delivery {
    const delivery: Delivery = {
      ...about,
      key,
      template,
      agency,
      to,
      deliverableIds: items.map((d) => d.id),
      queuedAt: now(),
      ...(scheduledFor !== undefined ? { scheduledFor } : {}),
      status: 'queued',
      attempts: 0,
    };
    state.outbox.push(delivery);
    deliveries++;
    if (!patched(BATCHED_EMAILS_PATCH)) {
      void deliver(delivery, deliveryHooks).finally(() => void deliveries--);
      return delivery;
    }
    // Sent with whatever else is queued in this workflow task (once its synchronous code has run).
    batch.push(delivery);
    if (batch.length === 1)
      void Promise.resolve().then(() => {
        while (batch.length > 0) {
          const group = batch.splice(0, MAX_BATCH);
          void deliverTogether(group, deliveryHooks).finally(() => void (deliveries -= group.length));
        }
      });
    return delivery;
  }

  function byIds(ids: string[]): DeliverableState[] {
    return state.deliverables.filter((d) => ids.includes(d.id));
  }

  /** An email stops mattering: after the end, once what it chases is settled, or a reminder past its deadline. */
  function skipReason(x: Delivery): string | undefined {
    // What tells someone what happened (a receipt, a waiver, the last arrivals) still goes once it has ended.
    if (INFORMATIONAL.has(x.template)) return undefined;
    if (isEnded(state)) return 'the inspection ended before it could be sent';
    if (x.template === 'link' || x.template === 'delivery-failed' || x.template.startsWith('request-digest'))
      return undefined;
    const items = byIds(x.deliverableIds);
    if (items.length > 0 && items.every((d) => isSettled(state, d)))
      return 'no longer owed when it could be sent';
    if (x.template === 'reminder' && items.every((d) => now() > d.dueAt))
      return 'its deadline passed before it could be sent';
    return undefined;
  }

  function noticeFor(x: Delivery) {
    const agencyContacts = state.contacts.agencies[x.agency];
    const coordinator = state.contacts.coordinator.email;
    const recipients =
      x.to === 'contact'
        ? { to: [agencyContacts.contact], cc: [] }
        : x.to === 'escalation-lead'
          ? { to: [agencyContacts.escalation], cc: [agencyContacts.contact] }
          : { to: [coordinator], cc: COORDINATOR_ONLY.has(x.template) ? [] : [agencyContacts.escalation] };
    const failed =
      x.template === 'delivery-failed' ? state.outbox.find((o) => `${o.key}/given-up` === x.key) : undefined;
    return {
      inspectionId: state.inspectionId,
      localAuthority: state.localAuthority,
      template: x.template,
      agency: x.agency,
      agencyName: agencyContacts.name,
      deliverables: byIds(x.deliverableIds).map((d) => ({
        id: d.id,
        title: d.title,
        dueAt: d.dueAt,
        ...(x.template.startsWith('request-digest') && d.dueAt < state.startedAt ? { overdue: true } : {}),
        ...(d.kind === 'documents' && d.documents.length > 0 && !d.perTrackedChild
          ? { missing: missingDocumentCodes(d) }
          : {}),
      })),
      ...recipients,
      messageKey: x.key,
      sentAt: x.scheduledFor ?? x.queuedAt,
      link: {
        version: state.linkVersions[x.agency],
        run: state.runNonce,
        expiresAt: linkExpiresAt(state),
      },
      ...(x.submissionId ? { receipt: receiptOf(x.deliverableIds[0], x.submissionId) } : {}),
      ...(x.arrivals ? { arrivals: x.arrivals.flatMap((a) => arrivalOf(a)) } : {}),
      ...(state.rehearsal ? { rehearsal: true } : {}),
      ...(failed
        ? {
            failure: {
              agencyName: agencyContacts.name,
              to: failed.to === 'contact' ? agencyContacts.contact : agencyContacts.escalation,
              since: failed.failingSince ?? failed.queuedAt,
              reason: failed.reason ?? 'unknown',
            },
          }
        : {}),
    };
  }

  function receiptOf(deliverableId: string | undefined, submissionId: string) {
    const s = state.deliverables
      .find((d) => d.id === deliverableId)
      ?.submissions.find((x) => x.id === submissionId);
    return {
      at: s?.at ?? now(),
      late: s?.late ?? false,
      // Code, digest and size: never the file's name, which may name a child.
      files: (s?.files ?? []).map((f) => ({
        ...(f.code ? { code: f.code } : {}),
        sha256: f.sha256,
        size: f.size,
      })),
    };
  }

  function arrivalOf(arrival: string) {
    const [deliverableId, submissionId] = [
      arrival.slice(0, arrival.indexOf('/')),
      arrival.slice(arrival.indexOf('/') + 1),
    ];
    const d = state.deliverables.find((x) => x.id === deliverableId);
    const s = d?.submissions.find((x) => x.id === submissionId);
    if (!d || !s) return [];
    const agencyName = state.contacts.agencies[s.agency]?.name ?? s.agency;
    return [{ title: d.title, agencyName, at: s.at, late: s.late }];
  }

  /** The agency that owes `d` hears that its deadline moved or that it is no longer owed. */
  function tellOwner(
    template: 'extended' | 'waived' | 'answers-closed',
    d: DeliverableState,
    key: string,
  ): void {
    if (!d.chase || !(d.owner in state.linkVersions) || !patched(NOTICES_PATCH)) return;
    queue(template, d.owner as AgencyId, [d], key);
  }

  /** The coordinator's digest of arrivals: the first at once, then at most every `everyMinutes`. */
  async function digestArrivals(digest: NonNullable<InspectionState['arrivalsDigest']>): Promise<void> {
    for (;;) {
      await condition(() => digest.pending.length > 0 || (isEnded(state) && deliveries === 0));
      if (digest.pending.length === 0) return;
      // At most every `everyMinutes`; once the inspection has ended there is nothing more to gather: sent at once.
      if (digest.lastAt !== undefined)
        await waitUntil(digest.lastAt + digest.everyMinutes * 60_000, () => isEnded(state));
      const arrivals = digest.pending.splice(0);
      digest.lastAt = now();
      digest.sent++;
      queue('arrivals-digest', 'partnership', [], `arrivals/${digest.sent}`, 'coordinator', undefined, {
        arrivals,
      });
    }
  }

  function sendLinkTo(agency: AgencyId, key: string): void {
    const owed = state.deliverables.filter((d) => d.owner === agency && d.chase && !isSettled(state, d));
    queue('link', agency, owed, key);
  }

  /** Remind before the deadline and escalate after it, until the deliverable is settled. */
  async function chase(d: DeliverableState, { resumed = false } = {}): Promise<void> {
    const done = () => isSettled(state, d) || isEnded(state);
    await condition(() => d.requestedAt !== undefined || done());
    if (done()) return;
    if (!resumed) firstChaseEmail(d);
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
      // Only rungs already past when the inspection was started (or the deadline moved) are skipped.
      if (rung.at < d.ladderFrom) {
        index++;
        continue;
      }
      const v = version;
      if (await waitUntil(rung.at, () => done() || d.ladderVersion !== v)) continue;
      actOnRung(d, rung, version);
      index++;
    }
  }

  /**
   * Where a chase starts (not one resumed: owed again after a withdrawal, or added during the inspection, which
   * was asked for already and whose ladder runs from now): a deliverable asked for only now is requested; one
   * already overdue when a late inspection started goes to the escalation lead at once, not at a rung long past.
   */
  function firstChaseEmail(d: DeliverableState): void {
    const agency = d.owner as AgencyId;
    if (d.requires) {
      const key = `${d.id}/request`;
      d.chaseLog.push({ rung: 'request', kind: 'request', to: 'contact', at: now(), messageKey: key });
      queue('request', agency, [d], key);
    } else if (state.lateStart && d.dueAt < state.startedAt) {
      const key = `${d.id}/late-start-escalation`;
      d.chaseLog.push({
        rung: 'late-start',
        kind: 'escalation',
        to: 'escalation-lead',
        at: now(),
        messageKey: key,
      });
      queue('escalation-lead', agency, [d], key, 'escalation-lead');
    }
  }

  /** A rung of `d`'s ladder (its version `version`) has come: logged, and its email queued. */
  function actOnRung(d: DeliverableState, rung: Rung, version: number): void {
    const key = `${d.id}/${rung.id}/v${version}`;
    d.chaseLog.push({ rung: rung.id, kind: rung.kind, to: rung.to, at: now(), messageKey: key });
    const template: NoticeTemplate =
      rung.kind === 'reminder'
        ? 'reminder'
        : rung.to === 'coordinator'
          ? 'escalation-coordinator'
          : 'escalation-lead';
    queue(template, d.owner as AgencyId, [d], key, rung.to, rung.at);
  }

  /** Each chased deliverable's place in its chase (ONE_CHASE_TIMER_PATCH): by id, walked in the state's order. */
  const cursors = new Map<string, ChaseCursor>();

  /** A deliverable is chased from now (at the start, added, or owed again): as the inspection's version does. */
  function chaseFrom(d: DeliverableState, resumed: boolean): void {
    if (oneChaseTimer) cursors.set(d.id, newCursor(d, resumed));
    else void chase(d, { resumed });
  }

  /** When `chaseAll` must next act: the soonest of every chase (see chaseWakeAt). */
  function nextChaseAt(): Instant | undefined {
    let at: Instant | undefined;
    for (const d of state.deliverables) {
      const c = cursors.get(d.id);
      const t = c && chaseWakeAt(d, c, isSettled(state, d));
      if (t !== undefined && (at === undefined || t < at)) at = t;
    }
    return at;
  }

  /**
   * Every deliverable's chase in one coroutine with one timer, at the soonest rung of all (ONE_CHASE_TIMER_PATCH):
   * a coroutine per deliverable held about 12 pending promises each (its timer's race and cancellation scope),
   * and the SDK keeps a stack trace of every pending promise; this holds a cursor of four fields instead.
   */
  async function chaseAll(): Promise<void> {
    while (!isEnded(state)) {
      for (const d of state.deliverables) {
        const c = cursors.get(d.id);
        if (!c) continue;
        if (isSettled(state, d)) {
          cursors.delete(d.id);
          continue;
        }
        if (!c.started) {
          if (d.requestedAt === undefined) continue;
          if (!c.resumed) firstChaseEmail(d);
          Object.assign(c, { started: true, version: d.ladderVersion, index: 0 });
        }
        for (let next = nextRung(d, c); next && next.rung.at <= now(); next = nextRung(d, c)) {
          actOnRung(d, next.rung, next.version);
          Object.assign(c, { version: next.version, index: next.index + 1 });
        }
      }
      const at = nextChaseAt();
      if (at === undefined) await condition(() => isEnded(state) || nextChaseAt() !== undefined);
      else await waitUntil(at, () => isEnded(state) || nextChaseAt() !== at);
    }
  }

  let mailFailing = 0;
  function refreshSearchAttributes(): void {
    if (!input.searchAttributes) return;
    const due = nextDue(state);
    mailFailing = mailProblems(state).length;
    upsertSearchAttributes([
      { key: LOCAL_AUTHORITY_KEY, value: state.localAuthority },
      { key: STAGE_KEY, value: stageOf(state) },
      { key: NEXT_DUE_KEY, value: due === undefined ? null : dateAt(due) },
      { key: OVERDUE_KEY, value: overdueCount(state, now()) },
      { key: MAIL_FAILING_KEY, value: mailFailing },
    ]);
  }

  function refreshMailFailing(): void {
    if (!input.searchAttributes) return;
    const count = mailProblems(state).length;
    if (count === mailFailing) return;
    mailFailing = count;
    upsertSearchAttributes([{ key: MAIL_FAILING_KEY, value: count }]);
  }

  // Cancelling is the coordinator's act, with a reason (the cancel update): a cancellation requested through
  // Temporal directly (its UI or CLI) is not acted on, so the inspection goes on unharmed.
  CancellationScope.current().cancelRequested.catch(() =>
    log.warn('A cancellation requested through Temporal was ignored: cancel an inspection with jtai cancel.'),
  );
  return CancellationScope.nonCancellable(async () => {
    // Each deliverable an agency owes is chased on its own; a chase ends once it is settled or the inspection ends.
    for (const d of state.deliverables) if (d.chase) chaseFrom(d, false);
    if (state.arrivalsDigest) void digestArrivals(state.arrivalsDigest);
    // Every agency is asked, in one email, for everything it owes from the start.
    for (const { agency, items } of agenciesOwing(state)) {
      const late = items.some((d) => d.dueAt < state.startedAt);
      const key = `request-digest/${agency}`;
      queue(late ? 'request-digest-late' : 'request-digest', agency, items, key);
      for (const d of items)
        d.chaseLog.push({
          rung: 'request',
          kind: 'request',
          to: 'contact',
          at: state.startedAt,
          messageKey: key,
        });
    }
    // After the request emails, as the chases of a coroutine each began once these were queued.
    if (oneChaseTimer) void chaseAll();

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
    // Kept for its retention period after it closes (status, pack and files still answer), then purged.
    const closedAt = state.endedAt ?? state.cancelled?.at ?? now();
    state.purgeAt = closedAt + (input.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY;
    refreshSearchAttributes();
    // Its last emails (and the last digest of arrivals) go before the retention wait.
    await condition(() => deliveries === 0 && (state.arrivalsDigest?.pending.length ?? 0) === 0);
    await waitUntil(state.purgeAt, () => state.purgeRequested !== undefined);
    await condition(allHandlersFinished);
    // Deletes the files, their key and then this execution itself: nothing runs after it.
    await purgeInspection({
      inspectionId: state.inspectionId,
      ...(state.purgeRequested?.by ? { requestedBy: actorName(state.purgeRequested.by) } : {}),
    });
    return { inspectionId: state.inspectionId, purgedAt: now() };
  });
}

const DAY = 86_400_000;
/**
 * Receipts and the notes of extensions and waivers came after inspections had started: an inspection started
 * before them replays without them (test/histories/*.before-receipts.json). Deprecate once none is running.
 */
const NOTICES_PATCH = 'receipts-and-owner-notices';
/**
 * Submissions carrying an upload quota are checked against it in the handler (and held while checked). Only
 * such submissions call it, so histories without one replay as they were.
 */
const UPLOAD_QUOTA_PATCH = 'upload-quota-in-workflow';
/**
 * Emails queued in one workflow task go out together, up to MAX_BATCH in one activity (an inspection's request
 * emails at its start). Inspections started before sent each in its own activity, at once.
 */
const BATCHED_EMAILS_PATCH = 'batched-emails';
/** A list refused for its errors carries its warnings as a second detail (histories before it have none). */
const REFUSAL_WARNINGS_PATCH = 'list-refusal-warnings';
/**
 * Option A: recording the 20 asks the agencies their own questions for them (issue 14). Only inspections whose
 * schedule carries `twentyAnswers` reach it, and histories before it replay as they were.
 */
const TWENTY_ANSWERS_PATCH = 'twenty-case-answers';
/** What makes an added deliverable what it is; `startAdded` fills in the rest as for any asked for now. */
type AddedFields = Pick<
  DeliverableState,
  'id' | 'key' | 'title' | 'description' | 'kind' | 'owner' | 'day' | 'dueAt' | 'ladder' | 'source' | 'added'
> &
  Pick<Partial<DeliverableState>, 'answers'>;
/**
 * Option A: once the local authority's return of the 20 is received, the agencies' answers still owed for it are
 * closed (histories before it left them owed and chased).
 */
const ANSWERS_CLOSED_PATCH = 'twenty-answers-closed-by-return';
/**
 * Every deliverable chased by one coroutine whose one timer is at the soonest rung of all (bench:scale: a
 * coroutine per deliverable held some 300 pending promises per inspection, each with a stack trace the SDK
 * keeps for its stack-trace query, about 500 KB a cached inspection). The same emails at the same instants;
 * inspections started before keep a timer per deliverable, so their histories replay as they were.
 */
const ONE_CHASE_TIMER_PATCH = 'one-chase-timer';
/** Emails that tell what happened: sent even once what they concern is settled or the inspection has ended. */
const INFORMATIONAL = new Set<NoticeTemplate>([
  'receipt',
  'arrivals-digest',
  'waived',
  'answers-closed',
  'message',
]);
/** Emails to the coordinator alone (the agency's escalation lead is not copied). */
const COORDINATOR_ONLY = new Set<NoticeTemplate>(['delivery-failed', 'arrivals-digest']);
const DEFAULT_RETENTION_DAYS = 90;

function actorName(actor: Actor): string {
  return actor.kind === 'staff' ? actor.name : `agency:${actor.agency}`;
}

/** Wait until `at` (workflow time) or until `interrupted()`; true when interrupted. */
async function waitUntil(at: Instant, interrupted: () => boolean): Promise<boolean> {
  const ms = at - now();
  if (ms <= 0) return interrupted();
  return condition(interrupted, ms);
}

function initialState(input: InspectionInput): InspectionState {
  // The starter's instant (see InspectionInput.requestedAt), within bounds of the first task's time.
  const startedAt = stampWithinBounds(input.requestedAt, now());
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
    ...(input.startedBy ? { startedBy: input.startedBy } : {}),
    ...(input.lateStart ? { lateStart: true } : {}),
    ...(schedule.twentyAnswers ? { twentyAnswers: schedule.twentyAnswers } : {}),
    ...(input.arrivalsDigestMinutes
      ? { arrivalsDigest: { everyMinutes: input.arrivalsDigestMinutes, sent: 0, pending: [] } }
      : {}),
    runNonce: uuid4(),
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
    outbox: [],
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
