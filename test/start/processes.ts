/** Helpers for tests that run `npm start` and lock holders as real processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { LockHolder } from '../../scripts/start/lock';
import { isAlive } from '../../scripts/start/processes';

export const ROOT = path.join(__dirname, '../..');

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A process whose stdout and stderr are kept (interleaved) and can be waited on. */
export interface Run {
  proc: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the match once the output matches `pattern`; rejects after `timeoutMs` or if it exits. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  proc.stdout.on('data', add);
  proc.stderr.on('data', add);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      resolve({ code, signal });
      for (const l of listeners) l();
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = text.match(pattern);
        if (m) return done(() => resolve(m));
        if (proc.exitCode !== null || proc.signalCode !== null) {
          done(() => reject(new Error(`exited before ${pattern} appeared; output:\n${text}`)));
        }
      };
      const timer = setTimeout(
        () =>
          done(() => reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; output:\n${text}`))),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        fn();
      };
      listeners.add(check);
      check();
    });
  return { proc, pid: proc.pid!, output: () => text, waitFor, exited };
}

export function readLock(dataDir: string): LockHolder {
  return JSON.parse(readFileSync(path.join(dataDir, 'start.lock'), 'utf8')) as LockHolder;
}

/** Resolves with the pids still alive after waiting up to `timeoutMs` for all of them to end. */
export async function stillAliveAfter(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Test clean-up: SIGKILL whatever is left (a failed test must not leave servers behind). */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
