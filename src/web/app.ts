import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import swagger, { type SwaggerOptions } from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import {
  createJsonSchemaTransform,
  createJsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { InspectionsClient } from '../client/inspections';
import type { Deployment } from '../infra';
import type { AuditInput, Store } from '../infra/db';
import { formatUkDateTime } from '../timeline/format';
import type { Instant } from '../timeline/types';
import { agencyRoutes } from './agency';
import { apiRoutes } from './api';
import { codecRoutes } from './codec';
import { sessionUser, type SessionUser } from './auth';
import { registerCsrf } from './csrf';
import { showError } from './errors';
import { sendError } from './http';
import { staffRoutes } from './staff';
import { MAX_UPLOAD_BYTES } from './uploads';

/**
 * The web app: agency link pages (`/a/<token>`), the coordinator's and managers' pages behind sign-in, and
 * the JSON API (`/api`). Composition: external plugins first, the typed client and the deployment as
 * decorators, routes as encapsulated plugins, one error handler that hides the detail of 5xx errors.
 */

declare module 'fastify' {
  interface FastifyInstance {
    inspections: InspectionsClient;
    deployment: Deployment;
    /** Users, sessions, sign-in attempts, the audit log (src/infra/db). */
    store: Store;
    /** Where this app writes audit lines: the store's append-only log. Throws when a line could not be kept. */
    audit: { record(input: AuditInput): Promise<void> };
    /** Now, as an instant: the app's clock (a test may move it with the workflow's). */
    now(): Instant;
    /** Cookies are Secure when the app is served over https. */
    secureCookies: boolean;
  }
  interface FastifyRequest {
    user: SessionUser | undefined;
  }
}

export interface BuildOptions {
  client: InspectionsClient;
  deployment: Deployment;
  clock?: () => Instant;
  store: Store;
  /** Fastify's logger option (server.ts passes one; tests none or a stream). Request URLs are never logged. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
}

const WEB_DIR = __dirname;
const GOVUK_DIR = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');

let stylesheet: string | undefined;
/**
 * GOV.UK Frontend's stylesheet without the GDS Transport typeface, which is for gov.uk services only
 * (this is not one): its @font-face rules and the name are taken out, so text falls back to Arial.
 * Then the app's own few rules.
 */
function appStylesheet(): string {
  stylesheet ??= [
    readFileSync(path.join(GOVUK_DIR, 'govuk', 'govuk-frontend.min.css'), 'utf8')
      .replace(/\/\*![^*]*GDS Transport[^*]*\*\//g, '')
      .replace(/@font-face\{[^}]*\}/g, '')
      .replace(/GDS Transport,/g, '')
      .replace(/\/\*# sourceMappingURL=[^*]*\*\//g, ''),
    readFileSync(path.join(WEB_DIR, 'public', 'jtai.css'), 'utf8'),
  ].join('\n');
  return stylesheet;
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { client, deployment } = options;
  const { config } = deployment;
  const secure = config.web.baseUrl.startsWith('https:');
  const app = Fastify({
    logger: options.logger ?? false,
    // Agency links carry their token in the URL: Fastify's own request lines would log it. Ours log the
    // route pattern (/a/:token) instead, below.
    logController: new LogController({ disableRequestLogging: true }),
    // The client address (lockout, audit) is the socket's unless a proxy in front is trusted (WEB_TRUST_PROXY).
    trustProxy: config.web.trustProxy,
    // Agency tokens are a few hundred characters.
    routerOptions: { maxParamLength: 1000 },
  });

  app.decorate('inspections', client);
  app.decorate('deployment', deployment);
  app.decorate('store', options.store);
  app.decorate('audit', {
    record: async (input: AuditInput) => void (await options.store.audit.append(input)),
  });
  const clock = options.clock ?? Date.now;
  app.decorate('now', () => clock());
  app.decorate('secureCookies', secure);
  app.decorateRequest('user', undefined);
  // Routes that declare zod schemas (the API) are validated and serialised by them.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(helmet, {
    enableCSPNonces: true,
    hsts: secure,
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': secure ? [] : null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie, { secret: deployment.webSessionKey() });
  registerCsrf(app, secure);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(multipart, {
    throwFileSizeLimit: false,
    // One byte past the limit reaches the store, which refuses the file and keeps nothing (web/uploads.ts).
    limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 30, fields: 60, parts: 100, fieldSize: 64 * 1024 },
  });
  await app.register(view, {
    engine: { nunjucks },
    templates: [path.join(WEB_DIR, 'views'), GOVUK_DIR],
    production: process.env.JTAI_WEB_DEV !== '1',
    options: {
      autoescape: true,
      onConfigure: (env: nunjucks.Environment) => {
        env.addFilter('uk', (at: Instant | string | undefined) =>
          at === undefined || at === '' ? '' : formatUkDateTime(typeof at === 'string' ? Date.parse(at) : at),
        );
        env.addGlobal('serviceName', 'JTAI coordination');
      },
    },
  });
  await app.register(fastifyStatic, {
    root: path.join(GOVUK_DIR, 'govuk', 'assets'),
    prefix: '/assets/',
    // Only the images: the fonts are GOV.UK's own, not for this service.
    allowedPath: (pathname, root) =>
      root !== path.join(GOVUK_DIR, 'govuk', 'assets') || pathname.startsWith('/images/'),
    maxAge: '1d',
  });
  app.get('/assets/govuk-frontend.min.js', (_req, reply) =>
    reply.sendFile('govuk-frontend.min.js', path.join(GOVUK_DIR, 'govuk'), { maxAge: '1d' }),
  );
  app.get('/assets/jtai.css', (_req, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(appStylesheet()),
  );
  app.get('/healthz', () => ({ ok: true }));
  // Ready to serve: Temporal and the relational store both answer (3 s each). Says which does not, never why
  // in detail (an error may hold an address); the log has the reason.
  app.get('/readyz', async (request, reply) => {
    const within = <T>(work: Promise<T>) =>
      Promise.race([
        work,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no answer in 3 s')), 3_000).unref(),
        ),
      ]);
    const checks = {
      temporal: within(app.inspections.ready()),
      database: within(options.store.db.query('select 1')),
    };
    const results = await Promise.allSettled(Object.values(checks));
    const status = Object.fromEntries(
      Object.keys(checks).map((name, i) => [
        name,
        results[i]?.status === 'fulfilled' ? 'ok' : 'not answering',
      ]),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        request.log.warn({ check: Object.keys(checks)[i], reason: String(r.reason) }, 'not ready');
    });
    const ok = results.every((r) => r.status === 'fulfilled');
    return reply.code(ok ? 200 : 503).send({ ok, ...status });
  });

  // Who is signed in (session cookie); the API also takes HTTP Basic (in its own plugin). Agency pages and
  // assets have no staff session: the store is not asked for them.
  app.addHook('onRequest', async (request) => {
    if (/^\/(a|assets)\//.test(request.url) || request.url === '/healthz' || request.url === '/readyz')
      return;
    request.user = await sessionUser(request, app);
  });

  // One line per request with the route pattern, never the URL itself (agency tokens, child IDs in queries).
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const shown = showError(err);
    if (shown.status >= 500) {
      request.log.error(
        {
          route: request.routeOptions.url,
          err: { message: (err as Error).message, stack: (err as Error).stack },
        },
        'request failed',
      );
    }
    return sendError(request, reply, shown.status, shown.type, shown.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'NotFound', 'There is no page at this address.'),
  );

  await app.register(swagger, openApiOptions());
  await app.register(agencyRoutes, { prefix: '/a' });
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(codecRoutes, { prefix: '/codec' });
  await app.register(staffRoutes);
  return app;
}

/** The OpenAPI document of the API, generated from its routes' schemas; the pages are left out. */
function openApiOptions(): SwaggerOptions {
  const transform = createJsonSchemaTransform({});
  const transformObject = createJsonSchemaTransformObject({});
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'jtai',
        version: '1',
        description:
          'Joint targeted area inspection: the partnership side, one Temporal workflow per inspection. ' +
          'Sign in with HTTP Basic (a coordinator or manager account) or the session cookie of the web pages. ' +
          'Managers read; coordinators also act. With the session cookie, actions need a JSON body. ' +
          'Refusals are `{ "error": { "type", "message" } }`.',
      },
      servers: [{ url: '/' }],
      security: [{ basic: [] as string[] }, { session: [] as string[] }],
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          session: { type: 'apiKey', in: 'cookie', name: 'jtai_session' },
        },
      },
    },
    transform: (document) =>
      document.url.startsWith('/api/') ? transform(document) : { schema: { hide: true }, url: document.url },
    // Every named schema is offered as an input and an output component: keep those the paths use.
    transformObject: (document) => withoutUnusedSchemas(transformObject(document)),
  };
}

function withoutUnusedSchemas<T>(document: T): T {
  const doc = document as { components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (!schemas) return document;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    const text = JSON.stringify(value);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name && !used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit({ ...doc, components: { ...doc.components, schemas: {} } });
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return document;
}
