/**
 * Intakes (src/infra/files/intake.ts) on a real local store: a refused submission's files are deleted unless
 * the inspection's state names them or another intake of the process holds them; the same bytes in two
 * submissions at once; a put that lands while a delete of its bytes is under way.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FileStore } from '../../src/infra/files';
import { createIntakes, IntakeRaceError } from '../../src/infra/files/intake';
import { createLocalFileStore } from '../../src/infra/files/local';

let dir: string;
let store: FileStore;
const ID = 'inspection-intake-2090-01-02';
const bytes = (text: string) => Readable.from([Buffer.from(text)]);
const nothing = () => Promise.resolve(new Set<string>());

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-intake-'));
  store = createLocalFileStore({ dir, key: randomBytes(32) });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('refused: its files go; accepted or unknown: they stay', async () => {
  const intakes = createIntakes();
  const refused = intakes.open(ID, store, nothing);
  const a = await refused.put(bytes('refused one'));
  const b = await refused.put(bytes('refused two'));
  expect(await refused.settle('refused')).toEqual([a.sha256, b.sha256]);
  expect(await store.has(a.sha256)).toBe(false);
  expect(await store.has(b.sha256)).toBe(false);

  const accepted = intakes.open(ID, store, nothing);
  const c = await accepted.put(bytes('accepted'));
  expect(await accepted.settle('accepted')).toEqual([]);
  const unknown = intakes.open(ID, store, nothing);
  const d = await unknown.put(bytes('outcome unknown'));
  expect(await unknown.settle('unknown')).toEqual([]);
  expect([await store.has(c.sha256), await store.has(d.sha256)]).toEqual([true, true]);
  expect(intakes.held()).toBe(0);
  await expect(unknown.put(bytes('late'))).rejects.toThrow('settled');
});

test('a file the inspection names is kept when a later submission with the same bytes is refused', async () => {
  const intakes = createIntakes();
  const first = intakes.open(ID, store, nothing);
  const shared = await first.put(bytes('same bytes'));
  await first.settle('accepted');
  const second = intakes.open(ID, store, () => Promise.resolve(new Set([shared.sha256])));
  const own = await second.put(bytes('only in the refused one'));
  await second.put(bytes('same bytes'));
  expect(await second.settle('refused')).toEqual([own.sha256]);
  expect(await store.has(shared.sha256)).toBe(true);
});

test('the same bytes in two submissions at once: the refused one leaves them to the other', async () => {
  const intakes = createIntakes();
  const a = intakes.open(ID, store, nothing);
  const b = intakes.open(ID, store, nothing);
  const fromA = await a.put(bytes('sent twice'));
  const fromB = await b.put(bytes('sent twice'));
  expect(fromB.sha256).toBe(fromA.sha256);
  expect(await b.settle('refused')).toEqual([]); // a still holds them
  expect(await store.has(fromA.sha256)).toBe(true);
  expect(await a.settle('refused')).toEqual([fromA.sha256]); // now nobody does
  expect(await store.has(fromA.sha256)).toBe(false);
});

test('bytes put while the refusal reads the references are kept', async () => {
  const intakes = createIntakes();
  let answer!: (s: Set<string>) => void;
  const slow = () => new Promise<Set<string>>((resolve) => (answer = resolve));
  const refused = intakes.open(ID, store, slow);
  const file = await refused.put(bytes('racing'));
  const settling = refused.settle('refused');
  const other = intakes.open(ID, store, nothing);
  await other.put(bytes('racing')); // lands before the refusal knows the references
  answer(new Set());
  expect(await settling).toEqual([]);
  expect(await store.has(file.sha256)).toBe(true);
  await other.settle('accepted');
});

test('bytes put while their delete is under way: the put finds out, and fails rather than claim them', async () => {
  const intakes = createIntakes();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let deleteStarted!: () => void;
  const started = new Promise<void>((resolve) => (deleteStarted = resolve));
  const slowDelete: FileStore = {
    ...store,
    async delete(sha256) {
      deleteStarted();
      await gate;
      await store.delete(sha256);
    },
  };
  const refused = intakes.open(ID, slowDelete, nothing);
  const file = await refused.put(bytes('deleted under it'));
  const settling = refused.settle('refused');
  await started;
  const late = intakes.open(ID, slowDelete, nothing);
  const putting = late.put(bytes('deleted under it')).catch((e: unknown) => e);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the put has stored and now waits for the delete
  open();
  expect(await settling).toEqual([file.sha256]);
  expect(await putting).toBeInstanceOf(IntakeRaceError);
  expect(await store.has(file.sha256)).toBe(false);
  await late.settle('refused');
  expect(intakes.held()).toBe(0);
});
