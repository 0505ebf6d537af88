/**
 * List checking in a sandbox: the validator runs in a child process of its own (child_process.fork), with a
 * capped heap, a clean environment and nothing of the caller's memory, so that a hostile or huge file can at
 * worst kill that process, never the worker that asked. The caller gets the same report the validator
 * returns in-process, the same UnreadableListError or ListLimitError when the file is refused, progress
 * every few seconds (rows read, for heartbeats), and a typed error when the process dies or is aborted.
 *
 * Why a process rather than a worker thread with resourceLimits: a worker's limits cover its JavaScript heap
 * only (Buffers from unzipping, zlib and the file reads are the process's), a fatal out-of-memory in a worker
 * can still take the whole process down, and a worker shares the process's environment (keys). A process
 * costs its start-up (measured in scripts/bench-lists.ts: tens of milliseconds compiled, under a second
 * under tsx), which is nothing beside a list upload.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnreadableListError, type UnreadableReason } from '../lists/errors';
import type { ListId } from '../lists/ids';
import { ListLimitError, type ListLimit } from '../lists/limits';
import type { ListReport, ValidateOptions } from '../lists/validate';

/** What the checking process used: for benchmarks and logs. */
export interface SandboxUsage {
  peakRssMb: number;
  cpuMs: number;
  wallMs: number;
}

export interface ListCheckOptions extends Omit<ValidateOptions, 'onProgress'> {
  /** Heap of the checking process in MB (default 512). */
  memoryMb?: number;
  /** Called every `progressEveryMs` while the check runs, with the rows read so far (of any sheet). */
  onProgress?: (rowsRead: number) => void;
  /** Default 2,000 ms. */
  progressEveryMs?: number;
  /** Aborting kills the checking process; the call rejects with ListCheckAbortedError. */
  signal?: AbortSignal;
  /** Told what the checking process used, when it answered. */
  onUsage?: (usage: SandboxUsage) => void;
  /** Told the checking process's id once it is started (for logs). */
  onStart?: (pid: number) => void;
}

/** The checking process died before it answered: out of memory, killed, or it exited. */
export class ListCheckCrashedError extends Error {
  constructor(
    readonly reason: 'out-of-memory' | 'killed' | 'exited',
    message: string,
  ) {
    super(message);
    this.name = 'ListCheckCrashedError';
  }
}

export class ListCheckAbortedError extends Error {
  constructor() {
    super('The list check was stopped before it finished.');
    this.name = 'ListCheckAbortedError';
  }
}

/** To the checking process. */
export interface CheckRequest {
  list: ListId;
  filePath: string;
  options: Omit<ValidateOptions, 'onProgress'>;
  progressEveryMs: number;
}

/** From the checking process. */
export type ChildMessage =
  | { type: 'progress'; rows: number }
  | { type: 'report'; report: ListReport; usage: SandboxUsage }
  | {
      type: 'error';
      error: { name: string; message: string; reason?: string; limit?: string; max?: number };
      usage: SandboxUsage;
    };

/**
 * This process's own peak resident memory, MB. On Linux from /proc (VmHWM): getrusage's maxRSS survives exec,
 * so in a child it can report the parent's size at the fork.
 */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // Not Linux: getrusage's figure, an upper bound.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

const DEFAULT_MEMORY_MB = 512;
const DEFAULT_PROGRESS_MS = 2_000;
/** Only the end of the child's stderr is kept: enough to see why it died. */
const STDERR_KEPT = 8 * 1024;
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|allocation failed/i;

/**
 * How to start the child: its entry beside this file, as .ts through tsx's loader when this file runs as
 * TypeScript (tests, `npm start`), as plain JavaScript when compiled.
 */
function childEntry(): { entry: string; execArgv: string[] } {
  const ext = extname(__filename);
  const entry = join(dirname(__filename), `list-check-child${ext}`);
  if (ext !== '.ts') return { entry, execArgv: [] };
  return { entry, execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href] };
}

/** The child's environment: enough to run node, nothing else of the caller's (no keys, no config). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'TMPDIR', 'TZ', 'LANG', 'SYSTEMROOT']) if (process.env[k]) env[k] = process.env[k];
  return env;
}

/** The error the validator raised, as its own class again on this side. */
function rebuild(e: Extract<ChildMessage, { type: 'error' }>['error']): Error {
  if (e.name === 'ListLimitError' && e.limit && e.max !== undefined)
    return new ListLimitError(e.limit as ListLimit, e.max, e.message);
  if (e.name === 'UnreadableListError' && e.reason)
    return new UnreadableListError(e.reason as UnreadableReason, e.message);
  const err = e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  err.name = e.name;
  return err;
}

/** Checks a list file in a child process; resolves with what validateListFile would return. */
export function checkListInSandbox(
  list: ListId,
  filePath: string,
  options: ListCheckOptions = {},
): Promise<ListReport> {
  const {
    memoryMb = DEFAULT_MEMORY_MB,
    progressEveryMs = DEFAULT_PROGRESS_MS,
    onProgress,
    signal,
    onUsage,
    onStart,
    ...validate
  } = options;
  if (signal?.aborted) return Promise.reject(new ListCheckAbortedError());

  const { entry, execArgv } = childEntry();
  const child = fork(entry, [], {
    execArgv: [...execArgv, `--max-old-space-size=${memoryMb}`],
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  if (child.pid !== undefined) onStart?.(child.pid);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });

  return new Promise<ListReport>((resolve, reject) => {
    let answer: ChildMessage | undefined;
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', abort, { once: true });

    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') onProgress?.(m.rows);
      else answer = m;
    });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', abort);
      reject(err);
    });
    // 'close': the process has exited and its stderr is read to the end.
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', abort);
      if (answer?.type === 'report') {
        onUsage?.(answer.usage);
        return resolve(answer.report);
      }
      if (answer?.type === 'error') {
        onUsage?.(answer.usage);
        return reject(rebuild(answer.error));
      }
      if (aborted) return reject(new ListCheckAbortedError());
      if (OUT_OF_MEMORY.test(stderr))
        return reject(
          new ListCheckCrashedError(
            'out-of-memory',
            `The list check ran out of memory (${memoryMb} MB) and was stopped. The file is too large to check; it was not accepted.`,
          ),
        );
      if (killedBy)
        return reject(
          new ListCheckCrashedError(
            'killed',
            `The list check was stopped by ${killedBy} before it finished.`,
          ),
        );
      reject(
        new ListCheckCrashedError(
          'exited',
          `The list check exited (status ${String(code)}) before it answered.`,
        ),
      );
    });

    const request: CheckRequest = { list, filePath, options: validate, progressEveryMs };
    child.send(request);
  });
}
