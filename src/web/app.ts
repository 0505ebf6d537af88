import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { InspectionsClient } from '../client/inspections';
import type { Deployment } from '../infra';
import { formatUkDateTime } from '../timeline/format';
import type { Instant } from '../timeline/types';
import { sessionUser, type SessionUser } from './auth';
import { showError } from './errors';
import { agencyRoutes } from './routes/agency';
import { apiRoutes } from './routes/api';
import { staffRoutes } from './routes/staff';
import { MAX_UPLOAD_BYTES } from './uploads';
import { UserStore, type User } from './users';

/**
 * The web app: agency link pages (`/a/<token>`), the coordinator's and managers' pages behind sign-in, and
 * the JSON API (`/api`). Composition: external plugins first, the typed client and the deployment as
 * decorators, routes as encapsulated plugins, one error handler that hides the detail of 5xx errors.
 */

declare module 'fastify' {
  interface FastifyInstance {
    inspections: InspectionsClient;
    deployment: Deployment;
    users: UserStore;
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
  users?: UserStore;
  /** Fastify's logger option (server.ts passes one; tests none). Request URLs are never logged. */
  logger?: boolean | { level: string };
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
    trustProxy: false,
    // Agency tokens are a few hundred characters.
    routerOptions: { maxParamLength: 1000 },
  });

  app.decorate('inspections', client);
  app.decorate('deployment', deployment);
  app.decorate('users', options.users ?? UserStore.forDataDir(config.dataDir));
  const clock = options.clock ?? Date.now;
  app.decorate('now', () => clock());
  app.decorate('secureCookies', secure);
  app.decorateRequest('user', undefined);

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
  await app.register(csrf, {
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure },
    // Forms post the token as a field; multipart forms carry it in the action's query string, because
    // their body is streamed into the file store after this check, not parsed before it.
    getToken: (req: FastifyRequest) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ??
      (req.query as { _csrf?: string } | undefined)?._csrf ??
      (req.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 30, fields: 60, parts: 100, fieldSize: 64 * 1024 },
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

  // Who is signed in (session cookie); the API also takes HTTP Basic (in its own plugin).
  app.addHook('onRequest', (request, _reply, done) => {
    request.user = sessionUser(request, app.users);
    done();
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

  await app.register(agencyRoutes, { prefix: '/a' });
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(staffRoutes);
  return app;
}

const TITLES: Record<number, string> = {
  400: 'There is a problem',
  401: 'Sign in to continue',
  403: 'You cannot do that',
  404: 'Page not found',
  409: 'That cannot be done now',
  413: 'The file is too large',
  500: 'Sorry, there is a problem with the service',
};

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/api';
}

/** The API answers `{ error: { type, message } }`; pages answer with a GOV.UK error page. */
export async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  type: string,
  message: string,
): Promise<FastifyReply> {
  reply.code(status);
  if (isApiRequest(request)) {
    if (status === 401) reply.header('www-authenticate', 'Basic realm="jtai", charset="UTF-8"');
    return reply.send({ error: { type, message } });
  }
  if (type === 'LinkRefused') return reply.view('link-refused.njk', pageContext(request, reply));
  return reply.view('error.njk', {
    ...pageContext(request, reply),
    title: TITLES[status] ?? (status >= 500 ? TITLES[500] : TITLES[400]),
    status,
    message,
  });
}

/** What every page template is given: the signed-in user, the CSP nonce of inline scripts. */
export function pageContext(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const nonces = (reply as FastifyReply & { cspNonce?: { script: string } }).cspNonce;
  const user: User | undefined = request.user;
  return { user, cspNonce: nonces?.script };
}

/**
 * For routes whose pages carry forms: every POST must bring its CSRF token, and no page is kept by a
 * shared computer's cache (agency and staff pages show what the inspection holds).
 */
export function protectFormPages(app: FastifyInstance): void {
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'POST') app.csrfProtection(request, reply, done);
    else done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
