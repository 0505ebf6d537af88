/**
 * Workflow time. Inside the Temporal sandbox `Date.now()` is the time of the current workflow task,
 * recorded in history, so it is deterministic; every workflow-side read of the clock goes through here.
 */
export function now(): number {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned read of workflow time
  return Date.now();
}

/** A Date for an instant (search attributes take Dates). */
export function dateAt(at: number): Date {
  // eslint-disable-next-line no-restricted-syntax -- constructing a given instant, not reading the clock
  return new Date(at);
}
