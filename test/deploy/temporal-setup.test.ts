/**
 * deploy/temporal/setup-namespace.sh (the compose stack's one-shot set-up) run for real against a Temporal dev
 * server, with the Temporal CLI the tests provision standing in for the admin-tools image's.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath } from '../../scripts/temporal-binaries';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { createDevServerEnv } from '../support/temporal';

jest.setTimeout(180_000);

const SCRIPT = path.resolve(__dirname, '../../deploy/temporal/setup-namespace.sh');
let env: TestWorkflowEnvironment;
let cli: string;

beforeAll(async () => {
  env = await createDevServerEnv();
  cli = (await temporalCliPath())!;
  expect(cli).toBeDefined();
});
afterAll(() => env?.teardown());

function setup(namespace: string) {
  return spawnSync('sh', [SCRIPT], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH}`,
      TEMPORAL_ADDRESS: env.address,
      JTAI_NAMESPACE: namespace,
      JTAI_RETENTION: '2160h',
    },
  });
}

it('makes the namespace with its retention and the Jtai* search attributes, and can run again', async () => {
  const first = setup('jtai-deploy');
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const again = setup('jtai-deploy');
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('Namespace jtai-deploy exists.');

  const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
    namespace: 'jtai-deploy',
  });
  const kinds = Object.fromEntries(
    Object.entries(customAttributes ?? {})
      .filter(([name]) => name.startsWith('Jtai'))
      .map(([name, type]) => [
        name,
        temporal.api.enums.v1.IndexedValueType[type].replace('INDEXED_VALUE_TYPE_', ''),
      ]),
  );
  expect(kinds).toEqual(
    Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, kind]) => [name, kind.toUpperCase()])),
  );
  const described = await env.connection.workflowService.describeNamespace({ namespace: 'jtai-deploy' });
  expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(90 * 24 * 3600);
});
