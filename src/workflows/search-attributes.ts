/**
 * The custom search attributes of an inspection workflow: for listing and dashboards, never child data.
 * Pure data plus `defineSearchAttributeKey` (no Node built-ins, no I/O): the workflow upserts them, the client
 * reads them, and the start script and tests register them on a server.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Name -> kind, in the spelling the Temporal CLI takes (`temporal server start-dev --search-attribute Name=Kind`). */
export const SEARCH_ATTRIBUTES = {
  JtaiLocalAuthority: 'Keyword',
  JtaiStage: 'Keyword',
  JtaiNextDue: 'Datetime',
  JtaiOverdue: 'Int',
  JtaiMailFailing: 'Int',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
export type SearchAttributeKind = (typeof SEARCH_ATTRIBUTES)[SearchAttributeName];

/** The local authority's display name, e.g. "Example Borough". */
export const LOCAL_AUTHORITY_KEY = defineSearchAttributeKey(
  'JtaiLocalAuthority',
  SearchAttributeType.KEYWORD,
);
/** The inspection's current stage. */
export const STAGE_KEY = defineSearchAttributeKey('JtaiStage', SearchAttributeType.KEYWORD);
/** The next outstanding due instant. */
export const NEXT_DUE_KEY = defineSearchAttributeKey('JtaiNextDue', SearchAttributeType.DATETIME);
/** How many deliverables are past due and not in. */
export const OVERDUE_KEY = defineSearchAttributeKey('JtaiOverdue', SearchAttributeType.INT);

/** How many emails are failing or were given up (the dashboard shows it prominently). */
export const MAIL_FAILING_KEY = defineSearchAttributeKey('JtaiMailFailing', SearchAttributeType.INT);

/** The typed keys, for `TestWorkflowEnvironment.createLocal({ server: { searchAttributes } })`. */
export const SEARCH_ATTRIBUTE_KEYS = [
  LOCAL_AUTHORITY_KEY,
  STAGE_KEY,
  NEXT_DUE_KEY,
  OVERDUE_KEY,
  MAIL_FAILING_KEY,
] as const;

/** `--search-attribute Name=Kind` pairs for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, kind]) => [
    '--search-attribute',
    `${name}=${kind}`,
  ]);
}
