/** Small waits `npm start` uses to decide that a child is ready. */
import http from 'node:http';
import net from 'node:net';
import { sleep } from './processes';

/**
 * Polls `check` every `everyMs` until it is true (resolves the elapsed ms), `gone()` is true (resolves
 * undefined: the process it waits for has ended), or `timeoutMs` passes (resolves 'timeout').
 */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  o: { gone: () => boolean; timeoutMs: number; everyMs?: number },
): Promise<number | 'timeout' | undefined> {
  const started = Date.now();
  for (;;) {
    if (o.gone()) return undefined;
    if (await check()) return o.gone() ? undefined : Date.now() - started;
    if (Date.now() - started > o.timeoutMs) return 'timeout';
    await sleep(o.everyMs ?? 250);
  }
}

/** True if an HTTP server answers at `url` with any status. */
export function httpAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** True if something already listens on host:port (we cannot listen there ourselves). */
export function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
