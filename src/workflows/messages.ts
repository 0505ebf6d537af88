import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  InspectionContacts,
  AnswerQueriesRequest,
  CancelRequest,
  ConfirmRequest,
  ExtendRequest,
  InspectionState,
  LinkRequest,
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
/** Replace who is written to (a contact has changed): later emails go to the new addresses. */
export const changeContacts = defineUpdate<void, [InspectionContacts]>('changeContacts');
export const cancel = defineUpdate<void, [CancelRequest]>('cancel');
/** Resend an agency's link (and revoke its earlier links): returns the link version now valid. */
export const sendLink = defineUpdate<number, [LinkRequest]>('sendLink');
export const status = defineQuery<InspectionState>('status');
