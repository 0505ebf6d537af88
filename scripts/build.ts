/**
 * `npm run build`: everything jtai runs, compiled into dist/. With `--if-stale` only when dist/ is missing or
 * older than the sources (bin/dist.js): `npm start` and `npm test` build that way.
 *
 * - src/**\/*.ts -> dist/**\/*.js, one file each (esbuild: transpiled, not type-checked; `npm run typecheck`
 *   checks types), so dist/ mirrors src/: dist/worker/main.js, dist/web/server.js, dist/infra/healthcheck.js,
 *   dist/client/cli.js. esbuild rather than tsc: the same files in about 0.2 s of CPU instead of 15-19 s,
 *   which `npm start` pays after every change to the sources.
 * - Every other file under src/ is copied beside them: what the app reads by path at run time (the Nunjucks
 *   views and public/ of the web app, the bank-holiday JSON).
 * - `npm start`'s supervisor, scripts/start.ts, as one file dist/start.js (its imports of src/ included): it
 *   then runs without tsx, which `npm install --omit=dev` leaves out.
 * - The workflow bundle, once, dist/workflow-bundle.js, which the compiled worker loads instead of running
 *   webpack at every start.
 * - dist/build.json last (bin/dist.js reads it to tell whether dist/ is up to date).
 *
 * It builds into a new folder and renames it into place, so a process starting meanwhile never sees half a
 * dist/.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { build as esbuild } from 'esbuild';
import { cp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { distState, ROOT, STAMP, sdkVersion, type BuildStamp } from '../bin/dist';
import { createLogger } from '../src/infra/log';
import { isAlive } from './start/processes';

const logger = createLogger('build');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const COMMON = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  absWorkingDir: ROOT,
} as const;

async function main(): Promise<void> {
  // Anything changed from here on is newer than the build: the next start builds again.
  const startedAtMs = Date.now();
  const args = process.argv.slice(2);
  if (args.includes('--if-stale')) {
    const current = distState(ROOT);
    if (current.state === 'fresh') return;
    logger.info({ reason: current.why }, 'Building dist/');
  } else {
    logger.info('Building dist/');
  }
  await removeLeftovers();
  const out = path.join(ROOT, `dist.building-${process.pid}`);

  const sources = await filesUnder(SRC);
  const typescript = sources.filter((f) => f.endsWith('.ts'));
  await esbuild({ ...COMMON, entryPoints: typescript, outdir: out, outbase: SRC });
  const assets = sources.filter((f) => !f.endsWith('.ts'));
  await Promise.all(assets.map((f) => cp(f, path.join(out, path.relative(SRC, f)))));

  // One file: its REPO_ROOT (scripts/temporal-binaries.ts, `__dirname/..`) is the repository from dist/ too.
  const start = await esbuild({
    ...COMMON,
    entryPoints: [path.join(ROOT, 'scripts', 'start.ts')],
    outfile: path.join(out, 'start.js'),
    bundle: true,
    packages: 'external',
    metafile: true,
  });
  const startInputs = Object.keys(start.metafile.inputs).filter((f) => !f.startsWith('src/'));

  const bundleStarted = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    logger: webpackLogger,
  });
  await writeFile(path.join(out, 'workflow-bundle.js'), code);

  const stamp: BuildStamp = {
    startedAt: new Date(startedAtMs).toISOString(),
    startedAtMs,
    sdk: sdkVersion(ROOT),
    inputs: [...new Set([...startInputs, 'scripts/build.ts', 'bin/dist.js'])].sort(),
  };
  await writeFile(path.join(out, STAMP), JSON.stringify(stamp, null, 2) + '\n');

  const old = `${DIST}.old-${process.pid}`;
  await rename(DIST, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  try {
    await rename(out, DIST);
  } catch (err) {
    // Another build (a second npm start in this checkout) put its dist/ in place between our two renames.
    if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    logger.info('Another build finished first: keeping its dist/');
    await rm(out, { recursive: true, force: true });
  }
  await rm(old, { recursive: true, force: true });
  logger.info(
    {
      files: typescript.length,
      assets: assets.length,
      workflowBundleMs: Date.now() - bundleStarted,
      ms: Date.now() - startedAtMs,
    },
    'Built dist/',
  );
}

/** What builds killed midway left (`dist.building-<pid>`, `dist.old-<pid>` of a pid no longer running). */
async function removeLeftovers(): Promise<void> {
  for (const name of await readdir(ROOT)) {
    const pid = /^dist\.(?:building|old)-(\d+)$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await rm(path.join(ROOT, name), { recursive: true, force: true });
  }
}

/** webpack's progress is noise here; its warnings and errors are not. */
const webpackLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string, meta?: object) => logger.warn(meta ?? {}, message),
  error: (message: string, meta?: object) => logger.error(meta ?? {}, message),
};

main().catch(async (err: unknown) => {
  logger.fatal({ err }, 'Build failed');
  await rm(path.join(ROOT, `dist.building-${process.pid}`), { recursive: true, force: true });
  process.exit(1);
});
