import { ApplicationFailure } from '@temporalio/common';

/**
 * Why an update was refused: one table, used as `ApplicationFailure.type`, so clients and tests
 * match on the type and people read the message.
 */
export const Refusal = {
  UnknownDeliverable: 'UnknownDeliverable',
  WrongAgency: 'WrongAgency',
  NotYetRequested: 'NotYetRequested',
  AlreadySettled: 'AlreadySettled',
  WrongKind: 'WrongKind',
  BadRequest: 'BadRequest',
  SelectionInvalid: 'SelectionInvalid',
  NotOnAnyList: 'NotOnAnyList',
  ExtensionInPast: 'ExtensionInPast',
  InspectionEnded: 'InspectionEnded',
  /** The inspection is still running: it cannot be purged yet. */
  NotYetEnded: 'NotYetEnded',
  ListInvalid: 'ListInvalid',
  /** The list is over a limit (rows, size, compression): refused at once, never retried. */
  ListTooLarge: 'ListTooLarge',
  FileUnreadable: 'FileUnreadable',
  /** The submission would take the agency past its upload quota for the inspection. */
  QuotaReached: 'QuotaReached',
  /** Not sent through jtai (plain or foreign payloads sent to Temporal directly): never acted on. */
  Untrusted: 'Untrusted',
} as const;
export type RefusalType = (typeof Refusal)[keyof typeof Refusal];

/** Refuse a request: a permanent, typed failure whose message is one line for a person. */
export function refuse(type: RefusalType, message: string, details?: unknown, ...more: unknown[]): never {
  throw ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details, ...more],
  });
}

/** Why a send failed, as `ApplicationFailure.type` of sendNotice: the workflow decides what to do. */
export const MailFailure = {
  /** Not delivered, and trying again may work (connection refused, timeout before the message, 4xx). */
  Temporary: 'MailTemporary',
  /** Not delivered, and trying again will not help (5xx for the sender or a recipient). */
  Permanent: 'MailPermanent',
  /** The message may have been delivered (the connection failed after it was sent): a resend may duplicate. */
  UnknownOutcome: 'MailUnknownOutcome',
} as const;
