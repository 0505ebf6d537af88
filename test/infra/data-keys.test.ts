/**
 * Each inspection's data key, wrapped by the master key, on both key-record stores (a local folder and a real
 * S3-compatible server): made once however many processes ask at once, re-wrapped when the master key
 * rotates, and gone for good when destroyed (crypto-shredding: the files stay unreadable).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createDataKeys, type KeyRecords } from '../../src/infra/files/data-keys';
import { createLocalFileStore, createLocalKeyRecords } from '../../src/infra/files/local';
import { createS3KeyRecords } from '../../src/infra/files/s3';
import { parseKeyring, type Keyring } from '../../src/infra/keys';
import { startS3TestServer, type S3TestServer } from '../support/s3';

jest.setTimeout(180_000);

const keyring = (...ids: string[]): Keyring =>
  parseKeyring(ids.map((id) => `${id} ${randomBytes(32).toString('base64')}`).join('\n'), 'files');

let dir: string;
let s3: S3TestServer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-keys-'));
  s3 = await startS3TestServer('jtai-keys');
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Each test keeps its records apart (`space`), so a re-wrap sees only its own. */
const stores: [string, (space: string) => KeyRecords][] = [
  ['local folder', (space) => createLocalKeyRecords(path.join(dir, space, 'keys'))],
  [
    'S3 store',
    (space) =>
      createS3KeyRecords({
        client: s3.client,
        bucket: s3.settings.bucket,
        prefix: `${s3.settings.prefix}/${space}`,
      }),
  ],
];

// Atomic only where the store makes a write-if-absent atomic: the local folder (O_EXCL), AWS S3 and MinIO
// (If-None-Match: *). moto, the S3 emulator these tests run, checks and writes in two steps, so a race against
// it would prove nothing either way: this one runs on the local folder.
test('a data key is made once even when several processes ask at the same moment', async () => {
  const master = keyring('m-race');
  const processes = Array.from({ length: 6 }, () =>
    createDataKeys(master, createLocalKeyRecords(path.join(dir, 'race', 'keys'))),
  );
  const keys = await Promise.all(processes.map((p) => p.keyFor('inspection-race-2090-01-09')));
  expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
  expect(keys[0]).toHaveLength(32);
});

describe.each(stores)('data keys on the %s', (_name, store) => {
  it('are made once: a second process asking later gets the same key, not a new one', async () => {
    const records = () => store('once');
    const master = keyring('m-once');
    const first = await createDataKeys(master, records()).keyFor('inspection-once-2090-01-09');
    const second = await createDataKeys(master, records()).keyFor('inspection-once-2090-01-09');
    expect(second.equals(first)).toBe(true);
    expect(await records().create('inspection-once-2090-01-09', 'another record')).toBe(false);
  });

  it('are wrapped by the master key: another deployment cannot open them, a rotation re-wraps them', async () => {
    const records = () => store('rotate');
    const id = 'inspection-rotate-2090-01-09';
    const old = keyring('m-rotate-1');
    const key = await createDataKeys(old, records()).keyFor(id);
    await expect(createDataKeys(keyring('other'), records()).keyFor(id)).rejects.toThrow(
      /wrapped by master key "m-rotate-1", which this deployment does not hold/,
    );
    // A new master key first, the old one kept: the data key is the same, re-wrapped by the new one.
    const rotated = parseKeyring(
      `m-rotate-2 ${randomBytes(32).toString('base64')}\nm-rotate-1 ${old.current.key.toString('base64')}`,
      'files',
    );
    const rewrapped = await createDataKeys(rotated, records()).rewrapAll();
    expect(rewrapped).toBeGreaterThanOrEqual(1);
    expect(await createDataKeys(rotated, records()).rewrapAll()).toBe(0);
    // Now the old master key can go: the new one alone opens it.
    const newOnly = parseKeyring(`m-rotate-2 ${rotated.current.key.toString('base64')}`, 'files');
    expect((await createDataKeys(newOnly, records()).keyFor(id)).equals(key)).toBe(true);
  });

  it('once destroyed, leave the files sealed with them unreadable', async () => {
    const records = () => store('shred');
    const id = 'inspection-shred-2090-01-09';
    const master = keyring('m-shred');
    const keys = createDataKeys(master, records());
    const files = createLocalFileStore({ dir: path.join(dir, 'files', id), key: await keys.keyFor(id) });
    const { sha256 } = await files.put(Readable.from([Buffer.from('synthetic document')]));
    expect(await keys.used(id)).toBe(true);
    await keys.destroy(id);
    // No key is made again for it (nothing new can be sealed under a purged id), and the id stays used.
    await expect(createDataKeys(master, records()).keyFor(id)).rejects.toThrow(/has been purged/);
    expect(await createDataKeys(master, records()).used(id)).toBe(true);
    expect(await createDataKeys(master, records()).used('inspection-never-2090-01-09')).toBe(false);
    // Nor would any other key open what the destroyed one sealed.
    const other = createLocalFileStore({ dir: path.join(dir, 'files', id), key: randomBytes(32) });
    await expect(other.exportTo(sha256, path.join(dir, 'out.txt'))).rejects.toThrow();
    expect(await createDataKeys(master, records()).rewrapAll()).toBe(0);
  });
});
