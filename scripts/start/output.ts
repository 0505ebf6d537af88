/**
 * What `npm start` prints, its own lines and its children's, in one format (src/infra/log.ts decides which;
 * the children are told the same through JTAI_LOG_FORMAT):
 *
 * - json: one record a line on stdout. A child's records pass through as they are (they carry its name and
 *   pid); a line of a child that is not a record (the Temporal dev server's, a crash's stack) becomes a record
 *   named after the child, with the stream it came on.
 * - pretty: a child's lines prefixed `[worker]`, `[web]`, `[temporal]`, its records made readable; warnings and
 *   errors on stderr.
 */
import { createLogger, logFormat, type LogFormat, type Logger, prettyLine } from '../../src/infra/log';
import type { Output } from './supervisor';

export interface StartOutput extends Output {
  format: LogFormat;
  logger: Logger;
  say: (line: string) => void;
  warn: (line: string) => void;
}

/** A line that is already a log record (ours, or Fastify's pino with numeric levels). */
function isRecord(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'level' in parsed && 'msg' in parsed;
  } catch {
    return false;
  }
}

export function startOutput(env: NodeJS.ProcessEnv = process.env): StartOutput {
  const format = logFormat(env);
  const logger = createLogger('start', { env });
  const childLoggers = new Map<string, Logger>();
  const childLogger = (name: string) => {
    let found = childLoggers.get(name);
    if (!found) childLoggers.set(name, (found = createLogger(name, { env })));
    return found;
  };
  return {
    format,
    logger,
    say: (line) => logger.info(line),
    warn: (line) => logger.warn(line),
    child(name, line, stderr) {
      const record = isRecord(line);
      if (format === 'json') {
        if (line.trim() === '') return;
        if (record) process.stdout.write(`${line}\n`);
        else childLogger(name)[stderr ? 'warn' : 'info']({ stream: stderr ? 'stderr' : 'stdout' }, line);
        return;
      }
      const shown = record ? prettyLine(line) : { line: `${line}\n`, warn: false };
      (stderr || shown.warn ? process.stderr : process.stdout).write(`[${name}] ${shown.line}`);
    },
  };
}
