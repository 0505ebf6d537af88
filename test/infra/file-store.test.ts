/**
 * One behavioural suite, run against both file stores: the local folder and the S3 store on a real
 * S3-compatible server (moto, started on loopback by test/support/s3.ts).
 */
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/infra/config';
import { createFileStores, FileTooLargeError, type FileStore } from '../../src/infra/files';
import { parseKeyring } from '../../src/infra/keys';
import { createLocalFileStore } from '../../src/infra/files/local';
import { createS3Client, createS3FileStore } from '../../src/infra/files/s3';
import { startS3TestServer, type S3TestServer } from '../support/s3';

jest.setTimeout(180_000); // the S3 server may be installed and started on a busy machine

const KEY = randomBytes(32);
const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the suite needs of an implementation besides the FileStore itself: a look at what it wrote. */
interface Subject {
  store(inspectionId: string, key?: Buffer): FileStore;
  /** Everything stored for the inspection, including anything a half-finished put left. */
  leftovers(inspectionId: string): Promise<string[]>;
  readSealed(inspectionId: string, sha256: string): Promise<Buffer>;
  writeSealed(inspectionId: string, sha256: string, bytes: Buffer): Promise<void>;
}

let dir: string;
let s3: S3TestServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-files-'));
  s3 = await startS3TestServer();
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const local: Subject = {
  store: (id, key = KEY) => createLocalFileStore({ dir: path.join(dir, id), key }),
  async leftovers(id) {
    const root = path.join(dir, id);
    if (!existsSync(root)) return [];
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  },
  readSealed: (id, h) => readFile(path.join(dir, id, h.slice(0, 2), `${h}.enc`)),
  writeSealed: (id, h, bytes) => writeFile(path.join(dir, id, h.slice(0, 2), `${h}.enc`), bytes),
};

const s3Subject: Subject = {
  store: (id, key = KEY) =>
    createS3FileStore({
      client: s3.client,
      bucket: s3.settings.bucket,
      prefix: s3.settings.prefix,
      inspectionId: id,
      key,
    }),
  async leftovers(id) {
    const { bucket, prefix } = s3.settings;
    const found: string[] = [];
    for (const p of [`${prefix}/${id}/`, `${prefix}/.incoming/${id}/`]) {
      const objects = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: p }));
      found.push(...(objects.Contents ?? []).map((o) => `object ${o.Key}`));
      const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: p }));
      found.push(...(uploads.Uploads ?? []).map((u) => `multipart upload ${u.Key}`));
    }
    return found;
  },
  async readSealed(id, h) {
    const { Body } = await s3.client.send(
      new GetObjectCommand({ Bucket: s3.settings.bucket, Key: `${s3.settings.prefix}/${id}/${h}` }),
    );
    return Buffer.from(await Body!.transformToByteArray());
  },
  async writeSealed(id, h, bytes) {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.settings.bucket,
        Key: `${s3.settings.prefix}/${id}/${h}`,
        Body: bytes,
      }),
    );
  },
};

let n = 0;
const inspectionId = () => `inspection-example-borough-2026-11-23-t${++n}`;

/** `total` bytes of deterministic noise, produced chunk by chunk as the consumer reads (never all at once). */
function noise(total: number, options: { failAfter?: number; chunk?: number } = {}) {
  const chunk = options.chunk ?? 64 * 1024;
  const hash = createHash('sha256');
  let sent = 0;
  let seed = 1;
  const stream = new Readable({
    read() {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        this.destroy(new Error('upload interrupted'));
        return;
      }
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk, total - sent);
      const block = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i += 4) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        block.writeUInt32LE(seed, i); // size is a multiple of 4 in every use here
      }
      hash.update(block);
      sent += size;
      this.push(block);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

describe.each([
  ['local folder', local],
  ['S3 (moto on loopback)', s3Subject],
])('file store: %s', (_name, subject) => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'jtai-export-'));
  });
  afterEach(() => rm(out, { recursive: true, force: true }));

  it('round trip: content-addressed by the SHA-256 of the plaintext, encrypted in the store, 0600 on export', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    const content = Buffer.from('child_id,name\nSYN0001,Synthetic Child\n');
    const stored = await store.put(Readable.from([content]));
    expect(stored).toEqual({ sha256: sha(content), size: content.length });
    expect(await store.has(stored.sha256)).toBe(true);
    expect(await store.has(sha(Buffer.from('something else')))).toBe(false);

    const sealed = await subject.readSealed(id, stored.sha256);
    expect(sealed.length).toBe(content.length + 12 + 16); // IV + ciphertext + tag
    expect(sealed.includes(Buffer.from('SYN0001'))).toBe(false);

    const target = path.join(out, 'copy.csv');
    await store.exportTo(stored.sha256, target);
    expect(await readFile(target)).toEqual(content);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('stores the same content once, whether put as a stream or a file, and an empty file too', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    const content = randomBytes(1000);
    const file = path.join(out, 'in.bin');
    await writeFile(file, content);
    const [a, b] = await Promise.all([store.put(Readable.from([content])), store.putFile(file)]);
    const c = await store.putFile(file);
    expect(a.sha256).toBe(sha(content));
    expect([b.sha256, c.sha256]).toEqual([a.sha256, a.sha256]);
    const empty = await store.put(Readable.from([]));
    expect(empty).toEqual({ sha256: sha(Buffer.alloc(0)), size: 0 });
    await store.exportTo(empty.sha256, path.join(out, 'empty'));
    expect((await readFile(path.join(out, 'empty'))).length).toBe(0);
    expect(await subject.leftovers(id)).toHaveLength(2);
  });

  it('detects tampered ciphertext, a cut-off tag and the wrong key, and leaves no file where it was asked to write', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    const content = randomBytes(70_000);
    const { sha256 } = await store.put(Readable.from([content]));
    const sealed = await subject.readSealed(id, sha256);
    const target = path.join(out, 'copy.bin');

    const flipped = Buffer.from(sealed);
    flipped[40_000] = flipped[40_000]! ^ 0x01;
    await subject.writeSealed(id, sha256, flipped);
    await expect(store.exportTo(sha256, target)).rejects.toThrow('Stored file failed its integrity check.');
    expect(existsSync(target)).toBe(false);

    await subject.writeSealed(id, sha256, sealed.subarray(0, sealed.length - 5));
    await expect(store.exportTo(sha256, target)).rejects.toThrow('Stored file failed its integrity check.');
    await subject.writeSealed(id, sha256, sealed.subarray(0, 20));
    await expect(store.exportTo(sha256, target)).rejects.toThrow('Stored file is truncated.');
    expect(existsSync(target)).toBe(false);

    await subject.writeSealed(id, sha256, sealed);
    await expect(subject.store(id, randomBytes(32)).exportTo(sha256, target)).rejects.toThrow(
      'Stored file failed its integrity check.',
    );
    expect(existsSync(target)).toBe(false);
    await store.exportTo(sha256, target); // the untouched bytes still open with the right key
    expect(await readFile(target)).toEqual(content);
  });

  it('refuses a wrong hash: not a SHA-256, an unknown one, or a sealed file stored under another address', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    const first = await store.put(Readable.from([Buffer.from('first document')]));
    const second = await store.put(Readable.from([Buffer.from('second document')]));
    const target = path.join(out, 'copy.txt');

    for (const bad of ['../../etc/passwd', first.sha256.toUpperCase(), `${first.sha256}0`, ''])
      await expect(store.exportTo(bad, target)).rejects.toThrow('Not a SHA-256 content address.');
    await expect(store.has('../x')).rejects.toThrow('Not a SHA-256 content address.');
    await expect(store.exportTo(sha(Buffer.from('never stored')), target)).rejects.toThrow();
    expect(existsSync(target)).toBe(false);

    // A valid sealed file (right key, intact tag) under the wrong name: only the hash check can catch it.
    await subject.writeSealed(id, second.sha256, await subject.readSealed(id, first.sha256));
    await expect(store.exportTo(second.sha256, target)).rejects.toThrow(
      'Stored file does not match its content address.',
    );
    expect(existsSync(target)).toBe(false);
  });

  it('deleteAll removes every file of one inspection and nothing of another', async () => {
    const [a, b] = [inspectionId(), inspectionId()];
    const files = await Promise.all(
      ['one', 'two', 'three'].map((t) => subject.store(a).put(Readable.from([Buffer.from(t)]))),
    );
    const kept = await subject.store(b).put(Readable.from([Buffer.from('one')]));
    await subject.store(a).deleteAll();
    for (const f of files) expect(await subject.store(a).has(f.sha256)).toBe(false);
    expect(await subject.leftovers(a)).toEqual([]);
    expect(await subject.store(b).has(kept.sha256)).toBe(true);
    await subject.store(a).deleteAll(); // again, on nothing
  });

  it('streams a 25 MB put and exports it intact', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    const source = noise(25 * MB);
    const stored = await store.put(source.stream);
    expect(stored).toEqual({ sha256: source.sha256(), size: 25 * MB });
    const target = path.join(out, 'big.bin');
    await store.exportTo(stored.sha256, target);
    const exported = createHash('sha256');
    for await (const chunk of (await import('node:fs')).createReadStream(target))
      exported.update(chunk as Buffer);
    expect(exported.digest('hex')).toBe(stored.sha256);
    expect(await subject.leftovers(id)).toHaveLength(1);
  });

  it('a put past its byte limit fails with FileTooLargeError and leaves nothing; one at the limit is kept', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    // 27 MB against 25: three 8 MiB S3 parts are already sent when the limit is passed.
    const over = noise(27 * MB);
    const refused = await store.put(over.stream, { maxBytes: 25 * MB }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FileTooLargeError);
    expect((refused as FileTooLargeError).maxBytes).toBe(25 * MB);
    expect(await subject.leftovers(id)).toEqual([]);
    // Small enough for one request: the limit is passed before anything is sent.
    await expect(store.put(noise(1 * MB).stream, { maxBytes: 512 * 1024 })).rejects.toThrow(
      FileTooLargeError,
    );
    expect(await subject.leftovers(id)).toEqual([]);
    const file = path.join(out, 'limit.bin');
    await writeFile(file, randomBytes(4096));
    await expect(store.putFile(file, { maxBytes: 4095 })).rejects.toThrow(FileTooLargeError);
    expect(await subject.leftovers(id)).toEqual([]);

    const exact = await store.putFile(file, { maxBytes: 4096 });
    expect(exact.size).toBe(4096);
    expect(await store.has(exact.sha256)).toBe(true);
    expect(await subject.leftovers(id)).toHaveLength(1);
  });

  it('delete removes one stored file and nothing else; deleting what is not there is no error', async () => {
    const [a, b] = [inspectionId(), inspectionId()];
    const store = subject.store(a);
    const gone = await store.put(Readable.from([Buffer.from('refused upload')]));
    const kept = await store.put(Readable.from([Buffer.from('accepted upload')]));
    const elsewhere = await subject.store(b).put(Readable.from([Buffer.from('refused upload')]));
    await store.delete(gone.sha256);
    expect(await store.has(gone.sha256)).toBe(false);
    expect(await store.has(kept.sha256)).toBe(true);
    expect(await subject.store(b).has(elsewhere.sha256)).toBe(true); // the same content, another inspection
    expect(await subject.leftovers(a)).toHaveLength(1);
    await store.delete(gone.sha256); // again
    await store.delete(sha(Buffer.from('never stored')));
    await expect(store.delete('../x')).rejects.toThrow('Not a SHA-256 content address.');
    // Put again after a delete: stored afresh.
    await store.put(Readable.from([Buffer.from('refused upload')]));
    expect(await store.has(gone.sha256)).toBe(true);
  });

  it('a stream that fails or is cut off midway leaves nothing stored', async () => {
    const id = inspectionId();
    const store = subject.store(id);
    // 12 MB in: past the first S3 part, so a multipart upload is under way when it fails.
    await expect(store.put(noise(25 * MB, { failAfter: 12 * MB }).stream)).rejects.toThrow(
      'upload interrupted',
    );
    expect(await subject.leftovers(id)).toEqual([]);

    const cut = noise(25 * MB);
    setTimeout(() => cut.stream.destroy(), 0); // destroyed without an error: a dropped connection
    await expect(store.put(cut.stream)).rejects.toThrow();
    expect(await subject.leftovers(id)).toEqual([]);

    await expect(store.put(noise(1 * MB, { failAfter: 512 * 1024 }).stream)).rejects.toThrow(
      'upload interrupted',
    );
    expect(await subject.leftovers(id)).toEqual([]);
  });
});

describe('S3 store', () => {
  it('sends a 25 MB file as 8 MiB parts of a multipart upload, never the whole file in one request', async () => {
    const client = createS3Client(s3.settings);
    const bodies: Array<[string, number]> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const body = (args.input as { Body?: unknown }).Body;
        bodies.push([context.commandName ?? '?', Buffer.isBuffer(body) ? body.length : 0]);
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const id = inspectionId();
      const store = createS3FileStore({
        client,
        bucket: s3.settings.bucket,
        prefix: 'files',
        inspectionId: id,
        key: KEY,
      });
      const source = noise(25 * MB);
      await store.put(source.stream);
      const sealedBytes = 25 * MB + 12 + 16;
      const parts = bodies.filter(([command]) => command === 'UploadPartCommand').map(([, bytes]) => bytes);
      expect(parts).toEqual([8 * MB, 8 * MB, 8 * MB, sealedBytes - 24 * MB]);
      expect(bodies.map(([command]) => command)).toEqual([
        'CreateMultipartUploadCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'CompleteMultipartUploadCommand',
        'HeadObjectCommand',
        'CopyObjectCommand',
        'DeleteObjectCommand',
      ]);
    } finally {
      client.destroy();
    }
  });

  it('is chosen by JTAI_FILE_STORE=s3 and keys objects <prefix>/<inspection>/<sha256>', async () => {
    const { settings } = s3;
    const config = loadConfig({
      JTAI_DATA_DIR: dir,
      JTAI_FILE_STORE: 's3',
      S3_ENDPOINT: settings.endpoint,
      S3_REGION: settings.region,
      S3_BUCKET: settings.bucket,
      S3_PREFIX: 'deployment/files',
      S3_ACCESS_KEY_ID: settings.credentials!.accessKeyId,
      S3_SECRET_ACCESS_KEY: settings.credentials!.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    });
    const content = Buffer.from('a document');
    const master = parseKeyring(`m1 ${KEY.toString('base64')}`, 'files');
    const { sha256 } = await createFileStores(config, master)
      .fileStoreFor('inspection-chosen-by-config')
      .put(Readable.from([content]));
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: 'deployment/files/' }),
    );
    // The file, and the inspection's data key wrapped by the master key.
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([
      'deployment/files/.keys/inspection-chosen-by-config',
      `deployment/files/inspection-chosen-by-config/${sha256}`,
    ]);

    const localConfig = loadConfig({ JTAI_DATA_DIR: dir });
    await createFileStores(localConfig, master)
      .fileStoreFor('inspection-local-by-default')
      .put(Readable.from([content]));
    expect(
      existsSync(path.join(dir, 'files', 'inspection-local-by-default', sha256.slice(0, 2), `${sha256}.enc`)),
    ).toBe(true);
    expect(existsSync(path.join(dir, 'files', '.keys', 'inspection-local-by-default.key'))).toBe(true);
  });

  it('reports an unreachable store as an error, not as a missing file', async () => {
    const gone = await startS3TestServer('jtai-gone');
    const store = createS3FileStore({
      client: gone.client,
      bucket: 'jtai-gone',
      prefix: 'files',
      inspectionId: 'inspection-unreachable',
      key: KEY,
    });
    const { sha256 } = await store.put(Readable.from([Buffer.from('x')]));
    expect(await store.has(sha256)).toBe(true);
    await gone.stop(); // also destroys the client: make a fresh one pointing at the dead port
    const client = createS3Client({ ...gone.settings });
    try {
      const orphan = createS3FileStore({
        client,
        bucket: 'jtai-gone',
        prefix: 'files',
        inspectionId: 'inspection-unreachable',
        key: KEY,
      });
      await expect(orphan.has(sha256)).rejects.toThrow();
      await expect(orphan.put(Readable.from([Buffer.from('y')]))).rejects.toThrow();
    } finally {
      client.destroy();
    }
  });
});
