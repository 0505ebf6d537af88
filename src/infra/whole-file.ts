import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/*
 * Files made once, whole, only if absent (a keyring, an inspection's data key, the embedded database's lock).
 * Writing with the `wx` flag creates the file empty and then fills it: another process reading in between, or a
 * crash, sees an empty file (a key that cannot be read, for ever). Here the content goes to a file of our own,
 * which is hard-linked into place: the name appears with all of it, or not at all.
 *
 * A filesystem without hard links (some network shares) refuses the link; there the file is written with `wx`
 * after all, and the gap above is back for that filesystem.
 *
 * Each is on disk before it is used: the content is flushed (fsync) before the file takes its name, and the
 * folder after, so that a machine that loses power does not come back with a key that is empty or gone while
 * files sealed with it were kept. Synchronous: each is a few system calls on a small file, made once per
 * keyring, inspection or process start.
 */

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;
/** What link(2) says where the filesystem has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
const tempBeside = (file: string) => `${file}.${randomUUID()}.tmp`;
const WX = { mode: 0o600, flag: 'wx', flush: true } as const;

/** Flushes a folder's entries (a name just made or replaced in it) to disk. */
export function syncFolderSync(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Gives the file `from` the new name `to` as well; false when `to` exists (it is left as it is). */
export function linkNewSync(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(codeOf(err) ?? '')) throw err;
  }
  try {
    writeFileSync(to, readFileSync(from), WX);
    return true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    throw err;
  }
}

/** Creates `file` holding `content` (mode 0600); false when it exists already (the existing one is kept). */
export function createWholeFileSync(file: string, content: string): boolean {
  const temp = tempBeside(file);
  writeFileSync(temp, content, WX);
  try {
    if (!linkNewSync(temp, file)) return false;
  } finally {
    unlinkSync(temp);
  }
  syncFolderSync(path.dirname(file));
  return true;
}

/** Replaces `file` (or creates it) with `content`, mode 0600: a reader sees the old file or the new, never half. */
export function replaceWholeFileSync(file: string, content: string): void {
  const temp = tempBeside(file);
  writeFileSync(temp, content, WX);
  try {
    renameSync(temp, file);
  } catch (err) {
    unlinkSync(temp);
    throw err;
  }
  syncFolderSync(path.dirname(file));
}
