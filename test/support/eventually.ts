import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';

/**
 * Wait for a condition that has no event to wait on: read, check, and read again every `intervalMs` until
 * `ok` holds or `timeoutMs` has passed, then fail naming what was awaited. The dev server's visibility store
 * (what `jtai list` and the dashboard read) is written after the workflow task that changed it, so a listing
 * may lag a start by a moment; nothing signals when it has caught up.
 */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() >= deadline) throw new Error(`Still waiting after ${timeoutMs} ms for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `eventually` for a check that answers the value awaited, or undefined/false while it is not there yet. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const value = await eventually(
    what,
    async () => check(),
    (v) => v !== undefined && v !== false,
    {
      timeoutMs,
      intervalMs: 50,
    },
  );
  return value as T;
}

/** Wait (up to 120 s) until Temporal no longer knows the workflow execution: it has been deleted. */
export async function executionDeleted(handle: WorkflowHandle, what: string): Promise<void> {
  await eventually(
    what,
    () =>
      handle.describe().then(
        () => false,
        (err: unknown) => err instanceof WorkflowNotFoundError,
      ),
    (gone) => gone,
    { timeoutMs: 120_000 },
  );
}
