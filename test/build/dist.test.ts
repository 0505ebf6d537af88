import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { distState, ROOT, sdkVersion, STAMP } from '../../bin/dist';

/**
 * The build (scripts/build.ts) and the check of whether dist/ is up to date (bin/dist.js), which decides
 * whether `npm start` builds and what `bin/jtai` runs.
 */

describe('whether dist/ is up to date', () => {
  let root: string;
  // File times are the file system's: the build began an hour before this test, the files a minute before that.
  let BUILT_AT: number;
  const at = (ms: number) => new Date(ms);
  /** A repository with src/a.ts, src/web/v.njk and scripts/start.ts, all older than the build. */
  beforeEach(async () => {
    BUILT_AT = Date.now() - 3_600_000;
    root = await mkdtemp(path.join(os.tmpdir(), 'jtai-dist-'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    for (const file of ['src/a.ts', 'src/web/v.njk', 'scripts/start.ts']) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), '');
    }
    await mkdir(path.join(root, 'dist'));
    const stamp = { startedAtMs: BUILT_AT, sdk: sdkVersion(ROOT), inputs: ['scripts/start.ts'] };
    await writeFile(path.join(root, 'dist', STAMP), JSON.stringify(stamp));
    for (const p of ['src/a.ts', 'src/web/v.njk', 'src/web', 'src', 'scripts/start.ts']) {
      await utimes(path.join(root, p), at(BUILT_AT - 60_000), at(BUILT_AT - 60_000));
    }
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('fresh when nothing changed since the build began', () => {
    expect(distState(root)).toEqual({ state: 'fresh' });
  });

  test('stale when a source, a folder of sources (a file added or removed) or another input changed', async () => {
    await utimes(path.join(root, 'src/web/v.njk'), at(BUILT_AT + 1), at(BUILT_AT + 1));
    expect(distState(root)).toEqual({ state: 'stale', why: 'src/web/v.njk changed since the last build' });
    await utimes(path.join(root, 'src/web/v.njk'), at(BUILT_AT - 1), at(BUILT_AT - 1));
    await rm(path.join(root, 'src/a.ts'));
    expect(distState(root)).toEqual({ state: 'stale', why: 'src/ changed since the last build' });
    await utimes(path.join(root, 'src'), at(BUILT_AT - 1), at(BUILT_AT - 1));
    await utimes(path.join(root, 'scripts/start.ts'), at(BUILT_AT + 1), at(BUILT_AT + 1));
    expect(distState(root)).toEqual({ state: 'stale', why: 'scripts/start.ts changed since the last build' });
    await rm(path.join(root, 'scripts/start.ts'));
    expect(distState(root).state).toBe('stale');
  });

  test('stale when built with another Temporal SDK (the workflow bundle embeds it), or without a stamp', async () => {
    const stamp = { startedAtMs: BUILT_AT, sdk: '0.0.1', inputs: [] };
    await writeFile(path.join(root, 'dist', STAMP), JSON.stringify(stamp));
    expect(distState(root)).toEqual({
      state: 'stale',
      why: `the Temporal SDK is ${sdkVersion(ROOT)} now, 0.0.1 when dist/ was built`,
    });
    await rm(path.join(root, 'dist', STAMP));
    expect(distState(root).state).toBe('stale');
    await rm(path.join(root, 'dist'), { recursive: true });
    expect(distState(root)).toEqual({ state: 'missing', why: 'dist/ has not been built' });
  });

  test('fresh where dist/ ships without the sources (the image)', async () => {
    await rm(path.join(root, 'src'), { recursive: true });
    await rm(path.join(root, 'scripts'), { recursive: true });
    expect(distState(root)).toEqual({ state: 'fresh' });
  });
});

describe('the build in this checkout (npm test builds it first)', () => {
  const dist = distState();
  // `npx jest` alone does not build; CI runs npm test, which does.
  const built = dist.state === 'fresh' ? test : process.env.CI ? test : test.skip;

  built('holds everything the image and docker-compose.yml run, and the stamp', () => {
    expect(dist).toEqual({ state: 'fresh' });
    const named = [
      ...readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').matchAll(/dist\/[\w./-]+/g),
      ...readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/dist\/[\w./-]+/g),
    ].map(([p]) => p.replace(/[.]$/, ''));
    expect(named).toEqual(expect.arrayContaining(['dist/worker/main.js', 'dist/web/server.js']));
    expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
    for (const file of [
      'client/cli.js',
      'start.js',
      'workflow-bundle.js',
      'timeline/data/bank-holidays-england-and-wales.json',
      'web/public/jtai.css',
      'web/views/layout.njk',
      STAMP,
    ]) {
      expect(existsSync(path.join(ROOT, 'dist', file))).toBe(true);
    }
  });

  built('runs with plain node, no TypeScript loader: the CLI answers', () => {
    const env = { ...process.env, NODE_OPTIONS: '' };
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'dist/client/cli.js'), 'timeline', '--notified', '2026-11-23', '--option', 'A', '--json'], { env, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ notifiedOn: '2026-11-23' });
  });

  built('the CLI is one bundled file whose code cache V8 accepts, as bin/jtai runs it', () => {
    const env = { ...process.env, NODE_OPTIONS: '' };
    const accepted = spawnSync(
      process.execPath,
      ['-p', `require('./bin/compiled-cli.js').cacheAccepted('dist/client/cli.js')`],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    expect({ stdout: accepted.stdout, stderr: accepted.stderr }).toEqual({ stdout: 'true\n', stderr: '' });
    const cli = spawnSync(path.join(ROOT, 'bin/jtai'), ['timeline', '--notified', '2026-11-23', '--json'], {
      env,
      encoding: 'utf8',
    });
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(cli.stdout)).toMatchObject({ notifiedOn: '2026-11-23' });
    // With JTAI_DEBUG, an unexpected error's stack names the lines of our sources, through the build's map.
    const debug = spawnSync(path.join(ROOT, 'bin/jtai'), ['timeline', '--notified', '2026-11-23', '--theme', 'x'], {
      env: { ...env, JTAI_DEBUG: '1' },
      encoding: 'utf8',
    });
    expect(debug.stderr).toMatch(/Unknown theme "x"[^]*\n {4}at themeById \(\S+\/src\/timeline\/themes\/index\.ts:\d+:\d+\)/);
    // One file: commander, zod and the Temporal client are inside it, not required from node_modules.
    const bundle = readFileSync(path.join(ROOT, 'dist/client/cli.js'), 'latin1');
    expect(bundle).not.toMatch(/require\("(commander|zod|@temporalio\/client)"\)/);
    expect(bundle).toMatch(/require\("exceljs"\)/);
  });

  built('--if-stale does nothing when dist/ is up to date', () => {
    const before = readFileSync(path.join(ROOT, 'dist', STAMP), 'utf8');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(path.join(ROOT, 'dist', STAMP), 'utf8')).toBe(before);
  });
});

describe('builds racing, and a build killed midway', () => {
  jest.setTimeout(300_000);
  const build = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { pid: child.pid!, kill: () => child.kill('SIGKILL'), exited };
  };
  const leftovers = () => readdirSync(ROOT).filter((name) => /^dist\./.test(name));

  test('two builds at once both succeed with one whole dist/; the next build removes what a killed one left', async () => {
    const killed = build();
    const folder = `dist.building-${killed.pid}`;
    while (!existsSync(path.join(ROOT, folder))) await new Promise((resolve) => setTimeout(resolve, 20));
    killed.kill();
    await killed.exited;
    expect(leftovers()).toContain(folder);

    const codes = await Promise.all([build().exited, build().exited]);
    expect(codes).toEqual([0, 0]);
    expect(leftovers()).toEqual([]);
    expect(distState()).toEqual({ state: 'fresh' });
    for (const file of ['worker/main.js', 'web/views/layout.njk', 'start.js', 'workflow-bundle.js', STAMP]) {
      expect(existsSync(path.join(ROOT, 'dist', file))).toBe(true);
    }
  });
});
