import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isRehearsalId } from '../timeline/rehearsal';

/** Request helpers shared by the agency pages, the staff pages and the API. */

const TITLES: Record<number, string> = {
  400: 'There is a problem',
  401: 'Sign in to continue',
  403: 'You cannot do that',
  404: 'Page not found',
  409: 'That cannot be done now',
  413: 'The file is too large',
  415: 'That cannot be sent this way',
  429: 'Too many attempts',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is unavailable',
};

/**
 * What an agency's pages say instead of the message written for staff (which names the worker and how to
 * restart it): plain words for someone with only a link, saying what happened to what they sent.
 */
const AGENCY_MESSAGES: Record<string, string> = {
  Unavailable:
    'The inspection system is not answering just now, so this cannot be shown or done. Nothing you have ' +
    'already sent is lost. Try again in a few minutes; if it goes on, contact the business unit that sent you ' +
    'the link.',
};

/** An agency link's page (under /a/), as opposed to staff pages and the API. */
export const isAgencyPage = (request: FastifyRequest): boolean => request.url.startsWith('/a/');

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/api';
}

/**
 * What every page template is given: the signed-in user, the CSP nonce of inline scripts, and `rehearsal` on
 * every page of a rehearsal's (its id in the path: the layout shows the REHEARSAL banner; a route that knows
 * the rehearsal's clock passes it instead, and pages reached by an agency link pass it themselves).
 */
export function pageContext(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const nonces = (reply as FastifyReply & { cspNonce?: { script: string } }).cspNonce;
  const user = request.user ? { username: request.user.username, role: request.user.role } : undefined;
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return {
    user,
    cspNonce: nonces?.script,
    ...(typeof id === 'string' && isRehearsalId(id) ? { rehearsal: {} } : {}),
  };
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
    message: (isAgencyPage(request) && AGENCY_MESSAGES[type]) || message,
  });
}

/**
 * For routes whose pages carry forms: every POST must bring its CSRF token (checked before anything else
 * reads the body), and no page is kept by a shared computer's cache (the pages show what the inspection
 * holds).
 */
export function protectFormPages(app: FastifyInstance): void {
  app.addHook('preValidation', (request, reply, done) => {
    if (request.method === 'POST') app.csrfProtection(request, reply, done);
    else done();
  });
  noStore(app);
}

/** No answer of these routes is kept by a cache. */
export function noStore(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

/** A file name kept to letters, digits, dots, dashes and underscores, whatever it was made from. */
const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * A download, with its file name: a plain one for old clients and the name itself (RFC 6266, UTF-8) for the
 * rest. `inline` shows it in the browser instead (only for kinds a browser shows without running anything).
 */
export function sendAttachment(
  reply: FastifyReply,
  name: string,
  type: string,
  body: unknown,
  disposition: 'attachment' | 'inline' = 'attachment',
) {
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return reply
    .type(type)
    .header('content-disposition', `${disposition}; filename="${safeName(name)}"; filename*=UTF-8''${utf8}`)
    .send(body);
}

/** Write a file into a private scratch folder, send it, and remove the folder once sent (or on failure). */
export async function sendScratchFile(
  app: FastifyInstance,
  reply: FastifyReply,
  file: { name: string; type: string; inline?: boolean },
  write: (target: string) => Promise<unknown>,
) {
  const dir = await app.deployment.scratch.make('download');
  const target = path.join(dir, safeName(file.name));
  try {
    await write(target);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const stream = createReadStream(target);
  stream.on('close', () => void rm(dir, { recursive: true, force: true }));
  return sendAttachment(reply, file.name, file.type, stream, file.inline ? 'inline' : 'attachment');
}

/** An inspection's deadlines as they are now, as a calendar file (pages and API alike). */
export async function sendInspectionCalendar(
  app: FastifyInstance,
  reply: FastifyReply,
  inspectionId: string,
) {
  const ics = await app.inspections.calendar(inspectionId);
  return sendAttachment(reply, `${inspectionId}.ics`, 'text/calendar; charset=utf-8', ics);
}
