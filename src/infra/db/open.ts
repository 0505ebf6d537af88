import path from 'node:path';
import { z } from 'zod';
import type { Database } from './database';
import { migrate } from './migrations';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

/** Which database: PostgreSQL when `url` is set, otherwise PGlite in `dir`. */
export interface DatabaseSettings {
  url?: string;
  dir: string;
}

// Unset or empty: the embedded database. The message never echoes the value, which may hold a password.
const urlSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
);

/**
 * The database settings from the environment: `DATABASE_URL` (a PostgreSQL connection string) or, unset
 * or empty, the embedded database under `<dataDir>/db`.
 */
export function databaseSettings(env: NodeJS.ProcessEnv, dataDir: string): DatabaseSettings {
  const parsed = urlSchema.safeParse(env.DATABASE_URL);
  if (!parsed.success) throw new Error(`Configuration error: ${parsed.error.issues[0]?.message}`);
  return { ...(parsed.data ? { url: parsed.data } : {}), dir: path.join(dataDir, 'db') };
}

/** Opens the database the settings name and brings its schema up to date. */
export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  const db = settings.url ? openPostgres({ url: settings.url }) : await openPglite({ dir: settings.dir });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
