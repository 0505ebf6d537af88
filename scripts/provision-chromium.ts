/**
 * Makes sure Debian's Chromium is on this machine for the browser tests (`npm test` runs this before jest).
 * Installs it with apt-get when it is missing and we may (root, apt-get present); otherwise says how.
 * Playwright's own browser download cannot work here, so it is never used.
 */
import { existsSync } from 'node:fs';
import { aptInstall } from './apt';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function main(): void {
  if (existsSync(CHROMIUM)) {
    process.stdout.write(`Chromium: ${CHROMIUM}\n`);
    return;
  }
  if (!aptInstall('Chromium', ['chromium'], 'the browser tests need it (or set CHROMIUM_PATH)')) return;
  process.stdout.write(`Chromium: ${existsSync(CHROMIUM) ? CHROMIUM : 'still missing after apt-get'}\n`);
}

main();
