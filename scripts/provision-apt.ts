/**
 * Makes sure the Debian packages the tests need are on this machine (`npm test` runs this before jest):
 * Chromium for the browser tests, docker-compose for the check of docker-compose.yml. Installs what is
 * missing with apt-get when it may (root, apt-get present); otherwise says how. It never skips anything
 * quietly: a test whose program is still missing fails, saying what to install.
 * (Playwright's own browser download cannot work here, so it is never used.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package -> the program the tests run, and what for. */
const NEEDED = [
  { pkg: 'chromium', program: process.env.CHROMIUM_PATH || '/usr/bin/chromium', for: 'the browser tests' },
  { pkg: 'docker-compose', program: '/usr/bin/docker-compose', for: 'the docker-compose.yml check' },
];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function main(): void {
  const missing = NEEDED.filter((n) => !existsSync(n.program));
  for (const n of NEEDED) if (!missing.includes(n)) say(`${n.pkg}: ${n.program}`);
  if (missing.length === 0) return;
  const names = missing.map((n) => n.pkg);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    for (const n of missing)
      say(
        `${n.pkg}: not found at ${n.program}. Install it (sudo apt-get install ${n.pkg}); ${n.for} need it.`,
      );
    return;
  }
  say(`Installing Debian's ${names.join(', ')} with apt-get (a minute or two)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...names],
  ]) {
    const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) {
      say(
        `apt-get ${args[0]} failed (exit ${run.status}); ${missing.map((n) => n.for).join(' and ')} need ${names.join(', ')}.`,
      );
      return;
    }
  }
  for (const n of missing)
    say(`${n.pkg}: ${existsSync(n.program) ? n.program : 'still missing after apt-get'}`);
}

main();
