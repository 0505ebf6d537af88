/**
 * `npm start`: everything on one machine, from a fresh clone.
 *
 * 1. If a Temporal frontend already answers at TEMPORAL_ADDRESS, reuse it; otherwise obtain the Temporal CLI
 *    (scripts/temporal-binaries.ts) and start its dev server with a SQLite file under the data dir, so that a
 *    restart keeps every inspection, and the Jtai* search attributes registered (registering them again on a
 *    restart is harmless).
 * 2. Wait (at most ~60 s) until the frontend answers.
 * 3. Start the worker (src/worker/main.ts) and, if it exists, the web app (src/web/server.ts), with their output
 *    prefixed `[worker]` / `[web]`.
 * 4. Print the URLs and what to try next. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the children in reverse order.
 *
 * Environment: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_UI_PORT (8233), JTAI_DATA_DIR (.data), WEB_PORT (3000),
 * TEMPORAL_NAMESPACE (default).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { REPO_ROOT, temporalCliPath } from './temporal-binaries';
import { SEARCH_ATTRIBUTE_KEYS, searchAttributeArgs } from '../src/workflows/search-attributes';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const env = process.env;
const address = env.TEMPORAL_ADDRESS || 'localhost:7233';
const namespace = env.TEMPORAL_NAMESPACE || 'default';
const uiPort = Number(env.TEMPORAL_UI_PORT || 8233);
const webPort = Number(env.WEB_PORT || 3000);
const dataDir = path.resolve(REPO_ROOT, env.JTAI_DATA_DIR || '.data');
const workerFile = path.join(REPO_ROOT, 'src', 'worker', 'main.ts');
const webFile = path.join(REPO_ROOT, 'src', 'web', 'server.ts');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  void stopAll(1);
  // stopAll exits; this satisfies the type checker
  throw new Error(message);
}

/** A path for people: relative if it is inside the repo, absolute otherwise. */
function show(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`TEMPORAL_ADDRESS must be host:port, got "${addr}"`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host);
}

/** One attempt to reach the frontend; Connection.connect calls GetSystemInfo, so success means it answers. */
async function answers(timeoutMs: number): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

const children: Child[] = [];
let stopping = false;

function pipeWithPrefix(
  stream: NodeJS.ReadableStream | null,
  prefix: string,
  out: NodeJS.WriteStream,
  quietWhenStopping = false,
): void {
  if (!stream) return;
  readline.createInterface({ input: stream }).on('line', (line) => {
    if (!(quietWhenStopping && stopping)) out.write(`${prefix} ${line}\n`);
  });
}

/**
 * Children run in their own process group, so a Ctrl-C in the terminal reaches only this script, which then
 * stops them one at a time in reverse order (web, worker, Temporal).
 */
function startChild(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${name}]`;
  // The dev server complains about its own shutdown (closed task queues, cancelled polls): not worth showing.
  const quietWhenStopping = name === 'temporal';
  pipeWithPrefix(proc.stdout, prefix, process.stdout, quietWhenStopping);
  pipeWithPrefix(proc.stderr, prefix, process.stderr, quietWhenStopping);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('error', (err) => {
      process.stderr.write(`${prefix} could not start: ${err.message}\n`);
      resolve(null);
    });
    proc.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`${prefix} exited (${signal ?? `code ${code}`}).\n`);
      }
      resolve(code);
    });
  });
  const child = { name, proc, exited };
  children.push(child);
  return child;
}

function running(child: Child): boolean {
  return child.proc.exitCode === null && child.proc.signalCode === null && child.proc.pid !== undefined;
}

async function stopChild(child: Child): Promise<void> {
  if (!running(child)) return;
  child.proc.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref(),
  );
  if ((await Promise.race([child.exited, timer])) === 'timeout' && running(child)) {
    process.stderr.write(`[${child.name}] did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it.\n`);
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

let stopped: Promise<void> | undefined;
function stopAll(code: number): Promise<void> {
  if (!stopped) {
    stopping = true;
    stopped = (async () => {
      for (const child of [...children].reverse()) {
        if (running(child)) say(`Stopping ${child.name}…`);
        await stopChild(child);
      }
      if (children.length > 0) say('Stopped.');
      process.exit(code);
    })();
  }
  return stopped;
}

// Whatever happens to this script, leave no orphaned children behind.
process.on('exit', () => {
  for (const child of children) if (running(child)) child.proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    say(`\n${signal}: stopping.`);
    void stopAll(0);
  });
}

/** Makes sure the Jtai* search attributes exist on a server we did not start; false if they could not be added. */
async function ensureSearchAttributes(): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5000 });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_KEYS.filter((k) => !(k.name in (customAttributes ?? {})));
    if (missing.length === 0) return true;
    const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const k of missing) {
      searchAttributes[k.name] = temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${k.type}`];
    }
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    say(`Registered search attributes ${missing.map((k) => k.name).join(', ')} on ${address}.`);
    return true;
  } catch (err) {
    process.stderr.write(
      `Could not check or register the Jtai* search attributes on ${address} (${err instanceof Error ? err.message : String(err)}).\n`,
    );
    return false;
  } finally {
    await connection?.close();
  }
}

async function startTemporal(): Promise<void> {
  const { host, port } = parseAddress(address);
  if (!isLocalHost(host)) {
    fail(
      `no Temporal server answers at ${address}, and it is not a local address, so one cannot be started here. ` +
        'Check TEMPORAL_ADDRESS (unset it to run a local dev server on localhost:7233).',
    );
  }
  const cli = await temporalCliPath();
  if (!cli) {
    fail(
      'could not obtain the Temporal CLI (see the line above). Install it and set TEMPORAL_CLI_PATH, ' +
        'or put `temporal` on PATH, then run npm start again.',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const resumed = existsSync(dbFile);
  say(
    `Starting the Temporal dev server on ${address} (state in ${show(dbFile)}` +
      `${resumed ? ', resuming' : ', new'})…`,
  );
  const server = startChild('temporal', cli, [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    host === 'localhost' || host === '0.0.0.0' ? '127.0.0.1' : host,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...searchAttributeArgs(),
  ]);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let serverGone = false;
  void server.exited.then(() => (serverGone = true));
  while (!(await answers(2000))) {
    if (serverGone)
      fail(`the Temporal dev server exited before it answered on ${address} (its output is above).`);
    if (Date.now() > deadline) {
      fail(`the Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // From here on, losing the server means losing everything: stop the rest too.
  void server.exited.then((code) => {
    if (!stopping) {
      process.stderr.write('The Temporal dev server stopped: stopping the rest.\n');
      void stopAll(code === 0 ? 0 : 1);
    }
  });
}

function tsxArgs(file: string): string[] {
  return ['--import', 'tsx', file];
}

async function main(): Promise<void> {
  const started = Date.now();
  let reused = false;
  if (await answers(1500)) {
    reused = true;
    say(`A Temporal server already answers on ${address}: using it (not starting another).`);
  } else {
    await startTemporal();
    say(`Temporal is up on ${address} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  }

  const childEnv: NodeJS.ProcessEnv = { TEMPORAL_ADDRESS: address, JTAI_DATA_DIR: dataDir };
  // Agency links in emails point at the web app started here, unless WEB_BASE_URL says otherwise.
  if (!env.WEB_BASE_URL) childEnv.WEB_BASE_URL = `http://localhost:${webPort}`;
  if (reused && !env.JTAI_SEARCH_ATTRIBUTES && !(await ensureSearchAttributes())) {
    say('The worker will run without the Jtai* search attributes (JTAI_SEARCH_ATTRIBUTES=off).');
    childEnv.JTAI_SEARCH_ATTRIBUTES = 'off';
  }

  let worker = false;
  if (existsSync(workerFile)) {
    startChild('worker', process.execPath, tsxArgs(workerFile), childEnv);
    worker = true;
  } else {
    process.stderr.write(
      `No worker yet (${show(workerFile)} is missing): Temporal keeps running, ` +
        'but inspections will not make progress until a worker runs (`npm run worker`).\n',
    );
  }
  let web = false;
  if (existsSync(webFile)) {
    startChild('web', process.execPath, tsxArgs(webFile), { ...childEnv, WEB_PORT: String(webPort) });
    web = true;
  }

  const outbox = path.join(dataDir, 'outbox');
  const lines = [
    '',
    'jtai is running.',
    `  Temporal UI:  http://localhost:${uiPort}${reused ? ' (if the running server serves its UI there)' : ''}`,
    ...(web ? [`  Web app:      http://localhost:${webPort}`] : []),
    `  Worker:       ${worker ? 'running (output prefixed [worker])' : 'not running'}`,
    `  Mail:         ${env.SMTP_URL ? 'sent through SMTP_URL' : `written as .eml files to ${show(outbox)}/`}`,
    '',
    'Try, in another terminal:',
    '  npx jtai timeline --notified 2026-11-23 --option A',
    '  npx jtai start --local-authority "Example Borough" --notified 2026-11-23 --option A --contacts examples/contacts.yaml',
    '  npx jtai list',
    '',
    children.length > 0
      ? 'Ctrl-C stops everything started here.'
      : 'Nothing was started here, so this script ends now.',
    '',
  ];
  say(lines.join('\n'));
}

main().catch((err: unknown) => {
  if (stopping) return;
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  void stopAll(1);
});
