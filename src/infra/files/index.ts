import path from 'node:path';
import type { Config } from '../config';
import type { Keyring } from '../keys';
import { createDataKeys, type DataKeys } from './data-keys';
import { createLocalFileStore, createLocalKeyRecords } from './local';
import { safeSegment, type FileStore } from './store';

export { FileTooLargeError } from './envelope';

export * from './store';

/** Deleting every file needs no key (a purge run again after the key is gone): a store made with this one. */
const NO_KEY = Buffer.alloc(32);

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
    deleteAll: async () => make(NO_KEY).deleteAll(),
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
