/**
 * The S3-compatible server the file store tests run against: moto in server mode, from PyPI.
 *
 * Why moto rather than MinIO built from the Go module proxy: it is a pip wheel set installed in well under a
 * minute the same way as the Temporal wheels (`pip install --target .moto`), where building MinIO from source
 * takes many minutes and a large module download on these two-core machines; and its S3 covers what the store
 * uses (multipart uploads and their abort and listing, server-side copy, ranged and plain GET, batch delete),
 * enforcing S3's 5 MiB minimum part size. It is an emulator, not the store docker-compose.yml runs (MinIO):
 * docs/deploy.md says so.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pipInstallTarget } from './pip-target';

const REPO_ROOT = path.resolve(__dirname, '..');
/** The pinned version: change it here and nowhere else. */
export const MOTO_VERSION = '5.2.5';
export const MOTO_DIR = path.join(REPO_ROOT, '.moto');

async function usable(dir: string): Promise<string | undefined> {
  try {
    await fs.stat(path.join(dir, `moto-${MOTO_VERSION}.dist-info`));
    await fs.stat(path.join(dir, 'moto', 'server.py'));
    return undefined;
  } catch {
    return `has no moto ${MOTO_VERSION} server`;
  }
}

let pending: Promise<string> | undefined;

/** The folder to put on PYTHONPATH to run `python3 -m moto.server`, installing moto there when missing. */
export function motoPythonPath(): Promise<string> {
  pending ??= (async () => {
    if ((await usable(MOTO_DIR)) === undefined) return MOTO_DIR;
    process.stderr.write(`Installing moto ${MOTO_VERSION} (S3 test server) from PyPI into .moto/…\n`);
    const started = Date.now();
    const installed = await pipInstallTarget({
      requirement: `moto[server]==${MOTO_VERSION}`,
      targetDir: MOTO_DIR,
      check: usable,
    });
    if (!installed.python) throw new Error(`Could not install the S3 test server (moto): ${installed.why}`);
    process.stderr.write(`Installed moto in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    return MOTO_DIR;
  })();
  return pending;
}
