import { chmodSync, mkdirSync } from 'node:fs';
import { createCalendar } from '../timeline/calendar';
import { encryptedDataConverter } from './codec';
import type { Config } from './config';
import { createFileStores, safeSegment } from './files';
import { receiveFile } from './files/receive';
import { liveKeyring, loadOrCreateKey, loadOrCreateKeyring } from './keys';
import { createLinkSigner } from './links';
import { createOidcSignIn } from './oidc';
import { createScratch } from './scratch';

/**
 * The infrastructure the worker, the CLI and the web app share, chosen from one config in one place: the
 * encrypted file store, the payload codec, the link signer, scratch space and the working-day calendar.
 * Callers use the interfaces (`FileStore`, `LinkSigner`, `Scratch`), never an implementation.
 */
export function createDeployment(config: Config) {
  privateDataDir(config.dataDir);
  // The master keyring follows its file, so `jtai keys rotate` takes effect in running processes too.
  const master = liveKeyring(config.keysDir, 'files');
  const { fileStoreFor, dataKeys } = createFileStores(config, master);
  const webSessionKey = () => loadOrCreateKey(config.keysDir, 'web-session');
  return {
    config,
    fileStoreFor,
    dataKeys,
    dataConverter: encryptedDataConverter(loadOrCreateKeyring(config.keysDir, 'payloads')),
    links: createLinkSigner(loadOrCreateKey(config.keysDir, 'links')),
    scratch: createScratch(config.scratchDir),
    calendar: createCalendar(config.calendar),
    /** An uploaded file into a submission's intake, its content checked and its size limited as it arrives. */
    receiveFile,
    /** The master keyring that wraps the inspections' data keys, as its file stands (`jtai keys`). */
    masterKeyring: master,
    /** The web app's cookie-signing secret (only the web app asks for it). */
    webSessionKey,
    /** Single sign-on for staff (OpenID Connect), when configured; openid-client is loaded on first use. */
    oidc: config.oidc ? createOidcSignIn(config.oidc, webSessionKey) : undefined,
  };
}
export type Deployment = ReturnType<typeof createDeployment>;

/**
 * The data folder is jtai's alone (0700): whatever is in it (outbox emails with live links, the embedded
 * database, spooled audit lines, scratch copies) is then out of other users' reach even where a file's own mode
 * is wider (the Temporal dev server's SQLite file, made by another program). jtai's own files are 0600.
 */
function privateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch (err) {
    // A folder this user does not own (a mounted volume): its owner decides; jtai's files in it stay 0600.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
export { safeSegment };
