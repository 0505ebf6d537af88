import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Notice } from '../activities/types';
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
const { sendNotice } = proxyActivities<Activities>({
  // The SMTP transport's own timeouts (src/infra/mail.ts: up to 10 minutes for a slow server's answer) add up
  // to under this: an attempt ends, sent or failed, before the next can start.
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
export async function deliver(delivery: Delivery, hooks: DeliveryHooks): Promise<void> {
  let unknownOutcome = false;
  for (;;) {
    const skip = hooks.skipReason(delivery);
    if (skip) {
      delivery.status = 'skipped';
      delivery.reason = skip;
      hooks.changed();
      return;
    }
    if (unknownOutcome) delivery.possibleDuplicate = true;
    delivery.attempts++;
    try {
      await sendNotice({ ...hooks.notice(delivery), ...(unknownOutcome ? { possibleDuplicate: true } : {}) });
      delivery.status = 'sent';
      delivery.sentAt = now();
      hooks.changed();
      return;
    } catch (err) {
      const failure = describeFailure(err);
      unknownOutcome = failure.unknownOutcome;
      delivery.status = 'failing';
      delivery.failingSince ??= now();
      delivery.reason = failure.reason;
      if (failure.permanent || now() - delivery.queuedAt >= GIVE_UP_AFTER_MS) {
        delivery.status = 'given-up';
        hooks.changed();
        hooks.gaveUp(delivery);
        return;
      }
      hooks.changed();
      const wait = RETRY_DELAYS_MS[Math.min(delivery.attempts - 1, RETRY_DELAYS_MS.length - 1)] ?? MINUTE;
      // Wake early only to skip it (the deliverable arrived, the inspection ended).
      await condition(() => hooks.skipReason(delivery) !== undefined, wait);
    }
  }
}

function describeFailure(err: unknown): { reason: string; permanent: boolean; unknownOutcome: boolean } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return {
      reason: cause.message,
      permanent: cause.type === MailFailure.Permanent,
      unknownOutcome: cause.type === MailFailure.UnknownOutcome,
    };
  }
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
