import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../infra/log';

/** pino's level for each of the SDK's. */
const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
/** The SDK's level for pino's (fatal and silent have no match: error, and nothing above it). */
const SDK_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};
/** The Rust core's own detail below INFO is for the SDK's developers: not passed on even at debug. */
const CORE_LEVELS: readonly LogLevel[] = ['INFO', 'WARN', 'ERROR'];

/** One SDK log entry as a pino record: its metadata as fields, an `error` under pino's `err`. */
export function forwardEntry(logger: Logger, entry: LogEntry): void {
  const { error, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
  const fields = error === undefined ? meta : { ...meta, err: error };
  logger[PINO_LEVEL[entry.level]](fields, entry.message);
}

/**
 * Routes every log of the Temporal SDK into `logger`: the worker's own, workflows' and activities' `log`, and
 * the Rust core's (forwarded, from INFO up). Call once, before anything creates a connection or worker.
 */
export function installRuntime(logger: Logger): Runtime {
  const level = SDK_LEVEL[logger.level] ?? 'INFO';
  const core = CORE_LEVELS.includes(level) ? level : 'INFO';
  return Runtime.install({
    logger: new DefaultLogger(level, (entry) => forwardEntry(logger, entry)),
    telemetryOptions: { logging: { forward: {}, filter: { core, other: 'ERROR' } } },
  });
}
