import { agencyView } from '../../src/client/read-model/agency';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator } from '../support/list-double';

/**
 * One agency can send a list as often as it likes: the inspection's status (what every page, `jtai status` and
 * the API read) stays bounded. Warnings go to the file store; the workflow keeps counts, the first few on the
 * latest list, and references.
 */
jest.setTimeout(300_000);
const ctx = useHarness({ validateListFile: readingValidator });

const UPLOADS = 200;
const STATUS_BOUND = 256 * 1024;

test(`a warnings-heavy list sent ${UPLOADS} times keeps the status under ${STATUS_BOUND / 1024} KB`, async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-06-01');
  await skipTo(env, at(notifiedOn, 1, '09:30'));
  // 100 children, three cells in each row an agency must be asked about: 300 warnings per upload.
  const rows = childIds('SYN', 100).map((id) => `${id},QUERY,QUERY,QUERY,Y`);
  const csv = ['Child Unique ID,Gender,Ethnicity,Disability,Theme (Y/N)', ...rows].join('\n');
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Heavy Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const file = await h.file('list6.csv', csv);
        for (let i = 0; i < UPLOADS; i++)
          await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ path: file }]);
        const status = await h.client.state(inspectionId);
        const size = Buffer.byteLength(JSON.stringify(status));
        expect(size).toBeLessThan(STATUS_BOUND);
        const list6 = status.deliverables.find((d) => d.id === 'list-6');
        expect(list6?.submissionCount).toBe(UPLOADS);
        expect(list6?.submissions.length).toBeLessThanOrEqual(20);
        const latest = list6?.submissions.at(-1);
        expect(latest?.queryCount).toBe(300);
        expect(latest?.queries?.length).toBeLessThanOrEqual(20);
        expect(list6?.submissions.slice(0, -1).every((s) => s.queries === undefined)).toBe(true);
        // Every warning is kept, in the store, beside the list.
        expect(latest?.queriesFile?.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(await h.deployment.fileStoreFor(inspectionId).has(latest?.queriesFile?.sha256 ?? '')).toBe(
          true,
        );
        // The views pages are made of still answer, and every file received is still listed.
        expect(agencyView(status, 'local-authority', await env.currentTimeMs()).items.length).toBeGreaterThan(
          0,
        );
        expect((await h.client.view(inspectionId)).deliverables.length).toBe(status.deliverables.length);
        expect(await h.client.files(inspectionId)).toHaveLength(UPLOADS);
        expect(Object.keys(await h.client.candidates(inspectionId))).toHaveLength(100);
      },
    ),
  );
});
