import ExcelJS from 'exceljs';
import { writeAnswersSheet } from '../../src/lists/twenty-answers';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { accessible, launchBrowser, shot } from '../support/browser';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';
import {
  agencyToken,
  build,
  closeApps,
  cookieHeader,
  keepCookies,
  multipart,
  storeContents,
  storeFor,
} from './support';

/** Option A (issue 14): an agency's page for its answers on the 20, and the local authority's pre-filled return. */
jest.setTimeout(240_000);
const ctx = useHarness({ validateListFile: readingValidator });
let now = 0;
afterEach(closeApps);

const HEADERS = {
  police: 'Is there a current police investigation or any criminal proceedings? (Y/N)',
  yot: 'Is the child or young person known to the YOT? (Y/N)',
  sarc: 'Sexual Assault Referral Centre',
  nps: 'Is the NPS working with a parent',
};

test('an agency page shows only its own question for the 20 and takes the form and the sheet; the local authority sees each answer with its source', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday(
    new Date(Math.max(await env.currentTimeMs(), Date.UTC(2090, 4, 1))).toISOString().slice(0, 10),
  );
  // Started on its notification day, as the workflow test of the answers is.
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Answerford', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const ids = childIds('SYN', 25);
        await skipTo(env, at(notifiedOn, 2, '12:00'));
        await h.client.submit(inspectionId, 'list-6', 'local-authority', [
          { path: await h.file('list-6.csv', syntheticCsv(ids)) },
        ]);
        await skipTo(env, at(notifiedOn, 3, '09:30'));
        const twenty = ids.slice(0, 20);
        await h.client.select(inspectionId, 'twenty', twenty);
        now = await env.currentTimeMs();
        const app = await build(h, () => now);
        const state = await h.client.state(inspectionId);
        const police = agencyToken(h, state, 'police');
        const yot = agencyToken(h, state, 'youth-justice');

        // The police home page lists the request; its page has the police question and no other agency's.
        const home = await app.inject({ method: 'GET', url: `/a/${police}` });
        expect(home.body).toContain('Answers for the children selected');
        const url = `/a/${police}/d/twenty-answers.police`;
        const jar: Record<string, string> = {};
        const page = await app.inject({ method: 'GET', url });
        expect(page.statusCode).toBe(200);
        keepCookies(jar, page);
        expect(page.body).toContain(HEADERS.police);
        for (const other of [HEADERS.yot, HEADERS.sarc, HEADERS.nps]) expect(page.body).not.toContain(other);
        expect(page.body).toContain('SYN0020');
        expect(page.body).not.toContain('SYN0021');
        // Another agency's answers, through the police link: not found.
        expect(
          (await app.inject({ method: 'GET', url: `/a/${police}/d/twenty-answers.health` })).statusCode,
        ).toBe(404);

        // The form: a value other than Y/N/blank is refused; then Y for the first child, N for the second.
        const action = (name: string) =>
          new RegExp(`action="([^"]+/${name}\\?[^"]+)"`).exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
        const post = (payload: string) =>
          app.inject({
            method: 'POST',
            url: action('answers-form'),
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
            payload,
          });
        const bad = await post('a-0-policeInvestigation=maybe');
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('choose Y, N or not known yet');
        const forged = await post('a-0-sarcPaediatric=Y');
        expect(forged.statusCode).toBe(400); // nothing the page asked: nothing changed
        const sent = await post('a-0-policeInvestigation=Y&a-1-policeInvestigation=N');
        expect(sent.statusCode).toBe(303);
        const after = await app.inject({ method: 'GET', url });
        expect(after.body).toMatch(/id="a-0-policeInvestigation-1"[^>]*value="Y" checked/);
        expect(after.body).toMatch(/id="a-1-policeInvestigation-2"[^>]*value="N" checked/);
        expect(after.body).toContain('2 answers');

        // The YOT downloads its sheet (its question only), fills it in and uploads it.
        const sheetRes = await app.inject({
          method: 'GET',
          url: `/a/${yot}/d/twenty-answers.youth-justice/answers.xlsx`,
        });
        expect(sheetRes.statusCode).toBe(200);
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(sheetRes.rawPayload as unknown as ArrayBuffer);
        const ws = wb.worksheets[0];
        expect(ws?.getRow(1).values).toEqual([undefined, 'Child unique ID', HEADERS.yot]);
        expect(ws?.rowCount).toBe(21);
        const filled = path.join(h.dir, 'yot.xlsx');
        await writeAnswersSheet(filled, {
          columns: ['knownToYot'],
          rows: twenty.map((childId, i) => ({ childId, values: { knownToYot: i % 2 ? 'N' : 'Y' } })),
        });
        const yotJar: Record<string, string> = {};
        const yotPage = await app.inject({
          method: 'GET',
          url: `/a/${yot}/d/twenty-answers.youth-justice`,
        });
        keepCookies(yotJar, yotPage);
        const sheetAction =
          /action="([^"]+\/answers-sheet\?[^"]+)"/.exec(yotPage.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
        const upload = async (content: Buffer) => {
          const body = await multipart({ updateId: `sheet-${content.length}` }, [
            { field: 'sheet', name: 'answers.xlsx', content },
          ]);
          return app.inject({
            method: 'POST',
            url: sheetAction,
            headers: { ...body.headers, cookie: cookieHeader(yotJar) },
            payload: body.payload,
          });
        };
        // A sheet with a child not among the 20 is refused, by row, and nothing is recorded.
        const wrong = path.join(h.dir, 'wrong.xlsx');
        await writeAnswersSheet(wrong, {
          columns: ['knownToYot'],
          rows: [{ childId: 'SYN0024', values: { knownToYot: 'Y' } }],
        });
        const storedBefore = await storeContents(h, inspectionId);
        const refused = await upload(await readFile(wrong));
        expect(refused.statusCode).toBe(400);
        expect(await storeContents(h, inspectionId)).toEqual(storedBefore);
        expect(refused.body).toContain('Row 2: the child is not one of the 20 selected');
        const accepted = await upload(await readFile(filled));
        expect(accepted.statusCode).toBe(303);
        const yotDeliverable = (await h.client.state(inspectionId)).deliverables.find(
          (d) => d.id === 'twenty-answers.youth-justice',
        );
        expect(yotDeliverable?.receivedAt).toBeDefined();
        expect(yotDeliverable?.submissions.map((s) => s.files.length)).toEqual([1]);

        // The local authority's return page: each answer with its source, and the pre-filled sheet.
        const la = agencyToken(h, state, 'local-authority');
        const ret = await app.inject({ method: 'GET', url: `/a/${la}/d/list-twenty` });
        expect(ret.statusCode).toBe(200);
        expect(ret.body).toContain("The agencies' answers");
        expect(ret.body).toMatch(
          /data-state="answered">\s*<strong>Y<\/strong><br>\s*<span class="govuk-hint">Example Police, /,
        );
        expect(ret.body).toMatch(
          /data-state="answered">\s*<strong>Y<\/strong><br>\s*<span class="govuk-hint">Example YOT, /,
        );
        expect(ret.body).toContain('Awaiting Example ICB');
        expect(ret.body).toContain('Local authority: yours to answer');
        // Not offered to another agency.
        expect(
          (await app.inject({ method: 'GET', url: `/a/${police}/d/list-twenty/prefilled.xlsx` })).statusCode,
        ).toBe(404);
        const pre = await app.inject({ method: 'GET', url: `/a/${la}/d/list-twenty/prefilled.xlsx` });
        expect(pre.statusCode).toBe(200);
        const preWb = new ExcelJS.Workbook();
        await preWb.xlsx.load(pre.rawPayload as unknown as ArrayBuffer);
        const [values, sources] = preWb.worksheets;
        const header = (values?.getRow(1).values as unknown[]).slice(1);
        expect(header).toHaveLength(8);
        const col = (text: string) => header.findIndex((x) => String(x).includes(text)) + 1;
        expect(values?.getRow(2).getCell(col(HEADERS.police)).value).toBe('Y');
        expect(values?.getRow(3).getCell(col(HEADERS.yot)).value).toBe('N');
        expect(values?.getRow(4).getCell(col(HEADERS.police)).value).toBe('');
        expect(sources?.getRow(2).getCell(col(HEADERS.police)).text).toMatch(/^Example Police, /);
        expect(sources?.getRow(4).getCell(col(HEADERS.sarc)).text).toMatch(/^Awaiting Example ICB/);

        // The local authority shows police (only) the children's identifying details, from a sheet of its records.
        const laJar: Record<string, string> = {};
        keepCookies(laJar, ret);
        const detailsAction =
          /action="([^"]+\/details\?[^"]+)"/.exec(ret.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
        const shareDetails = async (rows: string[][]) => {
          const dwb = new ExcelJS.Workbook();
          const dws = dwb.addWorksheet('Details');
          dws.addRow(['Child ID', 'Name', 'Date of birth', 'Address']);
          for (const row of rows) dws.addRow(row);
          const body = await multipart({ 'share-police': 'yes' }, [
            { field: 'details', name: 'details.xlsx', content: Buffer.from(await dwb.xlsx.writeBuffer()) },
          ]);
          return app.inject({
            method: 'POST',
            url: detailsAction,
            headers: { ...body.headers, cookie: cookieHeader(laJar) },
            payload: body.payload,
          });
        };
        const people = twenty.map((childId, i) => [
          childId,
          `Synthetic Child ${i + 1}`,
          '01/01/2080',
          `${i + 1} Example Street`,
        ]);
        const wrongChild = await shareDetails([
          ['SYN0025', 'Synthetic Child', '01/01/2080', '1 Example Street'],
        ]);
        expect(wrongChild.statusCode).toBe(400);
        expect(wrongChild.body).toContain('Row 2: the child is not one of the 20 selected');
        expect((await h.client.state(inspectionId)).twentyDetails).toBeUndefined();
        expect((await shareDetails(people)).statusCode).toBe(303);
        const shared = (await h.client.state(inspectionId)).twentyDetails;
        expect(shared).toMatchObject({ sharedWith: ['police'], file: { name: 'details.json' } });
        expect(JSON.stringify(shared)).not.toContain('Example Street');
        const policeWithDetails = await app.inject({ method: 'GET', url });
        expect(policeWithDetails.body).toContain('Synthetic Child 1<br>01/01/2080<br>1 Example Street');
        const healthPage = await app.inject({
          method: 'GET',
          url: `/a/${agencyToken(h, state, 'health')}/d/twenty-answers.health`,
        });
        expect(healthPage.body).not.toContain('Synthetic Child');
        expect(healthPage.body).toContain('la@example.org');
        for (const m of h.smtp.messages) expect(`${m.subject} ${m.text}`).not.toContain('Example Street');

        const audit = await (await storeFor(h)).audit.list({ inspectionId });
        expect(audit.map((e) => e.action).filter((a) => a.startsWith('details.'))).toEqual([
          'details.shared',
          'details.viewed',
        ]);
        expect(audit.map((e) => e.action).filter((a) => a.startsWith('answers.'))).toEqual([
          'answers.given',
          'answers.given',
          'answers.downloaded',
        ]);
        for (const e of audit) expect(JSON.stringify(e)).not.toMatch(/SYN\d{4}/);

        // In Chromium, as the agencies see them from their links: no serious accessibility issue; the README's
        // screenshots.
        await app.listen({ port: 0, host: '127.0.0.1' });
        const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        const browser = await launchBrowser();
        try {
          const page = await browser.context.newPage();
          await page.goto(`${base}${url}`);
          await accessible(page, "the police's answers for the 20");
          await shot(page, 'twenty-answers-police');
          await page.goto(`${base}/a/${la}/d/list-twenty`);
          await accessible(page, "the local authority's return, each answer with its source");
          await shot(page, 'twenty-answers-return');
        } finally {
          await browser.close();
        }
      },
    ),
  );
});
