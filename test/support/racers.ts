import { spawn, spawnSync } from 'node:child_process';

/**
 * Runs `count` node processes of `script` (TypeScript, through tsx) that set off together: each is given
 * `...args` and then a start time, far enough ahead for all of them to have started node and tsx on a busy
 * machine. Resolves with each one's stdout once all have exited 0.
 */
export function runRacers(script: string, args: readonly string[], count: number): Promise<string[]> {
  const start = Date.now() + 8_000;
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve, reject) => {
          const p = spawn(process.execPath, ['--import', 'tsx', script, ...args, String(start)], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          p.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          p.once('error', reject);
          p.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`racer exited ${code}`))));
        }),
    ),
  );
}

/** The pid of a process that has come and gone: what a lock left by a killed process holds. */
export function deadPid(): string {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
}
