import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTACTS, useHarness } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import { executionDeleted } from '../support/eventually';

/** Retention: an inspection that has ended is purged by itself once its retention period runs out. */
jest.setTimeout(240_000);
// A retention of a few seconds (0.0001 days), so the automatic purge falls due within the test.
const ctx = useHarness({}, { createEnv: createDevServerEnv, env: { JTAI_RETENTION_DAYS: '0.0001' } });

test('an inspection is purged by itself once its retention after closing runs out', async () => {
  const { h } = ctx;
  const calendar = h.deployment.calendar;
  await h.run(async () => {
    const { inspectionId } = await h.client.start({
      localAuthority: 'Retained Borough',
      notifiedOn: calendar.nextWorkingDay(calendar.ukDate(Date.now())),
      option: 'B',
      contacts: CONTACTS,
    });
    await h.client.submit(inspectionId, 'annex-a-documents', 'health', [
      { path: await h.file('structure.pdf', 'synthetic health structure chart'), code: '6.1' },
    ]);
    await h.client.cancel(inspectionId, 'Started in error.');
    const keyRecord = path.join(h.deployment.config.filesDir, '.keys', `${inspectionId}.key`);
    const handle = h.client.client.workflow.getHandle(inspectionId);
    await executionDeleted(handle, 'the automatic purge');
    // The key is gone (what is left in its place only marks the id as used).
    expect(readFileSync(keyRecord, 'utf8')).not.toMatch(/sealed/);
  });
});
