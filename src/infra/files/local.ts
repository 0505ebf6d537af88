import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSha256, safeSegment, type FileStore, type PutOptions, type StoredFile } from './store';
import type { KeyRecords } from './data-keys';
import { openSealedTo, seal } from './envelope';
import { createWholeFileSync, replaceWholeFileSync, syncFolderSync } from '../whole-file';

/**
 * The file store on local disk: a file is `<dir>/<sha256[0..2]>/<sha256>.enc`, sealed as `./envelope` says.
 * A put is written to `<dir>/incoming/` and renamed into place once complete, so a failed put leaves nothing.
 */
export function createLocalFileStore(options: { dir: string; key: Buffer }): FileStore {
  const { dir, key } = options;
  const blobPath = (sha256: string) => {
    assertSha256(sha256);
    return path.join(dir, sha256.slice(0, 2), `${sha256}.enc`);
  };

  async function put(source: Readable, options: PutOptions = {}): Promise<StoredFile> {
    await mkdir(path.join(dir, 'incoming'), { recursive: true });
    const temp = path.join(dir, 'incoming', randomUUID());
    // Flushed to disk (fsync) before it is named and the workflow told: a received file survives a power cut.
    const out = createWriteStream(temp, { mode: 0o600, flush: true });
    try {
      const sealed = seal(source, key, options.maxBytes);
      await pipeline(Readable.from(sealed.chunks), out);
      const stored = sealed.digest();
      const final = blobPath(stored.sha256);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(temp, final);
      syncFolderSync(path.dirname(final));
      return stored;
    } finally {
      // A source refused at once fails the pipeline while the file is still being opened: wait for the stream
      // to close, or the file would be created after it was removed (a 0-byte file left in incoming/).
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()).destroy());
      await rm(temp, { force: true });
    }
  }

  return {
    put,
    putFile: (filePath, options) => put(createReadStream(filePath), options),

    async has(sha256: string): Promise<boolean> {
      return stat(blobPath(sha256)).then(
        () => true,
        () => false,
      );
    },

    async exportTo(sha256: string, destination: string): Promise<void> {
      const blob = blobPath(sha256);
      await stat(blob); // a missing file fails here, before the destination is created
      await openSealedTo(createReadStream(blob), key, sha256, destination);
    },

    async delete(sha256: string): Promise<void> {
      await rm(blobPath(sha256), { force: true });
    },

    async deleteAll(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Wrapped data keys on local disk: `<dir>/<inspection id>.key` (mode 0600), beside the inspections' folders. */
export function createLocalKeyRecords(dir: string): KeyRecords {
  const file = (id: string) => path.join(dir, `${safeSegment(id)}.key`);
  const read = (id: string) =>
    readFile(file(id), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  return {
    get: read,
    async create(id, record) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return createWholeFileSync(file(id), record);
    },
    async replace(id, record) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      replaceWholeFileSync(file(id), record);
    },
    async remove(id) {
      await rm(file(id), { force: true });
    },
    async list() {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((n) => n.endsWith('.key')).map((n) => n.slice(0, -4));
    },
  };
}
