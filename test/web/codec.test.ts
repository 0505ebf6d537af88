import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { build, closeApps, cookieHeader, PASSWORDS, signIn, storeFor } from './support';

/**
 * The Temporal UI's codec endpoint served by the web app: a real inspection's start payload, as it is stored in
 * Temporal (encrypted), sent in the UI's JSON form; decoded only for a coordinator's session or the configured
 * bearer, cross-origin only from the UI's origin; every decode audited. On the time-skipping server.
 */
jest.setTimeout(240_000);
const UI = 'http://localhost:8233';
const BEARER = 'synthetic-codec-bearer-0123456789abcdef';
const ctx = useHarness({}, { env: { JTAI_CODEC_CORS_ORIGINS: `${UI}/`, JTAI_CODEC_BEARER: BEARER } });
afterEach(closeApps);

const b64 = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('base64');

test('POST /codec/decode: 401 without a session or bearer, 403 for a manager or another origin; a coordinator or the bearer gets the payload decoded', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2093-01-01');
  await skipTo(env, at(notifiedOn, 1, '10:00'));
  const now = await env.currentTimeMs();
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Codecton', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        // The start event's input as Temporal holds it, in the UI's JSON form (base64 fields).
        const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
        const stored = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        const payload = {
          metadata: Object.fromEntries(Object.entries(stored?.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
          data: b64(stored?.data),
        };
        expect(Buffer.from(payload.data, 'base64').toString('latin1')).not.toContain('Codecton');
        const plain = {
          metadata: { encoding: b64(Buffer.from('json/plain')) },
          data: b64(Buffer.from('"as is"')),
        };
        const body = { payloads: [payload, plain] };

        const app = await build(h, () => now);
        const coordinator = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
        const manager = cookieHeader(await signIn(app, 'manager', PASSWORDS.manager));
        const decode = (headers: Record<string, string>) =>
          app.inject({
            method: 'POST',
            url: '/codec/decode',
            headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
            payload: JSON.stringify(body),
          });

        expect((await decode({})).statusCode).toBe(401);
        expect((await decode({ authorization: `Bearer ${BEARER.replace(/.$/, 'x')}` })).statusCode).toBe(401);
        expect((await decode({ cookie: manager })).statusCode).toBe(403);
        expect((await decode({ cookie: coordinator, origin: 'https://elsewhere.example' })).statusCode).toBe(
          403,
        );

        // The UI's preflight, then its call with the coordinator's cookie.
        const preflight = await app.inject({
          method: 'OPTIONS',
          url: '/codec/decode',
          headers: {
            origin: UI,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,x-namespace',
          },
        });
        expect(preflight.statusCode).toBe(204);
        expect(preflight.headers['access-control-allow-origin']).toBe(UI);
        expect(preflight.headers['access-control-allow-credentials']).toBe('true');
        expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/X-Namespace/i);

        for (const headers of <Record<string, string>[]>[
          { cookie: coordinator, origin: UI },
          { authorization: `Bearer ${BEARER}` },
        ]) {
          const res = await decode(headers);
          expect(res.statusCode).toBe(200);
          const [decoded, untouched] = res.json<{
            payloads: { metadata: Record<string, string>; data: string }[];
          }>().payloads;
          expect(Buffer.from(decoded?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
          const input = JSON.parse(Buffer.from(decoded?.data ?? '', 'base64').toString()) as {
            inspectionId: string;
            localAuthority: string;
          };
          expect(input).toMatchObject({ inspectionId, localAuthority: 'Codecton' });
          expect(untouched).toEqual(plain);
        }
        expect(
          (await decode({ cookie: coordinator, origin: UI })).headers['access-control-allow-origin'],
        ).toBe(UI);

        const lines = (await (await storeFor(h)).audit.list()).filter((l) => l.action === 'payloads.decoded');
        expect(lines.map((l) => [l.actor, l.details])).toEqual([
          [
            { kind: 'user', username: 'coord' },
            { count: 2, namespace: 'default', via: 'session' },
          ],
          [
            { kind: 'system', name: 'codec-bearer' },
            { count: 2, namespace: 'default' },
          ],
          [
            { kind: 'user', username: 'coord' },
            { count: 2, namespace: 'default', via: 'session' },
          ],
        ]);
      },
    ),
  );
});
