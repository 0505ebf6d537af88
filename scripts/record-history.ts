/**
 * `npm run record-history`: re-records every history in test/histories/ with the current workflow code.
 *
 * Runs each scripted week of test/support/recorded-weeks.ts on its own time-skipping test server (the
 * binary `npm test` provisions), with a real worker, a loopback SMTP listener and the fixed test key
 * (test/histories/payloads.key), and writes the finished workflow's history as JSON. Before writing
 * anything it checks that the weeks together hold every update the workflow defines and a refused list,
 * so a recording that lost one fails here, not later in the replay test.
 *
 *   npm run record-history                       # every week
 *   npm run record-history -- option-a-on-time   # only the weeks named (file name without .json)
 *
 * Re-record only when a change to the workflow is meant to be incompatible with running inspections, and
 * say so in the commit (after the first live inspection, guard such a change with `patched()` instead).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHarness } from '../test/support/harness';
import { historyToText, UPDATE_NAMES, updatesIn } from '../test/support/histories';
import {
  HISTORIES_DIR,
  HISTORY_KEY,
  RECORDED_WEEKS,
  type RecordedWeek,
} from '../test/support/recorded-weeks';
import { createTimeSkippingEnv } from '../test/support/temporal';

type History = Parameters<typeof historyToText>[0];

async function record(week: RecordedWeek): Promise<History> {
  const started = Date.now();
  const env = await createTimeSkippingEnv();
  try {
    const h = await createHarness(env, week.overrides, { payloadKey: HISTORY_KEY });
    try {
      const { inspectionId } = await h.run(() => week.run(env, h));
      const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${week.file}: ${history.events?.length ?? 0} events (${inspectionId}, ${seconds} s)`);
      return history;
    } finally {
      await h.close();
    }
  } finally {
    await env.teardown();
  }
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).map((name) => name.replace(/\.json$/, ''));
  const unknown = names.filter((name) => !RECORDED_WEEKS.some((w) => w.file === `${name}.json`));
  if (unknown.length > 0) {
    const known = RECORDED_WEEKS.map((w) => w.file.replace(/\.json$/, '')).join(', ');
    throw new Error(`no recorded week ${unknown.join(', ')} (there are: ${known})`);
  }
  const weeks = RECORDED_WEEKS.filter(
    (w) => names.length === 0 || names.includes(w.file.replace(/\.json$/, '')),
  );
  const recorded: [RecordedWeek, History][] = [];
  for (const week of weeks) recorded.push([week, await record(week)]);

  if (names.length === 0) {
    const accepted = new Set(recorded.flatMap(([, history]) => updatesIn(history).accepted));
    const missing = UPDATE_NAMES.filter((name) => !accepted.has(name));
    const refusedList = recorded.some(([, history]) => updatesIn(history).failed.includes('ListInvalid'));
    if (missing.length > 0 || !refusedList) {
      throw new Error(
        `the recorded weeks no longer hold ${[...missing, ...(refusedList ? [] : ['a refused list'])].join(', ')}: ` +
          'extend test/support/recorded-weeks.ts; nothing was written',
      );
    }
  }
  for (const [week, history] of recorded) {
    await writeFile(path.join(HISTORIES_DIR, week.file), historyToText(history));
  }
  console.log(
    `Wrote ${recorded.map(([week]) => week.file).join(', ')} to ${path.relative(process.cwd(), HISTORIES_DIR)}/.`,
  );
}

main().catch((error: unknown) => {
  console.error(`record-history: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
