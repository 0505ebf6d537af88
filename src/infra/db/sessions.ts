import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock, type Queryable } from './database';
import type { Role } from './users';

/**
 * Server-side sessions: the browser holds a random id, the database its SHA-256, so sign-out, a password
 * reset or a disabled account ends a session at once on every web instance.
 */
export interface SessionPolicy {
  /** A session not used for this long has ended. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  absoluteMs: number;
}

export const SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 10 * 60 * 60_000 };

/** What the browser is given at sign-in. */
export interface NewSession {
  /** For the cookie only: the database keeps its hash. */
  id: string;
  csrfSecret: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ActiveSession {
  username: string;
  role: Role;
  csrfSecret: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

interface SessionRow extends Record<string, unknown> {
  username: string;
  role: Role;
  csrf_secret: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/** 32 random bytes, base64url: 43 characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const token = () => randomBytes(32).toString('base64url');
/** What the database keeps of a session id (and what rows bound to a session name it by). */
export const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export function sessionRepository(
  db: Queryable,
  clock: Clock = systemClock,
  policy: SessionPolicy = SESSION_POLICY,
) {
  return {
    /**
     * Starts a session for a user who has just signed in; a new id and a new CSRF secret each time.
     * Undefined when the user does not exist or is disabled.
     */
    async create(username: string, clientAddress?: string): Promise<NewSession | undefined> {
      const id = token();
      const csrfSecret = token();
      const now = clock();
      const expiresAt = new Date(now.getTime() + policy.absoluteMs);
      const rows = await db.query(
        `INSERT INTO sessions (id_hash, username, csrf_secret, created_at, last_seen_at, expires_at, client_address)
         SELECT $1, username, $3, $4, $4, $5, $6 FROM users WHERE username = $2 AND NOT disabled
         RETURNING username`,
        [
          hashOf(id),
          username.trim().toLowerCase(),
          csrfSecret,
          now,
          expiresAt,
          clientAddress?.slice(0, 64) ?? null,
        ],
      );
      return rows.length > 0 ? { id, csrfSecret, createdAt: now, expiresAt } : undefined;
    },

    /**
     * The session behind a cookie's id, if it is still good (not revoked, not idle too long, not past its
     * absolute expiry, its user still enabled), marked as used now. Checked and touched in one statement, so
     * two requests at once cannot revive a session that has just ended.
     */
    async resume(id: string): Promise<ActiveSession | undefined> {
      if (!SESSION_ID.test(id)) return undefined;
      const now = clock();
      const params = [hashOf(id), now, new Date(now.getTime() - policy.idleMs)];
      const [row] = await db.query<SessionRow>(
        `UPDATE sessions s SET last_seen_at = GREATEST(s.last_seen_at, $2)
         FROM users u
         WHERE s.id_hash = $1 AND u.username = s.username AND NOT u.disabled AND s.revoked_at IS NULL
           AND s.expires_at > $2 AND s.last_seen_at > $3
         RETURNING s.username, u.role, s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at`,
        params,
      );
      // A session found idle or past its expiry is ended for good, so a web instance whose clock runs a
      // little slow cannot bring it back.
      if (!row)
        await db.query(
          `UPDATE sessions SET revoked_at = $2
           WHERE id_hash = $1 AND revoked_at IS NULL AND (expires_at <= $2 OR last_seen_at <= $3)`,
          params,
        );
      return row
        ? {
            username: row.username,
            role: row.role,
            csrfSecret: row.csrf_secret,
            createdAt: row.created_at,
            lastSeenAt: row.last_seen_at,
            expiresAt: row.expires_at,
          }
        : undefined;
    },

    /** Sign-out: ends this session. False when it had already ended or never existed. */
    async revoke(id: string): Promise<boolean> {
      if (!SESSION_ID.test(id)) return false;
      const rows = await db.query(
        'UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL RETURNING username',
        [hashOf(id), clock()],
      );
      return rows.length > 0;
    },

    /** Ends every session of a user ("sign out everywhere"); the number ended. */
    async revokeAll(username: string): Promise<number> {
      const rows = await db.query(
        'UPDATE sessions SET revoked_at = $2 WHERE username = $1 AND revoked_at IS NULL RETURNING username',
        [username.trim().toLowerCase(), clock()],
      );
      return rows.length;
    },

    /** Sessions still usable now, per user: for "who is signed in". */
    async active(username?: string): Promise<{ username: string; createdAt: Date; lastSeenAt: Date }[]> {
      const now = clock();
      const rows = await db.query<{ username: string; created_at: Date; last_seen_at: Date }>(
        `SELECT username, created_at, last_seen_at FROM sessions
         WHERE revoked_at IS NULL AND expires_at > $1 AND last_seen_at > $2 AND ($3::text IS NULL OR username = $3)
         ORDER BY created_at`,
        [now, new Date(now.getTime() - policy.idleMs), username ?? null],
      );
      return rows.map((r) => ({ username: r.username, createdAt: r.created_at, lastSeenAt: r.last_seen_at }));
    },

    /** Deletes sessions that ended more than a day ago (housekeeping); the number deleted. */
    async prune(): Promise<number> {
      const dayAgo = new Date(clock().getTime() - 24 * 60 * 60_000);
      const rows = await db.query(
        `DELETE FROM sessions WHERE revoked_at < $1 OR expires_at < $1 OR last_seen_at < $2 RETURNING username`,
        [dayAgo, new Date(dayAgo.getTime() - policy.idleMs)],
      );
      return rows.length;
    },
  };
}

export type SessionRepository = ReturnType<typeof sessionRepository>;
