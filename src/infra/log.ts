/**
 * Logs of jtai's processes (worker, `npm start`, the build; the web app next): pino, one JSON object a line on
 * stdout, or one readable line for people at a terminal.
 *
 * - `JTAI_LOG_FORMAT`: `json` or `pretty`; unset, `pretty` when stdout is a terminal and `json` otherwise (a
 *   container, a file, a pipe to a log collector). `npm start` passes its choice on to the worker and web app.
 * - `JTAI_LOG_LEVEL`: `fatal`, `error`, `warn`, `info` (the default), `debug`, `trace` or `silent`.
 *
 * What is logged is the caller's responsibility: identifiers of inspections, deliverables, agencies, templates,
 * never a child's ID, a list's content, an email address of a child's family, a link token or a key.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { LOG_FORMATS, LOG_LEVELS } from './config';

export type { Logger };
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  env?: NodeJS.ProcessEnv;
  /** Where JSON lines go (default stdout); pretty lines go to `out` and, from warn up, to `err`. */
  destination?: DestinationStream;
  out?: DestinationStream;
  err?: DestinationStream;
}

function oneOf<T extends string>(
  name: string,
  allowed: readonly T[],
  value: string | undefined,
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Configuration error: ${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

export function logLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return oneOf('JTAI_LOG_LEVEL', LOG_LEVELS, env.JTAI_LOG_LEVEL) ?? 'info';
}

/** The format asked for, else pretty for a terminal and JSON for anything else. */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stdout.isTTY === true,
): LogFormat {
  return oneOf('JTAI_LOG_FORMAT', LOG_FORMATS, env.JTAI_LOG_FORMAT) ?? (isTTY ? 'pretty' : 'json');
}

/** A logger named after its process (`worker`, `start`, `web`, `build`), in the format the environment asks for. */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const out = options.out ?? options.destination ?? process.stdout;
  const destination =
    logFormat(env) === 'pretty' ? prettyDestination(out, options.err ?? process.stderr) : out;
  return pino(
    {
      name,
      level: logLevel(env),
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than pino's numbers: what log collectors and people expect to filter on.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

// ---- The readable format ---------------------------------------------------------------------------------

/** Fields every record has, which the readable line shows in its own way or not at all. */
const SHOWN_APART = new Set(['time', 'level', 'msg', 'name', 'pid', 'hostname', 'err']);
const WARN_AND_UP = new Set(['warn', 'error', 'fatal']);
/** pino's own level numbers (Fastify's logger writes them). */
const PINO_NUMBERS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** The local time of day of a record's time (ISO text or epoch milliseconds), or nothing if it has none. */
function clockTime(value: unknown): string {
  const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * One JSON record as a line for people: `12:03:04.567 WARN  message key=value …` (local time), and an
 * error's stack below it. Lines that are not pino records are written unchanged.
 */
export function prettyLine(json: string): { line: string; warn: boolean } {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return { line: json.endsWith('\n') ? json : `${json}\n`, warn: false };
  }
  const level =
    typeof record.level === 'number'
      ? (PINO_NUMBERS[record.level] ?? 'info')
      : typeof record.level === 'string'
        ? record.level
        : 'info';
  const time = clockTime(record.time);
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => ` ${key}=${showValue(value)}`)
    .join('');
  const err = record.err as { stack?: string; message?: string } | undefined;
  const below = err ? `\n    ${(err.stack ?? err.message ?? '').split('\n').join('\n    ')}` : '';
  return {
    line: `${time} ${level.toUpperCase().padEnd(5)} ${typeof record.msg === 'string' ? record.msg : showValue(record.msg ?? '')}${fields}${below}\n`,
    warn: WARN_AND_UP.has(level),
  };
}

function prettyDestination(out: DestinationStream, err: DestinationStream): DestinationStream {
  return {
    write(json: string) {
      const { line, warn } = prettyLine(json);
      (warn ? err : out).write(line);
    },
  };
}
