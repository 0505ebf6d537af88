import path from 'node:path';
import { createFileStore, type FileStore } from './activities/file-store';
import { loadOrCreateKey } from './activities/keys';
import { createLinkSigner } from './activities/links';
import { EncryptionCodec } from './codec';
import type { Config } from './config';
import { createCalendar } from './timeline/calendar';

/**
 * The parts that the worker, the CLI and the web app build the same way from one config:
 * the encrypted file store, the payload codec, the link signer and the working-day calendar.
 */
export function createDeployment(config: Config) {
  const fileKey = loadOrCreateKey(config.keysDir, 'files');
  return {
    config,
    fileStoreFor(inspectionId: string): FileStore {
      return createFileStore({ dir: path.join(config.filesDir, safeSegment(inspectionId)), key: fileKey });
    },
    dataConverter: { payloadCodecs: [new EncryptionCodec(loadOrCreateKey(config.keysDir, 'payloads'))] },
    links: createLinkSigner(loadOrCreateKey(config.keysDir, 'links')),
    calendar: createCalendar(config.calendar),
  };
}
export type Deployment = ReturnType<typeof createDeployment>;

/** Inspection ids are slugs we make, but never trust a string as a path segment. */
export function safeSegment(id: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,120}$/.test(id)) throw new Error(`"${id}" is not a valid inspection id.`);
  return id;
}
