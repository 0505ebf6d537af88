import { temporal } from '@temporalio/proto';
import * as messages from '../../src/workflows/messages';

type History = temporal.api.history.v1.IHistory;

/** A history as JSON text (longs and bytes as strings), and back: what test/histories/ holds. */
export function historyToText(history: History): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(
    temporal.api.history.v1.History.toObject(message, { longs: String, enums: String, bytes: String }),
  );
}

export function historyFromText(text: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(text) as Record<string, unknown>);
}

type Event = temporal.api.history.v1.IHistoryEvent;

/** The names of every update the workflow defines, from its message definitions. */
export const UPDATE_NAMES: readonly string[] = (Object.values(messages) as unknown[]).flatMap((m) =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'update'
    ? [(m as { name: string }).name]
    : [],
);

/**
 * The updates a history holds: the names of those accepted, and the failure types of those that completed
 * with a failure (refused by their handler after acceptance, such as a list the validation activity found
 * errors in). An update refused by its validator never enters history.
 */
export function updatesIn(history: History): { accepted: string[]; failed: string[] } {
  const events: Event[] = history.events ?? [];
  return {
    accepted: events.flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name ? [name] : [];
    }),
    failed: events.flatMap((e) => {
      const failure = e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure;
      return failure ? [failure.applicationFailureInfo?.type ?? failure.message ?? 'unknown'] : [];
    }),
  };
}
