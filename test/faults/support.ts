/**
 * Real processes for the fault tests: a Temporal dev server, the worker as a child process (`node --import tsx
 * src/worker/main.ts`, as `npm run start:dev` runs it) that a test can kill with SIGKILL and start again, the
 * loopback SMTP server, and a client sharing the worker's data directory (its keys decrypt the payloads). More
 * workers and web apps can be run the same way (`appProcess`, with `workerEnv` as their configuration).
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appCommands } from '../../scripts/start/commands';
import { InspectionsClient, inspectionIdFor } from '../../src/client/inspections';
import { createDeployment, type Deployment } from '../../src/infra';
import { loadConfig } from '../../src/infra/config';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import { buildSchedule, type InspectionSchedule } from '../../src/timeline/schedule';
import { DEFAULT_THEME_ID, themeById } from '../../src/timeline/themes';
import type { IsoDate } from '../../src/timeline/types';
import type { inspection } from '../../src/workflows';
import type { InspectionInput, InspectionStatus } from '../../src/workflows/types';
import { CONTACTS } from '../support/harness';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp';
import { createDevServerEnv } from '../support/temporal';
import { until } from '../support/eventually';

const ROOT = path.join(__dirname, '../..');
/** A worker compiles the workflow bundle as it starts: tens of seconds on a busy machine. */
export const WORKER_READY_MS = 180_000;

/**
 * The worker (or web app) process: one at a time, restarted after each kill; its output is kept across
 * restarts.
 */
export interface WorkerProcess {
  /** The pid of the running worker, if one is running. */
  readonly pid: number | undefined;
  /**
   * Start a worker and wait until it polls its task queue (a web app: until it listens); resolves with its pid.
   */
  start(timeoutMs?: number): Promise<number>;
  /** SIGKILL the running worker and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM the running worker (it finishes what it sends) and wait until it is gone. */
  stop(): Promise<void>;
  /** Everything every worker run printed, stdout and stderr interleaved. */
  log(): string;
  /** What the current (or last) run printed. */
  runLog(): string;
  /** The log's JSON records (one a line; lines that are not JSON are left out). */
  entries(): LogRecord[];
  /** The current (or last) run's JSON records. */
  runEntries(): LogRecord[];
  starts: number;
}

export interface Faults {
  env: TestWorkflowEnvironment;
  smtp: SmtpCapture;
  deployment: Deployment;
  client: InspectionsClient;
  worker: WorkerProcess;
  dataDir: string;
  taskQueue: string;
  /** The worker's environment: the same configuration for any other worker or web process of the test. */
  workerEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A dev server, an SMTP server, a data directory and a worker process (not yet started) on a new task queue;
 * `settings` are added to the configuration of the worker and the client (a file store, keys, a database).
 */
export async function createFaults(settings: NodeJS.ProcessEnv = {}): Promise<Faults> {
  const env = await createDevServerEnv();
  const smtp = await startSmtpCapture();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'jtai-faults-'));
  const taskQueue = `faults-${randomUUID()}`;
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    JTAI_DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JTAI_SEARCH_ATTRIBUTES: 'on',
    WEB_BASE_URL: 'http://jtai.test',
    JTAI_LOG_FORMAT: 'json',
    JTAI_ANSWER_WITHIN_SECONDS: '120',
    ...settings,
  };
  // Made here first, so the keys exist before the worker starts and both sides use the same ones.
  const deployment = createDeployment(loadConfig(workerEnv));
  const client = new InspectionsClient(
    new Client({ connection: env.connection, namespace: 'default', dataConverter: deployment.dataConverter }),
    deployment,
  );
  const worker = appProcess('worker', workerEnv, path.join(dataDir, 'worker.log'));
  return {
    env,
    smtp,
    deployment,
    client,
    worker,
    dataDir,
    taskQueue,
    workerEnv,
    async close() {
      await worker.kill();
      await smtp.close();
      await env.teardown();
      // JTAI_FAULTS_KEEP=1 keeps the data directory and worker.log for a look afterwards.
      if (process.env.JTAI_FAULTS_KEEP) console.log(`kept ${dataDir} (worker.log)`);
      else await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The worker prints its JSON record `Worker starting` once it polls; the web app its URL once it listens. */
const READY: Record<'worker' | 'web', (output: string) => boolean> = {
  worker: (output) => recordsOf(output).some((r) => r.msg === 'Worker starting'),
  web: (output) => /^jtai web: http:\/\//m.test(output),
};

/**
 * The worker or the web app as a child process, run as `npm run start:dev` runs it (scripts/start/commands.ts:
 * its TypeScript through tsx), with `env` as its whole environment and its output kept in `logFile`.
 */
export function appProcess(app: 'worker' | 'web', env: NodeJS.ProcessEnv, logFile: string): WorkerProcess {
  const command = appCommands(ROOT, false)[app];
  let text = '';
  let runFrom = 0;
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  const self: WorkerProcess = {
    starts: 0,
    get pid() {
      return proc?.pid;
    },
    async start(timeoutMs = WORKER_READY_MS) {
      if (proc) throw new Error(`a ${app} is already running`);
      const from = (runFrom = text.length);
      const child = spawn(command.command, command.args, {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = child;
      self.starts++;
      child.stdout.on('data', add);
      child.stderr.on('data', add);
      exited = new Promise((resolve) =>
        child.on('close', () => {
          if (proc === child) proc = undefined;
          resolve();
        }),
      );
      await until(
        `${app} ${child.pid} to be ready`,
        () => {
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`${app} exited while starting:\n${text.slice(from)}`);
          return READY[app](text.slice(from));
        },
        timeoutMs,
      );
      return child.pid!;
    },
    async kill() {
      proc?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      proc?.kill('SIGTERM');
      await exited;
    },
    log: () => text,
    runLog: () => text.slice(runFrom),
    entries: () => recordsOf(text),
    runEntries: () => recordsOf(text.slice(runFrom)),
  };
  return self;
}

/** One record of the worker's JSON log (pino): its level's label, its message, and its fields. */
export type LogRecord = { level?: string; msg?: string } & Record<string, unknown>;

function recordsOf(text: string): LogRecord[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return []; // a line cut short by a kill
    }
  });
}

export { messageIdFor } from '../../src/activities';

/** The status query, retried while no worker answers (one is being killed or started). */
export async function stateOf(client: InspectionsClient, inspectionId: string): Promise<InspectionStatus> {
  return until(
    `a worker to answer the status of ${inspectionId}`,
    () => client.state(inspectionId).catch(() => undefined),
    WORKER_READY_MS,
  );
}

/** Milliseconds since `since`, as seconds with one decimal, for the figures a test prints. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Start an inspection through the typed client as `InspectionsClient.start` does, with an input the test may
 * change first (a late start, a deadline moved to fall inside the test).
 */
export async function startInspection(
  f: Faults,
  options: {
    localAuthority: string;
    notifiedOn: IsoDate;
    lateStart?: boolean;
    edit?: (schedule: InspectionSchedule) => void;
  },
): Promise<InspectionInput> {
  const theme = themeById(DEFAULT_THEME_ID);
  const schedule = buildSchedule({
    notifiedOn: options.notifiedOn,
    option: 'A',
    theme,
    calendar: f.deployment.calendar,
  });
  options.edit?.(schedule);
  const input: InspectionInput = {
    inspectionId: inspectionIdFor(options.localAuthority, options.notifiedOn),
    localAuthority: options.localAuthority,
    schedule,
    contacts: CONTACTS,
    limits: { maxSelected: theme.maxSelected, tracked: theme.tracked },
    searchAttributes: true,
    requestedAt: Date.now(),
    ...(options.lateStart ? { lateStart: true } : {}),
  };
  await f.client.client.workflow.start<typeof inspection>('inspection', {
    workflowId: input.inspectionId,
    taskQueue: f.taskQueue,
    args: [input],
  });
  return input;
}

/**
 * A list 6 CSV of `rows` valid synthetic rows (SYN ids from `first`), every `flagEvery`th child put forward;
 * `edit` may change a row's cells (by column index, or a cell added past the last column) before it is written.
 */
export async function writeList6Csv(
  file: string,
  rows: {
    first: number;
    count: number;
    flagEvery: number;
    notifiedOn: IsoDate;
    edit?: (row: (string | number | Date | null)[], n: number) => void;
  },
): Promise<void> {
  const cell = (v: string | number | Date | null) =>
    v instanceof Date
      ? `${String(v.getUTCDate()).padStart(2, '0')}/${String(v.getUTCMonth() + 1).padStart(2, '0')}/${v.getUTCFullYear()}`
      : v === null
        ? ''
        : `"${String(v).replace(/"/g, '""')}"`;
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(`${line}\r\n`) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(syntheticHeaders('6').map(cell).join(','));
  for (let i = rows.first; i < rows.first + rows.count; i++) {
    const row = syntheticRow('6', i, { notifiedOn: rows.notifiedOn, flagEvery: rows.flagEvery });
    rows.edit?.(row, i);
    await write(row.map(cell).join(','));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}
