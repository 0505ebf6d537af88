import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createWholeFileSync, replaceWholeFileSync } from './whole-file';

/**
 * The deployment's secrets, one keyring file per purpose in the keys folder (mode 0600), made on first use:
 * `files` (the master key that wraps each inspection's data key), `payloads` (Temporal payloads), `links`
 * (agency link signatures), `web-session` (cookies). A keyring file holds one key per line, `<id> <base64>`,
 * the first line the current key: new data is sealed with it, older keys still open what they sealed, so a key
 * can be rotated (`jtai keys rotate`) without losing anything. A file holding a single bare base64 key (the
 * form before key ids) is read as the key `<name>-1`.
 */
export type KeyName = 'files' | 'payloads' | 'links' | 'web-session';

export interface Key {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** The key new data is sealed with. */
  current: Key;
  /** A key by id, for data sealed before a rotation. */
  find(id: string): Buffer | undefined;
  keys: readonly Key[];
}

/** The id the payload codec wrote before keyrings, kept so that earlier histories still decode. */
const LEGACY_IDS: Partial<Record<KeyName, string>> = { payloads: 'jtai-1' };
const legacyId = (name: KeyName) => LEGACY_IDS[name] ?? `${name}-1`;

export function parseKeyring(text: string, name: KeyName, file: string = name): Keyring {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const keys = lines.map((line, i): Key => {
    const parts = line.split(/\s+/);
    const [id, encoded] = parts.length === 1 ? [legacyId(name), parts[0]] : parts;
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32 || parts.length > 2)
      throw new Error(
        `The key file ${file} is damaged at line ${i + 1}: expected "<id> <32 bytes in base64>".`,
      );
    return { id, key };
  });
  const current = keys[0];
  if (!current) throw new Error(`The key file ${file} holds no key.`);
  if (new Set(keys.map((k) => k.id)).size !== keys.length)
    throw new Error(`The key file ${file} names a key id twice.`);
  return { current, keys, find: (id) => keys.find((k) => k.id === id)?.key };
}

const keyringFile = (keysDir: string, name: KeyName) => path.join(keysDir, `${name}.key`);
const format = (keys: readonly Key[]) =>
  `${keys.map((k) => `${k.id} ${k.key.toString('base64')}`).join('\n')}\n`;

/** A new key with an id that says when it was made. */
export function newKey(name: KeyName, at = new Date()): Key {
  return {
    id: `${name}-${at.toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`,
    key: randomBytes(32),
  };
}

export function loadOrCreateKeyring(keysDir: string, name: KeyName): Keyring {
  const file = keyringFile(keysDir, name);
  try {
    return parseKeyring(readFileSync(file, 'utf8'), name, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  createWholeFileSync(file, format([newKey(name)])); // false when another process made it first: theirs is used
  return parseKeyring(readFileSync(file, 'utf8'), name, file);
}

/** The current key of a keyring (for signatures and cookies, which need no older keys). */
export function loadOrCreateKey(keysDir: string, name: KeyName): Buffer {
  return loadOrCreateKeyring(keysDir, name).current.key;
}

/** Replace a keyring file atomically (a reader sees the old file or the new, never half of one). */
function writeKeyring(file: string, name: KeyName, keys: readonly Key[]): Keyring {
  replaceWholeFileSync(file, format(keys));
  return parseKeyring(readFileSync(file, 'utf8'), name, file);
}

/**
 * Put a new key first in a keyring file (atomically), keeping the older ones to open what they sealed.
 * Fails where the keys folder is read-only (secrets mounted by an orchestrator): docs/deploy.md says how to
 * rotate there.
 */
export function rotateKeyring(keysDir: string, name: KeyName): Keyring {
  const before = loadOrCreateKeyring(keysDir, name);
  return writeKeyring(keyringFile(keysDir, name), name, [newKey(name), ...before.keys]);
}

/** Take an older key out of a keyring file for good; the current key cannot be retired. */
export function retireKey(keysDir: string, name: KeyName, id: string): Keyring {
  const before = loadOrCreateKeyring(keysDir, name);
  if (before.current.id === id)
    throw new Error(`The key ${id} is the current ${name} key: rotate first, then retire it.`);
  if (!before.find(id)) throw new Error(`There is no ${name} key ${id}.`);
  return writeKeyring(
    keyringFile(keysDir, name),
    name,
    before.keys.filter((k) => k.id !== id),
  );
}

/**
 * A keyring that follows its file: read again whenever the file changes (a rotation or a retirement by `jtai keys`
 * while this process runs), so a worker or web app wraps with the new key and opens what was re-wrapped without a
 * restart. A file that cannot be read then keeps the keys already held.
 */
export function liveKeyring(keysDir: string, name: KeyName): Keyring {
  const file = keyringFile(keysDir, name);
  let held = loadOrCreateKeyring(keysDir, name);
  const stampOf = () => {
    try {
      const s = statSync(file);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return 'unreadable';
    }
  };
  let stamp = stampOf();
  const fresh = () => {
    const now = stampOf();
    if (now !== stamp && now !== 'unreadable') {
      try {
        held = parseKeyring(readFileSync(file, 'utf8'), name, file);
        stamp = now;
      } catch {
        // Half-written by hand, or damaged: keep the keys held; the next start reports the file.
      }
    }
    return held;
  };
  return {
    get current() {
      return fresh().current;
    },
    get keys() {
      return fresh().keys;
    },
    find: (id) => fresh().find(id),
  };
}
