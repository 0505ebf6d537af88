import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { ConfigurationError } from '../infra/config-error';
import { temporalConnection } from '../infra/temporal-connection';
import { createDeployment } from '../infra';
import { createLogger } from '../infra/log';
import { createMailer } from '../infra/mail';
import { installRuntime } from './runtime';
import { WORKER_TUNING } from './tuning';
import { createWorker, prebuiltWorkflowBundle } from './worker';

const logger = createLogger('worker');
/** Shutdown signals received so far. */
let signalled = 0;

/**
 * The worker process: runs inspection workflows and their activities until SIGINT or SIGTERM. Then it stops
 * polling, lets running activities finish for up to `shutdownGraceTime`, and exits within `shutdownForceTime`
 * (src/worker/tuning.ts) whatever they do; a second signal exits at once.
 */
async function main(): Promise<void> {
  installRuntime(logger);
  const config = loadConfig();
  // Certificates and keys are read and checked here, before anything connects.
  const temporal = temporalConnection(config);
  const deployment = createDeployment(config);
  // Decrypted copies left by a process that died mid-check: nothing in clear may outlive its process.
  const swept = await deployment.scratch.sweep();
  if (swept > 0) logger.info({ swept }, 'Removed scratch folders left by stopped processes');
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const workflowBundle = prebuiltWorkflowBundle();
  const worker = await createWorker({
    deployment,
    connection,
    ...(workflowBundle ? { workflowBundle } : {}),
  });
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      temporal: temporal.summary,
      mail: createMailer(config.mail).description,
      workflows: workflowBundle ? 'built' : 'bundled at start',
    },
    'Worker starting',
  );
  try {
    await worker.run(); // stops on SIGINT/SIGTERM (the SDK's shutdown signals)
  } catch (err) {
    // After a signal, the run ends in error when the force time ran out with activities still running (the SDK
    // logs its GracefulShutdownPeriodExpiredError, then run() rejects while they still hold the worker).
    if (signalled === 0) throw err;
    logger.error(
      { err, forceTime: WORKER_TUNING.shutdownForceTime },
      'Activities still running when the shutdown time ran out: exiting; Temporal retries them after their timeout',
    );
    process.exit(1);
  }
  await connection.close();
  logger.info('Worker stopped');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The SDK starts the shutdown on the first signal and stops listening; this listener remains, so a
    // second signal would otherwise be ignored.
    if (++signalled > 1) {
      logger.warn({ signal }, 'Second signal: exiting without waiting for running activities');
      process.exit(1);
    }
    logger.info(
      { signal, graceTime: WORKER_TUNING.shutdownGraceTime, forceTime: WORKER_TUNING.shutdownForceTime },
      'Stopping: no new tasks; running activities may finish within the grace time',
    );
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // A setting to fix: its one line says what, and a stack trace would only bury it.
    if (err instanceof ConfigurationError) logger.fatal(err.message);
    else logger.fatal({ err }, 'Worker failed');
    process.exit(1);
  },
);
