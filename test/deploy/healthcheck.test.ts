/**
 * The container health checks (src/infra/healthcheck.ts) against a real Temporal dev server with a real worker,
 * and a real HTTP listener on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { checkWeb, checkWorker, POLLED_WITHIN_MS } from '../../src/infra/healthcheck';
import type { Config } from '../../src/infra/config';
import { useHarness } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';

jest.setTimeout(180_000);

const ctx = useHarness({}, { createEnv: createDevServerEnv });

async function eventually(check: () => Promise<string | undefined>): Promise<string | undefined> {
  let last: string | undefined = 'not run';
  for (let i = 0; i < 40 && last !== undefined; i++) {
    last = await check();
    if (last !== undefined) await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

describe('worker health check', () => {
  it('is healthy while a worker on this host polls, and says why not otherwise', async () => {
    const { env, h } = ctx;
    const config: Config = {
      ...h.deployment.config,
      temporal: { ...h.deployment.config.temporal, address: env.address },
    };
    const { taskQueue } = config.temporal;
    await h.run(async () => {
      expect(await eventually(() => checkWorker(config))).toBeUndefined();
      expect(await checkWorker(config, { host: 'another-container' })).toBe(
        `no worker on another-container polls task queue "${taskQueue}"`,
      );
      expect(await checkWorker(config, { now: Date.now() + POLLED_WITHIN_MS + 60_000 })).toMatch(
        /has not polled for over 120 s$/,
      );
    });
    expect(await checkWorker(config, { taskQueue: `${taskQueue}-nobody` })).toBe(
      `no worker on ${hostname()} polls task queue "${taskQueue}-nobody"`,
    );
  });

  it('fails, rather than hangs, when Temporal cannot be reached', async () => {
    const config: Config = {
      ...ctx.h.deployment.config,
      temporal: { ...ctx.h.deployment.config.temporal, address: '127.0.0.1:1' },
    };
    await expect(checkWorker(config)).rejects.toThrow();
  });
});

describe('web health check', () => {
  let server: Server;
  let status: Record<string, number>;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = status[req.url ?? ''] ?? 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const config = () => ({ web: { port: (server.address() as AddressInfo).port } }) as Config;

  it('asks /healthz, then the sign-in page while the app has no /healthz', async () => {
    status = { '/healthz': 200 };
    expect(await checkWeb(config())).toBeUndefined();
    status = { '/sign-in': 200 };
    expect(await checkWeb(config())).toBeUndefined();
    status = { '/healthz': 503, '/sign-in': 200 };
    expect(await checkWeb(config())).toBe('GET /healthz answered 503');
    status = {};
    expect(await checkWeb(config())).toBe('none of /healthz, /sign-in answered');
  });

  it('fails when nothing listens', async () => {
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await expect(checkWeb({ web: { port } } as Config)).rejects.toThrow();
    server = createServer().listen(0, '127.0.0.1'); // for afterAll
  });
});
