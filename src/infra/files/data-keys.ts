import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../keys';

/**
 * Each inspection's files are sealed with its own random data key, kept only wrapped (AES-256-GCM) by the
 * deployment's master key (`files` keyring). Deleting an inspection's wrapped key makes every copy of its files
 * unreadable, backups included (crypto-shredding); rotating the master key re-wraps the data keys without
 * touching the files. The wrapped keys live beside the files (`KeyRecords`), so every machine sees them.
 */
export interface KeyRecords {
  get(inspectionId: string): Promise<string | undefined>;
  /** Write only if absent; false if another process wrote one first. */
  create(inspectionId: string, record: string): Promise<boolean>;
  replace(inspectionId: string, record: string): Promise<void>;
  remove(inspectionId: string): Promise<void>;
  list(): Promise<string[]>;
}

interface WrappedKey {
  v: 1;
  /** The master key's id. */
  master: string;
  /** base64 of [IV][ciphertext][tag]; the inspection id is the additional data, so a record cannot be moved. */
  sealed: string;
}

export function wrapKey(master: Keyring, inspectionId: string, dataKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.current.key, iv);
  cipher.setAAD(Buffer.from(inspectionId));
  const sealed = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  const record: WrappedKey = { v: 1, master: master.current.id, sealed: sealed.toString('base64') };
  return JSON.stringify(record);
}

export function unwrapKey(
  master: Keyring,
  inspectionId: string,
  text: string,
): { key: Buffer; master: string } {
  const record = JSON.parse(text) as Partial<WrappedKey>;
  const wrapping = record.master ? master.find(record.master) : undefined;
  if (record.v !== 1 || !wrapping || typeof record.sealed !== 'string')
    throw new Error(
      `The data key of ${inspectionId} is wrapped by master key "${String(record.master)}", which this deployment does not hold.`,
    );
  const sealed = Buffer.from(record.sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', wrapping, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(inspectionId));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const key = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  return { key, master: record.master as string };
}

/**
 * What a purge leaves in place of the wrapped key: no key (the files stay unreadable), but a mark that the id
 * was used, so a later inspection never gets the same id (its files, key, links and audit lines stay apart) and
 * nothing makes a fresh key for a purged inspection.
 */
const PURGED = JSON.stringify({ v: 1, purged: true });
const isPurged = (text: string) => text === PURGED;

export interface DataKeys {
  /** The inspection's data key, made (and wrapped) the first time it is asked for; refused once purged. */
  keyFor(inspectionId: string): Promise<Buffer>;
  /** Forget the inspection's data key for good (purge): its files can no longer be opened. */
  destroy(inspectionId: string): Promise<void>;
  /** Whether the id has ever had a data key (its files, or a purge's mark): then it is not free for a new run. */
  used(inspectionId: string): Promise<boolean>;
  /** Re-wrap every data key with the current master key; returns how many were re-wrapped. */
  rewrapAll(): Promise<number>;
  /** How many data keys each master key id wraps (purged inspections hold none). */
  usage(): Promise<Map<string, number>>;
}

export function createDataKeys(master: Keyring, records: KeyRecords): DataKeys {
  const cache = new Map<string, Promise<Buffer>>();
  async function load(inspectionId: string): Promise<Buffer> {
    const existing = await records.get(inspectionId);
    if (existing !== undefined && isPurged(existing))
      throw new Error(`The inspection ${inspectionId} has been purged: its files can no longer be opened.`);
    if (existing !== undefined) return unwrapKey(master, inspectionId, existing).key;
    const key = randomBytes(32);
    const record = wrapKey(master, inspectionId, key);
    const created = await records.create(inspectionId, record);
    // Read back even after our own write: a store whose write-if-absent is not atomic (an emulator) may have
    // let another process's key replace ours before anything was sealed with either; whatever is stored wins.
    const theirs = await records.get(inspectionId);
    if (created && theirs === record) return key;
    if (theirs === undefined) throw new Error(`The data key of ${inspectionId} vanished while it was made.`);
    return unwrapKey(master, inspectionId, theirs).key;
  }
  return {
    keyFor(inspectionId) {
      let key = cache.get(inspectionId);
      if (!key) {
        key = load(inspectionId);
        cache.set(inspectionId, key);
        key.catch(() => cache.delete(inspectionId));
      }
      return key;
    },
    async destroy(inspectionId) {
      cache.delete(inspectionId);
      await records.replace(inspectionId, PURGED);
    },
    async used(inspectionId) {
      return (await records.get(inspectionId)) !== undefined;
    },
    async usage() {
      const counts = new Map<string, number>();
      for (const id of await records.list()) {
        const text = await records.get(id);
        if (text === undefined || isPurged(text)) continue;
        const master = String((JSON.parse(text) as Partial<WrappedKey>).master);
        counts.set(master, (counts.get(master) ?? 0) + 1);
      }
      return counts;
    },
    async rewrapAll() {
      let count = 0;
      for (const id of await records.list()) {
        const text = await records.get(id);
        if (text === undefined || isPurged(text)) continue;
        const { key, master: wrappedBy } = unwrapKey(master, id, text);
        if (wrappedBy === master.current.id) continue;
        await records.replace(id, wrapKey(master, id, key));
        count++;
      }
      return count;
    },
  };
}
