import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type {
  AddDeliverableRequest,
  AnswerQueriesRequest,
  CancelRequest,
  ConfirmRequest,
  ContactsRequest,
  ExtendRequest,
  FileUsage,
  InspectionStatus,
  ReceivedFile,
  LinkRequest,
  MessageRequest,
  PurgeRequest,
  Receipt,
  SelectRequest,
  SubmitRequest,
  TwentyAnswersRequest,
  TwentyDetailsRequest,
  WaiveRequest,
  WithdrawRequest,
} from './types';

// The same objects as @temporalio/workflow's defineUpdate and defineQuery make ({ type, name }), made here so
// that the CLI and web app, which share these definitions, need not load the workflow SDK (about 40 ms of a
// `jtai status`). setHandler in the workflow accepts them as they are.
function defineUpdate<Ret, Args extends unknown[] = []>(name: string): UpdateDefinition<Ret, Args> {
  return { type: 'update', name } as UpdateDefinition<Ret, Args>;
}
function defineQuery<Ret, Args extends unknown[] = []>(name: string): QueryDefinition<Ret, Args> {
  return { type: 'query', name } as QueryDefinition<Ret, Args>;
}

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
/** An agency takes back a wrong file before the deadline: recorded, and no longer counted or packed. */
export const withdraw = defineUpdate<void, [WithdrawRequest]>('withdraw');
/** The coordinator leaves an agency a message (shown on its page; the email says only that there is one). */
export const message = defineUpdate<string, [MessageRequest]>('message');
/** A deliverable asked for during the inspection (CQC's request to health, an ad-hoc request): returns its id. */
export const addDeliverable = defineUpdate<string, [AddDeliverableRequest]>('addDeliverable');
/** Option A: an agency answers its own questions of the 20-case return for the 20 children. */
export const answerTwenty = defineUpdate<Receipt, [TwentyAnswersRequest]>('answerTwenty');
/** Option A: whom the local authority shows the 20 children's identifying details (on their pages only). */
export const shareTwentyDetails = defineUpdate<void, [TwentyDetailsRequest]>('shareTwentyDetails');
/** Purge an ended inspection now: its files, data key and history are deleted. */
export const purge = defineUpdate<void, [PurgeRequest]>('purge');
/** Resend an agency's link (and revoke its earlier links): returns the link version now valid at once; the email follows. */
export const sendLink = defineUpdate<number, [LinkRequest]>('sendLink');
/** The inspection as pages, CLI and API show it: bounded (see InspectionStatus). */
export const status = defineQuery<InspectionStatus>('status');
/** The children put forward on the lists received, and on which lists (for the lead inspector's selections). */
export const candidates = defineQuery<Record<string, string[]>>('candidates');
/** Every file received (for the pack, single-file downloads, and what the store must keep). */
export const files = defineQuery<ReceivedFile[]>('files');
/**
 * Of the hashes given, those the inspection's state names anywhere (all submissions, warnings files, answers),
 * and each agency's accepted files and bytes: answered from the whole state, its size bounded by the question.
 */
export const fileUsage = defineQuery<FileUsage, [string[]]>('fileUsage');
