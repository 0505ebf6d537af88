/**
 * The store's behaviour, one suite run on both databases: the embedded PGlite and a real PostgreSQL server.
 * Time comes from a clock the tests move by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/infra/db/database';
import {
  checkPassword,
  openStore,
  repositories,
  signInWithPassword,
  type Store,
} from '../../../src/infra/db';
import { loadMigrations, migrate, toMigration } from '../../../src/infra/db/migrations';
import { openDatabase } from '../../../src/infra/db/open';
import { BACKENDS, HOUR, MINUTE, manualClock, type Backend } from './backends';
import { legacyUsersFile } from './legacy-users';

const PASSWORD = 'correct horse battery staple';
/** A well-formed scrypt hash with a cost that would take a gigabyte and minutes to check. */
const ABSURD_HASH = `scrypt$${2 ** 30}$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

async function inTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jtai-users-'));
  try {
    await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(BACKENDS)('the store on $kind', ({ make }) => {
  const backend: Backend = make();
  beforeAll(() => backend.setup(), 180_000);
  afterAll(() => backend.teardown(), 60_000);

  /** A fresh database with the repositories on a manual clock. */
  async function store(
    start?: string,
  ): Promise<{ s: Omit<Store, 'close'>; clock: ReturnType<typeof manualClock> }> {
    const clock = manualClock(start);
    return { s: repositories(await backend.fresh(), { clock }), clock };
  }

  describe('the Database interface', () => {
    let db: Database;
    beforeAll(async () => {
      db = await backend.fresh();
      await db.exec(
        'CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0);',
      );
    }, 60_000);

    it('reads values the same way on both databases', async () => {
      const at = new Date('2026-11-23T17:00:00.123Z');
      const [row] = await db.query(
        `SELECT count(*) AS n, 9007199254740991::int8 AS big, $1::timestamptz AS at, '{"a":[1,"x"]}'::jsonb AS j,
           true AS yes, NULL::text AS nothing, 'é ✓'::text AS text`,
        [at],
      );
      expect(row).toEqual({
        n: 1,
        big: 9007199254740991,
        at,
        j: { a: [1, 'x'] },
        yes: true,
        nothing: null,
        text: 'é ✓',
      });
      expect(row?.at).toBeInstanceOf(Date);
    });

    it('refuses an int8 too large for a JavaScript number instead of rounding it', async () => {
      await expect(db.query('SELECT 9007199254740993::int8 AS n')).rejects.toThrow(/does not fit/);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.query('UPDATE counter SET n = n + 1 WHERE id = 1');
        return 'done';
      });
      expect(value).toBe('done');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('UPDATE counter SET n = n + 100 WHERE id = 1');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('UPDATE counter SET n = n + 100 WHERE id = 1');
          await tx.query('INSERT INTO counter VALUES (1, 0)'); // duplicate key
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await db.query('SELECT n FROM counter')).toEqual([{ n: 1 }]);
    });

    it('keeps 20 concurrent read-modify-write transactions apart', async () => {
      await db.query('UPDATE counter SET n = 0');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const [row] = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
            await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [(row?.n ?? 0) + 1]);
          }),
        ),
      );
      expect(await db.query('SELECT n FROM counter')).toEqual([{ n: 20 }]);
    });

    it('refuses a query on the database from inside its own transaction, at once instead of hanging', async () => {
      await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toThrow(
        /use the `tx` the transaction gives/,
      );
      await expect(db.transaction(() => db.transaction(() => Promise.resolve(1)))).rejects.toThrow(
        /use the `tx`/,
      );
      // Other callers at the same time are not inside it: they wait their turn (PGlite) or run alongside.
      const [inside, outside] = await Promise.all([
        db.transaction(async (tx) => {
          await tx.query('SELECT pg_sleep(0.05)');
          return (await tx.query<{ n: number }>('SELECT n FROM counter'))[0]?.n;
        }),
        db.query<{ x: number }>('SELECT 2 AS x'),
      ]);
      expect(inside).toEqual(expect.any(Number));
      expect(outside).toEqual([{ x: 2 }]);
    });

    it('passes hostile text as a parameter, never as SQL', async () => {
      const hostile = "'; DROP TABLE counter; --\u00e9\u{1F600}";
      expect(await db.query('SELECT $1::text AS t', [hostile])).toEqual([{ t: hostile }]);
      expect(
        await db.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'counter'"),
      ).toEqual([{ n: 1 }]);
    });
  });

  describe('migrations', () => {
    const MIGRATIONS = loadMigrations();
    const tables = async (db: Database) =>
      (
        await db.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        )
      ).map((r) => r.table_name);

    it('are applied in order on an empty database, recorded, and not again', async () => {
      const db = await openDatabase(await backend.empty());
      try {
        expect(await db.query('SELECT id, name FROM schema_migrations ORDER BY id')).toEqual(
          MIGRATIONS.map((m) => ({ id: m.id, name: m.name })),
        );
        expect(MIGRATIONS.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(await tables(db)).toEqual([
          'agency_directory',
          'audit_log',
          'coordinator_contact',
          'page_notes',
          'rate_events',
          'schema_migrations',
          'sessions',
          'sign_in_attempts',
          'users',
        ]);
        expect(await migrate(db)).toEqual({ applied: [] });
      } finally {
        await db.close();
      }
    }, 60_000);

    it('leave the schema as it was when one of them fails', async () => {
      const db = await backend.fresh();
      const next = MIGRATIONS.length + 1;
      const failing = [
        ...MIGRATIONS,
        toMigration(next, 'good-part', 'CREATE TABLE later (id int);'),
        toMigration(next + 1, 'bad-part', 'ALTER TABLE later ADD COLUMN x int; SELECT 1 / 0;'),
      ];
      await expect(migrate(db, failing)).rejects.toThrow(/division by zero/);
      expect(await tables(db)).not.toContain('later');
      expect(await db.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([
        { n: MIGRATIONS.length },
      ]);
      expect(
        await migrate(db, [...MIGRATIONS, toMigration(next, 'good-part', 'CREATE TABLE later (id int);')]),
      ).toEqual({
        applied: [next],
      });
    });

    it('refuse a database set up by a newer version, and an applied migration whose text changed', async () => {
      const db = await backend.fresh();
      await expect(migrate(db, MIGRATIONS.slice(0, 3))).rejects.toThrow(
        /migration 4 \(agency-directory\).*newer version/,
      );
      const edited = MIGRATIONS.map((m) => (m.id === 2 ? toMigration(2, m.name, `${m.sql}\n-- edited`) : m));
      await expect(migrate(db, edited)).rejects.toThrow(/Migration 2 \(sign-in-attempts\) has changed/);
    });
  });

  describe('openStore', () => {
    it(
      'migrates a new database, imports the old users file once, and closes',
      () =>
        inTempDir(async (dir) => {
          const settings = await backend.empty();
          const file = legacyUsersFile(dir);
          await file.set('wendy', 'coordinator', PASSWORD);
          const first = await openStore(settings, { usersFile: file.file });
          expect(await first.users.authenticate('wendy', PASSWORD)).toMatchObject({ role: 'coordinator' });
          expect(await first.db.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([
            { n: loadMigrations().length },
          ]);
          await first.users.remove('wendy');
          await first.close();
          const again = await openStore(settings, { usersFile: file.file });
          expect(await again.users.list()).toEqual([]);
          await again.close();
          if (settings.url === undefined) expect(existsSync(`${settings.dir}.lock`)).toBe(false);
        }),
      120_000,
    );
  });

  describe('users', () => {
    let s: Omit<Store, 'close'>;
    let clock: ReturnType<typeof manualClock>;
    beforeAll(async () => ({ s, clock } = await store()), 60_000);

    it('are added, found, listed and changed; usernames are normalised and checked', async () => {
      const added = await s.users.set('  Alice.Smith ', 'coordinator', PASSWORD);
      expect(added).toEqual({
        username: 'alice.smith',
        role: 'coordinator',
        disabled: false,
        hasPassword: true,
        createdAt: clock(),
        updatedAt: clock(),
      });
      await s.users.set('bob', 'manager', PASSWORD);
      expect((await s.users.list()).map((u) => u.username)).toEqual(['alice.smith', 'bob']);
      clock.advance(MINUTE);
      expect(await s.users.setRole('BOB', 'coordinator')).toMatchObject({
        role: 'coordinator',
        updatedAt: clock(),
      });
      await expect(s.users.set('x', 'manager', PASSWORD)).rejects.toThrow(/2 to 100/);
      await expect(s.users.set('robert); DROP TABLE users; --', 'manager', PASSWORD)).rejects.toThrow(
        /2 to 100/,
      );
      // People may be named by their email address; the database holds the same rule.
      expect(await s.users.set('Sam.Coordinator@Example.org', 'manager', PASSWORD)).toMatchObject({
        username: 'sam.coordinator@example.org',
      });
      await expect(s.users.set(`${'x'.repeat(101)}`, 'manager', PASSWORD)).rejects.toThrow(/2 to 100/);
      await expect(
        s.db.query(
          "INSERT INTO users (username, role, created_at, updated_at) VALUES ('a b', 'manager', now(), now())",
        ),
      ).rejects.toThrow(/users_username_check/);
      await expect(s.users.set('carol', 'manager', 'short')).rejects.toThrow(/at least 12/);
      await expect(s.users.set('carol', 'admin' as never, PASSWORD)).rejects.toThrow(
        /coordinator or manager/,
      );
      expect(await s.users.find('carol')).toBeUndefined();
      expect(await s.users.setRole('nobody', 'manager')).toBeUndefined();
    });

    it('sign in only with their own password, and not when disabled', async () => {
      await s.users.set('dora', 'manager', PASSWORD);
      expect(await s.users.authenticate(' DORA ', PASSWORD)).toMatchObject({
        username: 'dora',
        role: 'manager',
      });
      expect(await s.users.authenticate('dora', `${PASSWORD}!`)).toBeUndefined();
      expect(await s.users.authenticate('nobody', PASSWORD)).toBeUndefined();
      expect(await s.users.authenticate('x'.repeat(100_000), PASSWORD)).toBeUndefined();
      await s.users.setDisabled('dora', true);
      expect(await s.users.authenticate('dora', PASSWORD)).toBeUndefined();
      await s.users.setDisabled('dora', false);
      expect(await s.users.authenticate('dora', PASSWORD)).toBeDefined();
      // A password hash planted in the database with absurd costs is not run.
      await s.db.query("UPDATE users SET password_hash = $1 WHERE username = 'dora'", [ABSURD_HASH]);
      expect(await s.users.authenticate('dora', PASSWORD)).toBeUndefined();
    });

    it('who sign in with single sign-on are found by issuer and subject, and have no password', async () => {
      const identity = { issuer: 'https://login.example.org/tenant', subject: 'a1b2c3' };
      await s.users.setOidc('erin', 'coordinator', identity);
      expect(await s.users.findByOidc(identity)).toMatchObject({
        username: 'erin',
        hasPassword: false,
        oidc: identity,
      });
      expect(await s.users.findByOidc({ ...identity, issuer: 'https://other.example.org' })).toBeUndefined();
      expect(await s.users.authenticate('erin', '')).toBeUndefined();
      await expect(s.users.setOidc('frank', 'manager', identity)).rejects.toThrow(/duplicate key|unique/);
    });

    it('are bootstrapped once on an empty database, even by two processes at once', async () => {
      const { s: empty } = await store();
      const both = await Promise.all([empty.users.bootstrap(), empty.users.bootstrap()]);
      const made = both.filter((b) => b !== undefined);
      expect(made).toHaveLength(1);
      expect(await empty.users.authenticate('coordinator', made[0]?.password ?? '')).toMatchObject({
        role: 'coordinator',
      });
      expect(await empty.users.bootstrap()).toBeUndefined();
    }, 60_000);

    it(
      'are imported once from the users file the web app kept, whose hashes still work',
      () =>
        inTempDir(async (dir) => {
          const file = legacyUsersFile(dir);
          await file.set('grace', 'coordinator', PASSWORD);
          await file.set('heidi', 'manager', `${PASSWORD} 2`);
          const { s: fresh } = await store();
          await fresh.users.set('heidi', 'coordinator', `${PASSWORD} in the database`);
          expect(await fresh.users.importUsersFile(file.file)).toEqual(['grace']);
          expect(existsSync(file.file)).toBe(false);
          expect(existsSync(`${file.file}.imported`)).toBe(true);
          expect(await fresh.users.authenticate('grace', PASSWORD)).toMatchObject({ role: 'coordinator' });
          // The one already in the database is left as it was.
          expect(await fresh.users.authenticate('heidi', `${PASSWORD} in the database`)).toMatchObject({
            role: 'coordinator',
          });
          // Once: a user removed afterwards does not come back at the next start.
          await fresh.users.remove('grace');
          expect(await fresh.users.importUsersFile(file.file)).toEqual([]);
          expect(await fresh.users.find('grace')).toBeUndefined();
        }),
      60_000,
    );

    it(
      'are not imported at all from a users file with one bad entry',
      () =>
        inTempDir(async (dir) => {
          const file = legacyUsersFile(dir);
          await file.set('ivan', 'manager', PASSWORD);
          const { users } = JSON.parse(readFileSync(file.file, 'utf8')) as { users: unknown[] };
          writeFileSync(
            file.file,
            JSON.stringify({
              users: [...users, { username: 'judy', role: 'manager', password: ABSURD_HASH }],
            }),
          );
          const { s: fresh } = await store();
          await expect(fresh.users.importUsersFile(file.file)).rejects.toThrow(/judy is not an scrypt hash/);
          expect(await fresh.users.count()).toBe(0); // not even ivan, whose entry was good
          writeFileSync(file.file, '{"users": [');
          await expect(fresh.users.importUsersFile(file.file)).rejects.toThrow(/is not JSON/);
          expect(existsSync(file.file)).toBe(true);
        }),
      60_000,
    );
  });

  describe('sessions', () => {
    let s: Omit<Store, 'close'>;
    let clock: ReturnType<typeof manualClock>;
    beforeAll(async () => {
      ({ s, clock } = await store());
      for (const name of ['kim', 'lee', 'max', 'ned'] as const)
        await s.users.set(name, 'coordinator', PASSWORD);
    }, 60_000);

    const hash = (id: string) => createHash('sha256').update(id).digest('hex');

    it('hold the id hashed, and give each sign-in a new id and CSRF secret', async () => {
      const a = await s.sessions.create('kim', '192.0.2.1');
      const b = await s.sessions.create('kim', '192.0.2.1');
      if (!a || !b) throw new Error('no session');
      expect(a.id).not.toBe(b.id);
      expect(a.csrfSecret).not.toBe(b.csrfSecret);
      const stored = await s.db.query<{ id_hash: string }>('SELECT id_hash FROM sessions');
      expect(stored.map((r) => r.id_hash).sort()).toEqual([hash(a.id), hash(b.id)].sort());
      expect(JSON.stringify(await s.db.query('SELECT * FROM sessions'))).not.toContain(a.id);
      expect(await s.sessions.resume(a.id)).toEqual({
        username: 'kim',
        role: 'coordinator',
        csrfSecret: a.csrfSecret,
        createdAt: clock(),
        lastSeenAt: clock(),
        expiresAt: new Date(clock().getTime() + 10 * HOUR),
      });
      // The hash itself is not a session id.
      expect(await s.sessions.resume(hash(a.id))).toBeUndefined();
    });

    it('end after 30 minutes unused, and each use starts the 30 minutes again', async () => {
      clock.set('2026-11-24T09:00:00Z');
      const session = await s.sessions.create('lee');
      if (!session) throw new Error('no session');
      clock.advance(30 * MINUTE - 1);
      expect(await s.sessions.resume(session.id)).toMatchObject({ lastSeenAt: clock() });
      clock.advance(30 * MINUTE - 1);
      expect(await s.sessions.resume(session.id)).toBeDefined();
      clock.advance(30 * MINUTE);
      expect(await s.sessions.resume(session.id)).toBeUndefined();
      // Ended for good: a web instance whose clock is a minute slow does not bring it back.
      clock.advance(-MINUTE);
      expect(await s.sessions.resume(session.id)).toBeUndefined();
    });

    it('end 10 hours after sign-in however busy', async () => {
      clock.set('2026-11-25T08:00:00Z');
      const session = await s.sessions.create('max');
      if (!session) throw new Error('no session');
      for (let used = 0; used < 10 * HOUR - 20 * MINUTE; used += 20 * MINUTE) {
        clock.advance(20 * MINUTE);
        expect(await s.sessions.resume(session.id)).toBeDefined();
      }
      clock.set('2026-11-25T17:59:59.999Z');
      expect(await s.sessions.resume(session.id)).toBeDefined();
      clock.set('2026-11-25T18:00:00Z');
      expect(await s.sessions.resume(session.id)).toBeUndefined();
    });

    it('do not move their last use backwards when web instances disagree on the time', async () => {
      clock.set('2026-11-26T09:00:00Z');
      const session = await s.sessions.create('ned');
      if (!session) throw new Error('no session');
      clock.advance(20 * MINUTE);
      await s.sessions.resume(session.id);
      clock.advance(-10 * MINUTE);
      expect(await s.sessions.resume(session.id)).toMatchObject({
        lastSeenAt: new Date('2026-11-26T09:20:00Z'),
      });
    });

    it('end at sign-out, for all of a user at once, and at a password reset, disabling or removal', async () => {
      clock.set('2026-11-27T09:00:00Z');
      const start = async (name: string) => {
        const session = await s.sessions.create(name);
        if (!session) throw new Error('no session');
        return session.id;
      };
      const [one, two, other] = [await start('kim'), await start('kim'), await start('lee')];
      expect(await s.sessions.revoke(one)).toBe(true);
      expect(await s.sessions.revoke(one)).toBe(false);
      expect(await s.sessions.resume(one)).toBeUndefined();
      expect(await s.sessions.resume(two)).toBeDefined();
      expect(await s.sessions.revokeAll('KIM')).toBeGreaterThanOrEqual(1);
      expect(await s.sessions.resume(two)).toBeUndefined();
      expect(await s.sessions.resume(other)).toBeDefined();

      await s.users.set('lee', 'coordinator', `${PASSWORD} new`);
      expect(await s.sessions.resume(other)).toBeUndefined();

      const beforeDisable = await start('lee');
      await s.users.setDisabled('lee', true);
      expect(await s.sessions.resume(beforeDisable)).toBeUndefined();
      expect(await s.sessions.create('lee')).toBeUndefined();
      await s.users.setDisabled('lee', false);
      expect(await s.sessions.resume(beforeDisable)).toBeUndefined(); // re-enabling does not revive it

      const beforeRemoval = await start('lee');
      expect(await s.users.remove('lee')).toBe(true);
      expect(await s.sessions.resume(beforeRemoval)).toBeUndefined();
      expect(await s.sessions.create('lee')).toBeUndefined();
      expect(await s.sessions.create('nobody')).toBeUndefined();
    });

    it('show a role change at the next request', async () => {
      const session = await s.sessions.create('kim');
      if (!session) throw new Error('no session');
      await s.users.setRole('kim', 'manager');
      expect(await s.sessions.resume(session.id)).toBeUndefined(); // a change ends the sessions
      const again = await s.sessions.create('kim');
      expect(await s.sessions.resume(again?.id ?? '')).toMatchObject({ role: 'manager' });
    });

    it('refuse malformed ids without touching the database', async () => {
      for (const id of ['', 'x', 'A'.repeat(43).replace(/A$/, '='), "' OR '1'='1", 'a'.repeat(1_000_000)]) {
        expect(await s.sessions.resume(id)).toBeUndefined();
        expect(await s.sessions.revoke(id)).toBe(false);
      }
    });

    it('that ended more than a day ago are pruned; live ones stay', async () => {
      clock.set('2026-11-28T09:00:00Z');
      const live = await s.sessions.create('max');
      clock.advance(26 * HOUR);
      const newer = await s.sessions.create('max');
      expect(await s.sessions.prune()).toBeGreaterThanOrEqual(1);
      expect(await s.sessions.resume(newer?.id ?? '')).toBeDefined();
      expect(await s.sessions.resume(live?.id ?? '')).toBeUndefined();
      expect(await s.sessions.active('max')).toHaveLength(1);
    });
  });

  describe('sign-in attempts and lockout', () => {
    let s: Omit<Store, 'close'>;
    let clock: ReturnType<typeof manualClock>;
    beforeAll(async () => {
      ({ s, clock } = await store());
      await s.users.set('olga', 'coordinator', PASSWORD);
      await s.users.set('pat', 'manager', PASSWORD);
    }, 60_000);

    const attempt = (username: string, password: string, clientAddress = '198.51.100.7') =>
      signInWithPassword(s, { username, password, clientAddress });

    it('lock a username after 5 wrong passwords in 15 minutes, until the oldest counted one is 15 minutes old', async () => {
      clock.set('2026-11-23T10:00:00Z');
      for (let i = 0; i < 4; i++) {
        expect(await attempt('olga', 'wrong password')).toEqual({ ok: false, reason: 'wrong' });
        clock.advance(MINUTE);
      }
      expect(await s.signInAttempts.check('olga', '203.0.113.9')).toEqual({ locked: false });
      expect(await attempt('olga', 'wrong password')).toEqual({ ok: false, reason: 'wrong' }); // 10:04
      const locked = await attempt('OLGA', PASSWORD, '203.0.113.9'); // the right password, another address
      expect(locked).toEqual({
        ok: false,
        reason: 'locked',
        lockout: { locked: true, by: 'username', until: new Date('2026-11-23T10:15:00Z') },
      });
      clock.set('2026-11-23T10:14:59.999Z');
      expect(await attempt('olga', PASSWORD)).toMatchObject({ reason: 'locked' });
      clock.set('2026-11-23T10:15:00Z');
      // One failure has left the window: one more try is allowed, and a wrong one locks again at once.
      expect(await attempt('olga', 'wrong password')).toEqual({ ok: false, reason: 'wrong' });
      expect(await s.signInAttempts.check('olga', '198.51.100.7')).toEqual({
        locked: true,
        by: 'username',
        until: new Date('2026-11-23T10:16:00Z'),
      });
      // Locked attempts are not counted (nothing was checked), so waiting it out works.
      const rows = await s.db.query<{ n: number }>('SELECT count(*) AS n FROM sign_in_attempts');
      expect(rows).toEqual([{ n: 6 }]);
      clock.set('2026-11-23T10:40:00Z');
      expect(await attempt('olga', PASSWORD)).toMatchObject({ ok: true, user: { username: 'olga' } });
    });

    it('count from the last success, and an administrator can unlock', async () => {
      clock.set('2026-11-24T10:00:00Z');
      for (let i = 0; i < 4; i++) await attempt('pat', 'wrong');
      expect(await attempt('pat', PASSWORD)).toMatchObject({ ok: true });
      for (let i = 0; i < 4; i++) await attempt('pat', 'wrong');
      expect(await s.signInAttempts.check('pat', '198.51.100.7')).toEqual({ locked: false });
      await attempt('pat', 'wrong');
      expect(await s.signInAttempts.check('pat', '198.51.100.7')).toMatchObject({
        locked: true,
        by: 'username',
      });
      expect(await s.signInAttempts.unlock('PAT')).toBe(9); // every failure of that username, before and after the success
      expect(await attempt('pat', PASSWORD)).toMatchObject({ ok: true });
    });

    it('lock a client address after 20 failures whatever the usernames; IPv6 by its /64', async () => {
      clock.set('2026-11-25T10:00:00Z');
      for (let i = 0; i < 20; i++) await attempt(`guess${i}`, 'wrong', '2001:db8:aa:bb::1');
      expect(await attempt('olga', PASSWORD, '2001:db8:aa:bb:ffff:1:2:3')).toMatchObject({
        reason: 'locked',
        lockout: { by: 'client' },
      });
      expect(await attempt('olga', PASSWORD, '2001:db8:aa:cc::1')).toMatchObject({ ok: true });
      for (let i = 0; i < 20; i++) await attempt(`guess${i}`, 'wrong', '::ffff:192.0.2.50');
      expect(await s.signInAttempts.check('olga', '192.0.2.50')).toMatchObject({
        locked: true,
        by: 'client',
      });
      expect(await s.signInAttempts.check('olga', '192.0.2.51')).toEqual({ locked: false });
    });

    it('let only 5 of 30 parallel guesses reach the password check', async () => {
      clock.set('2026-11-26T10:00:00Z');
      await s.users.set('quinn', 'manager', PASSWORD);
      // Connections open beforehand (PostgreSQL), so the guesses really run side by side.
      await Promise.all(Array.from({ length: 10 }, () => s.db.query('SELECT pg_sleep(0.05)')));
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => attempt('quinn', `guess ${i}`, `203.0.113.${i}`)),
      );
      expect(results.filter((r) => !r.ok && r.reason === 'wrong')).toHaveLength(5);
      expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(25);
      expect(await attempt('quinn', PASSWORD)).toMatchObject({
        reason: 'locked',
        lockout: { by: 'username' },
      });
      const [row] = await s.db.query<{ n: number }>(
        'SELECT count(*) AS n FROM sign_in_attempts WHERE username_key = $1',
        [createHash('sha256').update('quinn').digest('hex')],
      );
      expect(row?.n).toBe(5);
    });

    it('count HTTP Basic checks the same way, without starting a session', async () => {
      clock.set('2026-11-27T10:00:00Z');
      await s.users.set('rosa', 'manager', PASSWORD);
      expect(
        await checkPassword(s, { username: 'rosa', password: PASSWORD, clientAddress: '192.0.2.99' }),
      ).toEqual({
        ok: true,
        user: expect.objectContaining({ username: 'rosa' }),
      });
      expect(await s.sessions.active('rosa')).toEqual([]);
      for (let i = 0; i < 5; i++)
        expect(
          await checkPassword(s, { username: 'rosa', password: 'wrong', clientAddress: '192.0.2.99' }),
        ).toEqual({
          ok: false,
          reason: 'wrong',
        });
      expect(
        await checkPassword(s, { username: 'rosa', password: PASSWORD, clientAddress: '192.0.2.99' }),
      ).toMatchObject({
        reason: 'locked',
      });
    });

    it('keep no username in clear (people type passwords into it)', async () => {
      await attempt('my-secret-password-typed-here', 'wrong');
      const dump = JSON.stringify(await s.db.query('SELECT * FROM sign_in_attempts'));
      expect(dump).not.toContain('my-secret-password');
      expect(dump).not.toContain('olga');
    });

    it('are pruned after the window', async () => {
      clock.set('2026-11-30T10:00:00Z');
      expect(await s.signInAttempts.prune()).toBeGreaterThan(50);
      expect(await s.db.query('SELECT count(*) AS n FROM sign_in_attempts')).toEqual([{ n: 0 }]);
    });
  });

  describe('the audit log', () => {
    let s: Omit<Store, 'close'>;
    let clock: ReturnType<typeof manualClock>;
    beforeAll(async () => ({ s, clock } = await store('2026-11-23T09:00:00Z')), 60_000);
    const INSPECTION = 'inspection-example-borough-2026-11-23';

    it('records who did what, on which inspection, when and from where, in order', async () => {
      const first = await s.audit.append({
        actor: { kind: 'user', username: 'qin' },
        action: 'pack.downloaded',
        inspectionId: INSPECTION,
        clientAddress: '192.0.2.10',
        details: { sha256: 'ab'.repeat(32), bytes: 1234, partial: false, note: null },
      });
      clock.advance(MINUTE);
      await s.audit.append({
        actor: { kind: 'agency', agency: 'police' },
        action: 'deliverable.submitted',
        inspectionId: INSPECTION,
      });
      await s.audit.append({ actor: { kind: 'user', username: 'qin' }, action: 'user.signed-in' });
      const lines = await s.audit.list({ inspectionId: INSPECTION });
      expect(lines).toEqual([
        {
          id: first.id,
          at: new Date('2026-11-23T09:00:00Z'),
          actor: { kind: 'user', username: 'qin' },
          action: 'pack.downloaded',
          inspectionId: INSPECTION,
          clientAddress: '192.0.2.10',
          details: { sha256: 'ab'.repeat(32), bytes: 1234, partial: false, note: null },
        },
        expect.objectContaining({
          actor: { kind: 'agency', agency: 'police' },
          at: new Date('2026-11-23T09:01:00Z'),
        }),
      ]);
      expect(await s.audit.list({ afterId: first.id, limit: 1 })).toHaveLength(1);
      expect((await s.audit.list()).map((l) => l.action)).toEqual([
        'pack.downloaded',
        'deliverable.submitted',
        'user.signed-in',
      ]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
      const before = await s.db.query('SELECT * FROM audit_log ORDER BY id');
      expect(before.length).toBeGreaterThan(0);
      for (const sql of [
        "UPDATE audit_log SET actor = 'someone-else'",
        "UPDATE audit_log SET details = '{}' WHERE action = 'pack.downloaded'",
        'DELETE FROM audit_log',
        `DELETE FROM audit_log WHERE inspection_id = '${INSPECTION}'`,
        'TRUNCATE audit_log',
      ]) {
        await expect(s.db.query(sql)).rejects.toThrow(
          /audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused/,
        );
      }
      await expect(
        s.db.transaction(async (tx) => {
          await tx.query('DELETE FROM audit_log');
        }),
      ).rejects.toThrow(/append-only/);
      expect(await s.db.query('SELECT * FROM audit_log ORDER BY id')).toEqual(before);
    });

    it('keeps the earlier lines of a purged inspection and adds one saying it was purged', async () => {
      const before = await s.audit.list({ inspectionId: INSPECTION });
      clock.set('2027-03-01T02:00:00Z');
      const line = await s.audit.purged(
        INSPECTION,
        { kind: 'system', name: 'retention' },
        { daysAfterClose: 90 },
      );
      expect(await s.audit.list({ inspectionId: INSPECTION })).toEqual([...before, line]);
      expect(line).toMatchObject({ action: 'inspection.purged', at: new Date('2027-03-01T02:00:00Z') });
    });

    it('refuses child data, malformed details and unknown actions, and writes nothing then', async () => {
      const count = async () =>
        (await s.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log'))[0]?.n;
      const before = await count();
      const user = { kind: 'user', username: 'qin' } as const;
      const refused: [Parameters<typeof s.audit.append>[0], RegExp][] = [
        [{ actor: user, action: 'file.viewed', details: { childId: 'SYN0001' } }, /would hold child data/],
        [
          { actor: user, action: 'file.viewed', details: { children: 'SYN0001,SYN0002' } },
          /would hold child data/,
        ],
        [{ actor: user, action: 'file.viewed', details: { list: ['SYN0001'] } as never }, /must be a number/],
        [{ actor: user, action: 'file.viewed', details: { note: 'x'.repeat(201) } }, /at most 200/],
        [{ actor: user, action: 'file.viewed', details: { note: 'a\u0000b' } }, /must be/],
        [{ actor: user, action: 'file.viewed', details: { 'a b': 1 } }, /not a detail name/],
        [
          {
            actor: user,
            action: 'file.viewed',
            details: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])),
          },
          /at most 20/,
        ],
        [{ actor: user, action: 'file.deleted' as never }, /Unknown audit action/],
        [
          { actor: { kind: 'agency', agency: 'fire-service' as never }, action: 'file.viewed' },
          /Unknown agency/,
        ],
        [{ actor: user, action: 'file.viewed', inspectionId: 'x\u0000y' }, /.+/],
        [{ actor: { kind: 'user', username: '' }, action: 'file.viewed' }, /check constraint|violates/],
      ];
      for (const [input, error] of refused) await expect(s.audit.append(input)).rejects.toThrow(error);
      expect(await count()).toBe(before);
    });
  });

  describe('the agency directory', () => {
    let s: Omit<Store, 'close'>;
    let clock: ReturnType<typeof manualClock>;
    beforeAll(async () => ({ s, clock } = await store()), 60_000);

    const CONTACTS = {
      coordinator: { name: 'Sam Example', email: 'sam.coordinator@example.org' },
      agencies: {
        'local-authority': {
          name: "Example Council children's services",
          contact: 'la@example.org',
          escalation: 'dcs@example.org',
        },
        police: {
          name: 'Example Constabulary',
          contact: 'police@example.org',
          escalation: 'supt@example.org',
        },
        health: { name: 'Example ICB', contact: 'nurse@example.org', escalation: 'chief.nurse@example.org' },
        probation: { name: 'Probation', contact: 'pdu@example.org', escalation: 'head@example.org' },
        'youth-justice': {
          name: 'Youth justice',
          contact: 'yjs@example.org',
          escalation: 'yjs.head@example.org',
        },
        partnership: {
          name: 'Example partnership',
          contact: 'business@example.org',
          escalation: 'chair@example.org',
        },
      },
    };

    it('is empty at first, keeps the contacts used last time, and each agency can be edited alone', async () => {
      expect(await s.agencyDirectory.get()).toEqual({ agencies: {} });
      await s.agencyDirectory.saveContacts(CONTACTS, 'sam');
      const saved = await s.agencyDirectory.get();
      expect(saved.coordinator).toEqual({ ...CONTACTS.coordinator, updatedAt: clock(), updatedBy: 'sam' });
      expect(Object.keys(saved.agencies).sort()).toEqual(Object.keys(CONTACTS.agencies).sort());
      clock.advance(HOUR);
      await s.agencyDirectory.saveAgencies(
        {
          police: {
            name: 'Example Constabulary',
            contact: 'new.police@example.org',
            escalation: 'supt@example.org',
          },
        },
        'tom',
      );
      const after = await s.agencyDirectory.get();
      expect(after.agencies.police).toEqual({
        name: 'Example Constabulary',
        contact: 'new.police@example.org',
        escalation: 'supt@example.org',
        updatedAt: clock(),
        updatedBy: 'tom',
      });
      expect(after.agencies.health).toEqual(saved.agencies.health);
      expect(await s.db.query('SELECT count(*) AS n FROM agency_directory')).toEqual([{ n: 6 }]);
    });

    it('refuses bad addresses and unknown agencies, and changes nothing then', async () => {
      const before = await s.agencyDirectory.get();
      await expect(
        s.agencyDirectory.saveContacts(
          {
            coordinator: { name: 'Uma', email: 'uma@example.org' },
            agencies: { police: { ...CONTACTS.agencies.police, contact: 'not an email' } },
          },
          'uma',
        ),
      ).rejects.toThrow(/police\.contact/);
      await expect(
        s.agencyDirectory.saveAgencies({ 'fire-service': CONTACTS.agencies.police } as never, 'uma'),
      ).rejects.toThrow(/unknown agency fire-service/);
      await expect(
        s.agencyDirectory.saveCoordinator({ name: ' ', email: 'uma@example.org' }, 'uma'),
      ).rejects.toThrow(/coordinator\.name/);
      // The coordinator was written before the police row was refused: the transaction undid it.
      expect(await s.agencyDirectory.get()).toEqual(before);
      expect(before.coordinator?.name).toBe('Sam Example');
    });
  });
});
