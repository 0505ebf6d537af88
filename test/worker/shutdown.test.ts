import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { msToNumber } from '@temporalio/common/lib/time';
import { WORKER_TUNING } from '../../src/worker/tuning';
import { CONTACTS, createHarness, notificationMonday, skipTo, at, type Harness } from '../support/harness';
import { createTimeSkippingEnv } from '../support/temporal';
import { killAll } from '../start/processes';
import { records, startWorkerProcess } from './worker-process';

/**
 * SIGTERM to a worker process while it sends email (each inspection starts with one request per agency; the
 * SMTP listener answers slowly): the worker stops taking tasks, lets the sends in flight finish within
 * `shutdownGraceTime`, and exits within `shutdownForceTime` even when a send does not finish.
 */
jest.setTimeout(300_000);

const GRACE_MS = msToNumber(WORKER_TUNING.shutdownGraceTime);
const FORCE_MS = msToNumber(WORKER_TUNING.shutdownForceTime);
const { EventType } = temporal.api.enums.v1;

// A test server and a harness (task queue, SMTP listener) for each test: on one test server, the second test's
// skip of two months took over two minutes after the first test's worker had stopped.
let env: TestWorkflowEnvironment;
let h: Harness;
const pids = new Set<number>();

beforeEach(async () => {
  env = await createTimeSkippingEnv();
  h = await createHarness(env);
});
afterEach(async () => {
  killAll(pids);
  await h?.close();
  await env?.teardown();
});

/** Starts an inspection with a worker process running, and sends it SIGTERM once an email is on the wire. */
async function stopWhileSending(localAuthority: string, after: string) {
  const worker = await startWorkerProcess(env.address, h);
  pids.add(worker.pid);
  const notifiedOn = notificationMonday(after);
  await skipTo(env, at(notifiedOn, 0, '10:00'));
  const before = h.smtp.messages.length;
  const { inspectionId } = await h.client.start({
    localAuthority,
    notifiedOn,
    option: 'A',
    contacts: CONTACTS,
  });
  // The listener has the whole message and holds back its answer: the send is in flight.
  while (h.smtp.messages.length === before) await new Promise((resolve) => setTimeout(resolve, 50));
  const signalled = Date.now();
  process.kill(worker.pid, 'SIGTERM');
  const { code } = await worker.exited;
  const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
  const count = (type: temporal.api.enums.v1.EventType) =>
    (history.events ?? []).filter((e) => e.eventType === type).length;
  return {
    code,
    stoppedAfterMs: Date.now() - signalled,
    logged: records(worker),
    inFlight: h.smtp.messages.length - before,
    scheduled: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    completed: count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
    failedOrTimedOut:
      count(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) + count(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT),
    inspectionId,
  };
}

test('sends in flight finish and are recorded before the worker exits (0), within the grace time', async () => {
  h.smtp.delayMs = 3_000;
  const stop = await stopWhileSending('Graceful Borough', '2090-01-01');
  expect(stop.code).toBe(0);
  // It waited for the sends (the listener held each answer 3 s), and no longer than the grace time.
  expect(stop.stoppedAfterMs).toBeGreaterThan(1_000);
  expect(stop.stoppedAfterMs).toBeLessThan(GRACE_MS + 5_000);
  // Every send (the request emails go six to one activity) completed: none is left to time out.
  expect(stop.inFlight).toBeGreaterThan(0);
  expect(stop.completed).toBeGreaterThan(0);
  expect(stop.completed).toBe(stop.scheduled);
  expect(stop.failedOrTimedOut).toBe(0);
  expect(stop.logged.map((r) => r.msg)).toEqual(
    expect.arrayContaining([
      'Stopping: no new tasks; running activities may finish within the grace time',
      'Email sent',
      'Worker stopped',
    ]),
  );
  await h.client.client.workflow.getHandle(stop.inspectionId).terminate('End of test');
});

test('a send that outlasts the grace time does not hold the worker: it exits (1) once the force time runs out', async () => {
  h.smtp.delayMs = FORCE_MS + 3_000; // above the force time, below the SMTP socket timeout (30 s)
  const stop = await stopWhileSending('Stubborn Borough', '2090-01-01');
  h.smtp.delayMs = 0;
  expect(stop.code).toBe(1);
  expect(stop.stoppedAfterMs).toBeGreaterThanOrEqual(FORCE_MS - 500);
  expect(stop.stoppedAfterMs).toBeLessThan(FORCE_MS + 5_000);
  expect(stop.completed).toBe(0);
  expect(stop.logged).toContainEqual(
    expect.objectContaining({
      level: 'error',
      msg: 'Activities still running when the shutdown time ran out: exiting; Temporal retries them after their timeout',
    }),
  );
  await h.client.client.workflow.getHandle(stop.inspectionId).terminate('End of test');
});
