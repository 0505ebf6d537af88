import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InspectionsClient } from '../../src/client/inspections';
import { createDeployment } from '../../src/infra';
import { loadConfig } from '../../src/infra/config';
import { openStore, type Store } from '../../src/infra/db';
import { buildApp } from '../../src/web/app';
import { basic, cookieHeader, PASSWORDS, signIn } from './support';

/**
 * The API's OpenAPI document against its routes, and what the route schemas answer before anything reaches
 * Temporal: no Temporal server here (the client's connection is lazy and never used).
 */
let dir: string;
let app: FastifyInstance;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-openapi-'));
  const deployment = createDeployment(loadConfig({ JTAI_DATA_DIR: dir }));
  store = await openStore(deployment.config.database);
  await store.users.set('coord', 'coordinator', PASSWORDS.coordinator);
  await store.users.set('manager', 'manager', PASSWORDS.manager);
  app = await buildApp({ client: new InspectionsClient(new Client(), deployment), deployment, store });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const coordinator = basic('coord', PASSWORDS.coordinator);

/** Every route with its methods, read from Fastify's own route tree (`printRoutes`). */
function routes(tree: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match?.[2]) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    const full = `${stack.at(-1) ?? ''}${match[2]}`;
    stack.push(full);
    const methods = (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD');
    if (methods.length) found.set(full, new Set([...(found.get(full) ?? []), ...methods]));
  }
  return found;
}

test('every API route is in the generated document with its methods, and nothing else is', async () => {
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
  }>();
  expect(doc.openapi).toBe('3.1.0');

  const api = [...routes(app.printRoutes({ commonPrefix: false }))]
    .filter(([url]) => url.startsWith('/api/') && url !== '/api/openapi.json')
    .map(([url, methods]) => [url.replace(/:(\w+)/g, '{$1}'), [...methods].sort()] as const);
  expect(api.length).toBeGreaterThanOrEqual(10);
  const documented = Object.entries(doc.paths).map(
    ([url, ops]) =>
      [
        url,
        Object.keys(ops)
          .map((m) => m.toUpperCase())
          .sort(),
      ] as const,
  );
  expect(new Map(documented)).toEqual(new Map(api));

  for (const [url, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${url}`;
      expect({ where, answers: Object.keys(op.responses) }).toEqual({
        where,
        answers: expect.arrayContaining(method === 'post' ? ['400', '401', '403', '415'] : ['401']),
      });
      if (method === 'post')
        expect({ where, body: op.requestBody }).toEqual({ where, body: expect.anything() });
    }
  }
});

test('the API acts only on a JSON body, for a signed-in browser and HTTP Basic alike: 415, as the document says', async () => {
  const session = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
  const form = await app.inject({
    method: 'POST',
    url: '/api/inspections/inspection-x-2026-11-23/cancel',
    headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'reason=cross-site',
  });
  expect(form.statusCode).toBe(415);
  expect(form.json()).toEqual({
    error: { type: 'UnsupportedMediaType', message: 'Send a JSON body (application/json).' },
  });
  for (const [type, payload] of [
    ['application/x-www-form-urlencoded', 'reason=cross-site'],
    ['text/plain', '{"reason":"cross-site"}'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--x--',
    ],
    ['application/jsonx', '{"reason":"cross-site"}'],
  ]) {
    const basic = await app.inject({
      method: 'POST',
      url: '/api/inspections/inspection-x-2026-11-23/cancel',
      headers: { ...coordinator, 'content-type': type as string },
      payload: payload as string,
    });
    expect({ type, status: basic.statusCode }).toEqual({ type, status: 415 });
  }
});

test('a body that does not match its schema is a 400 a person can act on; who may ask is checked first', async () => {
  const post = (url: string, headers: Record<string, string>, payload?: object) =>
    app.inject({ method: 'POST', url: `/api/inspections/inspection-x-2026-11-23${url}`, headers, payload });

  const extend = await post('/extend', coordinator, { deliverable: 'list-7', to: 'next Tuesday' });
  expect(extend.statusCode).toBe(400);
  expect(extend.json()).toEqual({
    error: {
      type: 'BadRequest',
      message: expect.stringMatching(
        /^Cannot read "next Tuesday" as a date and time: .* \(and 1 more problem\)$/,
      ),
    },
  });
  const empty = await post('/cancel', coordinator, {});
  expect(empty.json()).toEqual({
    error: { type: 'BadRequest', message: 'Enter a reason for cancelling the inspection.' },
  });
  // No body at all is no JSON either: a cross-site `fetch` without a body would otherwise get through.
  expect((await post('/links/police', coordinator)).statusCode).toBe(415);
  const agency = await post('/links/fire-service', coordinator, { revoke: true });
  expect(agency.statusCode).toBe(400);
  expect(agency.json<{ error: { message: string } }>().error.message).toMatch(
    /^Unknown agency "fire-service"/,
  );
  const contacts = await app.inject({
    method: 'POST',
    url: '/api/inspections',
    headers: coordinator,
    payload: {
      localAuthority: 'Example',
      notifiedOn: '23/11/2026',
      option: 'a',
      contactsYaml: 'coordinator: [',
    },
  });
  expect(contacts.statusCode).toBe(400);
  expect(contacts.json()).toMatchObject({
    error: { type: 'ContactsInvalid', message: expect.stringMatching(/^contacts\.yaml line 1: /) },
  });

  expect((await post('/cancel', {}, { reason: '' })).statusCode).toBe(401);
  expect((await post('/cancel', basic('manager', PASSWORDS.manager), { reason: '' })).statusCode).toBe(403);
});
