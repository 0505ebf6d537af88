/**
 * The web app process (`npm start` runs it beside the worker): connects the InspectionsClient to Temporal,
 * listens on WEB_PORT (127.0.0.1 unless WEB_HOST says otherwise), prints its URL, and stops cleanly on
 * SIGINT, SIGTERM or SIGHUP. On a fresh machine with no users, it makes a `coordinator` account and prints
 * its password once.
 */
import { InspectionsClient } from '../client/inspections';
import { loadConfig } from '../infra/config';
import { createDeployment } from '../infra';
import { buildApp } from './app';
import { UserStore } from './users';

async function main(): Promise<void> {
  const config = loadConfig();
  const deployment = createDeployment(config);
  await deployment.scratch.sweep();
  const host = process.env.WEB_HOST || '127.0.0.1';
  const users = UserStore.forDataDir(config.dataDir);
  const created = await users.bootstrap();
  const client = await InspectionsClient.connect(deployment);
  const app = await buildApp({
    client,
    deployment,
    users,
    logger: { level: process.env.WEB_LOG_LEVEL || 'warn' },
  });

  let closing: Promise<void> | undefined;
  const stop = (signal: string) => {
    closing ??= (async () => {
      console.log(`jtai web: ${signal}, stopping.`);
      await app.close();
      await client.close();
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
        `jtai web: no users yet, so a coordinator account was made (in ${users.file}):`,
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
