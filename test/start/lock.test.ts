import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, describeHolder, lockFile, type LockHolder } from '../../scripts/start/lock';
import { isAlive } from '../../scripts/start/processes';
import { killAll, readLock, run, stillAliveAfter } from './processes';

/**
 * The data-directory lock with real processes: holders started as separate node processes, killed with
 * SIGKILL, and a race of several would-be holders for one stale lock.
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'hold-lock.ts');
const started = new Set<number>();
let dir: string;

interface Outcome {
  held: boolean;
  holder?: number;
  pid?: number;
  leftover?: number;
  tookOverFrom?: number;
}

function holdLock(at?: number) {
  const r = run(
    process.execPath,
    ['--import', 'tsx', FIXTURE, dir, ...(at ? [String(at)] : [])],
    process.env,
  );
  started.add(r.pid);
  return r;
}

async function outcomeOf(r: ReturnType<typeof holdLock>): Promise<Outcome> {
  const [line] = await r.waitFor(/^\{.*\}$/m, 60_000);
  const outcome = JSON.parse(line) as Outcome;
  if (outcome.leftover) started.add(outcome.leftover);
  return outcome;
}

/** A pid that was alive a moment ago and is not now. */
async function deadPid(): Promise<number> {
  const r = run(process.execPath, ['-e', ''], process.env);
  await r.exited;
  return r.pid;
}

function staleLock(over: Partial<LockHolder>): LockHolder {
  return {
    pid: 1,
    host: os.hostname(),
    since: '2026-01-05T09:00:00.000Z',
    command: 'node --import tsx scripts/start.ts',
    children: {},
    ...over,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jtai-lock-'));
});
afterEach(async () => {
  killAll(started);
  started.clear();
  await rm(dir, { recursive: true, force: true });
});

test('a live holder is named; once it is killed, its lock is taken over and what it left running is stopped', async () => {
  const holder = holdLock();
  const first = await outcomeOf(holder);
  expect(first).toMatchObject({ held: false, pid: holder.pid });

  const refused = await acquireLock(dir);
  if (!refused.held) throw new Error('a second holder got the lock');
  expect(refused.holder).toMatchObject({ pid: holder.pid, host: os.hostname() });
  expect(describeHolder(refused, dir)).toContain(
    `pid ${holder.pid} on ${os.hostname()}, since ${refused.holder.since}`,
  );
  expect(readLock(dir).children.leftover?.pid).toBe(first.leftover);

  holder.proc.kill('SIGKILL');
  await holder.exited;
  expect(isAlive(first.leftover!)).toBe(true); // nothing but the next start stops it (no pdeathsig here)

  const taken = await acquireLock(dir);
  if (taken.held) throw new Error(`the lock of a killed holder was not taken over: ${taken.holder.pid}`);
  expect(taken.tookOver).toMatchObject({
    holder: { pid: holder.pid },
    why: `pid ${holder.pid} is no longer running`,
    stopped: [`leftover (pid ${first.leftover})`],
  });
  expect(await stillAliveAfter([first.leftover!], 5_000)).toEqual([]);
  expect(readLock(dir).pid).toBe(process.pid);
  taken.lock.release();
  expect(existsSync(lockFile(dir))).toBe(false);
});

test('a recorded pid now used by another program neither holds the lock nor is stopped', async () => {
  const other = run(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], process.env);
  started.add(other.pid);
  await writeFile(
    lockFile(dir),
    JSON.stringify(
      staleLock({
        pid: other.pid,
        children: { temporal: { pid: other.pid, marker: '/gone/temporal.sqlite' } },
      }),
    ),
  );
  const taken = await acquireLock(dir);
  if (taken.held) throw new Error('a reused pid was taken for the holder');
  expect(taken.tookOver).toMatchObject({ why: `pid ${other.pid} is now another program`, stopped: [] });
  expect(isAlive(other.pid)).toBe(true);
  taken.lock.release();
});

test('a lock from before a reboot is stale even if its pid is alive again', async () => {
  await writeFile(lockFile(dir), JSON.stringify(staleLock({ pid: process.pid, bootId: 'an-earlier-boot' })));
  const taken = await acquireLock(dir);
  if (taken.held) throw new Error('a lock from an earlier boot held');
  // Without a boot id (not Linux) the holder's pid and command line decide instead.
  expect(taken.tookOver?.why).toMatch(/machine has restarted|is now another program/);
  taken.lock.release();
});

test('six starts racing for one stale lock: exactly one takes it, the others name that one', async () => {
  const dead = await deadPid();
  await writeFile(lockFile(dir), JSON.stringify(staleLock({ pid: dead })));
  const at = Date.now() + 4_000; // all of them loaded by then, so they ask within milliseconds of each other
  const racers = Array.from({ length: 6 }, () => holdLock(at));
  const outcomes = await Promise.all(racers.map(outcomeOf));
  const winners = outcomes.filter((o) => !o.held);
  expect(winners).toHaveLength(1);
  expect(winners[0]!.tookOverFrom).toBe(dead);
  expect(outcomes.filter((o) => o.held).map((o) => o.holder)).toEqual(Array(5).fill(winners[0]!.pid));
  expect(readLock(dir).pid).toBe(winners[0]!.pid);
  expect(existsSync(`${lockFile(dir)}.takeover`)).toBe(false);
});

test('eight takeovers interleaved at every await in one process: exactly one wins', async () => {
  // Each await in acquireLock lets the others run, so a takeover without the guard's second read loses locks.
  await writeFile(lockFile(dir), JSON.stringify(staleLock({ pid: await deadPid() })));
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => acquireLock(dir)));
  const winners = outcomes.flatMap((o) => (o.held ? [] : [o.lock]));
  expect(winners).toHaveLength(1);
  const onDisk = readLock(dir);
  for (const o of outcomes) if (o.held) expect(o.holder).toEqual(onDisk);
  winners[0]!.release(); // removes the file only if it names the winner
  expect(existsSync(lockFile(dir))).toBe(false);
});

test('a file that is not a lock stops the start with a message instead of being overwritten', async () => {
  await writeFile(lockFile(dir), 'something else\n');
  await expect(acquireLock(dir)).rejects.toThrow(/exists but is not a lock written by npm start/);
});
