import type { Readable } from 'node:stream';

/**
 * The encrypted file store of one inspection: everything agencies send, content-addressed by the SHA-256 of
 * the plaintext and encrypted before it is written. Names given by agencies are never used as keys or paths.
 * Implementations: `./local` (a folder on disk, the default) and `./s3` (an S3-compatible object store), chosen
 * by `JTAI_FILE_STORE` in `createFileStoreFactory`.
 */
export interface StoredFile {
  sha256: string;
  size: number;
}

export interface PutOptions {
  /**
   * Stop reading past this many bytes: the put then fails with FileTooLargeError, having kept nothing (its
   * temporary file or object is removed, an S3 multipart upload aborted).
   */
  maxBytes?: number;
}

export interface FileStore {
  /** Encrypt and store a stream; returns its content address. Storing the same content twice is a no-op. */
  put(source: Readable, options?: PutOptions): Promise<StoredFile>;
  putFile(filePath: string, options?: PutOptions): Promise<StoredFile>;
  has(sha256: string): Promise<boolean>;
  /**
   * Delete one stored file (nothing if it is not there). Files are content-addressed, so one stored file may
   * stand for several submissions: a caller deletes only what it knows nothing refers to (see ./unreferenced).
   */
  delete(sha256: string): Promise<void>;
  /** Decrypt a stored file to `destination` (mode 0600), checking its integrity and content address. */
  exportTo(sha256: string, destination: string): Promise<void>;
  /** Delete every stored file of the inspection (purge). */
  deleteAll(): Promise<void>;
}

/** Inspection ids are slugs we make, but never trust a string as a path segment or object key. */
export function safeSegment(id: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,120}$/.test(id)) throw new Error(`"${id}" is not a valid inspection id.`);
  return id;
}

export function assertSha256(sha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('Not a SHA-256 content address.');
}
