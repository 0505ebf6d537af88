import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Notice, NoticeOutcome } from '../activities/types';
import { MailFailure } from './failures';
import { now } from './clock';
import type { Delivery } from './types';

/**
 * Sending email from the workflow: at least once, and a second time only where the first attempt's outcome
 * is unknown. Each intended email is a Delivery in workflow state, recorded before the first attempt (so
 * every worker sees it, and a status shows it queued); each attempt is one activity call that never retries
 * by itself; the workflow records each failure (so status shows "failing since … : reason" after the first
 * failed attempt), waits, and tries again until a day has passed, then gives up and says so.
 */
const { sendNotice, sendNotices } = proxyActivities<Activities>({
  // The SMTP transport's own timeouts (src/infra/mail.ts: up to 10 minutes for a slow server's answer) add up
  // to under this: an attempt ends, sent or failed, before the next can start. A batch's sends go side by side.
  startToCloseTimeout: '11 minutes',
  // The activity heartbeats every 5 s: a worker that dies mid-send is noticed within this.
  heartbeatTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
});

const MINUTE = 60_000;
/** Waits between attempts: short at first (a blip), then longer, at most an hour. */
export const RETRY_DELAYS_MS = [0.5, 1, 2, 5, 10, 20, 30, 60].map((m) => m * MINUTE);
/** After this long without success an email is given up and the coordinator told. */
export const GIVE_UP_AFTER_MS = 24 * 60 * MINUTE;

export interface DeliveryHooks {
  /** Why the email no longer needs sending (the deliverable arrived, the inspection ended), if so. */
  skipReason(delivery: Delivery): string | undefined;
  /** The notice to send for this delivery now. */
  notice(delivery: Delivery): Notice;
  /** State changed (refresh search attributes, wake the main loop). */
  changed(): void;
  /** The email was given up after a permanent refusal or a day of failures. */
  gaveUp(delivery: Delivery): void;
}

/** Send one queued email, retrying as above; resolves once it is sent, skipped or given up. */
export async function deliver(
  delivery: Delivery,
  hooks: DeliveryHooks,
  firstFailure?: Failure,
): Promise<void> {
  // The last attempt's failure (none yet, or the batch's: see deliverTogether).
  let failure = firstFailure;
  for (;;) {
    if (failure) {
      const wait = recordFailure(delivery, failure, hooks);
      if (wait === undefined) return;
      // Wake early only to skip it (the deliverable arrived, the inspection ended).
      await condition(() => hooks.skipReason(delivery) !== undefined, wait);
    }
    if (skipped(delivery, hooks)) return;
    const unknownOutcome = failure?.unknownOutcome ?? false;
    if (unknownOutcome) delivery.possibleDuplicate = true;
    delivery.attempts++;
    try {
      await sendNotice({ ...hooks.notice(delivery), ...(unknownOutcome ? { possibleDuplicate: true } : {}) });
      sent(delivery, hooks);
      return;
    } catch (err) {
      failure = describeFailure(err);
    }
  }
}

/** Most emails in one sendNotices call (each its own SMTP connection, side by side): six agencies' at a start. */
export const MAX_BATCH = 6;

/**
 * Emails queued together go in one activity (first attempt only): one activity and one workflow task for an
 * inspection's six request emails instead of six of each (bench:scale). Each then goes on alone as `deliver`
 * would: sent, or retried after its own failure. If the batch itself fails (its worker died), the outcomes its
 * heartbeat reported stand and every other email of it counts as an unknown outcome (flagged when resent).
 */
export async function deliverTogether(deliveries: Delivery[], hooks: DeliveryHooks): Promise<void> {
  const live = deliveries.filter((d) => !skipped(d, hooks));
  if (live.length <= 1) return void (await Promise.all(live.map((d) => deliver(d, hooks))));
  for (const d of live) d.attempts++;
  let outcomes: (NoticeOutcome | undefined)[];
  let batchFailure: Failure | undefined;
  try {
    outcomes = await sendNotices(live.map((d) => hooks.notice(d)));
  } catch (err) {
    batchFailure = { ...describeFailure(err), unknownOutcome: true };
    outcomes = heartbeatOutcomes(err);
  }
  await Promise.all(
    live.map(async (d, i) => {
      const outcome = outcomes[i];
      if (outcome?.sent) return sent(d, hooks);
      await deliver(d, hooks, outcome ? outcomeFailure(outcome) : batchFailure!);
    }),
  );
}

interface Failure {
  reason: string;
  permanent: boolean;
  unknownOutcome: boolean;
}

function skipped(delivery: Delivery, hooks: DeliveryHooks): boolean {
  const skip = hooks.skipReason(delivery);
  if (!skip) return false;
  delivery.status = 'skipped';
  delivery.reason = skip;
  hooks.changed();
  return true;
}

function sent(delivery: Delivery, hooks: DeliveryHooks): void {
  delivery.status = 'sent';
  delivery.sentAt = now();
  hooks.changed();
}

/** Record a failed attempt: the wait before the next, or undefined once it is given up (and said so). */
function recordFailure(delivery: Delivery, failure: Failure, hooks: DeliveryHooks): number | undefined {
  delivery.status = 'failing';
  delivery.failingSince ??= now();
  delivery.reason = failure.reason;
  if (failure.permanent || now() - delivery.queuedAt >= GIVE_UP_AFTER_MS) {
    delivery.status = 'given-up';
    hooks.changed();
    hooks.gaveUp(delivery);
    return undefined;
  }
  hooks.changed();
  return RETRY_DELAYS_MS[Math.min(delivery.attempts - 1, RETRY_DELAYS_MS.length - 1)] ?? MINUTE;
}

/** A send's failure by its MailFailure type (as one sendNotice throws it, or one outcome of sendNotices). */
function outcomeFailure(outcome: { type?: string | null | undefined; reason: string }): Failure {
  return {
    reason: outcome.reason,
    permanent: outcome.type === MailFailure.Permanent,
    unknownOutcome: outcome.type === MailFailure.UnknownOutcome,
  };
}

/** The outcomes a failed sendNotices had reported in its last heartbeat that reached the server. */
function heartbeatOutcomes(err: unknown): (NoticeOutcome | undefined)[] {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details = cause instanceof TimeoutFailure ? cause.lastHeartbeatDetails : undefined;
  const outcomes = (details as { outcomes?: unknown } | undefined)?.outcomes;
  return Array.isArray(outcomes) ? (outcomes as (NoticeOutcome | null)[]).map((o) => o ?? undefined) : [];
}

function describeFailure(err: unknown): Failure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return outcomeFailure({ type: cause.type, reason: cause.message });
  if (cause instanceof TimeoutFailure) {
    // The worker stopped answering mid-send: the message may or may not have gone.
    return {
      reason: 'the mail worker stopped answering during the send',
      permanent: false,
      unknownOutcome: true,
    };
  }
  return {
    reason: cause instanceof Error ? cause.message : String(cause),
    permanent: false,
    unknownOutcome: true,
  };
}
