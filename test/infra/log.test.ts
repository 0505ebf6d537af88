import { createLogger, logFormat, logLevel, prettyLine } from '../../src/infra/log';
import { forwardEntry } from '../../src/worker/runtime';

/** Lines written to a logger's destinations, kept. */
function capture(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger('worker', {
    env,
    out: { write: (line: string) => void out.push(line) },
    err: { write: (line: string) => void err.push(line) },
  });
  return { logger, out, err };
}

test('the format: as asked, else readable at a terminal and JSON elsewhere; a bad value is refused', () => {
  expect(logFormat({}, true)).toBe('pretty');
  expect(logFormat({}, false)).toBe('json');
  expect(logFormat({ JTAI_LOG_FORMAT: 'json' }, true)).toBe('json');
  expect(logFormat({ JTAI_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  expect(() => logFormat({ JTAI_LOG_FORMAT: 'xml' })).toThrow(
    'JTAI_LOG_FORMAT must be one of json, pretty, got "xml"',
  );
  expect(logLevel({})).toBe('info');
  expect(logLevel({ JTAI_LOG_LEVEL: 'debug' })).toBe('debug');
  expect(() => logLevel({ JTAI_LOG_LEVEL: 'loud' })).toThrow(/JTAI_LOG_LEVEL must be one of/);
});

test('JSON: one record a line, on stdout whatever the level, with the level by name and the process named', () => {
  const { logger, out, err } = capture({ JTAI_LOG_FORMAT: 'json', JTAI_LOG_LEVEL: 'info' });
  logger.debug('not at info');
  logger.info({ taskQueue: 'jtai' }, 'Worker starting');
  logger.error({ err: new Error('broken') }, 'Worker failed');
  expect(err).toEqual([]);
  const records = out.map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(records).toHaveLength(2);
  expect(records[0]).toMatchObject({
    level: 'info',
    name: 'worker',
    taskQueue: 'jtai',
    msg: 'Worker starting',
  });
  expect(Date.parse(records[0]!.time as string)).not.toBeNaN();
  expect(records[1]).toMatchObject({ level: 'error', err: { type: 'Error', message: 'broken' } });
});

test('readable: time, level and message, the other fields as key=value, an error stack below; warnings on stderr', () => {
  const { logger, out, err } = capture({ JTAI_LOG_FORMAT: 'pretty' });
  logger.info({ taskQueue: 'jtai', mail: 'outbox folder /tmp/x' }, 'Worker starting');
  logger.warn({ err: new Error('slow') }, 'Email not sent');
  expect(out).toHaveLength(1);
  expect(out[0]).toMatch(
    /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Worker starting taskQueue=jtai mail="outbox folder \/tmp\/x"\n$/,
  );
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}Email not sent\n {4}Error: slow\n\s+at /);
});

test('readable lines from other loggers: Fastify numeric levels and times; a line that is not JSON unchanged', () => {
  const fastify = prettyLine(
    JSON.stringify({ level: 40, time: 1_700_000_000_000, pid: 1, msg: 'slow request' }),
  );
  expect(fastify.warn).toBe(true);
  expect(fastify.line).toMatch(/^\d\d:\d\d:\d\d\.000 WARN {2}slow request\n$/);
  expect(prettyLine('Temporal Server: localhost:7233')).toEqual({
    line: 'Temporal Server: localhost:7233\n',
    warn: false,
  });
});

test("the Temporal SDK's entries become records at the same level, metadata as fields, an error as err", () => {
  const { logger, out } = capture({ JTAI_LOG_FORMAT: 'json', JTAI_LOG_LEVEL: 'trace' });
  const timestampNanos = 0n;
  forwardEntry(logger, {
    level: 'TRACE',
    message: 'Activity started',
    timestampNanos,
    meta: { activityType: 'sendNotice' },
  });
  forwardEntry(logger, {
    level: 'WARN',
    message: 'Activity failed',
    timestampNanos,
    meta: { error: new Error('SMTP down') },
  });
  const records = out.map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(records).toEqual([
    expect.objectContaining({ level: 'trace', msg: 'Activity started', activityType: 'sendNotice' }),
    expect.objectContaining({
      level: 'warn',
      msg: 'Activity failed',
      err: expect.objectContaining({ message: 'SMTP down' }),
    }),
  ]);
});
