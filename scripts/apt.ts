/**
 * Installs Debian packages the tests need (Chromium, PostgreSQL) when they are missing and we may: as root with
 * apt-get present, which is how CI runs. Otherwise prints how to install them. Never fails the run: the tests
 * that need the package say so when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Returns true when apt-get installed the packages. */
export function aptInstall(label: string, packages: string[], why: string): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    process.stdout.write(
      `${label}: not found. Install it (sudo apt-get install ${packages.join(' ')}); ${why}.\n`,
    );
    return false;
  }
  process.stdout.write(
    `${label}: installing Debian’s ${packages.join(' ')} with apt-get (a minute or two)…\n`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) {
      process.stdout.write(`${label}: apt-get ${args[0]} failed (exit ${run.status}); ${why}.\n`);
      return false;
    }
  }
  return true;
}
