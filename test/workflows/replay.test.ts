import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { distState, ROOT } from '../../bin/dist';
import { encryptedDataConverter } from '../../src/infra/codec';
import { parseKeyring } from '../../src/infra/keys';
import { workflowBundle } from '../support/harness';
import { historyFromText, UPDATE_NAMES, updatesIn } from '../support/histories';
import { HISTORIES_DIR, HISTORY_KEY, RECORDED_WEEKS } from '../support/recorded-weeks';
import '../support/temporal';

/**
 * Recorded inspections (test/histories/, written by `npm run record-history`) replay with the current
 * workflow code: a change that would break a running inspection fails here. They replay twice: bundled from
 * the sources here, and as the compiled worker runs them, from dist/workflow-bundle.js (`npm test` builds
 * dist/ first when it is not up to date), so what ships is what is tested.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
const histories = files.map((file) => ({
  file,
  history: historyFromText(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
}));
const dataConverter = encryptedDataConverter(parseKeyring(readFileSync(HISTORY_KEY, 'utf8'), 'payloads'));

/** Histories recorded by an earlier workflow version (`<week>.before-<patch>.json`): they must replay too. */
const EARLIER = /\.before-[a-z-]+\.json$/;

test('every scripted week has its recorded history, and every history its scripted week', () => {
  expect(files.filter((f) => !EARLIER.test(f)).sort()).toEqual(
    RECORDED_WEEKS.map((week) => week.file).sort(),
  );
  // An earlier version's history is of a week still scripted.
  for (const f of files.filter((f) => EARLIER.test(f)))
    expect(RECORDED_WEEKS.map((week) => week.file)).toContain(f.replace(EARLIER, '.json'));
});

test('the recorded histories hold every update the workflow defines, and a refused list', () => {
  const accepted = new Set(histories.flatMap(({ history }) => updatesIn(history).accepted));
  expect(UPDATE_NAMES.length).toBeGreaterThanOrEqual(9);
  expect(UPDATE_NAMES.filter((name) => !accepted.has(name))).toEqual([]);
  expect(histories.flatMap(({ history }) => updatesIn(history).failed)).toContain('ListInvalid');
});

const BUILT_BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');
const dist = distState();
type Bundle = () => Promise<ReplayWorkerOptions['workflowBundle']>;
const bundles: { how: string; bundle: Bundle }[] = [
  { how: 'bundled from the sources', bundle: () => workflowBundle() },
];
if (dist.state === 'fresh') {
  bundles.push({
    how: 'from dist/workflow-bundle.js',
    bundle: () => Promise.resolve({ codePath: BUILT_BUNDLE }),
  });
}

test.each(
  histories.flatMap(({ file, history }) =>
    bundles.map(({ how, bundle }) => ({ file, how, history, bundle })),
  ),
)('$file replays with the current workflow code, $how', async ({ file, history, bundle }) => {
  expect(history.events.length).toBeGreaterThan(100);
  await Worker.runReplayHistory({ workflowBundle: await bundle(), dataConverter }, history, file);
});

if (dist.state !== 'fresh') {
  // A developer's dist/ may lag behind the sources (`npx jest` does not build); CI's never may.
  const ci = Boolean(process.env.CI);
  (ci ? test : test.skip)(`the built workflow bundle replays too (not run: ${dist.why})`, () => {
    throw new Error(`${dist.why}: npm test builds dist/ before the tests; run npm run build`);
  });
}
