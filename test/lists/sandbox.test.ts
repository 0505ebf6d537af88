import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import {
  checkListInSandbox,
  ListCheckAbortedError,
  ListCheckCrashedError,
  type SandboxUsage,
} from '../../src/infra/list-check';
import { UnreadableListError, validateListFile } from '../../src/lists';
import { ListLimitError } from '../../src/lists/limits';
import { writeLongCsv, writeZipBomb } from './hostile-files';
import { cleanRows, col, OPTS, tempDir, writeText, writeXlsx } from './helpers';

// Each check starts a node process (under tsx here): generous timeouts for busy machines.
jest.setTimeout(180_000);

let dir: string;
let cleanup: () => Promise<void>;
let million: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  million = join(dir, 'million.csv');
  await writeLongCsv(million, 1_000_000);
});
afterAll(() => cleanup());

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

test('the report is the one the validator gives in-process', async () => {
  const rows = cleanRows('6', 40);
  const r5 = rows[5];
  if (r5) r5[col('6', 'Child in need start date')] = '31/02/2026';
  const p = await writeXlsx(join(dir, 'list6.xlsx'), rows);
  let usage: SandboxUsage | undefined;
  const inSandbox = await checkListInSandbox('6', p, { ...OPTS, onUsage: (u) => (usage = u) });
  expect(inSandbox).toEqual(await validateListFile('6', p, OPTS));
  expect(inSandbox.valid).toBe(false);
  expect(usage?.peakRssMb).toBeGreaterThan(0);
});

test('a file that is not a list: the same UnreadableListError', async () => {
  const p = await writeText(join(dir, 'notes.xlsx'), 'not a workbook');
  const err = await rejection(checkListInSandbox('6', p, OPTS));
  expect(err).toBeInstanceOf(UnreadableListError);
  expect((err as UnreadableListError).reason).toBe('not-a-workbook');
});

test('the zip bomb (1.15 GB of sheet XML in a few MB) is refused by a limit, the sandbox staying small', async () => {
  const p = join(dir, 'bomb.xlsx');
  await writeZipBomb(p);
  let usage: SandboxUsage | undefined;
  const err = await rejection(checkListInSandbox('6', p, { ...OPTS, onUsage: (u) => (usage = u) }));
  expect(err).toBeInstanceOf(ListLimitError);
  expect((err as ListLimitError).limit).toBe('partBytes');
  expect(err.message).toMatch(/unzips to 1,09\d MB; the most accepted for one part is 512 MB/);
  // The checking process's own peak: nowhere near the gigabyte the sheet would unzip to.
  expect(usage?.peakRssMb).toBeLessThan(256);
});

test('a 1,000,000-row CSV is refused by the row limit, with progress on the way', async () => {
  const seen: number[] = [];
  let usage: SandboxUsage | undefined;
  const err = await rejection(
    checkListInSandbox('6', million, {
      ...OPTS,
      progressEveryMs: 20,
      onProgress: (n) => seen.push(n),
      onUsage: (u) => (usage = u),
    }),
  );
  expect(err).toBeInstanceOf(ListLimitError);
  expect((err as ListLimitError).limit).toBe('rows');
  expect(err.message).toMatch(/^The file has more than 300,000 rows/);
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.max(...seen)).toBeGreaterThan(0);
  expect(Math.max(...seen)).toBeLessThanOrEqual(300_000);
  expect(usage?.peakRssMb).toBeLessThan(512);
});

test('past its memory limit the checking process dies, and the caller is told so', async () => {
  // No row limit to stop it: a million child IDs remembered (for duplicates) need more than 64 MB of heap.
  const err = await rejection(
    checkListInSandbox('6', million, { ...OPTS, memoryMb: 64, limits: { rows: 5_000_000 } }),
  );
  expect(err).toBeInstanceOf(ListCheckCrashedError);
  expect((err as ListCheckCrashedError).reason).toBe('out-of-memory');
  expect(err.message).toMatch(/ran out of memory \(64 MB\)/);
});

test('aborting kills the checking process', async () => {
  const controller = new AbortController();
  let pid = 0;
  const check = checkListInSandbox('6', million, {
    ...OPTS,
    limits: { rows: 5_000_000 },
    signal: controller.signal,
    progressEveryMs: 20,
    onStart: (p) => (pid = p),
    onProgress: () => controller.abort(),
  });
  const err = await rejection(check);
  expect(err).toBeInstanceOf(ListCheckAbortedError);
  expect(pid).toBeGreaterThan(0);
  expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  // Already aborted: refused without starting anything.
  expect(await rejection(checkListInSandbox('6', million, { signal: controller.signal }))).toBeInstanceOf(
    ListCheckAbortedError,
  );
});

test('killed from outside, the caller gets a typed error, not a hang', async () => {
  const check = checkListInSandbox('6', million, {
    ...OPTS,
    limits: { rows: 5_000_000 },
    progressEveryMs: 20,
    onStart: (pid) => setTimeout(() => process.kill(pid, 'SIGKILL'), 200),
  });
  const err = await rejection(check);
  expect(err).toBeInstanceOf(ListCheckCrashedError);
  expect((err as ListCheckCrashedError).reason).toBe('killed');
  expect(err.message).toMatch(/stopped by SIGKILL/);
});

test('compiled to JavaScript, it starts its child as JavaScript (no tsx)', async () => {
  // Compile src/lists and src/infra as `npm run build` would (CommonJS), inside node_modules so that the
  // compiled files find the packages, and check a list through the compiled sandbox.
  const root = resolve(__dirname, '..', '..');
  const out = join(root, 'node_modules', '.cache', `jtai-sandbox-test-${process.pid}`);
  try {
    for (const sub of ['src/lists', 'src/lists/specs', 'src/infra']) {
      for (const name of (await readdir(join(root, sub))).filter((f) => f.endsWith('.ts'))) {
        const from = join(root, sub, name);
        const js = ts.transpileModule(await readFile(from, 'utf8'), {
          compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
          },
        }).outputText;
        const to = join(out, relative(root, from)).replace(/\.ts$/, '.js');
        await mkdir(dirname(to), { recursive: true });
        await writeFile(to, js);
      }
    }
    const list = await writeXlsx(join(dir, 'compiled.xlsx'), cleanRows('6', 5));
    const script = `
      const { checkListInSandbox } = require(${JSON.stringify(join(out, 'src/infra/list-check.js'))});
      checkListInSandbox('6', ${JSON.stringify(list)}, { notifiedOn: '2026-03-02', today: '2026-03-04' })
        .then((r) => console.log(JSON.stringify({ rows: r.rows, valid: r.valid })));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ rows: 5, valid: true });
    // Only JavaScript exists there: the compiled parent can only have started the compiled child.
    const compiled = await readdir(join(out, 'src/infra'));
    expect(compiled).toEqual(expect.arrayContaining(['list-check-child.js', 'list-check.js']));
    expect(compiled.filter((name) => !name.endsWith('.js'))).toEqual([]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
