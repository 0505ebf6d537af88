import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDeployment } from '../infra';
import { createMailer } from '../infra/mail';
import { createWorker } from './worker';

/** The worker process: runs inspection workflows and their activities until stopped. */
async function main(): Promise<void> {
  const config = loadConfig();
  const deployment = createDeployment(config);
  // Decrypted copies left by a process that died mid-check: nothing in clear may outlive its process.
  const swept = await deployment.scratch.sweep();
  if (swept > 0) console.log(`jtai worker: removed ${swept} scratch folder(s) left by stopped processes.`);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({ deployment, connection });
  console.log(
    `jtai worker: task queue "${config.temporal.taskQueue}" on ${config.temporal.address}; mail to ${createMailer(config.mail).description}`,
  );
  try {
    await worker.run(); // stops on SIGINT/SIGTERM (the SDK's default shutdown signals)
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`jtai worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
