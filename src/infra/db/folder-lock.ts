import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FolderLock {
  readonly file: string;
  release(): void;
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Lock files this process holds, so opening the same folder twice in one process is refused too. */
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
  heldHere.add(file);
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      try {
        if (holder(file) === process.pid) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}

/**
 * Claims `<dir>.lock` for this process, as PostgreSQL's postmaster.pid does: the file holds the pid, and a
 * lock whose process is gone (killed, crashed) is taken over. Throws when a live process holds it.
 * Meant for processes on one host: pids mean nothing across containers sharing a volume.
 */
export async function lockFolder(dir: string, settle = 100): Promise<FolderLock> {
  const file = `${path.resolve(dir)}.lock`;
  const mine = `${process.pid}\n`;
  if (heldHere.has(file)) throw inUse(dir, process.pid);
  try {
    writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
    return held(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stale = holder(file);
  if (stale !== undefined && alive(stale)) throw inUse(dir, stale);
  // Replace the stale lock in one step (rename), never unlink-then-create, which would let two processes
  // that both found it stale each think they hold it. Then wait a moment and read it back: if another
  // process replaced it too, the last rename wins and every other one sees a live pid that is not its own.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, mine, { mode: 0o600 });
  renameSync(temp, file);
  await sleep(settle);
  const winner = holder(file);
  if (winner !== process.pid) throw inUse(dir, winner);
  return held(file);
}
