import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encryptedDataConverter } from '../../src/infra/codec';
import { parseKeyring } from '../../src/infra/keys';
import { workflowBundle } from '../support/harness';
import { historyFromText, UPDATE_NAMES, updatesIn } from '../support/histories';
import { HISTORIES_DIR, HISTORY_KEY, RECORDED_WEEKS } from '../support/recorded-weeks';
import '../support/temporal';

/**
 * Recorded inspections (test/histories/, written by `npm run record-history`) replay with the current
 * workflow code: a change that would break a running inspection fails here.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
const histories = files.map((file) => ({
  file,
  history: historyFromText(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
}));
const dataConverter = encryptedDataConverter(parseKeyring(readFileSync(HISTORY_KEY, 'utf8'), 'payloads'));

test('every scripted week has its recorded history, and every history its scripted week', () => {
  expect(files.sort()).toEqual(RECORDED_WEEKS.map((week) => week.file).sort());
});

test('the recorded histories hold every update the workflow defines, and a refused list', () => {
  const accepted = new Set(histories.flatMap(({ history }) => updatesIn(history).accepted));
  expect(UPDATE_NAMES.length).toBeGreaterThanOrEqual(9);
  expect(UPDATE_NAMES.filter((name) => !accepted.has(name))).toEqual([]);
  expect(histories.flatMap(({ history }) => updatesIn(history).failed)).toContain('ListInvalid');
});

test.each(histories.map(({ file, history }) => [file, history] as const))(
  '%s replays with the current workflow code',
  async (file, history) => {
    expect(history.events.length).toBeGreaterThan(100);
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(),
        dataConverter,
      },
      history,
      file,
    );
  },
);
