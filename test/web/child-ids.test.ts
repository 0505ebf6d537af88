import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { basic, build, closeApps, cookieHeader, list6, PASSWORDS, signIn, storeFor } from './support';

/**
 * Child IDs only where they must be, and who saw them. On a run with list 6 received, 20 selected and five
 * tracked, one agency's key documents in for one child: the coordinator's page and API view hold the IDs, the
 * manager's hold none (counts and progress only) and the downloads that hold IDs are refused them; every view
 * that showed IDs, and each download, is a line of the inspection's audit log, which the coordinator sees on
 * the page and downloads as CSV (itself a line). On the time-skipping server.
 */
jest.setTimeout(240_000);
const ctx = useHarness();
afterEach(closeApps);

const IDS = ['SYN0001', 'SYN0004', 'SYN0007', 'SYN0010', 'SYN0013'];
const ANY_ID = /SYN\d{4}/;

test('a coordinator sees child IDs and a manager only counts and progress; views and downloads of IDs are audited and exported as CSV', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2091-06-01');
  await skipTo(env, at(notifiedOn, 3, '08:00'));
  const now = await env.currentTimeMs();
  const start = { localAuthority: 'Viewbury', notifiedOn, option: 'A' as const, contacts: CONTACTS };
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const stored = await h.deployment
        .fileStoreFor(inspectionId)
        .put(Readable.from([await list6(notifiedOn, 15)]));
      await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ stored, name: 'list6.xlsx' }]);
      await h.client.select(inspectionId, 'twenty', IDS);
      await h.client.select(inspectionId, 'tracked', IDS);
      await h.client.submit(
        inspectionId,
        'key-documents',
        'police',
        [{ path: await h.file('kd.pdf', '%PDF-1.7 synthetic KD1'), code: 'KD1' }],
        { childId: 'SYN0004', note: 'Synthetic note about SYN0004' },
      );
      // Free text that names a child: a file's name as the agency gave it, a note, reasons, a message.
      await h.client.submit(
        inspectionId,
        'annex-a-documents.police',
        'police',
        [{ path: await h.file('SYN0007 strategy minutes.pdf', '%PDF-1.7 synthetic'), code: '3.9' }],
        { note: 'Minutes naming SYN0007' },
      );
      await h.client.extend(
        inspectionId,
        'annex-a-documents.health',
        now + 3 * 86_400_000,
        'SYN0010 records',
      );
      await h.client.waive(inspectionId, 'annex-a-documents.probation', 'SYN0013 not known to probation');
      await h.client.message(inspectionId, 'youth-justice', 'Please check SYN0001');

      const app = await build(h, () => now);
      const coordinator = { cookie: cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator)) };
      const manager = { cookie: cookieHeader(await signIn(app, 'manager', PASSWORDS.manager)) };
      const get = (url: string, headers: Record<string, string>) =>
        app.inject({ method: 'GET', url, headers });
      const page = `/inspections/${inspectionId}`;
      const api = `/api/inspections/${inspectionId}`;

      // The coordinator: IDs on the overview (the selection) and in the API view.
      const coordPage = await get(page, coordinator);
      expect(coordPage.statusCode).toBe(200);
      for (const id of IDS) expect(coordPage.body).toContain(id);
      const coordApi = await get(api, basic('coord', PASSWORDS.coordinator));
      expect(coordApi.json()).toMatchObject({ tracked: 5, selected: 5, children: { tracked: IDS } });

      // The manager: the same inspection, its counts and progress, and not one child ID.
      const managerPage = await get(page, manager);
      expect(managerPage.statusCode).toBe(200);
      expect(managerPage.body).not.toMatch(ANY_ID);
      // The grid is on the inspection's Children page (sub-navigation): no IDs there either.
      const managerChildren = await get(`${page}/children`, manager);
      expect(managerChildren.body).not.toMatch(ANY_ID);
      const grid =
        /<table class="govuk-table jtai-child-grid"[\s\S]*?<\/table>/.exec(managerChildren.body)?.[0] ?? '';
      expect(grid).toContain('>Child 1<');
      expect(grid).toContain('>Child 5<');
      expect(grid).toContain('1 of 5'); // police's key documents: in for one child of five
      expect(managerPage.body).not.toContain('pack.zip');
      expect(managerPage.body).not.toContain('audit.csv');
      // Every page a manager may open holds no ID, even in free text (file names, reasons, notes, messages).
      for (const sub of ['timeline', 'agencies']) {
        const res = await get(`${page}/${sub}`, manager);
        expect({ sub, status: res.statusCode }).toEqual({ sub, status: 200 });
        expect(res.body).not.toMatch(ANY_ID);
      }
      for (const sub of ['documents', 'actions'])
        expect((await get(`${page}/${sub}`, manager)).statusCode).toBe(403);
      const managerApi = await get(api, basic('manager', PASSWORDS.manager));
      expect(managerApi.statusCode).toBe(200);
      expect(managerApi.body).not.toMatch(ANY_ID);
      expect(managerApi.json()).toMatchObject({ tracked: 5, selected: 5 });
      expect(managerApi.json()).not.toHaveProperty('children');
      for (const file of ['pack.zip', 'candidates.xlsx', 'audit.csv'])
        expect((await get(`${page}/${file}`, manager)).statusCode).toBe(403);

      // The coordinator downloads the pack, then the audit log: views with IDs and downloads, with who.
      expect((await get(`${page}/pack.zip`, coordinator)).statusCode).toBe(200);
      const csv = await get(`${page}/audit.csv`, coordinator);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toContain(`${inspectionId}-audit.csv`);
      const rows = csv.body.trim().split('\r\n');
      expect(rows[0]).toBe('When (ISO),When (UK time),Who (kind),Who,Action,What,From (address),Details');
      const lines = rows.slice(1).map(csvCells);
      const actions = lines.map((cells) => [cells[3], cells[4], cells[6], cells[7]]);
      expect(actions).toEqual([
        ['coord', 'status.viewed', '127.0.0.1', 'surface=page; via=session'],
        ['coord', 'status.viewed', '127.0.0.1', 'surface=api; via=api-basic'],
        ['coord', 'pack.downloaded', '127.0.0.1', 'via=session'],
        ['coord', 'audit.exported', '127.0.0.1', 'via=session'],
      ]);
      expect(csv.body).not.toMatch(ANY_ID);
      expect(csv.body).not.toContain('manager'); // the manager saw no IDs and downloaded nothing

      // The page shows the log too, newest first, to the coordinator.
      const again = await get(page, coordinator);
      const audit = /id="audit"[\s\S]*?<\/table>/.exec(again.body)?.[0] ?? '';
      expect(audit).toContain('Downloaded the inspection’s audit log');
      expect(audit.indexOf('Downloaded the inspection’s audit log')).toBeLessThan(
        audit.indexOf('Downloaded the inspector pack'),
      );
      expect(audit).not.toMatch(ANY_ID);
      const store = await storeFor(h);
      expect((await store.audit.list({ inspectionId })).map((l) => l.action).at(-1)).toBe('status.viewed');

      // What jtai keeps on disk is private: the data folder 0700; stored files and keys 0600, named by hash.
      expect((await stat(h.dir)).mode & 0o777).toBe(0o700);
      const files = await filesUnder(path.join(h.dir, 'files'));
      expect(files.length).toBeGreaterThanOrEqual(3); // list 6, the key documents, the data key record
      for (const f of [...files, ...(await filesUnder(path.join(h.dir, 'keys')))]) {
        expect(path.basename(f)).not.toMatch(ANY_ID);
        expect(((await stat(f)).mode & 0o777).toString(8)).toBe('600');
      }
    }),
  );
});

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) found.push(path.join(e.parentPath, e.name));
  return found;
}

/** The cells of one CSV row (quoted cells may hold commas). */
function csvCells(row: string): string[] {
  return [...row.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
    (m[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"'),
  );
}
