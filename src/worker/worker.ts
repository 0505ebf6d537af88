import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Deployment } from '../infra';
import { createMailer } from '../infra/mail';
import { purgeInspectionData } from '../infra/purge';
import { Context } from '@temporalio/activity';
import { checkListInSandbox } from '../infra/list-check';
import { WORKER_TUNING } from './tuning';

/**
 * The activities as the deployment wires them, over the worker's connection (a purge deletes the inspection's
 * execution through it); tests override single dependencies (the mailer, the list validator).
 */
export function activitiesFor(
  deployment: Deployment,
  connection: NativeConnection,
  overrides: Partial<ActivityDependencies> = {},
) {
  const { config } = deployment;
  return createActivities({
    mailer: createMailer(config.mail),
    mailFrom: config.mail.from,
    links: deployment.links,
    webBaseUrl: config.web.baseUrl,
    fileStoreFor: (id) => deployment.fileStoreFor(id),
    // In a child process with its own memory limit, stopped if the activity is cancelled or times out.
    validateListFile: (list, filePath, options) => {
      const { cancellationSignal: signal, log } = Context.current();
      let pid = 0;
      return checkListInSandbox(list, filePath, {
        ...options,
        signal,
        onStart: (started) => void (pid = started),
        // What the checking process used (its own peak memory, read from /proc): for operators and the tests.
        onUsage: (usage) => void log.info('List check ended', { pid, ...usage }),
      });
    },
    scratch: deployment.scratch,
    purgeData: (id) => purgeInspectionData(deployment, id),
    async deleteExecution(id) {
      await connection.workflowService.deleteWorkflowExecution({
        namespace: config.temporal.namespace,
        workflowExecution: { workflowId: id },
      });
    },
    ...overrides,
  });
}

/**
 * The workflow bundle `npm run build` made once (dist/workflow-bundle.js), when this code runs from dist/;
 * undefined from the sources, where the worker bundles src/workflows as it starts.
 */
export function prebuiltWorkflowBundle(dir = __dirname): { codePath: string } | undefined {
  const codePath = path.join(dir, '..', 'workflow-bundle.js');
  return existsSync(codePath) ? { codePath } : undefined;
}

export async function createWorker(options: {
  deployment: Deployment;
  connection: NativeConnection;
  activityOverrides?: Partial<ActivityDependencies>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}): Promise<Worker> {
  const { deployment, connection } = options;
  return Worker.create({
    ...WORKER_TUNING,
    connection,
    namespace: deployment.config.temporal.namespace,
    taskQueue: options.taskQueue ?? deployment.config.temporal.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: activitiesFor(deployment, connection, options.activityOverrides),
    dataConverter: deployment.dataConverter,
  });
}
