import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { agencyToken, build, closeApps } from './support';

/**
 * A restart after a cancellation (same local authority, same notification date) is a new inspection with its
 * own id (`-2`, then `-3`), so its files, data key, links and purge never mix with the cancelled run's; the
 * cancelled run's links do not open the new one. On the time-skipping server, through the web app's link pages.
 */
jest.setTimeout(240_000);
const ctx = useHarness();
afterEach(closeApps);

test('start, cancel, start again: a new id each time, and the old run’s link does not open the new one', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2091-03-01');
  await skipTo(env, at(notifiedOn, 1, '10:00'));
  const now = await env.currentTimeMs();
  const start = { localAuthority: 'Restartham', notifiedOn, option: 'A' as const, contacts: CONTACTS };
  const base = `inspection-restartham-${notifiedOn}`;
  await h.run(async () => {
    const app = await build(h, () => now);
    const first = await h.client.start(start);
    expect(first.inspectionId).toBe(base);
    await h.client.submit(base, 'annex-a-documents', 'police', [
      { path: await h.file('structure.pdf', 'synthetic police structure chart'), code: '3.1' },
    ]);
    // While it runs, a second start is refused, not given another id.
    await expect(h.client.start(start)).rejects.toThrow(/already exists and is running/);
    const firstState = await h.client.state(base);
    await h.client.cancel(base, 'Started with the wrong contacts.');

    await h.withInspection(start, async (second) => {
      expect(second.inspectionId).toBe(`${base}-2`);
      const secondState = await h.client.state(second.inspectionId);
      expect(secondState.runNonce).not.toBe(firstState.runNonce);
      // Its own data key: nothing of the first run's files.
      const keys = h.deployment.dataKeys;
      expect((await keys.keyFor(second.inspectionId)).equals(await keys.keyFor(base))).toBe(false);
      expect(await h.client.files(second.inspectionId)).toEqual([]);

      const fresh = agencyToken(h, secondState, 'police');
      expect((await app.inject({ method: 'GET', url: `/a/${fresh}` })).statusCode).toBe(200);
      // The first run's link, even re-addressed to the new id with a valid signature: its run nonce is not this
      // run's, so it is refused.
      const oldRun = agencyToken(h, { ...secondState, runNonce: firstState.runNonce }, 'police');
      const refused = await app.inject({ method: 'GET', url: `/a/${oldRun}` });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain('Restartham');
    });
    // The second run has ended too (cancelled at the end of withInspection): a third start is `-3`.
    await h.withInspection(start, async (third) => {
      expect(third.inspectionId).toBe(`${base}-3`);
      expect((await h.client.state(third.inspectionId)).runNonce).not.toBe(firstState.runNonce);
    });
  });
});
