import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSha256, type FileStore, type StoredFile } from '.';
import { openSealedTo, seal } from './envelope';

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

  async function put(source: Readable): Promise<StoredFile> {
    await mkdir(path.join(dir, 'incoming'), { recursive: true });
    const temp = path.join(dir, 'incoming', randomUUID());
    try {
      const sealed = seal(source, key);
      await pipeline(Readable.from(sealed.chunks), createWriteStream(temp, { mode: 0o600 }));
      const stored = sealed.digest();
      const final = blobPath(stored.sha256);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(temp, final);
      return stored;
    } finally {
      await rm(temp, { force: true });
    }
  }

  return {
    put,
    putFile: (filePath) => put(createReadStream(filePath)),

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

    async deleteAll(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
