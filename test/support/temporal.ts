import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

// Tests show warnings and errors only: the SDK's info lines would bury the results.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
import { testServerPath } from '../../scripts/temporal-binaries';

/** The time-skipping test server, from the provisioned binary (no download at test time). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await testServerPath();
  return TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
}
