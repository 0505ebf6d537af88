import type { WorkerOptions } from '@temporalio/worker';

/**
 * The worker's options, explicit so that it behaves the same on every machine; the SDK's defaults follow the heap size and suit many short workflows, not a few hundred
 * inspections that each live for weeks. `npm run bench:scale` measures them against the targets (worker RSS ≤ 1 GB,
 * every due rung sent, p99 ≤ 5 s). What a cached inspection costs (a heap snapshot of the workflow thread holding
 * 200, issue 9): 769 KB with a chasing coroutine per deliverable, of which 499 KB were the stack traces the SDK
 * records for every pending promise of workflow code (its `__stack_trace` query: always on in SDK 1.24), some 300
 * pending promises per inspection, 12 for each deliverable's timer; 205 KB since one coroutine chases them all
 * (src/workflows/chase.ts): 37 pending promises (59 KB of stack traces), the state (18 KB), the input (6 KB), the
 * SDK's own per-workflow objects and handlers (the rest). The workflow bundle imports no theme or timeline table:
 * its per-workflow module cache is 2 KB. Worker peak RSS (from the sources, so with the bundling at start: 363 MB
 * with one inspection) at 200 inspections: 631 MB before, 442 MB after. At 1,000: every rung sent, no workflow
 * task timeout, p99 lateness 1.22 s (8.5 s before), worker peak RSS 862 MB (1,622 MB), worker CPU 65 s over 241 s
 * (131 s); with a 700 MB heap, where it ran out of memory before, 834 MB and p99 1.18 s.
 */
export const WORKER_TUNING = {
  /**
   * Every open inspection stays in the cache (the SDK's sticky cache: its workflow state kept between tasks), so a
   * reminder or deadline firing never replays a whole history and never evicts another inspection that fires next.
   * Replaying costs far more than keeping: a recorded week of 733 events takes 0.67 s of worker CPU to rebuild and
   * one of 1,453 events 1.08 s (test/histories on the 2-core machine), against about 0.2 MB of heap to keep it; a
   * cache of 300 with 1,000 inspections whose rungs fall together would replay 700 histories, minutes of CPU.
   * The SDK default is (heap MiB − 200) × 600 / 1024: 2,310 with this machine's 4 GiB heap, 58 with a 300 MiB
   * heap; 1,200 covers the 1,000-inspection target with room.
   */
  maxCachedWorkflows: 1_200,
  /**
   * The SDK default, stated: one V8 context for every workflow on the workflow thread, each workflow's globals
   * swapped in for its activations and the bundle's own modules evaluated once per workflow (2 KB each here).
   * Without it every workflow gets a context of its own with its own builtins: about 250 workflows per GB against
   * 600, and 1/3 to 1/2 more CPU, by the SDK's own measures; the SDK recommends it and may drop the other.
   */
  reuseV8Context: true,
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
