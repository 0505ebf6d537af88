import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { guardTransactions, INT8_OID, parseInt8, type Database, type Queryable, type Row } from './database';
import { lockFolder } from './folder-lock';

export interface PgliteOptions {
  /** The folder PostgreSQL keeps its files in (created, mode 0700, when missing). */
  dir: string;
}

function queryable(target: PGlite | Transaction): Queryable {
  return {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await target.query<R>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/**
 * Folder 0700, files 0600, as for the rest of the data dir. PGlite creates its files with the process umask
 * (0644 under the usual 022): the 0700 folder keeps others out meanwhile, and opening and closing tighten
 * what was created (opening: what a killed process left).
 */
function tightenModes(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) tightenModes(full);
    else if (entry.isFile()) chmodSync(full, 0o600);
  }
}

/**
 * The embedded database: PostgreSQL in WebAssembly, in this process, its files in `options.dir`. One
 * process at a time: PGlite has no locking of its own and two processes writing the same folder would
 * corrupt it, so the folder is locked while open (see folder-lock.ts) and a second opener gets a clear error.
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const lock = await lockFolder(options.dir);
  tightenModes(options.dir);
  let db: PGlite;
  try {
    // Loaded only here, so a deployment on PostgreSQL never reads PGlite's WebAssembly. PGlite ships a
    // CommonJS build beside its ES modules (package.json `exports.require`): this `import()`, compiled to
    // `require()` by tsc and swc for this CommonJS project, loads that build. Under jest, its own inner
    // `import("fs")` calls are rewritten by a transform (jest.config.js); `new Function('return import(…)')`
    // would not help there, since jest refuses any dynamic import without --experimental-vm-modules.
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(options.dir, { parsers: { [INT8_OID]: parseInt8 } });
  } catch (err) {
    lock.release();
    throw err;
  }
  const direct = queryable(db);
  return guardTransactions({
    kind: 'pglite',
    ...direct,
    transaction: <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
      db.transaction((tx) => work(queryable(tx))),
    async close(): Promise<void> {
      if (db.closed) return;
      try {
        await db.close();
        tightenModes(options.dir);
      } finally {
        lock.release();
      }
    },
  });
}
