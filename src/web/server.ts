/**
 * The web app process (`npm start` runs it beside the worker): opens the store (PostgreSQL with DATABASE_URL,
 * otherwise the embedded PGlite under the data dir, which this process then holds), connects the
 * InspectionsClient to Temporal, listens on WEB_PORT (127.0.0.1 unless WEB_HOST says otherwise), prints its URL,
 * and stops cleanly on SIGINT, SIGTERM or SIGHUP. On a fresh machine with no users, it makes a `coordinator`
 * account and prints its password once. The users file of earlier versions is imported once.
 */
import { InspectionsClient } from '../client/inspections';
import { loadConfig } from '../infra/config';
import { createDeployment } from '../infra';
import { openStore, usersFileOf } from '../infra/db';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const deployment = createDeployment(config);
  await deployment.scratch.sweep();
  const host = process.env.WEB_HOST || '127.0.0.1';
  const store = await openStore(config.database, { usersFile: usersFileOf(config.dataDir) });
  const created = await store.users.bootstrap();
  const client = await InspectionsClient.connect(deployment);
  const app = await buildApp({
    client,
    deployment,
    store,
    logger: { level: process.env.WEB_LOG_LEVEL || 'warn' },
  });

  let closing: Promise<void> | undefined;
  const stop = (signal: string) => {
    closing ??= (async () => {
      console.log(`jtai web: ${signal}, stopping.`);
      await app.close();
      await client.close();
      // The embedded database is consistent on disk only once closed.
      await store.close();
      process.exit(0);
    })();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

  await app.listen({ port: config.web.port, host });
  const shownHost = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;
  console.log(
    `jtai web: http://${shownHost}:${config.web.port} (agency links point to ${config.web.baseUrl})`,
  );
  if (created) {
    console.log(
      [
        '',
        `jtai web: no users yet, so a coordinator account was made (in ${config.database.url ? 'the database' : config.database.dir}):`,
        `  username: ${created.username}`,
        `  password: ${created.password}`,
        'This password is shown once. Sign in, then add people on the Users page.',
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  console.error(`jtai web failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
