import { temporal } from '@temporalio/proto';

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
