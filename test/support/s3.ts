/**
 * A real S3-compatible server on loopback for the tests (moto in server mode; scripts/s3-test-server.ts says
 * why moto). Each call starts its own process on a port the OS picks, with one bucket made for the caller.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { motoPythonPath } from '../../scripts/s3-test-server';
import type { S3Settings } from '../../src/infra/config';
import { createS3Client } from '../../src/infra/files/s3';

export interface S3TestServer {
  settings: S3Settings;
  client: S3Client;
  stop(): Promise<void>;
}

const STARTUP_MS = 60_000;

export async function startS3TestServer(bucket = 'jtai-test'): Promise<S3TestServer> {
  const pythonPath = await motoPythonPath();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process ends without stop() (a failed beforeAll, a forced exit), the server ends with it.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const port = await listeningPort(child);
  const settings: S3Settings = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-2',
    bucket,
    prefix: 'files',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' },
  };
  const client = createS3Client(settings);
  await client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
    }),
  );
  return {
    settings,
    client,
    async stop() {
      process.off('exit', orphaned);
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Werkzeug prints `Running on http://127.0.0.1:<port>` once it listens. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The S3 test server did not start within ${STARTUP_MS} ms:\n${output}`));
    }, STARTUP_MS);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume(); // keep draining the request log so the server never blocks on a full pipe
        child.stderr?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The S3 test server exited (${code}) before listening:\n${output}`));
    });
  });
}
