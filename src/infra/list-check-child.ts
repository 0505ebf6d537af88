/**
 * The checking process of ./list-check.ts: checks the one list it is sent, reports progress on a timer (so a
 * blocked event loop shows as silence), answers with the report or the error, and exits. Started only by
 * list-check.ts, never on its own.
 */
import { validateListFile } from '../lists/validate';
import { peakRssMb, type CheckRequest, type ChildMessage, type SandboxUsage } from './list-check';

function usage(started: number): SandboxUsage {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return {
    peakRssMb: peakRssMb(),
    cpuMs: Math.round((userCPUTime + systemCPUTime) / 1000),
    wallMs: Date.now() - started,
  };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function check(req: CheckRequest): Promise<void> {
  const started = Date.now();
  let rows = 0;
  const timer = setInterval(() => void send({ type: 'progress', rows }), req.progressEveryMs);
  try {
    const report = await validateListFile(req.list, req.filePath, {
      ...req.options,
      onProgress: (n) => (rows = n),
    });
    clearInterval(timer);
    await send({ type: 'report', report, usage: usage(started) });
  } catch (err) {
    clearInterval(timer);
    const e = err instanceof Error ? err : new Error(String(err));
    const { reason, limit, max } = e as Error & { reason?: string; limit?: string; max?: number };
    await send({
      type: 'error',
      error: { name: e.name, message: e.message, reason, limit, max },
      usage: usage(started),
    });
  }
  process.exit(0);
}

if (!process.send) {
  process.stderr.write('list-check-child: started without an IPC channel; it is run by list-check.ts\n');
  process.exit(2);
}
process.once('message', (req: CheckRequest) => void check(req));
// The parent went away: nothing will read the answer.
process.once('disconnect', () => process.exit(1));
