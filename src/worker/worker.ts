import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
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
