/**
 * The Temporal side of `npm start`: is a server already answering (then it is used, not managed), the dev
 * server's command line, and readiness of our own dev server, which means our process answered, not merely
 * something on the port.
 */
import os from 'node:os';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS, searchAttributeArgs } from '../../src/workflows/search-attributes';
import { ownsListeningPort, sleep } from './processes';

export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`TEMPORAL_ADDRESS must be host:port, got "${addr}"`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

export function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host);
}

/**
 * One attempt to reach a frontend; Connection.connect calls GetSystemInfo, so success means it answers. The
 * options are the configured ones (TLS, API key: see src/infra/temporal-connection.ts) or just an address.
 */
export async function answers(options: ConnectionOptions, timeoutMs: number): Promise<boolean> {
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: timeoutMs });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/** The connection `npm start` keeps for its own checks (search attributes, the worker's polls). */
export function connect(options: ConnectionOptions): Promise<Connection> {
  return Connection.connect({ ...options, connectTimeout: 5000 });
}

export function devServerArgs(o: {
  dbFile: string;
  host: string;
  port: number;
  uiPort: number;
  namespace: string;
}): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    o.dbFile,
    '--ip',
    o.host === 'localhost' || o.host === '0.0.0.0' ? '127.0.0.1' : o.host,
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--namespace',
    o.namespace,
    '--log-level',
    'error',
    // Write-ahead logging: commits append to the log instead of rewriting pages under a rollback journal, and
    // readers do not block the writer. `synchronous` is left as the server sets it. bench:scale at 100 inspections (load
    // about 12 on 2 cores): start 13.8 s -> 3.1 s, request emails all out after 77 s -> 31 s, server CPU 30 -> 22 s.
    '--sqlite-pragma',
    'journal_mode=wal',
    // An activity scheduled by a workflow task goes back to this worker in the task's reply, not through a
    // poll: each email saves a round trip and the server's matching work.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    ...searchAttributeArgs(),
  ];
}

/**
 * Waits until the dev server we started answers on `address`. Ready means: our process is alive, the frontend
 * answers, and (on Linux) the listening socket on the port is our process's. Where /proc cannot say whose the
 * socket is, a server that someone else started on the port in the moment before ours bound it would be taken
 * for ours; ours would then exit on "address already in use", and its exit stops everything.
 */
export async function waitForOwnServer(o: {
  pid: number;
  address: string;
  port: number;
  exited: () => boolean;
  timeoutMs: number;
}): Promise<{ ms: number; verified: boolean }> {
  const started = Date.now();
  for (;;) {
    if (o.exited()) throw new Error(`the Temporal dev server exited before it answered on ${o.address}`);
    if (await answers({ address: o.address }, 2000)) {
      const owns = ownsListeningPort(o.pid, o.port);
      if (owns === false && !o.exited()) {
        throw new Error(
          `something else answers on ${o.address}, not the dev server started here (pid ${o.pid})`,
        );
      }
      if (!o.exited()) return { ms: Date.now() - started, verified: owns === true };
    }
    if (Date.now() - started > o.timeoutMs) {
      throw new Error(
        `the Temporal dev server did not answer on ${o.address} within ${o.timeoutMs / 1000} s`,
      );
    }
    await sleep(250);
  }
}

/**
 * Makes sure the Jtai* search attributes exist on a server we did not start; an error message if they could not
 * be checked or added.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<{ added: string[] } | { error: string }> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_KEYS.filter((k) => !(k.name in (customAttributes ?? {})));
    if (missing.length > 0) {
      const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
      for (const k of missing) {
        searchAttributes[k.name] = temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${k.type}`];
      }
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    }
    return { added: missing.map((k) => k.name) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * True once a worker with this pid polls the workflow task queue: the SDK's default worker identity is
 * `<pid>@<hostname>`, and the server lists the pollers it has seen.
 */
export async function workerPolls(
  connection: Connection,
  o: { namespace: string; taskQueue: string; pid: number },
): Promise<boolean> {
  const identity = `${o.pid}@${os.hostname()}`;
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: o.namespace,
      taskQueue: { name: o.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers ?? []).some((p) => p.identity === identity);
  } catch {
    return false;
  }
}
