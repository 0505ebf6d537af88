/**
 * `npm run bench:scale -- --inspections N`: does one worker keep every reminder of N open inspections?
 *
 * Runs what `npm start` runs: a Temporal dev server with a SQLite file (the same command line) and one worker
 * process (`node --import tsx src/worker/main.ts`, with the options of src/worker/tuning.ts), mail to a loopback
 * SMTP listener in this process that notes when each message arrived. Starts N inspections (`--concurrency` at
 * a time, each as `InspectionsClient.start` does, stamped with the starter's instant) whose notification is the
 * coming Monday, so each agency's request digest goes at once (6 emails per inspection). In each inspection,
 * `--rungs` deliverables get a one-rung reminder ladder with the rung inside the measurement window: spread
 * evenly over `--spread` seconds beginning `--lead` seconds after the bench began, so they fall due while the
 * digests of later starts are still going out when starts are slow, and on an idle worker otherwise.
 *
 * Reports: time to start all N (first start call to last acknowledged) and until every request digest had
 * arrived; worker and server peak RSS (VmHWM); for every rung due (its instant at or after its inspection's
 * start), whether its email arrived and how late (arrival at the SMTP listener minus the rung's instant:
 * p50/p95/p99/max), and how late the workflow acted on it (its chase log entry). Workflow task timeouts and
 * failures are counted from the histories. Targets on the 2-core machine: 1,000 started in <= 60 s, worker RSS
 * <= 1 GB, 100% of due rungs sent, p99 lateness <= 5 s.
 *
 *   npm run bench:scale -- --inspections 1000 [--rungs 3] [--concurrency 8] [--lead 120] [--spread 120] [--in-memory]
 *     [--worker-node-options "--max-old-space-size=512"] [--server-args "--sqlite-pragma journal_mode=wal"]
 */
import { Client, Connection } from '@temporalio/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { messageIdFor } from '../src/activities';
import { createDeployment } from '../src/infra';
import { loadConfig } from '../src/infra/config';
import { buildSchedule, type InspectionSchedule } from '../src/timeline/schedule';
import { DEFAULT_THEME_ID, themeById } from '../src/timeline/themes';
import type { inspection } from '../src/workflows';
import * as messages from '../src/workflows/messages';
import type { InspectionInput, InspectionStatus } from '../src/workflows/types';
import { CONTACTS, upcomingNotificationMonday } from '../test/support/harness';
import { appCommands } from './start/commands';
import { devServerArgs, waitForOwnServer } from './start/temporal';
import { temporalCliPath } from './temporal-binaries';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number`);
  return value;
}

const N = arg('inspections', 100);
const RUNGS = arg('rungs', 3);
const CONCURRENCY = arg('concurrency', 8);
const LEAD_MS = arg('lead', 120) * 1000;
/** `--in-memory`: the dev server without its SQLite file (to see what the file costs). */
const IN_MEMORY = process.argv.includes('--in-memory');
/** `--worker-node-options "--max-old-space-size=512"`: NODE_OPTIONS for the worker only (npm start sets none). */
const WORKER_NODE_OPTIONS = process.argv[process.argv.indexOf('--worker-node-options') + 1];
const workerNodeOptions = process.argv.includes('--worker-node-options') ? WORKER_NODE_OPTIONS : undefined;
/** `--server-args "--dynamic-config-value K=V"`: more dev server flags, to try a server setting. */
const SERVER_ARGS = process.argv.includes('--server-args')
  ? (process.argv[process.argv.indexOf('--server-args') + 1] ?? '').split(' ').filter(Boolean)
  : [];
const SPREAD_MS = arg('spread', 120) * 1000;
/** After the last rung, how long to wait for stragglers before counting them unsent. */
const GRACE_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Peak resident set of a process so far, in MB (Linux: VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time a process has used so far (user + system), in seconds (Linux: /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Resident set of a process now, in MB (Linux: VmRSS). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function spread(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (ms: number) => (ms / 1000).toFixed(2);
  return `p50 ${f(percentile(s, 50))} s, p95 ${f(percentile(s, 95))} s, p99 ${f(percentile(s, 99))} s, max ${f(s.at(-1) ?? NaN)} s`;
}

/** An SMTP listener that notes when each message arrived, by Message-ID (headers only, nothing parsed). */
async function startArrivals(): Promise<{
  url: string;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}> {
  const arrivals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1];
        if (id && !arrivals.has(id)) arrivals.set(id, Date.now());
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function spawnLogged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
  const proc: ChildProcess = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  return { name, proc, pid: proc.pid!, output: () => out, exited };
}

/** What this bench plants in an inspection: `RUNGS` deliverables each with one reminder at a given instant. */
interface Planted {
  inspectionId: string;
  requestedAt: number;
  rungs: { deliverableId: string; key: string; at: number }[];
}

async function main(): Promise<void> {
  const cli = await temporalCliPath();
  if (!cli) throw new Error('No Temporal CLI: see scripts/temporal-binaries.ts');
  const began = Date.now();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'jtai-bench-scale-'));
  const smtp = await startArrivals();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    JTAI_DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    TEMPORAL_TASK_QUEUE: 'jtai',
    JTAI_SEARCH_ATTRIBUTES: 'on',
  };
  const deployment = createDeployment(loadConfig(env));
  const serverArgs = devServerArgs({
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    host: '127.0.0.1',
    port,
    uiPort: await freePort(),
    namespace: 'default',
  });
  if (IN_MEMORY) serverArgs.splice(serverArgs.indexOf('--db-filename'), 2);
  serverArgs.push(...SERVER_ARGS);
  const server = spawnLogged('temporal', cli, serverArgs, env);
  const children = [server];
  try {
    await waitForOwnServer({
      pid: server.pid,
      address,
      port,
      exited: () => server.proc.exitCode !== null,
      timeoutMs: 120_000,
    });
    const { worker: command } = appCommands();
    const worker = spawnLogged('worker', command.command, command.args, {
      ...env,
      ...(workerNodeOptions ? { NODE_OPTIONS: workerNodeOptions } : {}),
    });
    children.push(worker);
    // Ready once it logs its JSON record "Worker starting" (it polls from then on).
    const readyBy = Date.now() + 180_000;
    for (;;) {
      if (worker.proc.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      if (worker.output().includes('"msg":"Worker starting"')) break;
      if (Date.now() > readyBy) throw new Error(`worker not ready after 180 s:\n${worker.output()}`);
      await sleep(100);
    }
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, dataConverter: deployment.dataConverter });

    // The schedule of the coming Monday: every real deadline and rung days away, so only planted rungs fire.
    const notifiedOn = upcomingNotificationMonday();
    const theme = themeById(DEFAULT_THEME_ID);
    const template = buildSchedule({ notifiedOn, option: 'A', theme, calendar: deployment.calendar });
    const chased = template.deliverables.filter((d) => d.chase && !d.requires).slice(0, RUNGS);
    const windowStart = began + LEAD_MS;
    const totalRungs = N * chased.length;
    const rungAt = (i: number, k: number) =>
      windowStart + Math.round(((i * chased.length + k) / Math.max(1, totalRungs - 1)) * SPREAD_MS);

    console.log(
      `bench:scale ${N} inspections, ${chased.length} planted rungs each (${totalRungs}), ` +
        `rungs ${((windowStart - began) / 1000).toFixed(0)}-${((windowStart + SPREAD_MS - began) / 1000).toFixed(0)} s after the start; ` +
        `load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );

    const planted: Planted[] = [];
    const startsBegan = Date.now();
    let next = 0;
    const starter = async () => {
      while (next < N) {
        const i = next++;
        const schedule: InspectionSchedule = structuredClone(template);
        const rungs: Planted['rungs'] = [];
        for (const [k, d] of chased.entries()) {
          const target = schedule.deliverables.find((x) => x.id === d.id)!;
          const at = rungAt(i, k);
          target.ladder = [{ id: 'bench-reminder', kind: 'reminder', to: 'contact', at }];
          rungs.push({ deliverableId: d.id, key: `${d.id}/bench-reminder/v1`, at });
        }
        const inspectionId = `inspection-bench-${String(i + 1).padStart(4, '0')}-${notifiedOn}`;
        const input: InspectionInput = {
          inspectionId,
          localAuthority: `Bench Borough ${i + 1}`,
          schedule,
          contacts: CONTACTS,
          limits: { maxSelected: theme.maxSelected, tracked: theme.tracked },
          searchAttributes: true,
          requestedAt: Date.now(),
        };
        await client.workflow.start<typeof inspection>('inspection', {
          workflowId: inspectionId,
          taskQueue: 'jtai',
          args: [input],
        });
        planted.push({ inspectionId, requestedAt: input.requestedAt, rungs });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, starter));
    const startMs = Date.now() - startsBegan;
    console.log(`started ${N} in ${(startMs / 1000).toFixed(1)} s`);

    const digestIds = planted.flatMap((p) =>
      Object.keys(CONTACTS.agencies).map((a) => messageIdFor(p.inspectionId, `request-digest/${a}`)),
    );
    const due = planted.flatMap((p) =>
      p.rungs
        .filter((r) => r.at >= p.requestedAt)
        .map((r) => ({ ...r, inspectionId: p.inspectionId, messageId: messageIdFor(p.inspectionId, r.key) })),
    );
    const pastAtStart = totalRungs - due.length;
    const lastRung = Math.max(...due.map((r) => r.at), Date.now());
    let digestsMs: number | undefined;
    let nextProgress = Date.now() + 30_000;
    for (;;) {
      if (digestsMs === undefined && digestIds.every((id) => smtp.arrivals.has(id)))
        digestsMs = Date.now() - startsBegan;
      const sent = due.filter((r) => smtp.arrivals.has(r.messageId)).length;
      if ((sent === due.length && digestsMs !== undefined) || Date.now() > lastRung + GRACE_MS) break;
      if (Date.now() >= nextProgress) {
        nextProgress += 30_000;
        const digests = digestIds.filter((id) => smtp.arrivals.has(id)).length;
        console.log(
          `  ${((Date.now() - began) / 1000).toFixed(0)} s: ${digests}/${digestIds.length} digests, ` +
            `${sent}/${due.length} rungs sent; worker RSS ${rssMb(worker.pid).toFixed(0)} MB; load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      await sleep(500);
    }
    const workerRss = peakRssMb(worker.pid);
    const serverRss = peakRssMb(server.pid);
    const cpu = { worker: cpuSeconds(worker.pid), server: cpuSeconds(server.pid), bench: process.cpuUsage() };
    const wallS = (Date.now() - began) / 1000;

    const late = due
      .filter((r) => smtp.arrivals.has(r.messageId))
      .map((r) => smtp.arrivals.get(r.messageId)! - r.at);
    const digestsLine =
      digestsMs === undefined
        ? `${digestIds.filter((id) => smtp.arrivals.has(id)).length} of ${digestIds.length} request digests arrived`
        : `all ${digestIds.length} request digests arrived ${(digestsMs / 1000).toFixed(1)} s after the first start`;
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    console.log(
      [
        `inspections           ${N} (started ${CONCURRENCY} at a time; server ${IN_MEMORY ? 'in memory' : 'on SQLite'}` +
          `${workerNodeOptions ? `; worker NODE_OPTIONS ${workerNodeOptions}` : ''})`,
        `start all             ${(startMs / 1000).toFixed(1)} s`,
        `request digests       ${digestsLine}`,
        `worker peak RSS       ${workerRss.toFixed(0)} MB`,
        `server peak RSS       ${serverRss.toFixed(0)} MB`,
        `rungs sent of due     ${late.length} of ${due.length}${pastAtStart ? ` (${pastAtStart} planted rungs were already past at their inspection's start: not due)` : ''}`,
        `email lateness        ${spread(late)}`,
        `CPU over ${wallS.toFixed(0)} s      worker ${cpu.worker.toFixed(0)} s, server ${cpu.server.toFixed(0)} s, ` +
          `this process ${((cpu.bench.user + cpu.bench.system) / 1e6).toFixed(0)} s`,
        `load average (end)    ${load()}`,
      ].join('\n'),
    );

    // From the workflows themselves: when each acted on its rung (the workflow time of the task that fired the
    // timer), and workflow task timeouts and failures in the histories. A query may time out on a busy worker.
    const acted: number[] = [];
    let taskTimeouts = 0;
    let taskFailures = 0;
    let unread = 0;
    let next2 = 0;
    const reader = async () => {
      while (next2 < planted.length) {
        const p = planted[next2++]!;
        const handle = client.workflow.getHandle(p.inspectionId);
        let state: InspectionStatus | undefined;
        for (let attempt = 0; attempt < 3 && !state; attempt++)
          state = await handle.query(messages.status).catch(() => undefined);
        if (!state) unread++;
        for (const r of state ? p.rungs : []) {
          const entry = state!.deliverables
            .find((d) => d.id === r.deliverableId)
            ?.chaseLog.find((c) => c.rung === 'bench-reminder');
          if (entry && r.at >= p.requestedAt) acted.push(entry.at - r.at);
        }
        const history = await handle.fetchHistory();
        for (const e of history.events ?? []) {
          if (e.workflowTaskTimedOutEventAttributes) taskTimeouts++;
          if (e.workflowTaskFailedEventAttributes) taskFailures++;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    console.log(
      [
        `workflow lateness     ${spread(acted)} (chase log entry minus rung instant${unread ? `; ${unread} inspections did not answer the query` : ''})`,
        `workflow tasks        ${taskTimeouts} timed out, ${taskFailures} failed`,
      ].join('\n'),
    );
    await connection.close();
  } finally {
    for (const c of children.reverse()) {
      c.proc.kill('SIGTERM');
      await Promise.race([c.exited, sleep(15_000)]);
      c.proc.kill('SIGKILL');
    }
    await smtp.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
