import { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActivityDependencies } from '../../src/activities';
import { InspectionsClient } from '../../src/client/inspections';
import { loadConfig } from '../../src/infra/config';
import { createDeployment, type Deployment } from '../../src/infra';
import { createCalendar } from '../../src/timeline/calendar';
import type { IsoDate } from '../../src/timeline/types';
import type { InspectionContacts } from '../../src/workflows/types';
import { createWorker } from '../../src/worker/worker';
import { startSmtpCapture, type SmtpCapture } from './smtp';
import { createTimeSkippingEnv } from './temporal';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundle the workflow code once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: quietLogger,
  });
  return bundle;
}
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

/** Synthetic contacts: example.org addresses only. */
export const CONTACTS: InspectionContacts = {
  coordinator: { name: 'Sam Coordinator', email: 'coordinator@example.org' },
  agencies: {
    'local-authority': {
      name: 'Example Council',
      contact: 'la@example.org',
      escalation: 'la-lead@example.org',
    },
    police: { name: 'Example Police', contact: 'police@example.org', escalation: 'police-lead@example.org' },
    health: { name: 'Example ICB', contact: 'health@example.org', escalation: 'health-lead@example.org' },
    probation: {
      name: 'Example Probation',
      contact: 'probation@example.org',
      escalation: 'probation-lead@example.org',
    },
    'youth-justice': { name: 'Example YOT', contact: 'yot@example.org', escalation: 'yot-lead@example.org' },
    partnership: {
      name: 'Example Partnership',
      contact: 'partnership@example.org',
      escalation: 'chair@example.org',
    },
  },
};

export interface Harness {
  deployment: Deployment;
  client: InspectionsClient;
  smtp: SmtpCapture;
  dir: string;
  /** Run `fn` with a fresh worker polling this harness's task queue (a worker runs only once). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Start an inspection, run `body`, and cancel it afterwards whatever happened, so no test leaves one running. */
  withInspection(
    start: Parameters<InspectionsClient['start']>[0],
    body: (started: Awaited<ReturnType<InspectionsClient['start']>>) => Promise<void>,
  ): Promise<void>;
  /** Write a small synthetic file and return its path. */
  file(name: string, content: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh deployment (temp data folder, own task queue, real SMTP listener) on a test environment. */
export async function createHarness(
  env: TestWorkflowEnvironment,
  overrides: Partial<ActivityDependencies> = {},
  options: { payloadKey?: string; env?: Record<string, string> } = {},
): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jtai-test-'));
  if (options.payloadKey) {
    // A fixed payload key, so a recorded history can be decoded again by the replay test.
    await mkdir(path.join(dir, 'keys'), { recursive: true });
    await copyFile(options.payloadKey, path.join(dir, 'keys', 'payloads.key'));
  }
  const smtp = await startSmtpCapture();
  const deployment = createDeployment(
    loadConfig({
      JTAI_DATA_DIR: dir,
      SMTP_URL: smtp.url,
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      JTAI_SEARCH_ATTRIBUTES: 'on',
      WEB_BASE_URL: 'http://jtai.test',
      // A busy CI machine can take longer than the product's 10 s to run a workflow task.
      JTAI_ANSWER_WITHIN_SECONDS: '120',
      ...options.env,
    }),
  );
  const bundled = await workflowBundle();
  const temporal = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: deployment.dataConverter,
  });
  const client = new InspectionsClient(temporal, deployment);
  // Every inspection this harness starts is watched by skipTo (see there), however the test started it.
  const start = client.start.bind(client);
  client.start = async (...args) => {
    const started = await start(...args);
    watch(env, temporal, started.inspectionId);
    return started;
  };
  return {
    deployment,
    client,
    smtp,
    dir,
    async run(fn) {
      const worker = await createWorker({
        deployment,
        connection: env.nativeConnection,
        workflowBundle: bundled,
        activityOverrides: overrides,
      });
      return worker.runUntil(fn);
    },
    async withInspection(start, body) {
      const started = await client.start(start);
      try {
        await body(started);
        // An email whose activity is still scheduled or running when the worker stops holds the test server's
        // time-skipping lock until the activity times out (about three minutes, measured): the next test's
        // skip of the clock would wait that long. So the test's emails are let go out first (30 s at most).
        await settleOutbox(client, started.inspectionId);
      } finally {
        await client.cancel(started.inspectionId, 'End of test').catch(() => undefined);
        // What the cancellation itself sends (the last digest of arrivals) goes out too, for the same reason.
        await settleOutbox(client, started.inspectionId);
        // A cancelled inspection still has timers (its retention, its emails' retries): a later skip of the
        // clock past one would leave a task with no worker to take it. The test's inspection ends for good here.
        await temporal.workflow
          .getHandle(started.inspectionId)
          .terminate('End of test')
          .catch(() => undefined);
      }
    },
    async file(name, content) {
      const p = path.join(dir, 'uploads', randomUUID(), name);
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, content);
      return p;
    },
    async close() {
      await smtp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Wait, up to 30 s, until no email of the inspection is queued (each is sent, failing, skipped or given up). */
async function settleOutbox(client: InspectionsClient, inspectionId: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const state = await client.state(inspectionId).catch(() => undefined);
    if (!state || state.outbox.every((d) => d.status !== 'queued')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const calendar = createCalendar();

/**
 * The first Monday after `after` whose fortnight has no bank holiday (or, with `withBankHoliday`, has one).
 *
 * Tests on the time-skipping server pass a fixed date decades ahead (2090): that server starts at the real
 * time and can only move forward, so each test skips its clock to fixed instants in that year and its dates
 * never depend on the day it runs (the calendar computes bank holidays by rule for years after gov.uk's list).
 */
export function notificationMonday(after: IsoDate, withBankHoliday = false): IsoDate {
  let date = calendar.nextWorkingDay(after);
  for (let i = 0; i < 800; i++) {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (weekday === 1 && calendar.isWorkingDay(date)) {
      const fortnight = Array.from({ length: 14 }, (_, k) => addCalendarDays(date, k)).filter((d) => {
        const w = new Date(`${d}T12:00:00Z`).getUTCDay();
        return w !== 0 && w !== 6;
      });
      const hasHoliday = fortnight.some((d) => !calendar.isWorkingDay(d));
      if (hasHoliday === withBankHoliday) return date;
    }
    date = addCalendarDays(date, 1);
  }
  throw new Error(`No suitable notification Monday within 800 days after ${after}.`);
}

/**
 * The next notification Monday after today, for the tests on the dev server, which runs in real time and
 * cannot skip it. This reads the real clock only to stand a little ahead of it: every date and instant such
 * a test checks is counted from this Monday, and the calendar has bank holidays for every later year (by
 * rule after gov.uk's list), so the test passes whatever day it runs on.
 */
export function upcomingNotificationMonday(): IsoDate {
  return notificationMonday(calendar.ukDate(Date.now()));
}

/**
 * A notification Monday of the last ten days or so (so some of its deadlines have passed), or the upcoming
 * one if that Monday has not reached noon yet; for the dev server, as `upcomingNotificationMonday`.
 */
export function recentNotificationMonday(): IsoDate {
  const recent = notificationMonday(addCalendarDays(calendar.ukDate(Date.now()), -10));
  return calendar.ukInstant(recent, '12:00') < Date.now() ? recent : upcomingNotificationMonday();
}

function addCalendarDays(date: IsoDate, n: number): IsoDate {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The instant of working day `day` after `notifiedOn` at a UK wall time. */
export function at(notifiedOn: IsoDate, day: number, time: string): number {
  return calendar.ukInstant(calendar.addWorkingDays(notifiedOn, day), time);
}

/**
 * Move the time-skipping server's clock forward to `instant`. A target already behind the clock is a
 * mistake in the test (or real time has caught up with the fixed test dates): it fails, naming both.
 *
 * The skip leaves the harness's inspections settled, with no timer about to fire, so what the test sends
 * next cannot race a timer. The time-skipping server strands a run whose workflow task cancels a timer that
 * fired while the task was with the worker: it refuses the completion ("invalid history builder state for
 * action", from its processCancelTimer when the timer is no longer pending), then refuses the retry
 * ("Already accepted update"), and the update never answers. An update wakes the main loop, whose `condition` cancels its timer; between skips the
 * server's clock runs at real pace, so a timer due just after the skip fired while a slow task was out.
 * So the skip waits for the inspections to settle before and after, and goes on past any timer due within
 * TIMER_GUARD_MS of where it lands (a test cannot assert that such a timer has not fired yet).
 */
export async function skipTo(env: TestWorkflowEnvironment, instant: number): Promise<void> {
  const current = await env.currentTimeMs();
  if (instant < current) {
    throw new Error(
      `Cannot skip back to ${new Date(instant).toISOString()}: the test server is at ${new Date(current).toISOString()}.`,
    );
  }
  if (instant === current) return;
  await settled(env);
  await env.sleep(instant - current);
  for (let extra = 0; ; extra++) {
    const dueIn = await settled(env);
    if (dueIn === undefined || dueIn > TIMER_GUARD_MS) return;
    if (extra >= MAX_GUARD_SKIPS)
      throw new Error(`A timer keeps falling due within ${TIMER_GUARD_MS} ms of each skip.`);
    await env.sleep(Math.max(dueIn, 0) + 1);
  }
}

/** Longer than a workflow task takes on a loaded machine; far shorter than any wait the workflow makes. */
const TIMER_GUARD_MS = 10_000;
const MAX_GUARD_SKIPS = 20;
const SETTLE_WITHIN_MS = 60_000;

const watched = new WeakMap<TestWorkflowEnvironment, { temporal: Client; ids: Set<string> }>();

function watch(env: TestWorkflowEnvironment, temporal: Client, workflowId: string): void {
  const entry = watched.get(env) ?? { temporal, ids: new Set<string>() };
  entry.ids.add(workflowId);
  watched.set(env, entry);
}

/**
 * Wait until every watched inspection has no workflow task outstanding and no activity running (closed ones
 * are dropped); then how long until the soonest timer of theirs fires, by the server's clock (none: undefined).
 */
async function settled(env: TestWorkflowEnvironment): Promise<number | undefined> {
  const entry = watched.get(env);
  if (!entry) return undefined;
  const until = Date.now() + SETTLE_WITHIN_MS;
  let due: number[] = [];
  for (const id of [...entry.ids]) {
    for (;;) {
      const events = (await entry.temporal.workflow.getHandle(id).fetchHistory()).events ?? [];
      const run = readHistory(events);
      if (run.closed) {
        entry.ids.delete(id);
        break;
      }
      if (!run.busy) {
        due = due.concat(run.timersDueAt);
        break;
      }
      if (Date.now() > until)
        throw new Error(`Inspection ${id} did not settle within ${SETTLE_WITHIN_MS} ms.`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  if (due.length === 0) return undefined;
  return Math.min(...due) - (await env.currentTimeMs());
}

type HistoryEvent = proto.api.history.v1.IHistoryEvent;
const { EventType } = proto.api.enums.v1;
const CLOSED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** A run's history: closed; a workflow task or an activity outstanding; when each pending timer is due. */
function readHistory(events: HistoryEvent[]): { closed: boolean; busy: boolean; timersDueAt: number[] } {
  let workflowTask = false;
  const activities = new Set<string>();
  const timers = new Map<string, number>();
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) workflowTask = true;
    if (
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED ||
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
    )
      workflowTask = false;
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activities.add(String(e.eventId));
    const ended =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (ended?.scheduledEventId != null) activities.delete(String(ended.scheduledEventId));
    const started = e.timerStartedEventAttributes;
    if (started?.timerId)
      timers.set(started.timerId, protoMs(e.eventTime) + protoMs(started.startToFireTimeout));
    const gone = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (gone?.timerId) timers.delete(gone.timerId);
  }
  const closed = CLOSED.has(events.at(-1)?.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED);
  return { closed, busy: workflowTask || activities.size > 0, timersDueAt: [...timers.values()] };
}

/** A protobuf timestamp or duration in milliseconds. */
function protoMs(
  value: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined,
): number {
  return Number(value?.seconds?.toString() ?? 0) * 1000 + Math.floor((value?.nanos ?? 0) / 1e6);
}

/**
 * One time-skipping environment (or another, with `createEnv`) and one harness for a test file: created
 * before its tests, torn down after. Tests read `ctx.env` and `ctx.h` once the file's tests run.
 */
export function useHarness(
  overrides: Partial<ActivityDependencies> = {},
  options: {
    payloadKey?: string;
    env?: Record<string, string>;
    createEnv?: () => Promise<TestWorkflowEnvironment>;
  } = {},
): { env: TestWorkflowEnvironment; h: Harness } {
  const ctx = {} as { env: TestWorkflowEnvironment; h: Harness };
  beforeAll(async () => {
    ctx.env = await (options.createEnv ?? createTimeSkippingEnv)();
    ctx.h = await createHarness(ctx.env, overrides, options);
  });
  afterAll(async () => {
    await ctx.h?.close();
    await ctx.env?.teardown();
  });
  return ctx;
}
