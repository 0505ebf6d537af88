import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config';
import type { Keyring } from '../keys';
import { createDataKeys, type DataKeys } from './data-keys';
import { createLocalFileStore, createLocalKeyRecords } from './local';

export { FileTooLargeError } from './envelope';

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

/** A FileStore whose key is fetched on first use (an inspection's data key is unwrapped, or made, lazily). */
function withKey(keyFor: () => Promise<Buffer>, make: (key: Buffer) => FileStore): FileStore {
  let store: Promise<FileStore> | undefined;
  const ready = () => (store ??= keyFor().then(make));
  return {
    put: async (source, options) => (await ready()).put(source, options),
    putFile: async (filePath, options) => (await ready()).putFile(filePath, options),
    has: async (sha256) => (await ready()).has(sha256),
    delete: async (sha256) => (await ready()).delete(sha256),
    exportTo: async (sha256, destination) => (await ready()).exportTo(sha256, destination),
    deleteAll: async () => (await ready()).deleteAll(),
  };
}

export interface FileStores {
  /** The encrypted file store of one inspection (sealed with its own data key). */
  fileStoreFor: (inspectionId: string) => FileStore;
  dataKeys: DataKeys;
}

/** The file store of each inspection, as the config chooses; `master` wraps each inspection's data key. */
export function createFileStores(config: Config, master: Keyring): FileStores {
  const files = config.files;
  if (files.kind === 'local') {
    const dataKeys = createDataKeys(master, createLocalKeyRecords(path.join(config.filesDir, '.keys')));
    return {
      dataKeys,
      fileStoreFor: (inspectionId) =>
        withKey(
          () => dataKeys.keyFor(inspectionId),
          (key) => createLocalFileStore({ dir: path.join(config.filesDir, safeSegment(inspectionId)), key }),
        ),
    };
  }
  // Loaded only here: the AWS SDK costs every process that uses the local store (the CLI above all) ~0.1 s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createS3Client, createS3FileStore, createS3KeyRecords } = require('./s3') as typeof import('./s3');
  const client = createS3Client(files.s3); // one connection pool for every inspection
  const { bucket, prefix } = files.s3;
  const dataKeys = createDataKeys(master, createS3KeyRecords({ client, bucket, prefix }));
  return {
    dataKeys,
    fileStoreFor: (inspectionId) =>
      withKey(
        () => dataKeys.keyFor(inspectionId),
        (key) => createS3FileStore({ client, bucket, prefix, inspectionId, key }),
      ),
  };
}
