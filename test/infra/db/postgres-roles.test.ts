/**
 * PostgreSQL in production: the schema is migrated by an owner role, and the web app runs as a role that does
 * not own the tables, so it cannot drop or disable the audit log's trigger (an owner could).
 */
import { Client } from 'pg';
import { openDatabase } from '../../../src/infra/db/open';
import { startPostgres, type PostgresServer } from '../../support/postgres';

let server: PostgresServer;
beforeAll(async () => (server = await startPostgres()), 180_000);
afterAll(() => server?.stop(), 60_000);

async function as(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

it('a web app role that owns nothing starts on the migrated schema and cannot touch the audit log', async () => {
  const url = await server.createDatabase();
  const role = (name: string) => url.replace('//jtai@', `//${name}@`);
  await as(
    url,
    `CREATE ROLE jtai_owner LOGIN; CREATE ROLE jtai_app LOGIN;
     GRANT CREATE, USAGE ON SCHEMA public TO jtai_owner; GRANT USAGE ON SCHEMA public TO jtai_app;`,
  );
  // Before the owner has migrated, the app role cannot create the schema, and says so.
  await expect(openDatabase({ url: role('jtai_app'), dir: '' })).rejects.toThrow(/permission denied/);
  await (await openDatabase({ url: role('jtai_owner'), dir: '' })).close();
  await as(
    role('jtai_owner'),
    `GRANT SELECT ON schema_migrations TO jtai_app;
     GRANT SELECT, INSERT ON audit_log TO jtai_app;
     GRANT SELECT, INSERT, UPDATE, DELETE
       ON users, sessions, sign_in_attempts, rate_events, agency_directory, coordinator_contact, page_notes
       TO jtai_app;`,
  );

  const app = await openDatabase({ url: role('jtai_app'), dir: '' });
  try {
    await app.query(
      "INSERT INTO audit_log (at, actor_kind, actor, action) VALUES ('2026-11-23T09:00:00Z', 'user', 'vic', 'pack.downloaded')",
    );
    for (const [sql, refusal] of [
      ['DROP TRIGGER audit_log_no_update_or_delete ON audit_log', /must be owner/],
      ['ALTER TABLE audit_log DISABLE TRIGGER ALL', /must be owner/],
      ['DELETE FROM audit_log', /permission denied/],
      ["UPDATE audit_log SET actor = 'someone-else'", /permission denied/],
    ] as const)
      await expect(app.query(sql)).rejects.toThrow(refusal);
  } finally {
    await app.close();
  }
  // As the owner, the trigger still refuses.
  await expect(as(role('jtai_owner'), 'DELETE FROM audit_log')).rejects.toThrow(/append-only/);
}, 120_000);
