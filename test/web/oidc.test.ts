import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { InspectionsClient } from '../../src/client/inspections';
import { createDeployment } from '../../src/infra';
import { loadConfig } from '../../src/infra/config';
import { openStore, type Store } from '../../src/infra/db';
import { distState, ROOT } from '../../bin/dist';
import { buildApp } from '../../src/web/app';
import { startTestProvider, type TestAccount, type TestProvider } from '../support/oidc-provider';
import { freePort } from '../support/postgres';
import { cookieHeader, csrfFrom, keepCookies, overHttp, PASSWORDS, signIn, type Answer } from './support';

/**
 * Single sign-on for staff against a real OpenID Connect provider (oidc-provider on 127.0.0.1, a random port),
 * with real jtai web apps listening on loopback and every step over real HTTP, as a browser takes it: jtai's
 * /sign-in/sso, the provider's authorization endpoint and sign-in, the way back to jtai's callback. The store
 * is the embedded database (PGlite), its clock moved by the tests for the session timeouts. Temporal is not
 * needed (no page used here reads an inspection).
 */
const MINUTE = 60_000;
/** The store's clock (sessions): fixed, moved by the tests. The provider and openid-client use real time. */
let now = new Date('2090-03-04T09:00:00Z').getTime();

const COORDINATORS = 'jtai-coordinators';
const MANAGERS = 'jtai-managers';
const accounts: Record<string, TestAccount> = {
  alice: { preferred_username: 'alice@council.example', groups: [COORDINATORS, 'everyone'] },
  bob: { preferred_username: 'Bob@Council.example', groups: [MANAGERS] },
  carol: { preferred_username: 'carol@council.example', groups: ['everyone'] },
  gina: { preferred_username: 'gina@council.example', groups: [COORDINATORS] },
  dave: { email: 'dave@police.example' },
  erin: { email: 'erin@police.example' },
};

let dir: string;
let store: Store;
let provider: TestProvider;
/** Every line the apps logged (JSON). */
const logLines: string[] = [];
const apps: FastifyInstance[] = [];

/** A jtai web app on loopback: its base URL (WEB_BASE_URL, where the provider sends people back). */
async function startApp(port: number, env: Record<string, string>): Promise<string> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const deployment = createDeployment(loadConfig({ JTAI_DATA_DIR: dir, WEB_BASE_URL: baseUrl, ...env }));
  const app = await buildApp({
    client: new InspectionsClient(new Client(), deployment),
    deployment,
    store,
    logger: { level: 'info', stream: { write: (line) => void logLines.push(line) } },
  });
  apps.push(app);
  await app.listen({ port, host: '127.0.0.1' });
  return baseUrl;
}

/** Roles from the provider's groups; roles from jtai's users; SSO with an issuer the provider is not; none. */
let byGroups: string;
let byUsers: string;
let wrongIssuer: string;
let noSso: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-oidc-'));
  store = await openStore(loadConfig({ JTAI_DATA_DIR: dir }).database, { clock: () => new Date(now) });
  await store.users.set('coord', 'coordinator', PASSWORDS.coordinator);
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  provider = await startTestProvider({
    accounts,
    redirectUris: ports.map((p) => `http://127.0.0.1:${p}/sign-in/sso/callback`),
  });
  const sso = {
    JTAI_OIDC_ISSUER: provider.issuer,
    JTAI_OIDC_CLIENT_ID: provider.client.id,
    JTAI_OIDC_CLIENT_SECRET: provider.client.secret,
    JTAI_OIDC_LABEL: 'Council account',
  };
  const [p1 = 0, p2 = 0, p3 = 0, p4 = 0] = ports;
  byGroups = await startApp(p1, {
    ...sso,
    JTAI_OIDC_COORDINATOR_GROUPS: `${COORDINATORS}, someone-else`,
    JTAI_OIDC_MANAGER_GROUPS: MANAGERS,
  });
  byUsers = await startApp(p2, sso);
  // The same provider under another name: its discovery document names 127.0.0.1, not localhost.
  wrongIssuer = await startApp(p3, {
    ...sso,
    JTAI_OIDC_ISSUER: provider.issuer.replace('127.0.0.1', 'localhost'),
  });
  noSso = await startApp(p4, {});
}, 120_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  await provider?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  provider.tamperIdToken = undefined;
  accounts.alice = { preferred_username: 'alice@council.example', groups: [COORDINATORS, 'everyone'] };
});

const get = (base: string, url: string, jar: Record<string, string> = {}) =>
  overHttp(base).inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });

interface SsoRun {
  /** jtai's answer at its callback. */
  res: Answer;
  /** jtai's cookies after it. */
  jar: Record<string, string>;
  /** The callback URL as the provider gave it (before `alterCallback`). */
  callback: URL;
  /** jtai's cookies as they were when the browser arrived at the callback. */
  before: Record<string, string>;
}

/**
 * A browser signing in through the provider: jtai's /sign-in/sso, the provider's authorization endpoint, the
 * person signing in as `account` there, then back to jtai's callback. The hostile tests change the
 * authorization request or the callback on the way.
 */
async function ssoSignIn(
  base: string,
  account: string,
  options: {
    next?: string;
    jar?: Record<string, string>;
    alterAuthorization?: (url: URL) => void;
    alterCallback?: (url: URL) => void;
  } = {},
): Promise<SsoRun> {
  const jar = { ...options.jar };
  const start = await get(
    base,
    `/sign-in/sso${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`,
    jar,
  );
  expect(start.statusCode).toBe(302);
  keepCookies(jar, start);
  const authorization = new URL(String(start.headers.location));
  expect(authorization.origin).toBe(provider.issuer);
  options.alterAuthorization?.(authorization);

  // At the provider: its own cookies (another site to the browser).
  const idpJar: Record<string, string> = {};
  let at = authorization.href;
  for (let hop = 0; hop < 5; hop++) {
    const res = await get(provider.issuer, at, idpJar);
    keepCookies(idpJar, res);
    expect([302, 303]).toContain(res.statusCode);
    const next = new URL(String(res.headers.location), at);
    if (next.origin !== provider.issuer) {
      const callback = new URL(next.href);
      options.alterCallback?.(next);
      const before = { ...jar };
      const back = await get(base, `${next.pathname}${next.search}`, jar);
      return { res: back, jar: keepCookies(jar, back), callback, before };
    }
    // The provider's sign-in page: the person signs in as `account`.
    if (next.pathname.startsWith('/interaction/')) next.searchParams.set('as', account);
    at = next.href;
  }
  throw new Error('The provider did not send the browser back');
}

/** The session a cookie jar holds, as the store resumes it (role and all), if any. */
const sessionOf = (jar: Record<string, string>) =>
  jar.jtai_session ? store.sessions.resume(jar.jtai_session) : Promise.resolve(undefined);

/** The log lines refusing a sign-in, parsed. */
const refusals = () =>
  logLines
    .map((l) => JSON.parse(l) as { level: number; msg: string; via?: string; reason?: string })
    .filter((l) => l.msg === 'sign-in refused' && l.via === 'sso');

/** A hostile callback's answer: refused, no session, a warning in the log that holds no token or code. */
function expectRefused(run: SsoRun, status: number, reason: RegExp): void {
  expect(run.res.statusCode).toBe(status);
  expect(run.res.body).toContain('Sign-in did not work');
  expect(run.res.cookies.find((c) => c.name === 'jtai_session')).toBeUndefined();
  expect(run.jar.jtai_session).toBeUndefined();
  const last = refusals().at(-1);
  expect(last?.level).toBe(40);
  expect(last?.reason).toMatch(reason);
  const logs = logLines.join('\n');
  const code = run.callback.searchParams.get('code') ?? '';
  expect(code.length).toBeGreaterThan(10);
  for (const secret of [code, provider.client.secret, ...provider.idTokens.flatMap((t) => t.split('.'))])
    expect(logs).not.toContain(secret);
}

test('without OIDC settings the sign-in page is as before; with them it offers the organisation account', async () => {
  const plain = await get(noSso, '/sign-in');
  expect(plain.statusCode).toBe(200);
  expect(plain.body).not.toContain('/sign-in/sso');
  expect((await get(noSso, '/sign-in/sso')).statusCode).toBe(404);
  expect((await get(noSso, '/sign-in/sso/callback?code=x&state=y')).statusCode).toBe(404);

  const offered = await get(byGroups, '/sign-in?next=%2Fusers');
  expect(offered.statusCode).toBe(200);
  expect(offered.body).toContain('Sign in with Council account');
  expect(offered.body).toContain('href="/sign-in/sso?next=%2Fusers"');
  // The password form is still there.
  expect(offered.body).toContain('name="password"');
  expect(() => loadConfig({ JTAI_OIDC_ISSUER: 'https://login.example/tenant/v2.0' })).toThrow(
    /JTAI_OIDC_CLIENT_ID: required/,
  );
  expect(() => loadConfig({ JTAI_OIDC_ISSUER: 'http://idp.example/', JTAI_OIDC_CLIENT_ID: 'x' })).toThrow(
    /JTAI_OIDC_ISSUER: must be https/,
  );
  // docker-compose.yml passes the variables through empty when .env does not set them: off.
  expect(
    loadConfig({ JTAI_OIDC_ISSUER: '', JTAI_OIDC_CLIENT_ID: '', JTAI_OIDC_LABEL: '' }).oidc,
  ).toBeUndefined();
  // The client secret from a file, as the other secrets; the redirect URI from WEB_BASE_URL.
  const secretFile = path.join(dir, 'oidc_client_secret');
  await writeFile(secretFile, 'from-a-file\n');
  expect(
    loadConfig({
      WEB_BASE_URL: 'https://jtai.council.example/',
      JTAI_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
      JTAI_OIDC_CLIENT_ID: 'client',
      JTAI_OIDC_CLIENT_SECRET_FILE: secretFile,
      JTAI_OIDC_MANAGER_GROUPS: ' a , b,',
    }).oidc,
  ).toMatchObject({
    clientSecret: 'from-a-file',
    redirectUri: 'https://jtai.council.example/sign-in/sso/callback',
    label: 'your organisation account',
    roles: { from: 'groups', groups: { coordinator: [], manager: ['a', 'b'] } },
  });
});

test('a member of the coordinators group gets a coordinator session like a password sign-in: audited, same timeouts, new CSRF secret, sign-out ends it', async () => {
  // The sign-in page first, as a browser would: a pre-session CSRF token.
  const page = await get(byGroups, '/sign-in');
  const jar = keepCookies({}, page);
  const preSessionToken = csrfFrom(page.body);
  expect(jar.jtai_csrf).toBeDefined();

  const run = await ssoSignIn(byGroups, 'alice', { next: '/users', jar });
  expect(run.res.statusCode).toBe(303);
  expect(run.res.headers.location).toBe('/users');
  // The pending sign-in cookie and the pre-session CSRF secret are gone.
  expect(run.jar.jtai_sso).toBeUndefined();
  expect(run.jar.jtai_csrf).toBeUndefined();
  const session = await sessionOf(run.jar);
  expect(session).toMatchObject({ username: 'alice@council.example', role: 'coordinator' });
  expect(session!.expiresAt.getTime() - now).toBe(10 * 60 * MINUTE);
  expect(await store.users.find('alice@council.example')).toMatchObject({
    role: 'coordinator',
    hasPassword: false,
    oidc: { issuer: provider.issuer, subject: 'alice' },
  });
  const users = await get(byGroups, '/users', run.jar);
  expect(users.statusCode).toBe(200);
  const row = (name: string) =>
    new RegExp(
      `${name.replace(/\./g, '\\.')}</td>\\s*<td[^>]*>\\s*\\w+\\s*</td>\\s*<td[^>]*>\\s*([^<]*?)\\s*</td>`,
    ).exec(users.body)?.[1];
  expect(row('alice@council.example')).toBe('organisation account');
  expect(row('coord')).toBe('password');
  const audit = (await store.audit.list({ limit: 1000 })).filter(
    (l) => l.actor.kind === 'user' && l.actor.username === 'alice@council.example',
  );
  expect(audit.map((l) => [l.action, l.details, l.clientAddress])).toEqual([
    ['user.signed-in', { via: 'sso', role: 'coordinator' }, '127.0.0.1'],
  ]);

  // The token from before sign-in is refused; the session's own works, and signing out ends the session.
  const refused = await overHttp(byGroups).inject({
    method: 'POST',
    url: '/sign-out',
    headers: { cookie: cookieHeader(run.jar) },
    payload: { _csrf: preSessionToken },
  });
  expect(refused.statusCode).toBe(403);
  const out = await overHttp(byGroups).inject({
    method: 'POST',
    url: '/sign-out',
    headers: { cookie: cookieHeader(run.jar) },
    payload: { _csrf: csrfFrom(users.body) },
  });
  expect(out.statusCode).toBe(303);
  expect(await sessionOf(run.jar)).toBeUndefined();

  // A second sign-in is matched by identity; 31 minutes unused ends it, as a password session.
  const again = await ssoSignIn(byGroups, 'alice');
  expect(again.res.headers.location).toBe('/');
  expect(await sessionOf(again.jar)).toBeDefined();
  now += 31 * MINUTE;
  expect(await sessionOf(again.jar)).toBeUndefined();
  expect((await get(byGroups, '/users', again.jar)).statusCode).toBe(302);
});

test('a member of the managers group gets the read-only manager role; its username is kept in lower case', async () => {
  const run = await ssoSignIn(byGroups, 'bob');
  expect(run.res.statusCode).toBe(303);
  expect(await sessionOf(run.jar)).toMatchObject({ username: 'bob@council.example', role: 'manager' });
  // Managers read; the Users page is for coordinators.
  expect((await get(byGroups, '/users', run.jar)).statusCode).toBe(403);
});

test('someone in no mapped group gets a "no access" page (403) and no session; leaving the group ends the sessions they had', async () => {
  const run = await ssoSignIn(byGroups, 'carol');
  expect(run.res.statusCode).toBe(403);
  expect(run.res.body).toContain('You do not have access to this service');
  expect(run.res.body).toContain('not in any of the groups');
  expect(run.jar.jtai_session).toBeUndefined();
  expect(await store.users.find('carol@council.example')).toBeUndefined();
  expect(refusals().at(-1)).toMatchObject({ level: 40, reason: 'no-group' });

  const earlier = await ssoSignIn(byGroups, 'alice');
  expect(await sessionOf(earlier.jar)).toBeDefined();
  accounts.alice = { preferred_username: 'alice@council.example', groups: ['everyone'] };
  const later = await ssoSignIn(byGroups, 'alice');
  expect(later.res.statusCode).toBe(403);
  expect(await sessionOf(earlier.jar)).toBeUndefined();
});

test('someone whose username is already a local account is not given it', async () => {
  await store.users.set('gina@council.example', 'manager', PASSWORDS.manager);
  const run = await ssoSignIn(byGroups, 'gina');
  expect(run.res.statusCode).toBe(403);
  expect(run.res.body).toContain('Another account of this service already has your username');
  expect(await store.users.find('gina@council.example')).toMatchObject({ role: 'manager' });
  expect((await store.users.find('gina@council.example'))?.oidc).toBeUndefined();
});

test('roles from jtai’s users: someone on the list (matched by email) signs in with their role there; anyone else gets "no access"', async () => {
  await store.users.set('dave@police.example', 'manager', PASSWORDS.manager);
  const dave = await ssoSignIn(byUsers, 'dave');
  expect(dave.res.statusCode).toBe(303);
  expect(await sessionOf(dave.jar)).toMatchObject({ username: 'dave@police.example', role: 'manager' });
  expect((await store.users.find('dave@police.example'))?.oidc).toEqual({
    issuer: provider.issuer,
    subject: 'dave',
  });
  // The password still works beside it (a small deployment's local accounts stay).
  expect(
    await sessionOf(await signIn(overHttp(byUsers), 'dave@police.example', PASSWORDS.manager)),
  ).toBeDefined();

  const erin = await ssoSignIn(byUsers, 'erin');
  expect(erin.res.statusCode).toBe(403);
  expect(erin.res.body).toContain('not on this service’s list of users');
  expect(erin.jar.jtai_session).toBeUndefined();
  expect(await store.users.find('erin@police.example')).toBeUndefined();

  // Disabled on the Users page: no way in through the provider either.
  await store.users.setDisabled('dave@police.example', true);
  const disabled = await ssoSignIn(byUsers, 'dave');
  expect(disabled.res.statusCode).toBe(403);
  expect(disabled.res.body).toContain('has been turned off');
});

test('a callback with another state is refused: no session, a warning without the code', async () => {
  const run = await ssoSignIn(byGroups, 'alice', {
    alterCallback: (url) => url.searchParams.set('state', 'not-the-state-jtai-sent'),
  });
  expectRefused(run, 400, /state/);
});

test('a code used once is refused the second time, with or without the pending sign-in cookie', async () => {
  const run = await ssoSignIn(byGroups, 'alice');
  expect(run.res.statusCode).toBe(303);
  const replay = `${run.callback.pathname}${run.callback.search}`;
  // The browser's jar kept from before the callback (an attacker's copy): the provider refuses the code.
  const again = await get(byGroups, replay, run.before);
  expectRefused({ ...run, res: again, jar: keepCookies({ ...run.before }, again) }, 400, /invalid_grant/);
  // The browser's own jar afterwards: the pending sign-in is gone.
  const withoutPending = await get(byGroups, replay, { ...run.jar, jtai_session: '' });
  expectRefused(
    { ...run, res: withoutPending, jar: keepCookies({}, withoutPending) },
    400,
    /no sign-in in progress/,
  );
});

test('an ID token with another nonce than jtai sent is refused', async () => {
  const run = await ssoSignIn(byGroups, 'alice', {
    alterAuthorization: (url) => url.searchParams.set('nonce', 'a-nonce-jtai-never-made-0123456789'),
  });
  expectRefused(run, 400, /nonce/);
});

test('an ID token changed on its way (a group added, the signature kept) is refused; the person is not added', async () => {
  provider.tamperIdToken = (claims) => ({ ...claims, groups: [COORDINATORS] });
  const run = await ssoSignIn(byGroups, 'carol');
  expectRefused(run, 400, /signature/i);
  expect(await store.users.find('carol@council.example')).toBeUndefined();
});

test('an issuer other than the configured one is refused: in the callback, and in the discovery document', async () => {
  const run = await ssoSignIn(byGroups, 'alice', {
    alterCallback: (url) => url.searchParams.set('iss', 'https://impostor.example'),
  });
  expectRefused(run, 400, /iss/);

  const start = await get(wrongIssuer, '/sign-in/sso');
  expect(start.statusCode).toBe(502);
  expect(start.body).toContain('Sign-in is not working at the moment');
  expect(start.cookies.find((c) => c.name === 'jtai_sso')).toBeUndefined();
  expect(refusals().at(-1)).toMatchObject({ level: 40, reason: expect.stringMatching(/issuer/i) });
});

test('a pending sign-in cookie jtai did not make is refused', async () => {
  const run = await ssoSignIn(byGroups, 'alice', {
    jar: {},
    alterCallback: () => undefined,
  });
  expect(run.res.statusCode).toBe(303);
  const forged = await get(byGroups, `${run.callback.pathname}${run.callback.search}`, {
    jtai_sso: Buffer.alloc(80, 7).toString('base64url'),
  });
  expect(forged.statusCode).toBe(400);
  expect(refusals().at(-1)).toMatchObject({ reason: expect.stringMatching(/not one this service made/) });
});

test('`next` after single sign-on stays on this site', async () => {
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/sign-in/sso']) {
    const run = await ssoSignIn(byGroups, 'alice', { next });
    expect([next, run.res.statusCode, run.res.headers.location]).toEqual([next, 303, '/']);
  }
  const kept = await ssoSignIn(byGroups, 'alice', { next: '/users?sort=name' });
  expect(kept.res.headers.location).toBe('/users?sort=name');
});

// `npx jest` alone does not build dist/; npm test (and CI) does.
const built = distState().state === 'fresh' || process.env.CI ? test : test.skip;

built(
  'the build keeps openid-client’s import() (an ES module), and plain node loads it and starts a sign-in',
  async () => {
    const file = path.join(ROOT, 'dist', 'infra', 'oidc.js');
    const compiled = await readFile(file, 'utf8');
    expect(compiled).toContain('import("openid-client")');
    expect(compiled).not.toMatch(/require\(["']openid-client["']\)/);
    const settings = {
      issuer: provider.issuer,
      clientId: provider.client.id,
      clientSecret: provider.client.secret,
      label: 'x',
      redirectUri: `${byGroups}/sign-in/sso/callback`,
      scopes: 'openid',
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      roles: { from: 'users' },
    };
    const script = `require(${JSON.stringify(file)}).createOidcSignIn(${JSON.stringify(settings)}, () => Buffer.alloc(32, 1))
    .begin('/', Date.now()).then((r) => console.log(r.url), (e) => { console.error(e); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const url = stdout.trim();
    expect(new URL(url).origin).toBe(provider.issuer);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
  },
);

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// As test/web/browser.test.ts: skipped only when said so.
const browserTest = process.env.JTAI_SKIP_BROWSER === '1' ? test.skip : test;

browserTest(
  'in a real browser: a page asked for, the button, the provider, and back on that page signed in; no access is a page',
  async () => {
    const profile = await mkdtemp(path.join(tmpdir(), 'jtai-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await context.newPage();
      const signInAs = async (account: string) => {
        await page.getByRole('button', { name: 'Sign in with Council account' }).click();
        await page.waitForURL(new RegExp(`^${provider.issuer}/interaction/`));
        await page.fill('#as', account);
        await page.getByRole('button', { name: 'Continue' }).click();
      };
      await page.goto(`${byGroups}/users`);
      expect(page.url()).toBe(`${byGroups}/sign-in?next=%2Fusers`);
      await signInAs('alice');
      await page.waitForURL(`${byGroups}/users`);
      expect(await page.locator('h1').textContent()).toBe('Users');
      // Signed out through the page's own button, then someone with no mapped group.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${byGroups}/sign-in`);
      // Signed out of the provider too (its cookies: the same host to the browser), then someone else.
      await context.clearCookies({ name: /^_session/ });
      await signInAs('carol');
      await page.waitForURL(`${byGroups}/sign-in/sso/callback?**`);
      expect(await page.locator('h1').textContent()).toBe('You do not have access to this service');
      expect((await context.cookies(byGroups)).map((c) => c.name)).not.toContain('jtai_session');
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  },
  120_000,
);
