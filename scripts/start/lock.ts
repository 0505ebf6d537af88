/**
 * One `npm start` per data directory: `<dataDir>/start.lock` names the start that holds it (pid, host, since)
 * and the processes it runs.
 *
 * Why a lock file checked by pid rather than flock(2): Node has no flock in its standard library (the addons
 * that add it need a compiler at install, the `flock` command is Linux-only), and a lock released by the kernel
 * when its holder dies would still let a second start run beside the dev server an earlier start left behind on
 * the same SQLite file. The file says who holds it, which the refusal message needs anyway, and lists the
 * children, so a start that finds the holder dead (`kill -9`) stops what it left running before taking over.
 *
 * Creating the file is atomic (written under a temporary name, then hard-linked into place, which fails if the
 * lock exists). Taking over a stale lock happens under a short-lived guard directory (mkdir is atomic): the file
 * is read again under the guard and, if it still names the dead holder, replaced by a rename. So two starts
 * racing for one stale lock cannot both win, and the one that wins knows it took over (and stops the leftovers).
 */
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootId, commandLine, isAlive, isRunning, sleep, terminate } from './processes';

export interface LockChild {
  pid: number;
  /** A string the child's command line contains: a reused pid that lacks it is not stopped. */
  marker: string;
}

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO instant the holder took the lock. */
  since: string;
  /** Its command line: a live pid with another command line is a reused pid, not the holder. */
  command: string;
  bootId?: string;
  children: Record<string, LockChild>;
}

export type LockOutcome =
  | { held: false; lock: DataDirLock; tookOver?: { holder: LockHolder; why: string; stopped: string[] } }
  | { held: true; holder: LockHolder; file: string; elsewhere: boolean };

/** A guard directory older than this belongs to a takeover that died midway (it lasts milliseconds). */
const STALE_GUARD_MS = 5_000;
const LEFTOVER_GRACE_MS = 10_000;

export const lockFile = (dataDir: string) => path.join(dataDir, 'start.lock');

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.since === b.since;
}

/** The holder named in the file; undefined if there is none; 'unreadable' if it is not a lock we wrote. */
async function readHolder(file: string): Promise<LockHolder | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.host === 'string' &&
      typeof parsed.since === 'string'
    ) {
      return { command: '', children: {}, ...parsed } as LockHolder;
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** Why the holder no longer holds the lock, or undefined if it (may) still run. */
function staleBecause(holder: LockHolder): string | undefined {
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return 'the machine has restarted since';
  if (!isAlive(holder.pid)) return `pid ${holder.pid} is no longer running`;
  if (holder.command && !isRunning(holder.pid, holder.command)) {
    return `pid ${holder.pid} is now another program`;
  }
  return undefined;
}

let temps = 0;
/** A name to write under before renaming or linking into place: `<lock>.<pid>-<n>.tmp`. */
const tempName = (file: string) => `${file}.${process.pid}-${++temps}.tmp`;

/** Writes the holder under a temporary name, so the lock file is never seen half-written. */
async function writeTemp(file: string, holder: LockHolder): Promise<string> {
  const temp = tempName(file);
  await fs.writeFile(temp, JSON.stringify(holder, null, 2) + '\n', { mode: 0o644 });
  return temp;
}

/** Temporary files a killed holder left (it died between writing and renaming). */
async function removeTemps(file: string, pid: number): Promise<void> {
  const prefix = `${path.basename(file)}.${pid}-`;
  for (const name of await fs.readdir(path.dirname(file))) {
    if (name.startsWith(prefix) && name.endsWith('.tmp'))
      await fs.rm(path.join(path.dirname(file), name), { force: true });
  }
}

/** Writes `holder` to `file` only if no file is there; false if one is. */
async function create(file: string, holder: LockHolder): Promise<boolean> {
  const temp = await writeTemp(file, holder);
  try {
    await fs.link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Runs `fn` holding the takeover guard; undefined if another start holds the guard. */
async function underGuard<T>(file: string, fn: () => Promise<T>): Promise<T | undefined> {
  const guard = `${file}.takeover`;
  try {
    await fs.mkdir(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await fs.stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_GUARD_MS) await fs.rm(guard, { recursive: true, force: true });
    return undefined;
  }
  try {
    return await fn();
  } finally {
    await fs.rm(guard, { recursive: true, force: true });
  }
}

/** Stops the children a dead holder left running (where pdeathsig is not available); returns what it stopped. */
async function stopLeftovers(holder: LockHolder): Promise<string[]> {
  const stopped: string[] = [];
  for (const [name, child] of Object.entries(holder.children)) {
    if (!isRunning(child.pid, child.marker)) continue;
    await terminate(child.pid, LEFTOVER_GRACE_MS);
    stopped.push(`${name} (pid ${child.pid})`);
  }
  return stopped;
}

export class DataDirLock {
  private holder: LockHolder;
  private writes: Promise<void> = Promise.resolve();
  private released = false;

  constructor(
    readonly file: string,
    holder: LockHolder,
  ) {
    this.holder = holder;
  }

  /**
   * Rewrites the lock with the children now running: one write at a time, each renamed over the lock, so
   * readers see the old or the new file, never a part.
   */
  record(children: Record<string, LockChild>): Promise<void> {
    this.holder = { ...this.holder, children };
    const write = async () => {
      if (this.released) return;
      await fs.rename(await writeTemp(this.file, this.holder), this.file);
    };
    this.writes = this.writes.then(write, write);
    return this.writes;
  }

  /** Resolves once every write asked for so far is done. */
  async settled(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  /** Removes the lock if it still names this holder. Synchronous, so it can run in an exit handler. */
  release(): void {
    this.released = true;
    try {
      const current = JSON.parse(readFileSync(this.file, 'utf8')) as LockHolder;
      if (sameHolder(current, this.holder)) unlinkSync(this.file);
    } catch {
      // gone or unreadable: nothing of ours to remove
    }
  }
}

/**
 * Takes the lock on `dataDir` for this process, or names the start that holds it. A lock whose holder is gone
 * (killed, or from before a reboot) is taken over after stopping the children it lists.
 */
export async function acquireLock(dataDir: string): Promise<LockOutcome> {
  const file = lockFile(dataDir);
  const mine: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    command: commandLine(process.pid) ?? '',
    ...(bootId() ? { bootId: bootId() } : {}),
    children: {},
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await create(file, mine)) return { held: false, lock: new DataDirLock(file, mine) };
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === 'unreadable') {
      throw new Error(`${file} exists but is not a lock written by npm start: look at it, then delete it.`);
    }
    const elsewhere = holder.host !== mine.host;
    const why = elsewhere ? undefined : staleBecause(holder);
    if (!why) return { held: true, holder, file, elsewhere };
    const tookOver = await underGuard(file, async () => {
      const again = await readHolder(file);
      if (again === undefined || again === 'unreadable' || !sameHolder(again, holder)) return false;
      // Replace it in one step: removing it first would let a start that is not taking over create it.
      await fs.rename(await writeTemp(file, mine), file);
      return true;
    });
    if (tookOver) {
      // Ours now, so no other start can begin meanwhile; then stop what the dead holder left running.
      await removeTemps(file, holder.pid);
      const stopped = await stopLeftovers(holder);
      return { held: false, lock: new DataDirLock(file, mine), tookOver: { holder, why, stopped } };
    }
    await sleep(25 + Math.random() * 50); // another start is taking over: see what it left
  }
  throw new Error(`could not take ${file}: it keeps changing (many starts at once?)`);
}

/** The refusal, for people: who holds the lock and what to do. */
export function describeHolder(outcome: Extract<LockOutcome, { held: true }>, dataDirShown: string): string {
  const { holder, file, elsewhere } = outcome;
  const who = `pid ${holder.pid} on ${holder.host}, since ${holder.since}`;
  return elsewhere
    ? `the data directory ${dataDirShown} is locked by npm start on another machine (${who}). ` +
        `If that start is no longer running, delete ${file} and try again.`
    : `jtai is already running on the data directory ${dataDirShown} (${who}; lock ${file}). ` +
        `Stop it first (Ctrl-C in its terminal, or kill -TERM ${holder.pid}), or set JTAI_DATA_DIR to another directory.`;
}
