import type { WorkerOptions } from '@temporalio/worker';

/**
 * The worker's options, explicit so that it behaves the same on every machine; the SDK's defaults follow the heap size and suit many short workflows, not a few hundred
 * inspections that each live for weeks. `npm run bench:scale` measures them against the targets (worker RSS ≤ 1 GB,
 * every due rung sent, p99 ≤ 5 s): met at 100 and 300 inspections on a 2-core machine (510 and 769 MB, every rung,
 * p99 under 2 s). At 1,000, since the dev server's write-ahead log and batched request emails: every rung sent, no
 * workflow task timeout, start 30 s, but p99 8.5 s and the worker at 1.62 GB (each cached inspection holds about
 * 1.3 MB; with a 700 MB heap the worker ran out of memory), so not yet.
 */
export const WORKER_TUNING = {
  /**
   * Every open inspection stays in the cache, so a reminder or deadline firing never replays a whole history
   * (hundreds of events after a few weeks) and never evicts another inspection that fires next. The SDK default
   * is (heap MiB − 200) × 600 / 1024: 2,310 with this machine's 4 GiB heap, 58 with a 300 MiB heap.
   * 1,200 covers the 1,000-inspection target with room; the SDK's own sizing (about 1.7 MB per cached workflow)
   * is pessimistic for workflows with small state, and bench:scale should measure the real figure.
   */
  maxCachedWorkflows: 1_200,
  /**
   * With reused V8 contexts (the SDK default) workflow code runs on one thread, so only one activation executes
   * at a time. A task held in a slot is already on its 10 s workflow-task timeout, so the 40 default slots let a
   * burst queue inside the worker and time out (a likely part of the 50 task timeouts in issue 9, item 4); with
   * 10, the rest of a burst waits on the server, where waiting costs nothing, and the thread still never runs dry.
   */
  maxConcurrentWorkflowTaskExecutions: 10,
  /** Four outstanding long polls fetch tasks faster than one workflow thread or two cores run them. */
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
  activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
  /**
   * Activities are emails (a mail server accepts some tens of connections from one client) and list checks
   * (the CLI checks a large list in about 200 MB: see bin/jtai): 100 at once, the default, could ask for
   * gigabytes. Ten keeps a burst of reminders moving while bounding memory; list checks may deserve their own
   * task queue with 2 slots (one per core).
   */
  maxConcurrentActivityTaskExecutions: 10,
  /**
   * The default 0 cancels an email being sent the moment the worker is asked to stop. 8 s lets it finish and its
   * outcome be recorded, and stays under the 10 s after which `npm start` kills a child that has not stopped.
   */
  shutdownGraceTime: '8 s',
  /**
   * An activity still running when the grace time ends is cancelled, but an SMTP send does not stop for that:
   * one second later the worker gives up waiting and exits (src/worker/main.ts), before `npm start` or Docker's
   * default 10 s kill it. Temporal retries that activity after its timeout, as for a crashed worker.
   */
  shutdownForceTime: '9 s',
} as const satisfies Partial<WorkerOptions>;
