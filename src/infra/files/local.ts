import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSha256, type FileStore, type StoredFile } from '.';

/**
 * The file store on local disk: a file is `<dir>/<sha256[0..2]>/<sha256>.enc`, stored as
 * [12-byte IV][AES-256-GCM ciphertext][16-byte tag].
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createLocalFileStore(options: { dir: string; key: Buffer }): FileStore {
  const { dir, key } = options;
  const blobPath = (sha256: string) => {
    assertSha256(sha256);
    return path.join(dir, sha256.slice(0, 2), `${sha256}.enc`);
  };

  async function put(source: Readable): Promise<StoredFile> {
    await mkdir(path.join(dir, 'incoming'), { recursive: true });
    const temp = path.join(dir, 'incoming', randomUUID());
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const out = createWriteStream(temp, { mode: 0o600 });
    out.write(iv);
    try {
      await pipeline(source, measure, cipher, out);
      const tagFile = await open(temp, 'a');
      await tagFile.write(cipher.getAuthTag());
      await tagFile.close();
      const sha256 = hash.digest('hex');
      const final = blobPath(sha256);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(temp, final);
      return { sha256, size };
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
      const { size } = await stat(blob);
      const handle = await open(blob, 'r');
      const iv = Buffer.alloc(IV_BYTES);
      const tag = Buffer.alloc(TAG_BYTES);
      await handle.read(iv, 0, IV_BYTES, 0);
      await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
      await handle.close();
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      const hash = createHash('sha256');
      const check = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const body = createReadStream(blob, { start: IV_BYTES, end: size - TAG_BYTES - 1 });
      await pipeline(body, decipher, check, createWriteStream(destination, { mode: 0o600 }));
      if (hash.digest('hex') !== sha256) throw new Error('Stored file does not match its content address.');
    },

    async deleteAll(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
