/**
 * Inspections a page at a time, from Temporal's visibility store: open inspections first (any stage but
 * completed or cancelled, and any not yet given a stage), then ended ones, each newest first. A page costs one
 * or two visibility calls whatever the number of inspections, so `jtai list`, the dashboard and the API stay
 * flat as inspections accumulate. The page cursor is opaque to its users: the phase and Temporal's own token.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { JtaiError } from './errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** What a list row needs of an execution: its id, status and the search attributes jtai sets. */
export interface ListedExecution {
  workflowId: string;
  /** RUNNING, COMPLETED, TERMINATED, … as the Temporal UI says it. */
  status: string;
  stage?: string;
  localAuthority?: string;
  nextDue?: Date;
  overdue?: number;
  /** How many emails are failing or were given up (JtaiMailFailing). */
  mailFailing?: number;
}

export interface ExecutionPage {
  executions: ListedExecution[];
  /** Give it back as `page` for the next page; absent on the last. */
  nextPage?: string;
}

interface Cursor {
  /** Which query of `phases`. */
  phase: number;
  /** Temporal's page token within it (base64), absent at its start. */
  token?: string;
}

const ENDED = "JtaiStage = 'completed' OR JtaiStage = 'cancelled'";

/** The queries a listing runs in turn. Without jtai's search attributes there is no stage to sort on. */
function phases(workflowType: string, searchAttributes: boolean): string[] {
  const type = `WorkflowType = '${workflowType}'`;
  // NOT (…) alone would leave out an inspection with no stage yet (NULL): it is open.
  return searchAttributes
    ? [`${type} AND (JtaiStage IS NULL OR NOT (${ENDED}))`, `${type} AND (${ENDED})`]
    : [type];
}

/**
 * The server's refusal of a query on a Jtai* search attribute it does not have, as what to do about it: a
 * Temporal server set up without `npm start` or the compose stack's one-shot registration.
 */
function unregisteredSearchAttribute(err: unknown, namespace: string): JtaiError | undefined {
  const name = /invalid search attribute: (Jtai\w+)/.exec(err instanceof Error ? err.message : '')?.[1];
  if (!name) return undefined;
  return new JtaiError(
    `Temporal's namespace ${namespace} has no search attribute ${name}: register jtai's search attributes ` +
      '(docs/deploy.md) or set JTAI_SEARCH_ATTRIBUTES=off.',
  );
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(page: string | undefined, phaseCount: number): Cursor {
  if (page === undefined || page === '') return { phase: 0 };
  const invalid = new JtaiError(
    'This page link is not valid (it may be from another version): start from the first page.',
    'Invalid',
  );
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(page, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { phase, token } = (cursor ?? {}) as Partial<Cursor>;
  if (!Number.isInteger(phase) || (phase as number) < 0 || (phase as number) >= phaseCount) throw invalid;
  if (token !== undefined && (typeof token !== 'string' || token.length > 4096)) throw invalid;
  return { phase: phase as number, ...(token ? { token } : {}) };
}

const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';

function executionOf(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo): ListedExecution {
  const fields = raw.searchAttributes?.indexedFields ?? {};
  const read = (name: string): unknown => {
    const payload = fields[name];
    return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  };
  const text = (name: string): string | undefined => {
    const value = read(name);
    // A keyword may come as a one-element list (how some servers store them).
    const one = Array.isArray(value) ? (value as unknown[])[0] : value;
    return typeof one === 'string' ? one : undefined;
  };
  const nextDue = text('JtaiNextDue');
  const overdue = read('JtaiOverdue');
  const mailFailing = read('JtaiMailFailing');
  const status = temporal.api.enums.v1.WorkflowExecutionStatus[raw.status ?? 0] ?? 'UNSPECIFIED';
  const stage = text('JtaiStage');
  const localAuthority = text('JtaiLocalAuthority');
  return {
    workflowId: raw.execution?.workflowId ?? '',
    status: status.startsWith(STATUS_PREFIX) ? status.slice(STATUS_PREFIX.length) : status,
    ...(stage !== undefined ? { stage } : {}),
    ...(localAuthority !== undefined ? { localAuthority } : {}),
    ...(nextDue ? { nextDue: new Date(nextDue) } : {}),
    ...(typeof overdue === 'number' ? { overdue } : {}),
    ...(typeof mailFailing === 'number' ? { mailFailing } : {}),
  };
}

/**
 * One page of executions of `workflowType`: up to `pageSize`, filled from the next phase when one runs out, so
 * a short list is one page with no next-page link.
 */
export async function listExecutionPage(
  client: Client,
  options: { workflowType: string; searchAttributes: boolean; pageSize?: number; page?: string },
): Promise<ExecutionPage> {
  const queries = phases(options.workflowType, options.searchAttributes);
  const pageSize = Math.min(Math.max(1, Math.trunc(options.pageSize ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  let cursor: Cursor | undefined = decodeCursor(options.page, queries.length);
  const executions: ListedExecution[] = [];
  while (cursor && executions.length < pageSize) {
    const response: temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse =
      await client.workflowService
        .listWorkflowExecutions({
          namespace: client.options.namespace,
          query: queries[cursor.phase],
          pageSize: pageSize - executions.length,
          ...(cursor.token ? { nextPageToken: Buffer.from(cursor.token, 'base64') } : {}),
        })
        .catch((err: unknown) => {
          throw unregisteredSearchAttribute(err, client.options.namespace) ?? err;
        });
    executions.push(...(response.executions ?? []).map(executionOf));
    const token: Uint8Array | null | undefined = response.nextPageToken;
    cursor =
      token && token.length > 0
        ? { phase: cursor.phase, token: Buffer.from(token).toString('base64') }
        : cursor.phase + 1 < queries.length
          ? { phase: cursor.phase + 1 }
          : undefined;
  }
  return { executions, ...(cursor ? { nextPage: encodeCursor(cursor) } : {}) };
}
