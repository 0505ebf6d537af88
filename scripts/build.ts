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
import { build as esbuild, type Plugin } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

  await bundleCli(out);

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
    inputs: [...new Set([...startInputs, 'scripts/build.ts', 'bin/dist.js', 'bin/compiled-cli.js'])].sort(),
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

/**
 * The packages the CLI bundle carries: what `jtai --help`, `timeline`, `list` and `status` load, with their own
 * dependencies. Any other package (workbooks, zips, S3, PostgreSQL, mail, the worker's native code) stays in
 * node_modules, loaded when a command needs it, as every package was before the bundle.
 */
const CLI_BUNDLED = new Set([
  'zod',
  'commander',
  'luxon',
  'yaml',
  '@temporalio/client',
  '@temporalio/common',
  '@temporalio/proto',
  '@temporalio/envconfig',
  '@temporalio/workflow',
]);

/** A source file read by path at run time: it stays a file of its own beside the bundle, not inside it. */
const READS_ITS_OWN_PATH = /__dirname|__filename|require\.resolve/;

/**
 * dist/client/cli.js as one file, in place of its per-file build, then V8's code cache of it
 * (bin/compiled-cli.js). Measured by `npm run bench:cli`: a command spent most of its CPU finding, reading and
 * compiling some 450 files (`jtai list`); one file compiled from the cache costs a fraction of that. Each
 * command's modules still run only when it runs (esbuild keeps a `require` inside a function lazy).
 */
async function bundleCli(out: string): Promise<void> {
  const outfile = path.join(out, 'client', 'cli.js');
  const keepAsFile: Plugin = {
    name: 'jtai-cli-bundle',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path: spec, importer }) => {
        if (spec.startsWith('node:') || !importer.startsWith(SRC + path.sep)) return undefined;
        const name = spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/');
        return CLI_BUNDLED.has(name) ? undefined : { path: spec, external: true };
      });
      build.onResolve({ filter: /^\./ }, ({ path: spec, importer, resolveDir }) => {
        if (!importer.startsWith(SRC + path.sep)) return undefined;
        const file = [`${spec}.ts`, `${spec}/index.ts`]
          .map((candidate) => path.resolve(resolveDir, candidate))
          .find((candidate) => existsSync(candidate));
        if (!file || !READS_ITS_OWN_PATH.test(readFileSync(file, 'utf8'))) return undefined;
        const relative = path.relative(path.join(SRC, 'client'), file.replace(/(\/index)?\.ts$/, ''));
        return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
      });
    },
  };
  const { outputFiles } = await esbuild({
    ...COMMON,
    entryPoints: [path.join(SRC, 'client', 'cli.ts')],
    outfile,
    write: false,
    bundle: true,
    // import() of a package left in node_modules becomes require(), which the cached script can call.
    supported: { 'dynamic-import': false },
    plugins: [keepAsFile],
    // For JTAI_DEBUG's stack traces (bin/compiled-cli.js): lines of our sources, not of the bundle. The map
    // names the sources without holding them (they are in the checkout or the image's src/).
    sourcemap: 'linked',
    sourcesContent: false,
  });
  const map = outputFiles?.find((f) => f.path.endsWith('.map'));
  if (map) await writeFile(map.path, map.contents);
  // All ASCII, so that the loader reads it as Latin-1 without decoding UTF-8 (9-13 ms against 19-21 ms for
  // the 5 MB, each in a new node). esbuild escapes strings but leaves comments and some regular expressions
  // as they were; a \u escape means the same character in a regular expression, string or identifier, and
  // in a comment nothing. A character used as white space between tokens would not survive: the warm-up
  // below would then fail the build with a syntax error, not users.
  const text = outputFiles?.find((f) => f.path === outfile)?.text ?? '';
  // eslint-disable-next-line no-control-regex
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  await writeFile(outfile, ascii, 'latin1');
  const warm = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(path.join(ROOT, 'bin', 'compiled-cli.js'))}).writeCodeCache(${JSON.stringify(outfile)}, ${JSON.stringify(path.join(DIST, 'client', 'cli.js'))})`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const code = await new Promise<number | null>((resolve) => warm.on('exit', resolve));
  if (code !== 0) throw new Error(`the CLI's warm-up for its code cache exited ${code}`);
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
