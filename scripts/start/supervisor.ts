/**
 * The processes `npm start` runs, and what happens when one ends.
 *
 * - Each child runs in its own process group, so a Ctrl-C in the terminal reaches only `npm start`, which then
 *   stops them one at a time in reverse order (web, worker, Temporal): SIGTERM, then SIGKILL after a grace time.
 * - On Linux each child is started through `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM if
 *   `npm start` itself dies without cleaning up (`kill -9`, out of memory). Elsewhere the next start stops what
 *   the lock file says was left running (see lock.ts).
 * - A child marked `restart` (worker, web) that dies is started again after a backoff (1 s, doubling to 30 s;
 *   back to 1 s once it has run a minute), and each restart is logged with how it ended. Any other child that
 *   ends (the Temporal dev server) ends everything: `onFatal` is called.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import readline from 'node:readline';
import type { LockChild } from './lock';
import { onPath } from './processes';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd: string;
  /** A string its command line contains (see LockChild). */
  marker: string;
  /** Started again when it dies (worker, web); otherwise its end stops everything (Temporal). */
  restart: boolean;
  /** Hide its output once stopping has begun (the dev server complains about its own shutdown). */
  quietWhenStopping?: boolean;
  /** Runs after every start with the new pid; the first start's promise is `Supervised.firstReady`. */
  onStart?: (pid: number) => Promise<void>;
}

export const BACKOFF = { firstMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 } as const;

/** Delay before restart number `failures` in a row (1-based): 1 s, 2 s, 4 s, … capped at 30 s. */
export function restartDelay(failures: number): number {
  return Math.min(BACKOFF.firstMs * 2 ** Math.max(failures - 1, 0), BACKOFF.maxMs);
}

/** Failures in a row once a run of `ranMs` has ended: a run of a minute or more starts the count again. */
export function failuresAfter(previous: number, ranMs: number): number {
  return ranMs >= BACKOFF.resetAfterMs ? 1 : previous + 1;
}

/** How a process ended, for people: "code 1", "signal SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code ?? '?'}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

let pdeathsigWrapper: string[] | null | undefined;
/** `setpriv --pdeathsig TERM --` where the kernel and setpriv offer it (Linux, util-linux ≥ 2.33). */
function parentDeathWrapper(): string[] | null {
  if (pdeathsigWrapper !== undefined) return pdeathsigWrapper;
  pdeathsigWrapper = null;
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  if (setpriv) {
    try {
      const help = execFileSync(setpriv, ['--help'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      if (help.includes('--pdeathsig')) pdeathsigWrapper = [setpriv, '--pdeathsig', 'TERM', '--'];
    } catch {
      // an odd setpriv: do without
    }
  }
  return pdeathsigWrapper;
}

export interface Output {
  say(line: string): void;
  warn(line: string): void;
  /** A line a child wrote on its stdout, or on its stderr. */
  child(name: string, line: string, stderr: boolean): void;
}

export class Supervised {
  proc: ChildProcess | undefined;
  firstReady: Promise<void> = Promise.resolve();
  /** Restarts so far, and failures in a row (reset once a run lasts BACKOFF.resetAfterMs). */
  restarts = 0;
  private failures = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: ChildSpec,
    private readonly owner: Supervisor,
  ) {}

  get pid(): number | undefined {
    return this.running() ? this.proc?.pid : undefined;
  }

  running(): boolean {
    const p = this.proc;
    return p !== undefined && p.pid !== undefined && p.exitCode === null && p.signalCode === null;
  }

  launch(): void {
    const { spec, owner } = this;
    if (owner.stopping) return; // a stop began while this child was being prepared
    const wrapper = parentDeathWrapper();
    const [command, ...args] = wrapper
      ? [...wrapper, spec.command, ...spec.args]
      : [spec.command, ...spec.args];
    const proc = spawn(command!, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.proc = proc;
    this.startedAt = Date.now();
    owner.pipe(proc.stdout, spec.name, false, spec.quietWhenStopping);
    owner.pipe(proc.stderr, spec.name, true, spec.quietWhenStopping);
    let resolveExited!: () => void;
    this.exited = new Promise((resolve) => (resolveExited = resolve));
    let ended = false;
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      resolveExited();
      this.ended(how);
    };
    proc.on('error', (err) => end(`could not start: ${err.message}`));
    proc.on('exit', (code, signal) => end(describeExit(code, signal)));
    if (proc.pid !== undefined) {
      owner.changed();
      const ready = spec.onStart?.(proc.pid) ?? Promise.resolve();
      if (this.restarts === 0) this.firstReady = ready;
      else void ready;
    }
  }

  private ended(how: string): void {
    const { spec, owner } = this;
    owner.changed();
    if (owner.stopping) return;
    const ranMs = Date.now() - this.startedAt;
    if (!spec.restart) {
      owner.fatal(spec.name, `${how}, after ${seconds(ranMs)}`);
      return;
    }
    this.failures = failuresAfter(this.failures, ranMs);
    const delay = restartDelay(this.failures);
    this.restarts += 1;
    owner.out.warn(
      `[${spec.name}] exited (${how}) after ${seconds(ranMs)}: restarting in ${seconds(delay)} ` +
        `(restart ${this.restarts}).`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (owner.stopping) return;
      this.launch();
      if (this.proc?.pid !== undefined) owner.out.warn(`[${spec.name}] restarted (pid ${this.proc.pid}).`);
    }, delay);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; cancels a pending restart. */
  async stop(graceMs: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running()) return;
    this.proc!.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), graceMs).unref(),
    );
    if ((await Promise.race([this.exited, timeout])) === 'timeout' && this.running()) {
      this.owner.out.warn(`[${this.spec.name}] did not stop within ${seconds(graceMs)}: killing it.`);
      this.proc!.kill('SIGKILL');
      await this.exited;
    }
  }
}

export class Supervisor {
  readonly children: Supervised[] = [];
  stopping = false;

  constructor(
    readonly out: Output,
    private readonly hooks: {
      /** The running children changed (started, restarted, ended): record them in the lock. */
      onChange(children: Record<string, LockChild>): void;
      /** A child without `restart` ended: everything should stop. */
      onFatal(name: string, how: string): void;
    },
  ) {}

  start(spec: ChildSpec): Supervised {
    const child = new Supervised(spec, this);
    this.children.push(child);
    child.launch();
    return child;
  }

  changed(): void {
    const children: Record<string, LockChild> = {};
    for (const c of this.children) {
      if (c.pid !== undefined) children[c.spec.name] = { pid: c.pid, marker: c.spec.marker };
    }
    this.hooks.onChange(children);
  }

  fatal(name: string, how: string): void {
    this.hooks.onFatal(name, how);
  }

  pipe(stream: NodeJS.ReadableStream | null, name: string, stderr: boolean, quiet = false): void {
    if (!stream) return;
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (!(quiet && this.stopping)) this.out.child(name, line, stderr);
    });
  }

  /** Stops every child, last started first. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) {
      if (child.running()) this.out.say(`Stopping ${child.spec.name}…`);
      await child.stop(graceMs);
    }
  }

  /** Last resort when this process exits with children still running. */
  killAll(): void {
    for (const child of this.children) if (child.running()) child.proc!.kill('SIGKILL');
  }
}
