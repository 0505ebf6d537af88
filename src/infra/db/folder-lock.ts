import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { linkNewSync } from '../whole-file';

export interface FolderLock {
  readonly file: string;
  release(): void;
}

/** What a lock file says: no file, a pid, or something that is not one (a torn or hand-edited file). */
type Holder =
  | { kind: 'none'; text?: undefined }
  | { kind: 'pid'; pid: number; text: string }
  | { kind: 'garbled'; text: string };

function holder(file: string): Holder {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? { kind: 'pid', pid, text } : { kind: 'garbled', text };
}

/** Lock files this process holds or is claiming, so opening one folder twice in one process is refused too. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // left by an earlier process with this pid (a container restart)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, pid: number | undefined): Error {
  return new Error(
    `The embedded database ${dir} is in use by ${pid ? `process ${pid}` : 'another process'}. One process at ` +
      `a time can open it: stop that process, or use PostgreSQL (set DATABASE_URL) to share the store.`,
  );
}

function held(file: string): FolderLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      const now = holder(file);
      if (now.kind === 'pid' && now.pid === process.pid) unlinkIfStill(file, now);
    },
  };
}

/**
 * Creates `target` holding this process's pid, or returns false when it exists. The pid is written to a file
 * of our own first and linked into place (whole-file.ts), so the lock file is never seen empty: a lock made with
 * open(O_EXCL)-then-write could be read in between, taken for a dead holder's and taken over while its
 * maker went on (the race that let two processes into one folder).
 */
const create = (target: string, mine: string): boolean => linkNewSync(mine, target);

/** A dead holder's or garbled lock, still as it was read (`text`), replaced by ours; false if it changed. */
function takeOver(file: string, mine: string, text: string): boolean {
  // Only one process takes over at a time, under `<lock>.takeover`: otherwise one that read the stale lock,
  // then slept, could rename over the lock of a process that took it over meanwhile.
  const guard = `${file}.takeover`;
  if (!create(guard, mine)) {
    const other = holder(guard);
    // Left by a process that died while taking over: removed, and the caller tries again.
    if (other.kind === 'garbled' || (other.kind === 'pid' && !alive(other.pid))) unlinkIfStill(guard, other);
    return false;
  }
  try {
    const now = holder(file);
    if (now.kind === 'none' || now.text !== text) return false;
    renameSync(mine, file);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

/** Removes `file` if it still says what it said when read (`was`), not a lock another process made since. */
function unlinkIfStill(file: string, was: Holder): void {
  const now = holder(file);
  if (now.kind === 'none' || now.kind !== was.kind || now.text !== was.text) return;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** How long an unreadable lock file may be one still being written, not a crashed process's. */
const BEING_WRITTEN_MS = 2_000;

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0; // gone: the next attempt finds out
  }
}

/** Tries, a few times over, to create the lock or take over a stale one; throws while a live process holds it. */
async function claim(dir: string, file: string, mine: string, attempts: number): Promise<FolderLock> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (create(file, mine)) return held(file);
    const now = holder(file);
    if (now.kind === 'none') continue; // released just now: try again
    if (now.kind === 'pid' && alive(now.pid)) throw inUse(dir, now.pid);
    // Unreadable and just made: being written, where the filesystem has no hard links (see whole-file.ts).
    if (now.kind === 'garbled' && Date.now() - modifiedAt(file) < BEING_WRITTEN_MS) {
      await sleep(BEING_WRITTEN_MS / 10);
      continue;
    }
    if (takeOver(file, mine, now.text)) return held(file);
    await sleep(5 + attempt * 5); // another process is taking over: see who won
  }
  throw inUse(dir, undefined);
}

/**
 * Claims `<dir>.lock` for this process, as PostgreSQL's postmaster.pid does: the file holds the pid, and a
 * lock whose process is gone (killed, crashed) is taken over. Throws when a live process holds it.
 * Meant for processes on one host: pids mean nothing across containers sharing a volume.
 */
export async function lockFolder(dir: string, attempts = 20): Promise<FolderLock> {
  const file = `${path.resolve(dir)}.lock`;
  if (heldHere.has(file)) throw inUse(dir, process.pid);
  heldHere.add(file);
  const mine = `${file}.${process.pid}.tmp`;
  let lock: FolderLock | undefined;
  try {
    writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
    lock = await claim(dir, file, mine, attempts);
    return lock;
  } finally {
    if (!lock) heldHere.delete(file);
    try {
      unlinkSync(mine); // after a link, the lock file's other name; after a rename, already gone
    } catch {
      // already gone
    }
  }
}
