import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config';
import { createLocalFileStore } from './local';

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

export interface FileStore {
  /** Encrypt and store a stream; returns its content address. Storing the same content twice is a no-op. */
  put(source: Readable): Promise<StoredFile>;
  putFile(filePath: string): Promise<StoredFile>;
  has(sha256: string): Promise<boolean>;
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

/** The file store of each inspection, as the config chooses; `key` is the deployment's file key. */
export function createFileStoreFactory(config: Config, key: Buffer): (inspectionId: string) => FileStore {
  const files = config.files;
  if (files.kind === 'local')
    return (inspectionId) =>
      createLocalFileStore({ dir: path.join(config.filesDir, safeSegment(inspectionId)), key });
  // Loaded only here: the AWS SDK costs every process that uses the local store (the CLI above all) ~0.1 s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createS3Client, createS3FileStore } = require('./s3') as typeof import('./s3');
  const client = createS3Client(files.s3); // one connection pool for every inspection
  return (inspectionId) =>
    createS3FileStore({ client, bucket: files.s3.bucket, prefix: files.s3.prefix, inspectionId, key });
}
