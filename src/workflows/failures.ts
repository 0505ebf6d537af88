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
  ListInvalid: 'ListInvalid',
  FileUnreadable: 'FileUnreadable',
} as const;
export type RefusalType = (typeof Refusal)[keyof typeof Refusal];

/** Refuse a request: a permanent, typed failure whose message is one line for a person. */
export function refuse(type: RefusalType, message: string, details?: unknown): never {
  throw ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}
