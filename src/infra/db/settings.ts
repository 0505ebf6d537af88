import path from 'node:path';
import { z } from 'zod';

/**
 * Which database: PostgreSQL when `url` is set, otherwise PGlite in `dir`. Kept apart from the drivers, so
 * reading the configuration loads neither `pg` nor PGlite.
 */
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
