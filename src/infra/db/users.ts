import { readFileSync, renameSync } from 'node:fs';
import { systemClock, type Clock, type Queryable } from './database';
import { DUMMY_HASH, hashPassword, isPasswordHash, randomPassword, verifyPassword } from './passwords';

/** Coordinators act; managers read only. */
export type Role = 'coordinator' | 'manager';
export const ROLES: readonly Role[] = ['coordinator', 'manager'];

export interface OidcIdentity {
  issuer: string;
  subject: string;
}

export interface User {
  username: string;
  role: Role;
  disabled: boolean;
  /** Has a local password (an SSO-only user has none). */
  hasPassword: boolean;
  oidc?: OidcIdentity;
  createdAt: Date;
  updatedAt: Date;
}

interface UserRow extends Record<string, unknown> {
  username: string;
  role: Role;
  has_password: boolean;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `username, role, password_hash IS NOT NULL AS has_password, oidc_issuer, oidc_subject, disabled,
  created_at, updated_at`;

function toUser(row: UserRow): User {
  return {
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    hasPassword: row.has_password,
    ...(row.oidc_issuer && row.oidc_subject
      ? { oidc: { issuer: row.oidc_issuer, subject: row.oidc_subject } }
      : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Letters, digits, dots, dashes, underscores, and "@" for someone named by their work email address.
const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,99}$/;
export const MIN_PASSWORD_LENGTH = 12;

export function normaliseUsername(username: string): string {
  const name = username.trim().toLowerCase();
  if (!USERNAME.test(name))
    throw new Error(
      'A username is 2 to 100 lower-case letters, digits, dots, dashes, underscores or @ signs.',
    );
  return name;
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`A role is ${ROLES.join(' or ')}.`);
  return role as Role;
}

// Every change to who someone is or what they may do ends their sessions in the same statement, so a
// password reset or a disabled account takes effect at once on every web instance.
const REVOKE_SESSIONS = `revoked AS (
  UPDATE sessions SET revoked_at = $2 FROM changed
  WHERE sessions.username = changed.username AND sessions.revoked_at IS NULL
)`;

/** The people who sign in to the staff pages. */
export function userRepository(db: Queryable, clock: Clock = systemClock) {
  async function one(sql: string, params: unknown[]): Promise<User | undefined> {
    const [row] = await db.query<UserRow>(sql, params);
    return row ? toUser(row) : undefined;
  }

  /** Inserts or updates a user; `revoke` ends their sessions when the user existed. */
  async function upsert(
    username: string,
    role: Role,
    fields: { password_hash?: string; oidc_issuer?: string; oidc_subject?: string },
    revoke: boolean,
  ): Promise<User> {
    const names = Object.keys(fields);
    const values = Object.values(fields);
    const sets = names.map((n) => `${n} = EXCLUDED.${n}`).join(', ');
    const sql = `WITH changed AS (
        INSERT INTO users (username, role, created_at, updated_at${names.map((n) => `, ${n}`).join('')})
        VALUES ($1, $3, $2, $2${names.map((_, i) => `, $${i + 4}`).join('')})
        ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, updated_at = EXCLUDED.updated_at${sets ? `, ${sets}` : ''}
        RETURNING ${COLUMNS}
      )${revoke ? `, ${REVOKE_SESSIONS}` : ''}
      SELECT * FROM changed`;
    const user = await one(sql, [normaliseUsername(username), clock(), checkRole(role), ...values]);
    if (!user) throw new Error('The user was not saved.');
    return user;
  }

  /** Changes one user and ends their sessions; undefined when there is no such user. */
  function change(username: string, set: string, params: unknown[]): Promise<User | undefined> {
    return one(
      `WITH changed AS (
        UPDATE users SET ${set}, updated_at = $2 WHERE username = $1 RETURNING ${COLUMNS}
      ), ${REVOKE_SESSIONS}
      SELECT * FROM changed`,
      [username.trim().toLowerCase(), clock(), ...params],
    );
  }

  async function count(): Promise<number> {
    const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM users');
    return row?.n ?? 0;
  }

  return {
    async list(): Promise<User[]> {
      const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
      return rows.map(toUser);
    },

    count,

    find(username: string): Promise<User | undefined> {
      return one(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username.trim().toLowerCase()]);
    },

    findByOidc(identity: OidcIdentity): Promise<User | undefined> {
      return one(`SELECT ${COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2`, [
        identity.issuer,
        identity.subject,
      ]);
    },

    /** Adds a user, or replaces an existing one's password and role (ending their sessions). */
    async set(username: string, role: Role, password: string): Promise<User> {
      if (password.length < MIN_PASSWORD_LENGTH)
        throw new Error(`A password has at least ${MIN_PASSWORD_LENGTH} characters.`);
      return upsert(username, role, { password_hash: await hashPassword(password) }, true);
    },

    /** Adds or updates a user who signs in with single sign-on as `identity`. */
    setOidc(username: string, role: Role, identity: OidcIdentity): Promise<User> {
      return upsert(username, role, { oidc_issuer: identity.issuer, oidc_subject: identity.subject }, false);
    },

    setRole(username: string, role: Role): Promise<User | undefined> {
      return change(username, 'role = $3', [checkRole(role)]);
    },

    /** Disabling ends the user's sessions; a disabled user cannot sign in or resume a session. */
    setDisabled(username: string, disabled: boolean): Promise<User | undefined> {
      return change(username, 'disabled = $3', [disabled]);
    },

    /** Removes the user; their sessions go with them. */
    async remove(username: string): Promise<boolean> {
      const rows = await db.query('DELETE FROM users WHERE username = $1 RETURNING username', [
        username.trim().toLowerCase(),
      ]);
      return rows.length > 0;
    },

    /**
     * The user if the password is theirs and they are not disabled. An unknown or malformed username, or a
     * user without a password, costs the same scrypt run, so timing does not tell which names exist.
     */
    async authenticate(username: string, password: string): Promise<User | undefined> {
      const name = username.trim().toLowerCase();
      const [row] = USERNAME.test(name)
        ? await db.query<UserRow & { password_hash: string | null }>(
            `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
            [name],
          )
        : [];
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      return ok && row && row.password_hash && !row.disabled ? toUser(row) : undefined;
    },

    /**
     * A fresh machine has nobody who can sign in: makes a `coordinator` account with a random password,
     * returned once for the console. Does nothing when there are users already; when two processes start at
     * once, both insert the same username and the primary key lets one through.
     */
    async bootstrap(): Promise<{ username: string; password: string } | undefined> {
      if ((await count()) > 0) return undefined;
      const password = randomPassword();
      const rows = await db.query(
        `INSERT INTO users (username, role, password_hash, created_at, updated_at)
         SELECT 'coordinator', 'coordinator', $1, $2, $2 WHERE NOT EXISTS (SELECT 1 FROM users)
         ON CONFLICT (username) DO NOTHING RETURNING username`,
        [await hashPassword(password), clock()],
      );
      return rows.length > 0 ? { username: 'coordinator', password } : undefined;
    },

    /**
     * Imports the users file the web app kept before this store (`<dataDir>/web-users.json`), once: every
     * entry is checked first and all are inserted in one statement (none if one is wrong); users already in
     * the database are left as they are; the file is then renamed to `…imported`, so a user removed later is
     * not brought back. Returns the usernames imported; nothing when there is no file.
     */
    async importUsersFile(file: string): Promise<string[]> {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      let parsed: { users?: unknown };
      try {
        parsed = JSON.parse(text) as { users?: unknown };
      } catch (err) {
        throw new Error(`The users file ${file} is not JSON: ${(err as Error).message}`);
      }
      const entries = Array.isArray(parsed.users) ? (parsed.users as Record<string, unknown>[]) : [];
      const users = entries.map(({ username, role, password }) => {
        if (typeof username !== 'string' || typeof role !== 'string' || typeof password !== 'string')
          throw new Error(`The users file ${file}: every user needs a username, a role and a password hash.`);
        if (!isPasswordHash(password))
          throw new Error(`The users file ${file}: the password of ${username} is not an scrypt hash.`);
        return { username: normaliseUsername(username), role: checkRole(role), password };
      });
      const rows = await db.query<{ username: string }>(
        `INSERT INTO users (username, role, password_hash, created_at, updated_at)
         SELECT u, r, p, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t (u, r, p)
         ON CONFLICT (username) DO NOTHING RETURNING username`,
        [users.map((u) => u.username), users.map((u) => u.role), users.map((u) => u.password), clock()],
      );
      try {
        renameSync(file, `${file}.imported`);
      } catch (err) {
        // Another process starting at the same time renamed it first.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      return rows.map((r) => r.username).sort();
    },
  };
}

export type UserRepository = ReturnType<typeof userRepository>;
