import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database';

/**
 * Schema changes are numbered SQL files in ./migrations (`001-users.sql`, …), applied in order at start and
 * recorded in `schema_migrations` with a checksum of their text. Applied files are never edited: a change
 * is a new file.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{3})-([a-z0-9-]+)\.sql$/;

export function toMigration(id: number, name: string, sql: string): Migration {
  return { id, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

export function loadMigrations(dir = path.join(__dirname, 'migrations')): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => {
      const match = FILE.exec(f);
      if (!match) throw new Error(`Migration file ${f} is not named NNN-name.sql`);
      return toMigration(Number(match[1]), match[2] ?? '', readFileSync(path.join(dir, f), 'utf8'));
    })
    .sort((a, b) => a.id - b.id);
  migrations.forEach((m, i) => {
    if (m.id !== i + 1)
      throw new Error(`Migrations must be numbered 001, 002, … without gaps: found ${m.id}`);
  });
  return migrations;
}

interface Applied extends Record<string, unknown> {
  id: number;
  name: string;
  checksum: string;
}

/**
 * Applies the migrations not yet applied, all in one transaction (PostgreSQL's DDL is transactional: a
 * failing migration leaves the schema as it was). Several processes may start at once: each takes the same
 * transaction-scoped advisory lock first, so one applies and the others then find nothing left to do.
 * Refuses to start on a database that has a migration this code does not know (a newer version ran on it)
 * or whose applied migration text has changed since.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<{ applied: number[] }> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jtai.schema_migrations'))`);
    // Looked up rather than CREATE TABLE IF NOT EXISTS, which needs the right to create tables even when the
    // table is there: a web app whose role may not change the schema can still start on a migrated database.
    const [found] = await tx.query<{ table: string | null }>(
      `SELECT to_regclass('schema_migrations')::text AS table`,
    );
    if (!found?.table)
      await tx.exec(`CREATE TABLE schema_migrations (
        id integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = await tx.query<Applied>('SELECT id, name, checksum FROM schema_migrations ORDER BY id');
    const known = new Map(migrations.map((m) => [m.id, m]));
    for (const row of done) {
      const m = known.get(row.id);
      if (!m)
        throw new Error(
          `The database has migration ${row.id} (${row.name}), which this version does not know: it was set up by a newer version.`,
        );
      if (m.checksum !== row.checksum)
        throw new Error(
          `Migration ${m.id} (${m.name}) has changed since it was applied; add a new migration instead.`,
        );
    }
    const applied: number[] = [];
    for (const m of migrations.filter((x) => !done.some((row) => row.id === x.id))) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)', [
        m.id,
        m.name,
        m.checksum,
      ]);
      applied.push(m.id);
    }
    return { applied };
  });
}
