/**
 * A real PostgreSQL server for the store's tests: Debian's `postgresql` package (installed by `npm test`
 * through scripts/provision-postgres.ts), a fresh cluster in a temporary folder, on a free port on 127.0.0.1,
 * torn down after.
 *
 * initdb and postgres refuse to run as root, and CI runs as root: then both are started as the `postgres`
 * user that the Debian package creates, through Node's own `uid`/`gid` spawn options rather than
 * `runuser -u postgres --`. Same effect, and the child is postgres itself, so the SIGINT of `stop()` reaches it
 * directly (no PAM session or signal forwarding in between).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { postgresBinDir } from '../../scripts/postgres-binaries';

export interface PostgresServer {
  readonly port: number;
  /** The connection string of a database on this server. */
  url(database: string): string;
  /** Creates a database (optionally a copy of `template`) and returns its connection string. */
  createDatabase(template?: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'jtai';

/** uid and gid of the `postgres` system user when we are root, so the server can be run as that user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid)
    throw new Error(
      'Running as root, and there is no postgres user to run PostgreSQL as (apt-get install postgresql).',
    );
  return { uid: Number(uid), gid: Number(gid) };
}

/** A TCP port free on 127.0.0.1 just now (another process may still take it before the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function run(file: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

async function waitUntilReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}): ${log().trim()}`);
    const client = new Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections in 60 s: ${log().trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(
      "PostgreSQL's server programs were not found: `npm test` installs Debian's postgresql (as root), or set PG_BIN_DIR.",
    );
  const as = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'jtai-pg-'));
  if (as) chownSync(dir, as.uid, as.gid);
  const data = path.join(dir, 'data');
  const spawnOptions: SpawnOptions = { cwd: dir, env: { PATH: process.env.PATH ?? '', LANG: 'C' }, ...as };
  try {
    // Trust on loopback: a throw-away cluster for tests. No fsync: nothing here must survive a power cut.
    await run(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      spawnOptions,
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        path.join(bin, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-h',
          '127.0.0.1',
          '-k',
          dir,
          '-c',
          'fsync=off',
          '-c',
          'max_connections=60',
        ],
        { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
      // If jest's process ends without stop() (a crash), do not leave a server behind.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      try {
        await waitUntilReady(port, child, () => log);
      } catch (err) {
        child.kill('SIGKILL');
        await stopped(child);
        process.removeListener('exit', killOnExit);
        // Another process took the port between freePort() and postgres binding it: try another.
        if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
        throw err;
      }
      let databases = 0;
      const url = (database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`;
      return {
        port,
        url,
        async createDatabase(template?: string) {
          const name = `test_${++databases}`;
          const client = new Client({ connectionString: url('postgres') });
          await client.connect();
          try {
            await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
          } finally {
            await client.end();
          }
          return url(name);
        },
        async stop() {
          child.kill('SIGINT'); // fast shutdown: disconnect clients, stop at once
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          await stopped(child);
          clearTimeout(timer);
          process.removeListener('exit', killOnExit);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
