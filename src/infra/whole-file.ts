import { randomUUID } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, unlink, writeFile } from 'node:fs/promises';

/*
 * Files made once, whole, only if absent (a keyring, an inspection's data key). Writing with the `wx` flag
 * creates the file empty and then fills it: another process reading in between, or a crash, sees an empty file
 * (a key that cannot be read, for ever). Here the content goes to a file of our own, which is hard-linked into
 * place: the name appears with all of it, or not at all.
 */

const isExists = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
const tempBeside = (file: string) => `${file}.${randomUUID()}.tmp`;

/** Creates `file` holding `content` (mode 0600); false when it exists already (the existing one is kept). */
export function createWholeFileSync(file: string, content: string): boolean {
  const temp = tempBeside(file);
  writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if (isExists(err)) return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

/** As createWholeFileSync, without blocking. */
export async function createWholeFile(file: string, content: string): Promise<boolean> {
  const temp = tempBeside(file);
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
    return true;
  } catch (err) {
    if (isExists(err)) return false;
    throw err;
  } finally {
    await unlink(temp);
  }
}
