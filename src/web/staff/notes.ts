import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PageNote } from '../../infra/db';

/**
 * Post/redirect/get for the staff pages: every POST answers 303 to a GET page, and what that page must show
 * once (the outcome as a notification banner, or the problems and the values typed) goes with it as a note
 * kept server-side (store.pageNotes), named in the address by a random id (`?n=`). A reload shows the page
 * without submitting anything again; the banner has been shown, so it is not shown twice.
 */

/** A problem for the error summary, linked to its field. */
export interface FormError {
  text: string;
  href: string;
}

/** What the next page shows once. */
/** What was typed into each form of a page, by the form's anchor, then by field name. */
export type TypedValues = Record<string, Record<string, string | string[]>>;

export interface Flash extends PageNote {
  /** A key of the page's outcomes (a banner). */
  done?: string;
  errors?: FormError[];
  values?: Record<string, string>;
  /** An inspection's page: what was typed into the form refused, under the form's anchor. */
  typed?: TypedValues;
  /** The Users page: who was given a password, and that password (shown this once). */
  created?: { username: string; role: string };
  password?: string;
}

const NOTE_ID = /^[A-Za-z0-9_-]{22}$/;

/** `url` with `?n=<id>` (before any `#fragment`). */
function withNote(url: string, id: string): string {
  const [path = '', fragment] = url.split('#');
  return `${path}${path.includes('?') ? '&' : '?'}n=${id}${fragment ? `#${fragment}` : ''}`;
}

/** 303 to `url`, with a note for the page there (a session is needed to keep it; without one, none). */
export async function redirectWith(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  url: string,
  note: PageNote,
): Promise<FastifyReply> {
  const session = request.user?.sessionId;
  if (!session) return reply.redirect(url, 303);
  return reply.redirect(withNote(url, await app.store.pageNotes.put(session, note)), 303);
}

/** The note id in a page's address, if it has one. */
export function noteIdOf(request: FastifyRequest): string | undefined {
  const id = (request.query as { n?: unknown } | undefined)?.n;
  return typeof id === 'string' && NOTE_ID.test(id) ? id : undefined;
}

/** The flash the page was sent with (read once), or an empty one. */
export async function takeFlash(app: FastifyInstance, request: FastifyRequest): Promise<Flash> {
  const id = noteIdOf(request);
  const session = request.user?.sessionId;
  if (!id || !session) return {};
  return (await app.store.pageNotes.take(session, id)) ?? {};
}
