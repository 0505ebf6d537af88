import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Private scratch space for decrypted copies (a list while it is checked, files while a pack is built): a
 * folder under the data directory (mode 0700), never the system temp folder, so that a crash leaves any
 * plaintext where only jtai can read it, and the next start of any jtai process sweeps it away. Each folder
 * is named with the id of the process that made it, so a sweep removes only what a dead process left.
 */
export interface Scratch {
  /** Run `action` with a fresh private folder, removed afterwards whatever happens. */
  use<T>(prefix: string, action: (dir: string) => Promise<T>): Promise<T>;
  /** Make a fresh private folder the caller removes (for a download streamed after the handler returns). */
  make(prefix: string): Promise<string>;
  /** Remove the folders of processes that are no longer running; returns how many were removed. */
  sweep(): Promise<number>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createScratch(root: string): Scratch {
  const make = async (prefix: string) => {
    await mkdir(root, { recursive: true, mode: 0o700 });
    return mkdtemp(path.join(root, `${prefix}-${process.pid}-`));
  };
  return {
    make,
    async use(prefix, action) {
      const dir = await make(prefix);
      try {
        return await action(dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async sweep() {
      const entries = await readdir(root).catch(() => [] as string[]);
      let removed = 0;
      for (const name of entries) {
        const pid = Number(/-(\d+)-[^-]*$/.exec(name)?.[1]);
        if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) continue;
        await rm(path.join(root, name), { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
  };
}
