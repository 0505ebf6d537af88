import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failuresAfter, restartDelay } from '../../scripts/start/supervisor';
import { temporalCliPath } from '../../scripts/temporal-binaries';
import { freePort, killAll, readLock, run, type Run, stillAliveAfter } from './processes';

/**
 * `npm start` as people run it: the real npm, node, Temporal dev server, worker and web app (compiled: npm start
 * builds dist/ first if it is not up to date), on free ports and a fresh data directory. The tests run in order
 * on two starts (each start costs a dev server): the first, with the output for people at a terminal, is
 * refused a twin, loses its worker to SIGKILL and then is itself killed with SIGKILL; the second, with JSON logs
 * (the format when stdout is not a terminal), takes over the lock and is stopped by SIGTERM to its npm process.
 */
jest.setTimeout(240_000);
const READY_MS = 180_000;
const GONE_MS = 30_000;

let dataDir: string;
let env: NodeJS.ProcessEnv;
const everyPid = new Set<number>();

function npmStart(format: 'pretty' | 'json'): Run {
  const r = run('npm', ['start'], { ...env, JTAI_LOG_FORMAT: format });
  everyPid.add(r.pid);
  return r;
}

/** The pids of npm start's node process and of its children, from the lock file. */
function lockPids(): { start: number; temporal: number; worker: number; web: number } {
  const lock = readLock(dataDir);
  const pids = {
    start: lock.pid,
    temporal: lock.children.temporal!.pid,
    worker: lock.children.worker!.pid,
    web: lock.children.web!.pid,
  };
  Object.values(pids).forEach((pid) => everyPid.add(pid));
  return pids;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) state ppid …"
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  }
}

beforeAll(async () => {
  const cli = await temporalCliPath();
  if (!cli) throw new Error('no Temporal CLI: see scripts/temporal-binaries.ts');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'jtai-start-'));
  const [temporalPort, uiPort, webPort] = [await freePort(), await freePort(), await freePort()];
  env = {
    ...process.env,
    TEMPORAL_ADDRESS: `localhost:${temporalPort}`,
    TEMPORAL_UI_PORT: String(uiPort),
    WEB_PORT: String(webPort),
    JTAI_DATA_DIR: dataDir,
    TEMPORAL_CLI_PATH: cli,
  };
  delete env.WEB_BASE_URL;
  delete env.SMTP_URL;
});
afterAll(async () => {
  killAll(everyPid);
  await rm(dataDir, { recursive: true, force: true });
});

test('restart delays: 1 s doubling to 30 s, back to 1 s after a minute of running', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 12].map(restartDelay)).toEqual([
    1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
  ]);
  // Killed after 5 s, 0.4 s, 59 s in a row: the delays keep doubling; then a run of 60 s starts again at 1 s.
  const failures = [5_000, 400, 59_000, 60_000, 2_000].reduce<number[]>(
    (seen, ranMs) => [...seen, failuresAfter(seen.at(-1) ?? 0, ranMs)],
    [],
  );
  expect(failures.map(restartDelay)).toEqual([1000, 2000, 4000, 1000, 2000]);
});

let first: Run;

test('npm start runs its own dev server, worker and web app; a second start on the same data directory exits 1 naming the first', async () => {
  first = npmStart('pretty');
  await first.waitFor(/^jtai is running/m, READY_MS);
  const pids = lockPids();
  expect(first.output()).toContain(
    `Temporal: our dev server (pid ${pids.temporal}) answers on ${env.TEMPORAL_ADDRESS}`,
  );
  expect(first.output()).toMatch(
    new RegExp(`\\[worker\\] ready: polling task queue "jtai" \\(pid ${pids.worker},`),
  );
  expect(first.output()).toMatch(new RegExp(`\\[web\\] ready: answering on .* \\(pid ${pids.web},`));
  // The npm script execs node: signals npm passes on reach start.ts itself, not a shell.
  expect(parentOf(pids.start)).toBe(first.pid);
  // Its SQLite file is in write-ahead-log mode (scripts/start/temporal.ts): the log sits beside it.
  expect(existsSync(path.join(dataDir, 'temporal.sqlite-wal'))).toBe(true);

  const second = npmStart('pretty');
  const { code } = await second.exited;
  expect(code).toBe(1);
  expect(second.output()).toContain(
    `jtai is already running on the data directory ${dataDir} (pid ${pids.start} on ${os.hostname()}, since ${readLock(dataDir).since}`,
  );
  expect(second.output()).not.toContain('Temporal:');
  expect(lockPids()).toEqual(pids);
});

test('a worker killed with SIGKILL is restarted after 1 s, the restart logged, and polls again', async () => {
  const before = lockPids();
  process.kill(before.worker, 'SIGKILL');
  await first.waitFor(
    /\[worker\] exited \(signal SIGKILL\) after [\d.]+ s: restarting in 1\.0 s \(restart 1\)\./,
    30_000,
  );
  const [, pid] = await first.waitFor(/\[worker\] restarted \(pid (\d+)\)\./, 30_000);
  await first.waitFor(new RegExp(`\\[worker\\] ready: polling task queue "jtai" \\(pid ${pid},`), READY_MS);
  expect(lockPids()).toEqual({ ...before, worker: Number(pid) });
});

test('npm start killed with SIGKILL takes its children with it, and the next start takes over its lock', async () => {
  const old = lockPids();
  process.kill(old.start, 'SIGKILL');
  await first.exited;
  expect(await stillAliveAfter([old.temporal, old.worker, old.web], GONE_MS)).toEqual([]);
  expect(readLock(dataDir).pid).toBe(old.start); // left behind

  const next = npmStart('json');
  await next.waitFor(
    new RegExp(
      `Took over .*start\\.lock from the start that held it \\(pid ${old.start}, since .*\\): pid ${old.start} is no longer running\\.`,
    ),
    READY_MS,
  );
  await next.waitFor(/"msg":"jtai is running"/, READY_MS);
  expect(next.output()).toContain('(state in ' + path.join(dataDir, 'temporal.sqlite') + ', resuming)');
  // Every line is a JSON record (npm's own two-line header aside): the start's, the worker's, the web app's,
  // and the dev server's plain lines wrapped in records named after it.
  const records = next
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('> '))
    .map((line) => JSON.parse(line) as { name: string; level: string | number; msg: string });
  expect(records.every((r) => typeof r.msg === 'string' && r.level !== undefined)).toBe(true);
  expect(new Set(records.map((r) => r.name))).toEqual(new Set(['start', 'temporal', 'worker', 'web']));
  expect(records).toContainEqual(
    expect.objectContaining({ name: 'worker', sdkComponent: 'worker', msg: 'Worker state changed' }),
  );
  expect(readLock(dataDir).pid).not.toBe(old.start);
  first = next;
});

test('SIGTERM to the npm process stops npm start, Temporal, worker and web, and releases the lock', async () => {
  const pids = lockPids();
  process.kill(first.pid, 'SIGTERM');
  expect(await stillAliveAfter([first.pid, ...Object.values(pids)], GONE_MS)).toEqual([]);
  expect((await first.exited).code).toBe(0);
  expect(first.output()).toMatch(
    /SIGTERM: stopping\.[\s\S]*Stopping web…[\s\S]*Stopping worker…[\s\S]*"msg":"Worker stopped"[\s\S]*Stopping temporal…[\s\S]*Stopped\./,
  );
  expect(existsSync(path.join(dataDir, 'start.lock'))).toBe(false);
});
