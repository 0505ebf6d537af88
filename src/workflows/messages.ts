import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  AnswerQueriesRequest,
  CancelRequest,
  ConfirmRequest,
  ContactsRequest,
  ExtendRequest,
  InspectionState,
  LinkRequest,
  PurgeRequest,
  Receipt,
  SelectRequest,
  SubmitRequest,
  WaiveRequest,
} from './types';

/** Every message of the inspection workflow, declared once and shared by the CLI, web app and tests. */
export const submit = defineUpdate<Receipt, [SubmitRequest]>('submit');
/** An agency answers the queries (warnings) on a list it sent. */
export const answerQueries = defineUpdate<void, [AnswerQueriesRequest]>('answerQueries');
export const select = defineUpdate<Receipt, [SelectRequest]>('select');
export const confirm = defineUpdate<Receipt, [ConfirmRequest]>('confirm');
export const extendDeadline = defineUpdate<void, [ExtendRequest]>('extendDeadline');
export const waive = defineUpdate<void, [WaiveRequest]>('waive');
/**
 * Replace who is written to (a contact has changed): later emails go to the new addresses, and an agency
 * whose contact changed gets a new link while its earlier links stop working.
 */
export const changeContacts = defineUpdate<void, [ContactsRequest]>('changeContacts');
export const cancel = defineUpdate<void, [CancelRequest]>('cancel');
/** Purge an ended inspection now: its files, data key and history are deleted. */
export const purge = defineUpdate<void, [PurgeRequest]>('purge');
/** Resend an agency's link (and revoke its earlier links): returns the link version now valid at once; the email follows. */
export const sendLink = defineUpdate<number, [LinkRequest]>('sendLink');
export const status = defineQuery<InspectionState>('status');
