/**
 * A second process for the tests that need several: `node --import tsx child.ts <command> <settings JSON>`.
 *
 * - `migrate`: says `ready`; on `go` from stdin, migrates and prints `{"applied":[…]}` (or `{"error":"…"}`),
 *   then closes.
 * - `write`: opens the database and appends audit lines in transactions of 10 for ever, printing
 *   `committed <n>` after each commit, until it is killed.
 */
import { createInterface } from 'node:readline';
import type { Database } from '../../../src/infra/db/database';
import { auditRepository } from '../../../src/infra/db/audit';
import { migrate } from '../../../src/infra/db/migrations';
import { openDatabase, type DatabaseSettings } from '../../../src/infra/db/open';
import { openPglite } from '../../../src/infra/db/pglite';
import { openPostgres } from '../../../src/infra/db/postgres';

const [command, json] = process.argv.slice(2);
const settings = JSON.parse(json ?? '{}') as DatabaseSettings;
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * PostgreSQL: connected before the start signal, so the race is on the migrations themselves. PGlite: the
 * folder is opened after it, since opening is where two processes collide.
 */
async function raceMigrations(): Promise<void> {
  const pg = settings.url ? openPostgres({ url: settings.url }) : undefined;
  await pg?.query('SELECT 1');
  say('ready');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line === 'go') break;
  lines.close();
  let db: Database | undefined = pg;
  try {
    db ??= await openPglite({ dir: settings.dir });
    say(JSON.stringify(await migrate(db)));
  } catch (err) {
    say(JSON.stringify({ error: (err as Error).message }));
  } finally {
    await db?.close();
  }
}

async function writeForEver(): Promise<void> {
  const db = await openDatabase(settings);
  let at = Date.parse('2026-11-23T09:00:00Z');
  for (let n = 1; ; n++) {
    await db.transaction(async (tx) => {
      const audit = auditRepository(tx, () => new Date(at++));
      for (let i = 0; i < 10; i++)
        await audit.append({
          actor: { kind: 'system', name: 'test' },
          action: 'file.viewed',
          details: { n, i },
        });
    });
    say(`committed ${n}`);
  }
}

const commands: Record<string, () => Promise<void>> = { migrate: raceMigrations, write: writeForEver };
const run = command ? commands[command] : undefined;
if (!run) throw new Error(`unknown command ${command}`);
run().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
