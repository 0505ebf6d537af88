import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A 32-byte secret kept in the keys folder, made on first use (mode 0600). One per purpose:
 * file encryption at rest, Temporal payload encryption, link signing, web session cookies.
 */
export function loadOrCreateKey(
  keysDir: string,
  name: 'files' | 'payloads' | 'links' | 'web-session',
): Buffer {
  const file = path.join(keysDir, `${name}.key`);
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new Error(`The key file ${file} is damaged: it must hold 32 bytes in base64.`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(keysDir, name);
    throw err;
  }
}
