/**
 * Makes sure Debian's Chromium is on this machine for the browser tests (`npm test` runs this before jest).
 * Installs it with apt-get when it is missing and we may (root, apt-get present); otherwise says how.
 * Playwright's own browser download cannot work here, so it is never used.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function main(): void {
  if (existsSync(CHROMIUM)) {
    process.stdout.write(`Chromium: ${CHROMIUM}\n`);
    return;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    process.stdout.write(
      `Chromium: not found at ${CHROMIUM}. Install it (sudo apt-get install chromium) or set CHROMIUM_PATH; the browser tests need it.\n`,
    );
    return;
  }
  process.stdout.write('Chromium: installing Debian’s chromium with apt-get (a minute or two)…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) {
      process.stdout.write(
        `Chromium: apt-get ${args[0]} failed (exit ${run.status}); the browser tests need it.\n`,
      );
      return;
    }
  }
  process.stdout.write(`Chromium: ${existsSync(CHROMIUM) ? CHROMIUM : 'still missing after apt-get'}\n`);
}

main();
