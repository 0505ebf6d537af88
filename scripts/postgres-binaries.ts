/**
 * Finds PostgreSQL's server programs (initdb, postgres) for the tests that run against a real server.
 * Order: PG_BIN_DIR, then Debian's /usr/lib/postgresql/<major>/bin (newest major first; Debian keeps them off
 * PATH), then `initdb` on PATH (other systems).
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function hasServer(dir: string): boolean {
  return existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
}

export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PG_BIN_DIR) return hasServer(env.PG_BIN_DIR) ? env.PG_BIN_DIR : undefined;
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const dir = path.join(DEBIAN_ROOT, major, 'bin');
    if (hasServer(dir)) return dir;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const initdb = path.join(dir, 'initdb');
    if (existsSync(initdb)) {
      const real = path.dirname(realpathSync(initdb));
      if (hasServer(real)) return real;
    }
  }
  return undefined;
}
