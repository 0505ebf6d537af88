import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InspectionsClient } from '../../src/client/inspections';
import { createDeployment, type Deployment } from '../../src/infra';
import { loadConfig } from '../../src/infra/config';
import { openStore, usersFileOf, type Store } from '../../src/infra/db';
import { buildApp } from '../../src/web/app';
import { legacyUsersFile } from '../infra/db/legacy-users';
import {
  basic,
  cookieHeader,
  csrfFrom,
  keepCookies,
  PASSWORDS,
  postSignIn as postSignInTo,
  signIn,
} from './support';

/**
 * Staff sign-in on the relational store, through the real app and a real embedded database (PGlite) under a
 * data dir: sessions the server can end (sign-out, a new password, removal, 30 minutes unused), lockout after
 * repeated wrong passwords (form and HTTP Basic) logged without the password and audited, `next` kept to this
 * site, the users file of earlier versions imported. None of it needs
 * Temporal: the client is never connected (the pages used here do not read inspections).
 */
const MINUTE = 60_000;
let dir: string;
let deployment: Deployment;
let store: Store;
let app: FastifyInstance;
/** The store's clock (sessions, lockout windows), moved by the tests. */
let now = new Date('2026-11-23T09:00:00Z').getTime();
const advance = (ms: number) => (now += ms);
/** Every line the app logged (JSON). */
const logLines: string[] = [];

const USERS_FILE_PASSWORD = 'legacy-users-file-password';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-sessions-'));
  deployment = createDeployment(loadConfig({ JTAI_DATA_DIR: dir }));
  // An installation of an earlier version: its users file.
  await legacyUsersFile(dir).set('olduser', 'coordinator', USERS_FILE_PASSWORD);
  // As server.ts opens it.
  store = await openStore(deployment.config.database, {
    usersFile: usersFileOf(dir),
    clock: () => new Date(now),
  });
  await store.users.set('coord', 'coordinator', PASSWORDS.coordinator);
  await store.users.set('manager', 'manager', PASSWORDS.manager);
  app = await buildApp({
    client: new InspectionsClient(new Client(), deployment),
    deployment,
    store,
    logger: { level: 'info', stream: { write: (line) => void logLines.push(line) } },
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Whether a cookie jar is signed in: the sign-in page sends a signed-in visitor on, and shows others the form. */
async function signedIn(jar: Record<string, string>): Promise<boolean> {
  const res = await app.inject({ method: 'GET', url: '/sign-in', headers: { cookie: cookieHeader(jar) } });
  expect([200, 302]).toContain(res.statusCode);
  return res.statusCode === 302;
}

/** The sign-in form posted once, as a browser would. */
const postSignIn = (username: string, password: string, next = '') =>
  postSignInTo(app, username, password, next);

async function usersPage(jar: Record<string, string>) {
  const page = await app.inject({ method: 'GET', url: '/users', headers: { cookie: cookieHeader(jar) } });
  expect(page.statusCode).toBe(200);
  return csrfFrom(page.body);
}

/** The Users page's form posted, and the page it redirects to read: that page's address and the password. */
async function giveNewPassword(jar: Record<string, string>, username: string, role: string) {
  const posted = await app.inject({
    method: 'POST',
    url: '/users',
    headers: { cookie: cookieHeader(jar) },
    payload: { _csrf: await usersPage(jar), username, role },
  });
  expect(posted.statusCode).toBe(303);
  const next = posted.headers.location as string;
  const shown = await app.inject({ method: 'GET', url: next, headers: { cookie: cookieHeader(jar) } });
  expect(shown.statusCode).toBe(200);
  return { next, password: /<code class="jtai-hash">([^<]+)<\/code>/.exec(shown.body)?.[1] ?? '' };
}

const auditOf = async (username: string) =>
  (await store.audit.list({ limit: 1000 })).filter(
    (l) => l.actor.kind === 'user' && l.actor.username === username,
  );

test('sign-out ends the session on the server: the same cookie afterwards is signed out', async () => {
  const jar = await signIn(app, 'coord', PASSWORDS.coordinator);
  const stolen = { ...jar };
  expect(await signedIn(jar)).toBe(true);
  const csrf = await usersPage(jar);
  const out = await app.inject({
    method: 'POST',
    url: '/sign-out',
    headers: { cookie: cookieHeader(jar) },
    payload: { _csrf: csrf },
  });
  expect(out.statusCode).toBe(303);
  expect(out.headers.location).toBe('/sign-in');
  // The cookie as it was before sign-out (kept by an attacker, or a browser that ignored the clearing).
  expect(await signedIn(stolen)).toBe(false);
  const users = await app.inject({ method: 'GET', url: '/users', headers: { cookie: cookieHeader(stolen) } });
  expect(users.statusCode).toBe(302);
  expect(users.headers.location).toBe('/sign-in?next=%2Fusers');
  expect((await auditOf('coord')).map((l) => l.action)).toEqual(
    expect.arrayContaining(['user.signed-in', 'user.signed-out']),
  );
});

test('a form token from another session, or from before sign-in, is refused', async () => {
  const before = await app.inject({ method: 'GET', url: '/sign-in' });
  const preSessionToken = csrfFrom(before.body);
  const first = await signIn(app, 'coord', PASSWORDS.coordinator);
  const firstToken = await usersPage(first);
  const second = await signIn(app, 'coord', PASSWORDS.coordinator);
  for (const token of [firstToken, preSessionToken]) {
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { cookie: cookieHeader(second) },
      payload: { _csrf: token, username: 'mallory', role: 'coordinator' },
    });
    expect(res.statusCode).toBe(403);
  }
  expect(await store.users.find('mallory')).toBeUndefined();
});

test('a new password or removal on the Users page ends that person’s sessions at once; both are audited', async () => {
  await store.users.set('mary', 'manager', PASSWORDS.manager);
  const mary = await signIn(app, 'mary', PASSWORDS.manager);
  expect(await signedIn(mary)).toBe(true);
  const coord = await signIn(app, 'coord', PASSWORDS.coordinator);

  // Post/redirect/get: the password is on the page the POST sends the browser to, once; a reload shows the
  // page without it and changes nothing.
  const { next, password: newPassword } = await giveNewPassword(coord, 'mary', 'manager');
  expect(newPassword.length).toBeGreaterThanOrEqual(12);
  const reloaded = await app.inject({ method: 'GET', url: next, headers: { cookie: cookieHeader(coord) } });
  expect(reloaded.statusCode).toBe(200);
  expect(reloaded.body).not.toContain('jtai-hash');
  expect(reloaded.body).not.toContain(newPassword);
  expect(await signedIn(mary)).toBe(false);
  await expect(signIn(app, 'mary', PASSWORDS.manager)).rejects.toThrow(/400/);
  const again = await signIn(app, 'mary', newPassword);
  expect(await signedIn(again)).toBe(true);

  const removed = await app.inject({
    method: 'POST',
    url: '/users/remove',
    headers: { cookie: cookieHeader(coord) },
    payload: { _csrf: await usersPage(coord), username: 'mary' },
  });
  expect(removed.statusCode).toBe(303);
  expect(await signedIn(again)).toBe(false);

  const lines = (await auditOf('coord')).filter((l) => l.details.user === 'mary');
  expect(lines.map((l) => [l.action, l.clientAddress])).toEqual([
    ['user.changed', '127.0.0.1'],
    ['user.removed', '127.0.0.1'],
  ]);
  // The new password is in no audit line and no log line.
  expect(JSON.stringify(await store.audit.list({ limit: 1000 }))).not.toContain(newPassword);
  expect(logLines.join('')).not.toContain(newPassword);
});

test('a session unused for 30 minutes is ended; one in use lasts, up to 10 hours', async () => {
  const idle = await signIn(app, 'coord', PASSWORDS.coordinator);
  const busy = await signIn(app, 'coord', PASSWORDS.coordinator);
  advance(20 * MINUTE);
  expect(await signedIn(busy)).toBe(true);
  advance(20 * MINUTE);
  expect(await signedIn(idle)).toBe(false);
  expect(await signedIn(busy)).toBe(true);
  for (let i = 0; i < 27; i++) {
    advance(20 * MINUTE);
    expect(await signedIn(busy)).toBe(true);
  }
  // 9 h 40 min after sign-in, touched every 20 minutes; 25 minutes more is 10 h 5 min: over, though not idle.
  advance(25 * MINUTE);
  expect(await signedIn(busy)).toBe(false);
});

test('five wrong passwords lock the username: the right one is then refused (429) without a check; logged at warn without the password; audited', async () => {
  await store.users.set('lucy', 'coordinator', PASSWORDS.coordinator);
  const wrong = 'lucy-wrong-password-';
  for (let i = 1; i <= 5; i++) {
    const { res } = await postSignIn('lucy', `${wrong}${i}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The username or password is not right');
  }
  const { res: locked } = await postSignIn('lucy', PASSWORDS.coordinator);
  expect(locked.statusCode).toBe(429);
  expect(locked.body).toContain('Too many wrong passwords. Sign-in is locked until');
  expect(locked.cookies.find((c) => c.name === 'jtai_session')).toBeUndefined();
  // Basic on the API is locked too: the same count.
  const api = await app.inject({
    method: 'GET',
    url: '/api/inspections',
    headers: basic('lucy', PASSWORDS.coordinator),
  });
  expect(api.statusCode).toBe(429);
  expect(api.json()).toMatchObject({ error: { type: 'TooManyAttempts' } });

  const refusals = logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'sign-in refused' && l.username === 'lucy');
  expect(refusals.map((l) => [l.level, l.reason])).toEqual([
    ...Array.from({ length: 5 }, () => [40, 'wrong']),
    [40, 'locked'],
    [40, 'locked'],
  ]);
  expect(refusals[0]).toMatchObject({ client: '127.0.0.1', via: 'form' });
  const logs = logLines.join('');
  expect(logs).not.toContain(wrong);
  expect(logs).not.toContain(PASSWORDS.coordinator);
  // A typed username that is no user's (it may be a password typed in the wrong box) is not logged.
  await postSignIn('hunter2-typed-in-the-username-box', 'x');
  expect(logLines.join('')).not.toContain('hunter2');

  const lines = await auditOf('lucy');
  expect(lines.map((l) => [l.action, l.details.by, l.details.via])).toEqual([
    ['user.locked-out', 'username', 'form'],
  ]);

  // The lock lifts by itself after its window (15 minutes).
  advance(16 * MINUTE);
  const { res: after } = await postSignIn('lucy', PASSWORDS.coordinator);
  expect(after.statusCode).toBe(303);
});

test('a coordinator’s new password for a locked-out person lets them sign in at once', async () => {
  await store.users.set('rita', 'manager', PASSWORDS.manager);
  for (let i = 1; i <= 5; i++) await postSignIn('rita', `rita-wrong-${i}`);
  const { res: locked } = await postSignIn('rita', PASSWORDS.manager);
  expect(locked.statusCode).toBe(429);
  expect(locked.body).toContain('ask a coordinator for a new password');
  const coord = await signIn(app, 'coord', PASSWORDS.coordinator);
  const { password: newPassword } = await giveNewPassword(coord, 'rita', 'manager');
  const { res } = await postSignIn('rita', newPassword);
  expect(res.statusCode).toBe(303);
  advance(16 * MINUTE); // the client address's failures out of the window for the next test
});

test('twenty wrong HTTP Basic attempts are refused, then the API answers 429 even to a right password', async () => {
  await store.users.set('basil', 'coordinator', PASSWORDS.coordinator);
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({
      method: 'GET',
      url: '/api/inspections',
      headers: basic('basil', `wrong-${i}`),
    });
    statuses.push(res.statusCode);
  }
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
  const right = await app.inject({
    method: 'GET',
    url: '/api/inspections',
    headers: basic('basil', PASSWORDS.coordinator),
  });
  expect(right.statusCode).toBe(429);
  // Wrong Basic credentials are not rescued by a good session cookie either.
  const jar = await signIn(app, 'coord', PASSWORDS.coordinator);
  const both = await app.inject({
    method: 'GET',
    url: '/api/inspections',
    headers: { ...basic('coord', 'wrong'), cookie: cookieHeader(jar) },
  });
  expect(both.statusCode).toBe(401);
  advance(16 * MINUTE);
});

test.each([
  ['/\\evil.example/x', '/'],
  ['//evil.example/x', '/'],
  ['https://evil.example/x', '/'],
  ['/\t/evil.example', '/'],
  ['/sign-out', '/'],
  ['/inspections/inspection-x-2026-11-23?done=started', '/inspections/inspection-x-2026-11-23?done=started'],
])('after sign-in, next=%j goes to %j', async (next, expected) => {
  // As the sign-in page is reached: the query string's `next` goes into the form.
  const page = await app.inject({ method: 'GET', url: `/sign-in?next=${encodeURIComponent(next)}` });
  if (expected === '/') expect(page.body).not.toContain('evil.example');
  const { res } = await postSignIn('coord', PASSWORDS.coordinator, next);
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe(expected);
});

test('the users file of an earlier version was imported: its people sign in with their passwords', async () => {
  const jar = await signIn(app, 'olduser', USERS_FILE_PASSWORD);
  expect(await signedIn(jar)).toBe(true);
  expect(await store.users.find('olduser')).toMatchObject({ role: 'coordinator' });
});

test('the client address in the audit log is the socket’s, or a trusted proxy’s X-Forwarded-For (WEB_TRUST_PROXY)', async () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9' };
  const signInFrom = async (target: FastifyInstance) => {
    const jar: Record<string, string> = {};
    const page = await target.inject({ method: 'GET', url: '/sign-in', headers: forwarded });
    keepCookies(jar, page);
    const res = await target.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { ...forwarded, cookie: cookieHeader(jar) },
      payload: { username: 'coord', password: PASSWORDS.coordinator, _csrf: csrfFrom(page.body) },
    });
    expect(res.statusCode).toBe(303);
    const lines = await auditOf('coord');
    return lines[lines.length - 1];
  };
  // Not trusted (the default): a client cannot choose the address its lockout and audit lines are counted by.
  expect(await signInFrom(app)).toMatchObject({ action: 'user.signed-in', clientAddress: '127.0.0.1' });
  const behindProxy = await buildApp({
    client: new InspectionsClient(new Client(), deployment),
    deployment: createDeployment(loadConfig({ JTAI_DATA_DIR: dir, WEB_TRUST_PROXY: 'loopback' })),
    store,
  });
  try {
    expect(await signInFrom(behindProxy)).toMatchObject({
      action: 'user.signed-in',
      clientAddress: '203.0.113.9',
    });
  } finally {
    await behindProxy.close();
  }
});

test('the data folder is made private (0700) when the deployment is created', async () => {
  const data = path.join(dir, 'fresh-data');
  await mkdir(data, { mode: 0o755 });
  await chmod(data, 0o755);
  createDeployment(loadConfig({ JTAI_DATA_DIR: data }));
  expect((await stat(data)).mode & 0o777).toBe(0o700);
});
