/**
 * `npm run bench:cli`: the CLI's cost per command as users run it (`bin/jtai …`, compiled dist/), each a whole
 * process timed from outside, paired run by run against its floor:
 *   help, timeline, list, status   against `node -e 0` (a node start and nothing else);
 *   lists validate                 against the same validation of the same file in a bare node process that
 *                                  loads the validator alone (so the difference is the CLI's start-up).
 * Targets, CPU seconds (user + system) per whole process on this machine: `jtai --help` <= 0.25,
 * `jtai timeline --json` <= 0.4, `jtai list` and `jtai status` <= 0.8, `lists validate` start-up <= 0.3 s
 * over the validation itself.
 *
 * `list` and `status` need Temporal: the bench starts a dev server (in memory) and a worker in this process,
 * starts one inspection (notified on the coming Monday, so nothing falls due) and gives the CLI the same data
 * directory (keys) and task queue, as a coordinator's shell would have.
 *
 *   npm run bench:cli [-- --runs 9]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanRows, NOTIFIED as LIST_NOTIFIED, writeXlsx } from '../test/lists/helpers';
import { CONTACTS, createHarness, upcomingNotificationMonday } from '../test/support/harness';
import { createDevServerEnv } from '../test/support/temporal';
import { arg, f2, load, median, pad, ROOT, timed, type Timed } from './bench-support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { distState } = require('../bin/dist') as { distState: () => { state: string; why?: string } };

const JTAI = join(ROOT, 'bin', 'jtai');
const FLOOR = [process.execPath, '-e', '0'];

interface Row {
  name: string;
  target: string;
  a: Timed[];
  b: Timed[];
  /** Judged on the median CPU of A (or of A minus B, for a start-up target). */
  meets: (cpuA: number, cpuAminusB: number) => boolean;
}

async function pairs(
  runs: number,
  a: string[],
  b: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ a: Timed[]; b: Timed[] }> {
  const out = { a: [] as Timed[], b: [] as Timed[] };
  await timed(a, env); // warm-up: the file system cache, not counted
  for (let i = 0; i < runs; i++) {
    const ta = await timed(a, env);
    if (ta.status !== 0) throw new Error(`${a.slice(1).join(' ')} exited ${ta.status}: ${ta.stderr}`);
    out.a.push(ta);
    out.b.push(await timed(b, env));
  }
  return out;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? '9');
  const dist = distState();
  if (dist.state !== 'fresh')
    throw new Error(`dist/ is ${dist.state} (${dist.why}): run npm run build first.`);
  const dir = await mkdtemp(join(tmpdir(), 'jtai-bench-cli-'));
  const env = await createDevServerEnv();
  const h = await createHarness(env);
  const rows: Row[] = [];
  try {
    await h.run(async () => {
      const notifiedOn = upcomingNotificationMonday();
      const { inspectionId } = await h.client.start({
        localAuthority: 'Bench Borough',
        notifiedOn,
        option: 'A',
        contacts: CONTACTS,
      });
      await h.client.view(inspectionId); // its first workflow task done, so status answers from the cache
      const list = await writeXlsx(join(dir, 'list6.xlsx'), cleanRows('6', 100));
      const vars: NodeJS.ProcessEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: h.deployment.config.temporal.taskQueue,
        JTAI_DATA_DIR: h.dir,
        JTAI_SEARCH_ATTRIBUTES: 'on',
        // On a busy machine a query can wait on a worker's task longer than the product's 10 s.
        JTAI_ANSWER_WITHIN_SECONDS: '120',
      };
      const bareValidate = [
        process.execPath,
        '-e',
        `require(${JSON.stringify(join(ROOT, 'dist/lists/validate.js'))})` +
          `.validateListFile('6', process.argv[1], { notifiedOn: '${LIST_NOTIFIED}', option: 'A' })` +
          `.then((r) => process.stdout.write(JSON.stringify(r.counts)))`,
        list,
      ];
      const measure = async (
        name: string,
        target: string,
        a: string[],
        b: string[],
        meets: Row['meets'],
      ): Promise<void> => {
        process.stderr.write(`  ${name} ...\n`);
        rows.push({ name, target, ...(await pairs(runs, a, b, vars)), meets });
      };
      process.stderr.write(`load average before: ${load()}\n`);
      await measure('jtai --help', '<= 0.25 s', [JTAI, '--help'], FLOOR, (cpu) => cpu <= 0.25);
      await measure(
        'jtai timeline --json',
        '<= 0.4 s',
        [JTAI, 'timeline', '--notified', notifiedOn, '--json'],
        FLOOR,
        (cpu) => cpu <= 0.4,
      );
      await measure('jtai list --json', '<= 0.8 s', [JTAI, 'list', '--json'], FLOOR, (cpu) => cpu <= 0.8);
      await measure(
        'jtai status --json',
        '<= 0.8 s',
        [JTAI, 'status', inspectionId, '--json'],
        FLOOR,
        (cpu) => cpu <= 0.8,
      );
      await measure(
        'jtai lists validate (100 rows)',
        '<= 0.3 s over B',
        [JTAI, 'lists', 'validate', '--list', '6', list, '--json', '--notified', LIST_NOTIFIED],
        bareValidate,
        (_cpu, over) => over <= 0.3,
      );
    });
  } finally {
    await h.smtp.close();
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
    await rm(h.dir, { recursive: true, force: true });
  }
  const head = [
    'command'.padEnd(32),
    pad('A cpu / wall', 13),
    pad('B cpu / wall', 13),
    pad('A-B cpu', 8),
    pad('A/B cpu', 8),
    pad('A peak MB', 9),
    pad('target', 16),
    'meets',
  ].join(' | ');
  const lines = rows.map((r) => {
    const m = (ts: Timed[], k: 'cpuS' | 'wallS'): number => median(ts.map((t) => t[k]));
    const over = median(r.a.map((t, i) => t.cpuS - (r.b[i]?.cpuS ?? NaN)));
    const ratio = median(r.a.map((t, i) => t.cpuS / (r.b[i]?.cpuS ?? NaN)));
    return [
      r.name.padEnd(32),
      pad(`${f2(m(r.a, 'cpuS'))} / ${f2(m(r.a, 'wallS'))}`, 13),
      pad(`${f2(m(r.b, 'cpuS'))} / ${f2(m(r.b, 'wallS'))}`, 13),
      pad(f2(over), 8),
      pad(`${f2(ratio)}x`, 8),
      pad(median(r.a.map((t) => t.rssMb)).toFixed(0), 9),
      pad(r.target, 16),
      r.meets(m(r.a, 'cpuS'), over) ? 'yes' : 'NO',
    ].join(' | ');
  });
  process.stdout.write(
    `\njtai CLI, whole processes (s; medians of ${runs} paired runs; A-B and A/B taken pair by pair; ` +
      `B is node -e 0, or for lists validate the validation alone)\nload average after: ${load()}\n` +
      `${head}\n${'-'.repeat(head.length)}\n${lines.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
