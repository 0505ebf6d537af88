import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * A real browser for page tests: Debian's Chromium through playwright-core, headless, nothing fetched from the
 * network; axe-core run in the page; screenshots to $JTAI_SCREENSHOTS when set (the README's are refreshed with
 * `JTAI_SCREENSHOTS=docs/screenshots npx jest test/web/<file>`), otherwise to a temporary folder.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// A missing browser fails the run (npm test installs it where it can); skipping needs saying so: JTAI_SKIP_BROWSER=1.
const skipBrowser = process.env.JTAI_SKIP_BROWSER === '1';
if (!skipBrowser && !existsSync(CHROMIUM)) {
  throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
}
export const browserTest = skipBrowser ? test.skip : test;
const SHOTS = path.resolve(process.env.JTAI_SCREENSHOTS || path.join(tmpdir(), 'jtai-screenshots'));

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (removed on close), 1024 × 800. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'jtai-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1024, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: Promise<string> | undefined;
/** axe-core in the page (evaluated over CDP, so the page's CSP does not block it): no serious or critical. */
export async function accessible(page: Page, what: string): Promise<void> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await axeSource);
  // A string, run in the page: this file is compiled without the DOM's types.
  const violations = await page.evaluate<string[]>(`
    axe.run().then((result) => result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))
  `);
  expect({ page: what, violations }).toEqual({ page: what, violations: [] });
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}
