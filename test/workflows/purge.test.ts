import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writePack } from '../../src/client/exports';
import * as messages from '../../src/workflows/messages';
import { CONTACTS, useHarness } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import { executionDeleted } from '../support/eventually';

/**
 * Retention: an inspection that has ended is purged, when its retention runs out or when asked: its files, then
 * the data key that opens them, then its Temporal execution. Afterwards nothing can rebuild the pack or read
 * the history. (On the dev server: the time-skipping test server does not delete executions.)
 */
jest.setTimeout(240_000);
const ctx = useHarness({}, { createEnv: createDevServerEnv });

test('a purge deletes the files, their key and the history: the pack cannot be built again', async () => {
  const { h } = ctx;
  const notifiedOn = h.deployment.calendar.nextWorkingDay(h.deployment.calendar.ukDate(Date.now()));
  await h.run(async () => {
    const { inspectionId } = await h.client.start({
      localAuthority: 'Purged Borough',
      notifiedOn: h.deployment.calendar.addWorkingDays(notifiedOn, 0),
      option: 'A',
      contacts: CONTACTS,
    });
    await h.client.submit(inspectionId, 'annex-a-documents', 'police', [
      { path: await h.file('structure.pdf', 'synthetic police structure chart'), code: '3.1' },
    ]);
    const handle = h.client.client.workflow.getHandle(inspectionId);
    // Still running: a purge is refused.
    await expect(handle.executeUpdate(messages.purge, { args: [{}] })).rejects.toThrow();
    await h.client.cancel(inspectionId, 'Started in error.');
    const state = await h.client.state(inspectionId);
    expect(state.purgeAt).toBeGreaterThan(state.cancelled?.at ?? Infinity);
    const pack = path.join(h.dir, 'before.zip');
    await writePack(h.client, inspectionId, pack);
    expect(existsSync(pack)).toBe(true);
    const keyRecord = path.join(h.deployment.config.filesDir, '.keys', `${inspectionId}.key`);
    expect(existsSync(keyRecord)).toBe(true);

    await handle.executeUpdate(messages.purge, {
      args: [{ by: { kind: 'staff', name: 'coordinator' } }],
    });
    await executionDeleted(handle, 'the execution to be deleted');
    // The key is gone; what is left in its place marks the id as used (no later run gets it).
    expect(readFileSync(keyRecord, 'utf8')).not.toMatch(/sealed/);
    expect(await h.deployment.dataKeys.used(inspectionId)).toBe(true);
    expect(existsSync(path.join(h.deployment.config.filesDir, inspectionId))).toBe(false);
    await expect(writePack(h.client, inspectionId, path.join(h.dir, 'after.zip'))).rejects.toThrow(
      /no inspection/i,
    );
    await expect(handle.fetchHistory()).rejects.toThrow();
    // Its execution gone, its id is still not given to a new run: a start again is `-2`.
    const again = await h.client.start({
      localAuthority: 'Purged Borough',
      notifiedOn: h.deployment.calendar.addWorkingDays(notifiedOn, 0),
      option: 'A',
      contacts: CONTACTS,
    });
    expect(again.inspectionId).toBe(`${inspectionId}-2`);
    await h.client.client.workflow.getHandle(again.inspectionId).terminate('End of test');
  });
});
