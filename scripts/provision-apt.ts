/**
 * Makes sure the Debian packages the tests need are on this machine (`npm test` runs this before jest):
 * Chromium for the browser tests, docker-compose for the check of docker-compose.yml. Installs what is
 * missing with apt-get when it may (root, apt-get present); otherwise says how. It never skips anything
 * quietly: a test whose program is still missing fails, saying what to install.
 * (Playwright's own browser download cannot work here, so it is never used.)
 */
import { existsSync } from 'node:fs';
import { aptInstall } from './apt';

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
  if (
    !aptInstall(
      missing.map((n) => n.pkg).join(', '),
      missing.map((n) => n.pkg),
      missing.map((n) => n.for).join(' and ') + ' need them',
    )
  )
    return;
  for (const n of missing)
    say(`${n.pkg}: ${existsSync(n.program) ? n.program : 'still missing after apt-get'}`);
}

main();
