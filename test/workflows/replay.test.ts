import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EncryptionCodec } from '../../src/infra/codec';
import { historyFromText } from '../support/histories';
import { workflowBundle } from '../support/harness';
import '../support/temporal';

/** Recorded inspections replay with the current workflow code: no change breaks a running inspection. */
const dir = path.join(__dirname, '../histories');

test('every recorded inspection history replays with the current workflow code', async () => {
  const key = Buffer.from((await readFile(path.join(dir, 'payloads.key'), 'utf8')).trim(), 'base64');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const history = historyFromText(await readFile(path.join(dir, file), 'utf8'));
    expect(history.events.length).toBeGreaterThan(100);
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(),
        dataConverter: { payloadCodecs: [new EncryptionCodec(key)] },
      },
      history,
      file,
    );
  }
});
