/**
 * Container health checks (docker-compose.yml): `node dist/infra/healthcheck.js worker|web`. Exit status 0 when
 * healthy, 1 with one line on stderr when not. Reads the same configuration as the process it checks.
 *
 * - worker: Temporal lists a poller on the task queue from this host (the SDK names a worker
 *   `<pid>@<hostname>`, and a container's hostname is its own) that polled within the last two minutes;
 *   a live worker's long poll renews that at least every ~70 seconds.
 * - web: the app answers on its port.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { hostname } from 'node:os';
import { loadConfig, type Config } from './config';
import { temporalConnection } from './temporal-connection';

export const POLLED_WITHIN_MS = 2 * 60 * 1000;

export async function checkWorker(
  config: Config,
  options: { host?: string; now?: number; taskQueue?: string } = {},
): Promise<string | undefined> {
  const host = options.host ?? hostname();
  const { connectionOptions, namespace } = temporalConnection(config);
  const connection = await Connection.connect({ ...connectionOptions, connectTimeout: 5000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: options.taskQueue ?? config.temporal.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const now = options.now ?? Date.now();
    const ours = (pollers ?? []).filter((p) => p.identity?.endsWith(`@${host}`));
    const recent = ours.some((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return now - seconds * 1000 <= POLLED_WITHIN_MS;
    });
    if (recent) return undefined;
    return ours.length === 0
      ? `no worker on ${host} polls task queue "${options.taskQueue ?? config.temporal.taskQueue}"`
      : `the worker on ${host} has not polled for over ${POLLED_WITHIN_MS / 1000} s`;
  } finally {
    await connection.close();
  }
}

/** Until the web app has its own /healthz, its sign-in page is the cheapest page that needs no session. */
const WEB_PATHS = ['/healthz', '/sign-in'];

export async function checkWeb(config: Config): Promise<string | undefined> {
  for (const path of WEB_PATHS) {
    const response = await fetch(`http://127.0.0.1:${config.web.port}${path}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) return undefined;
    if (response.status !== 404) return `GET ${path} answered ${response.status}`;
  }
  return `none of ${WEB_PATHS.join(', ')} answered`;
}

const CHECKS = { worker: checkWorker, web: checkWeb } as const;

if (require.main === module) {
  const which = process.argv[2] as keyof typeof CHECKS;
  const check = CHECKS[which];
  if (!check) {
    process.stderr.write(`usage: healthcheck ${Object.keys(CHECKS).join('|')}\n`);
    process.exit(2);
  }
  check(loadConfig()).then(
    (problem) => {
      if (problem) process.stderr.write(`jtai ${which} unhealthy: ${problem}\n`);
      process.exit(problem ? 1 : 0);
    },
    (err: unknown) => {
      process.stderr.write(`jtai ${which} unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
