import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { auditStaff } from './audit';
import { canAct } from './auth';
import { sendError } from './http';

/**
 * The payload codec endpoint for the Temporal UI (Temporal's codec server protocol): `POST /codec/decode` with
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, answered in the same shape, each payload jtai
 * encrypted decoded with the payload keyring (others returned as they came). Payloads hold child IDs, so only a
 * coordinator's session (the UI sends the cookie with "include credentials") or the bearer token from config
 * (`JTAI_CODEC_BEARER`) may call it: 401 otherwise, 403 for a manager. Cross-origin calls only from the origins in
 * `JTAI_CODEC_CORS_ORIGINS` (the UI's). Each call is a line of the audit log (how many payloads, never what).
 * There is no encode endpoint: the UI never needs to make payloads jtai would trust.
 */

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const ENCRYPTED = 'binary/encrypted';
const MAX_PAYLOADS = 1000;

export function codecRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const { corsOrigins, bearer } = app.deployment.config.web.codec;
  const codec = app.deployment.dataConverter.payloadCodecs[0];

  // Cross-origin: only the UI's origins, with credentials; anything else is refused before it is read.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (!corsOrigins.includes(origin))
      return sendError(request, reply, 403, 'Forbidden', 'This origin may not call the codec.');
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('vary', 'Origin');
  });

  app.options('/decode', (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'Content-Type, X-Namespace, Authorization')
      .header('access-control-max-age', '600')
      .send(),
  );

  app.post<{ Body: { payloads?: unknown } }>(
    '/decode',
    { bodyLimit: 8 * 1024 * 1024 },
    async (request, reply) => {
      const caller = whoCalls(request, bearer);
      if (caller === 'nobody')
        return sendError(
          request,
          reply,
          401,
          'Unauthorised',
          'Sign in as a coordinator, or send the bearer token.',
        );
      if (caller === 'manager')
        return sendError(request, reply, 403, 'Forbidden', 'Only a coordinator can decode payloads.');
      const payloads = request.body?.payloads;
      if (!Array.isArray(payloads) || payloads.length > MAX_PAYLOADS || !payloads.every(isJsonPayload))
        return sendError(
          request,
          reply,
          400,
          'BadRequest',
          'Send { "payloads": [ … ] } as the Temporal UI does.',
        );
      const decoded = await Promise.all(payloads.map((p) => decodeOne(p)));
      await auditDecode(app, request, caller, payloads.length);
      return reply.header('cache-control', 'no-store').send({ payloads: decoded });
    },
  );

  async function decodeOne(json: JsonPayload): Promise<JsonPayload> {
    const encoding = json.metadata?.encoding;
    if (!codec || !encoding || Buffer.from(encoding, 'base64').toString() !== ENCRYPTED) return json;
    const [plain] = await codec.decode([
      {
        metadata: Object.fromEntries(
          Object.entries(json.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(json.data ?? '', 'base64'),
      },
    ]);
    return {
      metadata: Object.fromEntries(
        Object.entries(plain?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(plain?.data ?? new Uint8Array()).toString('base64'),
    };
  }
  done();
}

function isJsonPayload(value: unknown): value is JsonPayload {
  if (typeof value !== 'object' || value === null) return false;
  const { metadata, data } = value as { metadata?: unknown; data?: unknown };
  return (
    (data === undefined || typeof data === 'string') &&
    (metadata === undefined ||
      (typeof metadata === 'object' &&
        metadata !== null &&
        Object.values(metadata).every((v) => typeof v === 'string')))
  );
}

/** The bearer from config, a coordinator's session, a manager's (refused), or nobody. */
function whoCalls(
  request: FastifyRequest,
  bearer: string | undefined,
): 'bearer' | 'coordinator' | 'manager' | 'nobody' {
  const header = request.headers.authorization ?? '';
  if (bearer && header.startsWith('Bearer ')) {
    const given = Buffer.from(header.slice(7));
    const expected = Buffer.from(bearer);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return 'bearer';
    return 'nobody';
  }
  if (!request.user) return 'nobody';
  return canAct(request.user) ? 'coordinator' : 'manager';
}

async function auditDecode(
  app: FastifyInstance,
  request: FastifyRequest,
  caller: 'bearer' | 'coordinator',
  count: number,
): Promise<void> {
  const namespace = String(request.headers['x-namespace'] ?? '').slice(0, 100);
  const details = { count, ...(namespace ? { namespace } : {}) };
  if (caller === 'coordinator') return auditStaff(app, request, 'payloads.decoded', undefined, details);
  await app.audit.record({
    actor: { kind: 'system', name: 'codec-bearer' },
    action: 'payloads.decoded',
    clientAddress: request.ip,
    details,
  });
}
