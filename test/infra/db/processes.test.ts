/**
 * The store with several processes: racing migrations, a second process on the embedded database, and a
 * process killed in the middle of writing. Real child processes (test/infra/db/child.ts) on both databases.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSettings } from '../../../src/infra/db/open';
import { loadMigrations } from '../../../src/infra/db/migrations';
import { openDatabase } from '../../../src/infra/db/open';
import { BACKENDS, type Backend } from './backends';

const MIGRATION_IDS = loadMigrations().map((m) => m.id);

const CHILD = path.join(__dirname, 'child.ts');

interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line that matches. */
  line(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

function child(command: string, settings: DatabaseSettings): Child {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, command, JSON.stringify(settings)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buffer = '';
  const lines: string[] = [];
  const waiting: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let stderr = '';
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  p.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      lines.push(line);
      for (const w of [...waiting]) {
        if (!w.match(line)) continue;
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => p.once('close', (code) => resolve(code)));
  return {
    process: p,
    exited,
    line: (match) =>
      new Promise((resolve, reject) => {
        const found = lines.find(match);
        if (found !== undefined) return resolve(found);
        waiting.push({ match, resolve });
        void exited.then(() => setTimeout(() => reject(new Error(`child exited; stderr: ${stderr}`)), 50));
      }),
  };
}

describe.each(BACKENDS)('several processes on $kind', ({ kind, make }) => {
  const backend: Backend = make();
  beforeAll(() => backend.setup(), 180_000);
  afterAll(() => backend.teardown(), 60_000);

  it('racing the migrations at start: they are applied once, and every process that may open goes on', async () => {
    const settings = await backend.empty();
    const children = Array.from({ length: 4 }, () => child('migrate', settings));
    await Promise.all(children.map((c) => c.line((l) => l === 'ready')));
    for (const c of children) c.process.stdin.write('go\n');
    const results = await Promise.all(
      children.map(
        async (c) =>
          JSON.parse(await c.line((l) => l.startsWith('{'))) as { applied?: number[]; error?: string },
      ),
    );
    await Promise.all(children.map((c) => c.exited));
    const appliers = results.filter((r) => r.applied && r.applied.length > 0);
    expect(appliers).toEqual([{ applied: MIGRATION_IDS }]);
    if (kind === 'postgres') {
      // Everyone waited on the advisory lock, then found nothing left to do.
      expect(results.filter((r) => r.applied?.length === 0)).toHaveLength(3);
    } else {
      // PGlite is one process at a time: those that come while another holds it are told so, and nothing is
      // damaged. (How many come while it is held depends on the machine's load: one that comes after the
      // first has closed opens and finds nothing to do.)
      for (const r of results.filter((x) => x.error !== undefined))
        expect(r.error).toMatch(/is in use by process \d+.*set DATABASE_URL/);
      expect(results.filter((r) => r.applied?.length === 0 || r.error !== undefined)).toHaveLength(3);
    }
    const db = await openDatabase(settings);
    try {
      expect(await db.query('SELECT id FROM schema_migrations ORDER BY id')).toEqual(
        MIGRATION_IDS.map((id) => ({ id })),
      );
    } finally {
      await db.close();
    }
  }, 240_000);

  it('a process killed in the middle of writing loses only its unfinished transaction', async () => {
    const settings = await backend.empty();
    // Migrated first, so the killed process spends its life writing.
    await (await openDatabase(settings)).close();
    const writer = child('write', settings);
    const last = await writer.line((l) => l === 'committed 5');
    expect(last).toBe('committed 5');
    writer.process.kill('SIGKILL');
    await writer.exited;
    if (kind === 'pglite') expect(existsSync(`${settings.dir}.lock`)).toBe(true); // left behind by the kill

    const db = await openDatabase(settings); // takes over the stale lock; PostgreSQL's recovery replays the WAL
    try {
      const [row] = await db.query<{ n: number; transactions: number }>(
        "SELECT count(*) AS n, count(DISTINCT details->>'n') AS transactions FROM audit_log",
      );
      expect(row?.n).toBeGreaterThanOrEqual(50);
      expect((row?.n ?? 0) % 10).toBe(0); // no transaction half there
      expect(row?.n).toBe((row?.transactions ?? 0) * 10);
      // Still a working database with its guard in place.
      await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      if (kind === 'pglite') {
        expect(readFileSync(`${settings.dir}.lock`, 'utf8').trim()).toBe(String(process.pid));
      }
    } finally {
      await db.close();
    }
    if (kind === 'pglite') {
      expect(existsSync(`${settings.dir}.lock`)).toBe(false);
      // What either process created is tightened: folders 0700, files 0600.
      const loose = spawnSync('find', [settings.dir, '-perm', '/077']);
      expect(loose.stdout.toString()).toBe('');
      expect(statSync(settings.dir).mode & 0o777).toBe(0o700);
    }
  }, 240_000);
});
