import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createActivities, type ActivityDependencies } from '../activities';
import { createMailer } from '../infra/mail';
import type { Deployment } from '../infra';
import { validateListFile } from '../lists';
import { WORKER_TUNING } from './tuning';

/** The activities as the deployment wires them; tests override single dependencies (e.g. the mailer). */
export function activitiesFor(deployment: Deployment, overrides: Partial<ActivityDependencies> = {}) {
  const { config } = deployment;
  return createActivities({
    mailer: createMailer(config.mail),
    mailFrom: config.mail.from,
    links: deployment.links,
    webBaseUrl: config.web.baseUrl,
    fileStoreFor: (id) => deployment.fileStoreFor(id),
    validateListFile,
    scratch: deployment.scratch,
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
  activities?: ReturnType<typeof createActivities>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}): Promise<Worker> {
  const { deployment } = options;
  return Worker.create({
    ...WORKER_TUNING,
    connection: options.connection,
    namespace: deployment.config.temporal.namespace,
    taskQueue: options.taskQueue ?? deployment.config.temporal.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: options.activities ?? activitiesFor(deployment),
    dataConverter: deployment.dataConverter,
  });
}
