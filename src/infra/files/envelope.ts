import { createCipheriv, createDecipheriv, createHash, randomBytes, type DecipherGCM } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The at-rest format every file store writes: [12-byte IV][AES-256-GCM ciphertext][16-byte tag], the
 * plaintext's SHA-256 being the file's name. Encryption happens here, in the process, before any byte is
 * handed to a disk or a network.
 */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  /** The sealed bytes, IV first and tag last, produced as `source` is read. */
  chunks: AsyncGenerator<Buffer>;
  /** The plaintext's SHA-256 and size: known once `chunks` is exhausted. */
  digest(): { sha256: string; size: number };
}

/** A put stopped because its source went past the byte limit it was given (nothing of it is kept). */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes} bytes.`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * Seals `source` as it is read. With `maxBytes`, reading stops with a FileTooLargeError as soon as the source
 * goes past it: the caller's put then fails, as for a source that breaks off, and keeps nothing.
 */
export function seal(source: AsyncIterable<unknown>, key: Buffer, maxBytes = Infinity): Sealed {
  const hash = createHash('sha256');
  let size = 0;
  let done = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    yield iv;
    // A source that errors or is destroyed midway makes this loop throw: the caller then stores nothing.
    for await (const chunk of source) {
      const plain = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += plain.length;
      if (size > maxBytes) throw new FileTooLargeError(maxBytes);
      hash.update(plain);
      const sealed = cipher.update(plain);
      if (sealed.length > 0) yield sealed;
    }
    const last = cipher.final();
    if (last.length > 0) yield last;
    yield cipher.getAuthTag();
    done = true;
  }
  return {
    chunks: chunks(),
    digest() {
      if (!done) throw new Error('The sealed stream has not been read to its end.');
      return { sha256: hash.digest('hex'), size };
    },
  };
}

/**
 * Decrypts a sealed stream into `destination` (mode 0600), checking the GCM tag and that the plaintext's
 * SHA-256 is `sha256`. GCM releases plaintext before the tag is checked, so on any failure the destination is
 * removed: a caller never finds an unverified file where it asked for one.
 */
export async function openSealedTo(
  sealed: Readable,
  key: Buffer,
  sha256: string,
  destination: string,
): Promise<void> {
  const hash = createHash('sha256');
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(sealed, new Unseal(key), check, createWriteStream(destination, { mode: 0o600 }));
    if (hash.digest('hex') !== sha256) throw new Error('Stored file does not match its content address.');
  } catch (err) {
    await rm(destination, { force: true });
    throw err;
  }
}

/** Streaming inverse of `seal`: takes the IV from the front and holds back the last 16 bytes as the tag. */
class Unseal extends Transform {
  private head = Buffer.alloc(0);
  private decipher: DecipherGCM | undefined;
  private held = Buffer.alloc(0);

  constructor(private readonly key: Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let data = chunk;
      if (!this.decipher) {
        this.head = Buffer.concat([this.head, data]);
        if (this.head.length < IV_BYTES) return done();
        this.decipher = createDecipheriv('aes-256-gcm', this.key, this.head.subarray(0, IV_BYTES));
        data = this.head.subarray(IV_BYTES);
      }
      const all = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
      const cut = Math.max(0, all.length - TAG_BYTES);
      this.held = Buffer.from(all.subarray(cut));
      done(null, cut > 0 ? this.decipher.update(all.subarray(0, cut)) : undefined);
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.decipher || this.held.length < TAG_BYTES) throw new Error('Stored file is truncated.');
      this.decipher.setAuthTag(this.held);
      done(null, this.decipher.final());
    } catch (err) {
      // Node's message ("Unsupported state or unable to authenticate data") says nothing to an operator.
      const message = (err as Error).message ?? '';
      done(
        /authenticate/.test(message) ? new Error('Stored file failed its integrity check.') : (err as Error),
      );
    }
  }
}
