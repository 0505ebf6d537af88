/**
 * The two databases every behaviour of the store is tested on: the embedded PGlite and a real PostgreSQL
 * server started for the test file (test/support/postgres.ts). Each hands out fresh databases, already
 * migrated, so tests do not see each other's rows.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database, DatabaseKind } from '../../../src/infra/db/database';
import { openDatabase, type DatabaseSettings } from '../../../src/infra/db/open';
import { startPostgres, type PostgresServer } from '../../support/postgres';

export interface Backend {
  kind: DatabaseKind;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A database of its own with the schema and no rows; closed by teardown if the test does not. */
  fresh(): Promise<Database>;
  /** Settings for a database with nothing in it yet (not opened). */
  empty(): Promise<DatabaseSettings>;
}

function pgliteBackend(): Backend {
  let root = '';
  let template = '';
  let n = 0;
  const open: Database[] = [];
  return {
    kind: 'pglite',
    async setup() {
      root = mkdtempSync(path.join(tmpdir(), 'jtai-pglite-'));
      template = path.join(root, 'template');
      await (await openDatabase({ dir: template })).close();
    },
    async teardown() {
      await Promise.all(open.map((db) => db.close()));
      if (root) rmSync(root, { recursive: true, force: true });
    },
    async fresh() {
      // A copy of a migrated folder opens in about a second; initdb in a new folder takes several.
      const dir = path.join(root, `db-${++n}`);
      cpSync(template, dir, { recursive: true });
      const db = await openDatabase({ dir });
      open.push(db);
      return db;
    },
    empty() {
      return Promise.resolve({ dir: path.join(root, `empty-${++n}`) });
    },
  };
}

function postgresBackend(): Backend {
  let server: PostgresServer | undefined;
  let template = '';
  const open: Database[] = [];
  return {
    kind: 'postgres',
    async setup() {
      server = await startPostgres();
      const url = await server.createDatabase();
      await (await openDatabase({ url, dir: '' })).close();
      // CREATE DATABASE … TEMPLATE copies that migrated database: a fresh one in a few milliseconds.
      template = new URL(url).pathname.slice(1);
    },
    async teardown() {
      await Promise.all(open.map((db) => db.close()));
      await server?.stop();
    },
    async fresh() {
      if (!server) throw new Error('setup() first');
      const db = await openDatabase({ url: await server.createDatabase(template), dir: '' });
      open.push(db);
      return db;
    },
    async empty() {
      if (!server) throw new Error('setup() first');
      return { url: await server.createDatabase(), dir: '' };
    },
  };
}

export const BACKENDS: { kind: DatabaseKind; make: () => Backend }[] = [
  { kind: 'pglite', make: pgliteBackend },
  { kind: 'postgres', make: postgresBackend },
];

/** A clock the test moves by hand: never the real date. */
export function manualClock(start = '2026-11-23T09:00:00Z') {
  let now = new Date(start).getTime();
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (iso: string) => {
    now = new Date(iso).getTime();
  };
  return clock;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
