/**
 * What the benchmarks share: a command timed as a whole process from outside (/usr/bin/time: wall, user +
 * system CPU, peak RSS of the largest process), medians, and the machine's load, so every figure comes with
 * how busy the machine was.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');

/** The value after a flag on the command line, if given. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export interface Timed {
  wallS: number;
  cpuS: number;
  rssMb: number;
  status: number | null;
  /** The end of what it wrote on standard error (to say why a run failed). */
  stderr: string;
}

/**
 * Runs a command as a whole process under /usr/bin/time: wall, user + system CPU, peak RSS (largest process).
 * Asynchronous, so that a server or worker in the benchmark's own process goes on answering meanwhile.
 */
export async function timed(command: string[], env?: NodeJS.ProcessEnv): Promise<Timed> {
  const out = join(tmpdir(), `jtai-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const child = spawn('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', ...command], {
    cwd: ROOT,
    ...(env ? { env } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`/usr/bin/time is needed for this benchmark: ${err.message}`)),
    );
    child.on('close', (code) => resolve(code));
  });
  const last = readFileSync(out, 'utf8').trim().split('\n').at(-1) ?? '';
  rmSync(out, { force: true });
  const [wall, user, sys, rssKb] = last.split(' ').map(Number);
  if (
    wall === undefined ||
    user === undefined ||
    sys === undefined ||
    rssKb === undefined ||
    Number.isNaN(wall)
  )
    throw new Error(`could not time ${command.join(' ')}: ${last} ${stderr.slice(-500)}`);
  return { wallS: wall, cpuS: user + sys, rssMb: rssKb / 1024, status, stderr };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
export const f2 = (n: number): string => n.toFixed(2);
export const pad = (s: string, n: number): string => s.padStart(n);
export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
