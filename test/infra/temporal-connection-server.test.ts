/**
 * Connecting for real through the settings: a Temporal dev server (`temporal server start-dev`) with a
 * non-default namespace, named in a profile file; and the same server behind a TLS-terminating proxy that requires
 * a client certificate, reached through the TEMPORAL_TLS_* variables (the dev server has no TLS options of its
 * own). The worker's NativeConnection, the client's Connection and the health check all connect from
 * `temporalConnection`. Certificates are made with openssl at test time in a temporary folder.
 */
import { Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as startSide from '../../scripts/start/temporal';
import { InspectionsClient } from '../../src/client/inspections';
import { loadConfig, type Config } from '../../src/infra/config';
import { createDeployment } from '../../src/infra';
import { checkWorker } from '../../src/infra/healthcheck';
import { temporalConnection } from '../../src/infra/temporal-connection';
import { createWorker } from '../../src/worker/worker';
import { eventually } from '../support/eventually';
import { workflowBundle } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import { makeTestPki, startTlsProxy, type TestPki } from '../support/tls';

/** The dev server, the workflow bundle and a worker start on two busy cores: generous. */
jest.setTimeout(300_000);

const NAMESPACE = 'jtai-envconfig';
const TASK_QUEUE = 'envconfig-test';
let env: TestWorkflowEnvironment;
let dir: string;
let pki: TestPki;
let proxy: Awaited<ReturnType<typeof startTlsProxy>>;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let workerConnection: NativeConnection | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-temporal-server-'));
  [env, pki] = await Promise.all([createDevServerEnv({ namespace: NAMESPACE }), makeTestPki(dir)]);
  proxy = await startTlsProxy(pki, env.address);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await proxy?.close();
  await env?.teardown();
  await rm(dir, { recursive: true, force: true });
});

/** Only what the test gives (no HOME: no default profile file). */
const configFrom = (vars: Record<string, string>): Config =>
  loadConfig({ JTAI_DATA_DIR: dir, TEMPORAL_TASK_QUEUE: TASK_QUEUE, JTAI_SEARCH_ATTRIBUTES: 'off', ...vars });

test('a profile file names the address and a non-default namespace: worker, client and health check use it', async () => {
  const file = path.join(dir, 'temporal.toml');
  await writeFile(
    file,
    `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.jtai]\naddress = "${env.address}"\nnamespace = "${NAMESPACE}"\n`,
  );
  const config = configFrom({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'jtai' });
  expect(config.temporal).toMatchObject({ address: env.address, namespace: NAMESPACE });

  // The worker, as src/worker/main.ts connects it.
  const deployment = createDeployment(config);
  workerConnection = await NativeConnection.connect(temporalConnection(config).connectionOptions);
  worker = await createWorker({
    deployment,
    connection: workerConnection,
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();

  // The health check finds it polling in that namespace, and not in `default`.
  expect(
    await eventually(
      'the worker to poll',
      () => checkWorker(config),
      (problem) => problem === undefined,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
      },
    ),
  ).toBeUndefined();
  const inDefault = { ...config, temporal: { ...config.temporal, namespace: 'default' } };
  expect(await checkWorker(inDefault)).toMatch(/^no worker on .* polls task queue "envconfig-test"$/);

  // The client.
  const client = await InspectionsClient.connect(deployment);
  try {
    expect(client.client.options.namespace).toBe(NAMESPACE);
    await client.ready();
    const described = await client.client.workflowService.describeNamespace({ namespace: NAMESPACE });
    expect(described.namespaceInfo?.name).toBe(NAMESPACE);
  } finally {
    await client.close();
  }
});

test('mutual TLS through the TEMPORAL_TLS_* variables: client, worker connection and health check', async () => {
  const tlsVars = {
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_SERVER_NAME: pki.serverName,
  };
  const config = configFrom(tlsVars);
  expect(temporalConnection(config).summary.tls).toBe('mutual');
  const before = proxy.handshakes();

  const client = await InspectionsClient.connect(createDeployment(config));
  try {
    await client.ready();
  } finally {
    await client.close();
  }
  const native = await NativeConnection.connect(temporalConnection(config).connectionOptions);
  try {
    const described = await native.workflowService.describeNamespace({ namespace: NAMESPACE });
    expect(described.namespaceInfo?.name).toBe(NAMESPACE);
  } finally {
    await native.close();
  }
  // The worker of the first test (if it ran) polls the same server: the health check sees it through TLS too.
  if (worker) expect(await checkWorker(config)).toBeUndefined();
  expect(proxy.handshakes()).toBeGreaterThan(before);

  // The proxy really requires the client certificate: without it, no connection.
  const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...serverOnly } = tlsVars;
  const withoutClientCert = temporalConnection(configFrom(serverOnly));
  expect(withoutClientCert.summary.tls).toBe('on');
  await expect(
    Connection.connect({ ...withoutClientCert.connectionOptions, connectTimeout: 5000 }).then((c) =>
      c.close(),
    ),
  ).rejects.toThrow();

  // npm start's check for a server that already answers (then used, not started) connects as configured: it
  // finds the server behind TLS, where the bare address alone does not.
  expect(await startSide.answers(temporalConnection(config).connectionOptions, 5000)).toBe(true);
  expect(await startSide.answers({ address: proxy.address }, 5000)).toBe(false);
});
