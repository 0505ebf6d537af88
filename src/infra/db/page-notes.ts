import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type Queryable } from './database';
import { hashOf } from './sessions';

/**
 * Notes a staff page hands to the next over a redirect (post/redirect/get): kept here, bound to the session
 * that wrote them, named in the next page's address by a random id (never by what they hold, which may be
 * child IDs). A flash is read once (`take`); the answers of a check-your-answers page are read as often as
 * the page is shown (`get`) and acted on once (`use`).
 */
export type PageNote = Record<string, unknown>;

/** Notes are kept a day at most. */
const KEPT_MS = 24 * 60 * 60_000;

export function pageNoteRepository(db: Queryable, clock: Clock = systemClock) {
  return {
    /** Keeps a note for the session; its id, for the next page's address. */
    async put(sessionId: string, data: PageNote): Promise<string> {
      const now = clock();
      await db.query('DELETE FROM page_notes WHERE created_at < $1', [new Date(now.getTime() - KEPT_MS)]);
      const id = randomBytes(16).toString('base64url');
      await db.query(
        'INSERT INTO page_notes (id, session_hash, data, created_at) VALUES ($1, $2, $3::text::jsonb, $4)',
        [id, hashOf(sessionId), JSON.stringify(data), now],
      );
      return id;
    },

    /** The session's note, if it has one by this id. */
    async get(sessionId: string, id: string): Promise<PageNote | undefined> {
      const [row] = await db.query<{ data: PageNote }>(
        'SELECT data FROM page_notes WHERE id = $1 AND session_hash = $2',
        [id, hashOf(sessionId)],
      );
      return row?.data;
    },

    /** The session's note, read once: gone afterwards. */
    async take(sessionId: string, id: string): Promise<PageNote | undefined> {
      const [row] = await db.query<{ data: PageNote }>(
        'DELETE FROM page_notes WHERE id = $1 AND session_hash = $2 RETURNING data',
        [id, hashOf(sessionId)],
      );
      return row?.data;
    },

    /** Marks the note acted on: true the first time only (a second click of the same button is false). */
    async use(sessionId: string, id: string): Promise<boolean> {
      const rows = await db.query(
        'UPDATE page_notes SET used_at = $3 WHERE id = $1 AND session_hash = $2 AND used_at IS NULL RETURNING id',
        [id, hashOf(sessionId), clock()],
      );
      return rows.length > 0;
    },

    /** Undoes `use` (the act was refused, so it may be tried again). */
    async unuse(sessionId: string, id: string): Promise<void> {
      await db.query('UPDATE page_notes SET used_at = NULL WHERE id = $1 AND session_hash = $2', [
        id,
        hashOf(sessionId),
      ]);
    },
  };
}

export type PageNoteRepository = ReturnType<typeof pageNoteRepository>;
