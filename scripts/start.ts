/**
 * `npm start`: everything on one machine, from a fresh clone, supervised.
 *
 * 1. Takes the lock on the data directory (scripts/start/lock.ts): a second start on the same directory names
 *    the one that holds it and exits 1; a lock left by a start that was killed is taken over, saying so.
 * 2. If a Temporal frontend already answers at TEMPORAL_ADDRESS, uses it without managing it. Otherwise starts
 *    the Temporal CLI's dev server (scripts/temporal-binaries.ts) with a SQLite file under the data directory and
 *    the Jtai* search attributes, and waits (at most 60 s) until that process, not merely the port, answers.
 * 3. Starts the worker and the web app (scripts/start/commands.ts: compiled from dist/ when this runs compiled,
 *    as `npm start` does after building what changed; through tsx with `npm run start:dev`), and says when each
 *    is ready: the worker polls its task queue, the web app answers HTTP. Either one is started again if it dies
 *    (backoff 1 s doubling to 30 s); if our dev server dies, everything stops.
 *    Output (scripts/start/output.ts): JSON records, or at a terminal (or JTAI_LOG_FORMAT=pretty) lines for
 *    people, the children's prefixed `[worker]` / `[web]`.
 * 4. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the children in reverse order and releases the lock; so does the
 *    end of the `npm` process that ran this script. The npm script `exec`s node, so a signal sent to npm (which
 *    passes SIGINT and SIGTERM on to its script) reaches this process rather than a shell.
 *
 * Environment: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_UI_PORT (8233), JTAI_DATA_DIR (.data), WEB_PORT (3000),
 * WEB_HOST (127.0.0.1), TEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE (jtai), JTAI_LOG_FORMAT and
 * JTAI_LOG_LEVEL (src/infra/log.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Connection, ConnectionOptions } from '@temporalio/client';
import { loadConfig } from '../src/infra/config';
import { temporalConnection } from '../src/infra/temporal-connection';
import { appCommands } from './start/commands';
import { acquireLock, type DataDirLock, describeHolder } from './start/lock';
import { startOutput } from './start/output';
import { httpAnswers, portTaken, waitUntil } from './start/ready';
import { Supervisor, type Supervised } from './start/supervisor';
// './start/temporal' (the Temporal client: seconds to load) is imported once the lock is ours, so that a refused
// second start answers quickly.
type TemporalSide = typeof import('./start/temporal');
import { ownsListeningPort } from './start/processes';
import { reportTo, REPO_ROOT, temporalCliPath } from './temporal-binaries';

const TEMPORAL_READY_TIMEOUT_MS = 60_000;
/** From the sources the worker and web app compile their TypeScript on start: slow on a busy machine. */
const APP_READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const PARENT_CHECK_MS = 1_000;

const env = process.env;
const dataDir = path.resolve(REPO_ROOT, env.JTAI_DATA_DIR || '.data');
const uiPort = Number(env.TEMPORAL_UI_PORT || 8233);
const webHost = env.WEB_HOST || '127.0.0.1';

const output = startOutput(env);
const { say, warn } = output;
reportTo(say);

/** A path for people: relative if it is inside the repo, absolute otherwise. */
function show(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let lock: DataDirLock | undefined;
let connection: Connection | undefined;

const supervisor = new Supervisor(output, {
  onChange: (children) => {
    lock
      ?.record(children)
      .catch((err: unknown) => warn(`npm start: could not update the lock file: ${String(err)}`));
  },
  onFatal: (name, how) => {
    warn(`The ${name === 'temporal' ? 'Temporal dev server' : name} stopped (${how}): stopping the rest.`);
    void stopAll(1);
  },
});

let stopped: Promise<void> | undefined;
function stopAll(code: number): Promise<void> {
  stopped ??= (async () => {
    const hadChildren = supervisor.children.some((c) => c.running());
    await supervisor.stopAll(STOP_GRACE_MS);
    await connection?.close().catch(() => undefined);
    await lock?.settled();
    lock?.release();
    if (hadChildren) say('Stopped.');
    process.exit(code);
  })();
  return stopped;
}

// Whatever happens to this script, leave no child and no lock of ours behind.
process.on('exit', () => {
  supervisor.killAll();
  lock?.release();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (supervisor.stopping) return;
    say(`${signal}: stopping.`);
    void stopAll(0);
  });
}

/** Run by npm: if npm goes (kill -9, or a SIGHUP npm does not pass on), this start goes too. */
function stopWithParent(): void {
  if (env.npm_lifecycle_event !== 'start') return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !supervisor.stopping) {
      warn(`npm start: its npm process (pid ${parent}) is gone: stopping.`);
      void stopAll(1);
    }
  }, PARENT_CHECK_MS).unref();
}

type TemporalCase = { own: false } | { own: true; child: Supervised };

async function startTemporal(
  t: TemporalSide,
  configured: ConnectionOptions,
  namespace: string,
): Promise<TemporalCase> {
  const address = configured.address ?? 'localhost:7233';
  if (await t.answers(configured, 1500)) {
    say(
      `Temporal: a server already answers on ${address}. It was not started here: this start uses it, ` +
        `does not stop it, and its state is wherever that server keeps it (not in ${show(dataDir)}).`,
    );
    return { own: false };
  }
  const { host, port } = t.parseAddress(address);
  if (!t.isLocalHost(host)) {
    throw new Error(
      `no Temporal server answers at ${address}, and it is not a local address, so one cannot be started here. ` +
        'Check TEMPORAL_ADDRESS (unset it to run a local dev server on localhost:7233).',
    );
  }
  if (await portTaken('127.0.0.1', port)) {
    throw new Error(
      `port ${port} is in use by something that is not a Temporal server: set TEMPORAL_ADDRESS.`,
    );
  }
  const cli = await temporalCliPath();
  if (!cli) {
    throw new Error(
      'could not obtain the Temporal CLI (see the line above). Install it and set TEMPORAL_CLI_PATH, ' +
        'or put `temporal` on PATH, then run npm start again.',
    );
  }
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  say(
    `Temporal: starting our own dev server on ${address} (state in ${show(dbFile)}, ` +
      `${existsSync(dbFile) ? 'resuming' : 'new'})…`,
  );
  const child = supervisor.start({
    name: 'temporal',
    command: cli,
    args: t.devServerArgs({ dbFile, host, port, uiPort, namespace }),
    cwd: REPO_ROOT,
    marker: dbFile,
    restart: false,
    quietWhenStopping: true,
  });
  const pid = child.proc?.pid;
  if (pid === undefined) throw new Error('the Temporal dev server could not be started (its error is above)');
  const { ms, verified } = await t.waitForOwnServer({
    pid,
    address,
    port,
    exited: () => !child.running(),
    timeoutMs: TEMPORAL_READY_TIMEOUT_MS,
  });
  say(
    `Temporal: our dev server (pid ${pid}) answers on ${address} after ${secs(ms)}` +
      `${verified ? ' (its own socket)' : ' (whose socket it is could not be checked here)'}.`,
  );
  return { own: true, child };
}

/** Logs when a (re)started worker or web app is ready; resolves then, or when it gave up waiting. */
async function announceReady(
  name: string,
  pid: number,
  check: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const child = supervisor.children.find((c) => c.spec.name === name);
  const result = await waitUntil(check, {
    gone: () => supervisor.stopping || child?.proc?.pid !== pid || !child.running(),
    timeoutMs: APP_READY_TIMEOUT_MS,
    everyMs: 500,
  });
  if (result === 'timeout') {
    warn(`[${name}] not ready after ${secs(APP_READY_TIMEOUT_MS)} (pid ${pid}): still waiting for it.`);
  } else if (result !== undefined) {
    say(`[${name}] ready: ${what} (pid ${pid}, ${secs(result)} after it started).`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The whole configuration is checked before anything starts (the worker and web app read the same).
  const config = loadConfig({ ...env, JTAI_DATA_DIR: dataDir });
  const { address, namespace, taskQueue } = config.temporal;
  const webPort = config.web.port;
  if (!Number.isInteger(uiPort) || uiPort < 1 || uiPort > 65535) {
    throw new Error(`TEMPORAL_UI_PORT must be a port number, got "${env.TEMPORAL_UI_PORT}"`);
  }

  mkdirSync(dataDir, { recursive: true });
  const outcome = await acquireLock(dataDir);
  if (outcome.held) {
    warn(`npm start: ${describeHolder(outcome, show(dataDir))}`);
    process.exit(1);
  }
  lock = outcome.lock;
  if (outcome.tookOver) {
    const { holder, why, stopped: leftovers } = outcome.tookOver;
    say(
      `Took over ${show(lock.file)} from the start that held it (pid ${holder.pid}, since ${holder.since}): ` +
        `${why}.${leftovers.length > 0 ? ` Stopped what it left running: ${leftovers.join(', ')}.` : ''}`,
    );
  }
  stopWithParent();

  const commands = appCommands();
  for (const { file } of Object.values(commands)) {
    if (!existsSync(file)) throw new Error(`${show(file)} is missing: nothing to run`);
  }
  if (await portTaken(webHost, webPort)) {
    throw new Error(`port ${webPort} (WEB_PORT) is already in use: stop what uses it, or set WEB_PORT.`);
  }

  const t = await import('./start/temporal');
  // As configured (TLS, API key: Temporal Cloud) when a server already answers; our own dev server is plain.
  const configured = temporalConnection(config).connectionOptions;
  const temporal = await startTemporal(t, configured, namespace);
  connection = await t.connect(temporal.own ? { address } : configured);

  const childEnv: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: address,
    JTAI_DATA_DIR: dataDir,
    JTAI_LOG_FORMAT: output.format,
  };
  // Agency links in emails point at the web app started here, unless WEB_BASE_URL says otherwise.
  if (!env.WEB_BASE_URL) childEnv.WEB_BASE_URL = `http://localhost:${webPort}`;
  if (!temporal.own && !env.JTAI_SEARCH_ATTRIBUTES) {
    const result = await t.ensureSearchAttributes(connection, namespace);
    if ('error' in result) {
      warn(`Could not check or register the Jtai* search attributes on ${address} (${result.error}).`);
      say('The worker will run without the Jtai* search attributes (JTAI_SEARCH_ATTRIBUTES=off).');
      childEnv.JTAI_SEARCH_ATTRIBUTES = 'off';
    } else if (result.added.length > 0) {
      say(`Registered search attributes ${result.added.join(', ')} on ${address}.`);
    }
  }

  const worker = supervisor.start({
    name: 'worker',
    ...commands.worker,
    env: childEnv,
    cwd: REPO_ROOT,
    marker: commands.worker.file,
    restart: true,
    onStart: (pid) =>
      announceReady(
        'worker',
        pid,
        () => t.workerPolls(connection!, { namespace, taskQueue, pid }),
        `polling task queue "${taskQueue}"`,
      ),
  });
  const webUrl = `http://${webHost === '0.0.0.0' ? '127.0.0.1' : webHost}:${webPort}/`;
  const web = supervisor.start({
    name: 'web',
    ...commands.web,
    env: { ...childEnv, WEB_PORT: String(webPort) },
    cwd: REPO_ROOT,
    marker: commands.web.file,
    restart: true,
    onStart: (pid) =>
      announceReady(
        'web',
        pid,
        async () => (await httpAnswers(webUrl)) && ownsListeningPort(pid, webPort) !== false,
        `answering on http://localhost:${webPort}`,
      ),
  });
  await Promise.all([worker.firstReady, web.firstReady]);

  const outbox = path.join(dataDir, 'outbox');
  const running = {
    startupMs: Date.now() - started,
    temporal: address,
    temporalStartedHere: temporal.own,
    temporalUi: `http://localhost:${uiPort}`,
    web: `http://localhost:${webPort}`,
    taskQueue,
    mail: env.SMTP_URL ? 'SMTP_URL' : show(outbox),
    lock: show(lock.file),
  };
  if (output.format === 'json') {
    output.logger.info(running, 'jtai is running');
    return;
  }
  const temporalLine = temporal.own
    ? `started here (pid ${temporal.child.proc?.pid}), state in ${show(path.join(dataDir, 'temporal.sqlite'))}`
    : 'not started here (already running; this start does not stop it)';
  process.stdout.write(
    [
      '',
      `jtai is running (${secs(running.startupMs)}).`,
      `  Temporal:     ${address}, ${temporalLine}`,
      `  Temporal UI:  ${running.temporalUi}${temporal.own ? '' : ' (if that server serves its UI there)'}`,
      `  Web app:      ${running.web}`,
      `  Worker:       task queue "${taskQueue}" (output prefixed [worker])`,
      `  Mail:         ${env.SMTP_URL ? 'sent through SMTP_URL' : `written as .eml files to ${show(outbox)}/`}`,
      `  Lock:         ${running.lock} (one npm start per data directory)`,
      '',
      'Try, in another terminal:',
      '  npx jtai timeline --notified 2026-11-23 --option A',
      '  npx jtai start --local-authority "Example Borough" --notified 2026-11-23 --option A --contacts examples/contacts.yaml',
      '  npx jtai list',
      '',
      'A worker or web app that stops is started again. Ctrl-C stops everything started here.',
      '',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  if (supervisor.stopping) return;
  warn(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  void stopAll(1);
});
