import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import path from 'node:path';
import { writePack } from '../../src/client/exports';
import { readZip } from '../lists/helpers';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import { InspectionsClient } from '../../src/client/inspections';
import { ooxml, pdf, windowsProgram } from '../support/documents';
import {
  agencyToken,
  build,
  closeApps,
  cookieHeader,
  DOB_HEADER,
  keepCookies,
  list6,
  multipart,
  MB,
  pdfOf,
  postForm,
  errorSummary,
  storeContents,
  storeFor,
  type Injects,
} from './support';

/** The agency link pages, through app.inject() against a real client, worker and list validator. */
// Lists are checked in the sandbox (a process each, compiled by tsx under test): seconds each on a busy machine.
jest.setTimeout(240_000);
const ctx = useHarness();
/** The app's clock: the test server's time, set once a test has skipped to its day. */
let now = 0;
afterEach(closeApps);

/** A tracked child's page of a per-child deliverable, by the link beside its ID on the deliverable's page. */
async function childPage(app: Injects, token: string, deliverable: string, childId: string): Promise<string> {
  const list = await app.inject({ method: 'GET', url: `/a/${token}/d/${deliverable}` });
  const href = new RegExp(`href="([^"]+)"[^>]*>\\s*Child ${childId}\\s*<`)
    .exec(list.body)?.[1]
    ?.replace(/&amp;/g, '&');
  if (!href) throw new Error(`No link to child ${childId} on ${deliverable}`);
  expect(href).not.toContain(childId);
  return href;
}

/** Each test its own fixed notification date, later than the one before (the test server only moves forward). */
async function startAtDay2(localAuthority: string, after: string) {
  const { env } = ctx;
  const notifiedOn = notificationMonday(after);
  await skipTo(env, at(notifiedOn, 2, '11:00'));
  now = await env.currentTimeMs();
  return { localAuthority, notifiedOn, option: 'A' as const, contacts: CONTACTS };
}

test('an agency sees only what it owes; a forged, expired or revoked link gets a plain 403', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Linkford', '2090-01-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const app = await build(h, () => now);
      const state = await h.client.state(inspectionId);
      const police = agencyToken(h, state, 'police');

      const page = await app.inject({ method: 'GET', url: `/a/${police}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('Example Police');
      expect(page.body).toContain('Annex A documents');
      expect(page.body).toContain('Key documents for each tracked child'); // coming next
      expect(page.body).toMatch(/Coming next/);
      // Nothing of the other agencies: not the local authority's lists, not their contacts.
      expect(page.body).not.toContain('List 6');
      expect(page.body).not.toContain('la@example.org');
      expect(page.body).not.toContain('YOT list');

      const la = await app.inject({ method: 'GET', url: `/a/${agencyToken(h, state, 'local-authority')}` });
      expect(la.body).toContain('List 6: children in need');
      expect(la.body).toMatch(/Due Wed \d+ \w+ \d{4}, 15:00/);

      // A deliverable of another agency, through this agency's link: not found.
      const other = await app.inject({ method: 'GET', url: `/a/${police}/d/list-6` });
      expect(other.statusCode).toBe(404);

      const [body, mac] = police.split('.');
      const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()), agency: 'local-authority' })).toString('base64url')}.${mac}`;
      const expired = h.deployment.links.sign({
        inspectionId,
        agency: 'police',
        version: 1,
        run: (await h.client.state(inspectionId)).runNonce,
        expiresAt: now - 1000,
      });
      for (const token of [forged, expired, 'nonsense', `${body}.`]) {
        const res = await app.inject({ method: 'GET', url: `/a/${token}` });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('This link does not work');
        expect(res.body).toContain("Contact the partnership's coordinator");
        expect(res.body).not.toContain('Linkford');
      }

      await h.client.sendLink(inspectionId, 'police', true);
      const revoked = await app.inject({ method: 'GET', url: `/a/${police}` });
      expect(revoked.statusCode).toBe(403);
      const fresh = agencyToken(h, await h.client.state(inspectionId), 'police');
      expect((await app.inject({ method: 'GET', url: `/a/${fresh}` })).statusCode).toBe(200);
    }),
  );
});

test('a list with errors is shown in the error summary by row and column and nothing is recorded; a clean list gets a receipt', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Listham', '2090-02-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const app = await build(h, () => now);
      const token = agencyToken(h, await h.client.state(inspectionId), 'local-authority');
      const url = `/a/${token}/d/list-6`;

      const bad = await postForm(app, url, {}, [
        { field: 'file', name: 'list6.xlsx', content: await list6(start.notifiedOn, 6, 2) },
      ]);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('govuk-error-summary');
      expect(bad.body).toContain(`Row 3, column “${DOB_HEADER}”`);
      expect(bad.body).toContain('The list has 1 error and was not recorded');
      expect(bad.body).toContain('href="#file"');
      const after = await h.client.state(inspectionId);
      expect(after.deliverables.find((d) => d.id === 'list-6')?.submissions).toEqual([]);

      const good = await list6(start.notifiedOn, 9);
      const ok = await postForm(app, url, {}, [
        { field: 'file', name: '../../etc/list6 final.xlsx', content: good },
      ]);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('govuk-panel');
      const sha = createHash('sha256').update(good).digest('hex');
      expect(ok.body).toContain(sha);
      expect(ok.body).toContain('list6 final.xlsx');
      expect(ok.body).not.toContain('../');
      const state = await h.client.state(inspectionId);
      const d = state.deliverables.find((x) => x.id === 'list-6');
      expect(d?.receivedAt).toBeDefined();
      expect(d?.submissions[0]?.files[0]).toMatchObject({ name: 'list6 final.xlsx', sha256: sha });
      expect(await h.deployment.fileStoreFor(inspectionId).has(sha)).toBe(true);
      // The upload answered with a redirect to its receipt: a reload shows the receipt again, records nothing.
      const receiptUrl = `/a/${token}/d/list-6/receipt/${d?.submissions[0]?.id ?? ''}`;
      const reload = await app.inject({ method: 'GET', url: receiptUrl });
      expect(reload.statusCode).toBe(200);
      expect(reload.body).toContain(sha);
      expect(reload.body).toContain('id="received-panel"');
      expect(
        (await h.client.state(inspectionId)).deliverables.find((x) => x.id === 'list-6')?.submissions,
      ).toHaveLength(1);
      expect((await app.inject({ method: 'GET', url: `${receiptUrl}x` })).statusCode).toBe(404);

      // A corrected list whose header differs only in case: recorded, with a query the agency answers.
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('List 6');
      ws.addRow(syntheticHeaders('6').map((x) => (x === DOB_HEADER ? x.toUpperCase() : x)));
      for (let i = 1; i <= 4; i++) ws.addRow(syntheticRow('6', i, { notifiedOn: start.notifiedOn }));
      const loose = await postForm(app, url, {}, [
        { field: 'file', name: 'list6.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) },
      ]);
      expect(loose.statusCode).toBe(200);
      expect(loose.body).toContain('Queries to check');
      const jar: Record<string, string> = {};
      const page = await app.inject({ method: 'GET', url });
      keepCookies(jar, page);
      expect(page.body).toContain('Answer the queries');
      const answersAction =
        /action="([^"]+\/answers\?[^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
      const answerPost = (payload: string) =>
        app.inject({
          method: 'POST',
          url: answersAction,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
          payload,
        });
      const empty = await answerPost('answer-0=');
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('Write an answer to at least one query');
      const sent = await answerPost(
        `answer-0=${encodeURIComponent('Our export writes the header in capitals.')}`,
      );
      expect(sent.statusCode).toBe(303);
      const answered = await app.inject({ method: 'GET', url });
      expect(answered.body).toContain('Your answers were sent on');
      const stateAfter = await h.client.state(inspectionId);
      expect(stateAfter.deliverables.find((x) => x.id === 'list-6')?.queryAnswers).toHaveLength(1);

      // A type outside the allow-list is refused before anything reaches the workflow.
      const exe = await postForm(app, url, {}, [{ field: 'file', name: 'list.exe', content: 'MZ' }]);
      expect(exe.statusCode).toBe(400);
      expect(exe.body).toContain('is not a file type accepted here');

      // Without the form's CSRF token: refused.
      const body = await multipart({}, [{ field: 'file', name: 'x.xlsx', content: good }]);
      const forged = await app.inject({ method: 'POST', url, headers: body.headers, payload: body.payload });
      expect(forged.statusCode).toBe(403);

      // The audit log names the agency for each list recorded and for its answers; refused ones are not in it.
      const lines = await (await storeFor(h)).audit.list({ inspectionId });
      const la = { kind: 'agency', agency: 'local-authority' };
      expect(lines.map((l) => [l.actor, l.action, l.details])).toEqual([
        [
          la,
          'deliverable.submitted',
          { deliverable: 'list-6', submission: expect.any(String), files: 1, forTrackedChild: false },
        ],
        [
          la,
          'deliverable.submitted',
          { deliverable: 'list-6', submission: expect.any(String), files: 1, forTrackedChild: false },
        ],
        [la, 'queries.answered', { deliverable: 'list-6', answers: 1 }],
      ]);
      expect(JSON.stringify(lines)).not.toMatch(/SYN\d|list6|capitals/);
    }),
  );
});

test('documents by code with a checklist; no meetings to declare; per-child key documents, consent and evaluation', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Docsbury', '2090-03-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const app = await build(h, () => now);
      let state = await h.client.state(inspectionId);
      const police = agencyToken(h, state, 'police');

      const docs = await postForm(app, `/a/${police}/d/annex-a-documents.police`, { note: '' }, [
        { field: 'file:3.1', name: 'structure.pdf', content: pdf, type: 'application/pdf' },
        { field: 'file:3.2', name: 'assessment.docx', content: await ooxml('word/document.xml') },
        { field: 'file:3.2', name: 'assessment-annex.pdf', content: Buffer.from('%PDF-1.4 synthetic annex') },
      ]);
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toContain('More is still owed');
      // A partial upload: the green panel itself says what is still owed, by code and title.
      const panel =
        /<div class="govuk-panel[\s\S]*?id="received-panel"[\s\S]*?<\/div>\s*<\/div>/.exec(docs.body)?.[0] ??
        '';
      expect(panel).toContain('Received');
      const owed = [...panel.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
      expect(panel).toContain('Still owed:');
      expect(owed[0]).toMatch(/^3\.3 Learning and development/);
      expect(owed[1]).toBe('3.4 Child protection referral document');
      expect(owed).toHaveLength(7);
      expect(owed.some((x) => x?.startsWith('3.1 '))).toBe(false);
      state = await h.client.state(inspectionId);
      const annex = state.deliverables.find((d) => d.id === 'annex-a-documents.police');
      expect(annex?.submissions[0]?.files.map((f) => f.code)).toEqual(['3.1', '3.2', '3.2']);
      const checklist = await app.inject({ method: 'GET', url: `/a/${police}/d/annex-a-documents.police` });
      expect(checklist.body).toMatch(/3\.1 Organisational structures[\s\S]*?received/);
      expect(checklist.body).toMatch(/3\.3 Learning and development[\s\S]*?still missing/);

      const la = agencyToken(h, state, 'local-authority');
      const declared = await postForm(app, `/a/${la}/d/list-meetings`, { mode: 'none' });
      expect(declared.statusCode).toBe(200);
      expect(declared.body).toContain('No multi-agency meetings to declare');
      state = await h.client.state(inspectionId);
      expect(state.deliverables.find((d) => d.id === 'list-meetings')?.receivedAt).toBeDefined();

      // The lead inspector's selections, recorded by the coordinator.
      const ids = ['SYN0001', 'SYN0004', 'SYN0007', 'SYN0010', 'SYN0013'];
      state = await h.client.state(inspectionId);
      const store = h.deployment.fileStoreFor(inspectionId);
      const listFile = await list6(start.notifiedOn, 15);
      const stored = await store.put(Readable.from([listFile]));
      await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ stored, name: 'list6.xlsx' }]);
      await h.client.select(inspectionId, 'twenty', ids);
      await h.client.select(inspectionId, 'tracked', ids);
      state = await h.client.state(inspectionId);

      const children = await app.inject({ method: 'GET', url: `/a/${police}/d/key-documents.police` });
      expect(children.body).toContain('Child SYN0001');
      // Each child's page is reached by an opaque reference, never the child's ID in the URL.
      expect(children.body).not.toMatch(/child=SYN/);
      const kd = await postForm(app, await childPage(app, police, 'key-documents.police', 'SYN0004'), {}, [
        { field: 'file:KD2', name: 'assessment.pdf', content: '%PDF-1.7 synthetic KD2' },
      ]);
      expect(kd.statusCode).toBe(200);
      expect(kd.body).toContain('for child SYN0004');
      state = await h.client.state(inspectionId);
      const kdSub = state.deliverables.find((d) => d.id === 'key-documents.police')?.submissions[0];
      expect(kdSub).toMatchObject({ childId: 'SYN0004', files: [{ code: 'KD2', name: 'assessment.pdf' }] });

      const partnership = agencyToken(h, state, 'partnership');
      const answers = Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [`q${i + 1}`, `Synthetic answer ${i + 1}`]),
      );
      const evaluationPage = await childPage(app, partnership, 'joint-evaluation', 'SYN0001');
      const missing = await postForm(app, evaluationPage, {
        mode: 'form',
        q1: 'only one',
      });
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain('Answer question 2');
      // Annex B's header is asked first: the child's age and individual needs (ethnicity, disability).
      const form = await app.inject({
        method: 'GET',
        url: evaluationPage,
      });
      expect(form.body).toContain('<label class="govuk-label govuk-label--s" for="h1">');
      expect(form.body).toContain('Age of child/young person');
      expect(form.body).toContain('For example, their ethnicity or a disability');
      const evaluation = await postForm(app, evaluationPage, {
        mode: 'form',
        h1: '14',
        h2: 'Synthetic needs: a learning disability',
        ...answers,
      });
      expect(evaluation.statusCode).toBe(200);
      state = await h.client.state(inspectionId);
      const evalSub = state.deliverables.find((d) => d.id === 'joint-evaluation')?.submissions[0];
      // Named by what it is, not by the child (who is in the submission).
      expect(evalSub).toMatchObject({ childId: 'SYN0001', files: [{ name: 'joint-evaluation.txt' }] });
      // The answers are in the file store, not in workflow state.
      expect(JSON.stringify(state)).not.toContain('Synthetic answer');
      expect(JSON.stringify(state)).not.toContain('Synthetic needs');
      // Police may send its own evaluation of the same child (where possible), on the same form.
      const ownPage = await childPage(app, police, 'individual-evaluation.police', 'SYN0001');
      const own = await app.inject({ method: 'GET', url: ownPage });
      expect(own.body).toContain("Your agency's own evaluation, beside the partnership's joint one");
      const individual = await postForm(app, ownPage, {
        mode: 'form',
        ...answers,
      });
      expect(individual.statusCode).toBe(200);
      state = await h.client.state(inspectionId);
      expect(
        state.deliverables.find((d) => d.id === 'individual-evaluation.police')?.submissions[0]?.files[0]
          ?.name,
      ).toBe('individual-evaluation.txt');
      // The pack shows them on the child's cover sheet.
      const zipPath = path.join(h.dir, 'docsbury-pack.zip');
      await writePack(h.client, inspectionId, zipPath, now);
      const n = state.selection.tracked.indexOf('SYN0001') + 1;
      const cover = readZip(zipPath).get(`Tracked child ${n}/Cover sheet.html`)?.toString() ?? '';
      expect(cover).toContain('<dt>Child ID</dt><dd>SYN0001</dd>');
      expect(cover).toContain('<dt>Age of child/young person</dt><dd>14</dd>');
      expect(cover).toContain(
        '<dt>Does the child have any individual needs relating to their circumstances?</dt><dd>Synthetic needs: a learning disability</dd>',
      );
      const packed = readZip(zipPath);
      const ownText = packed.get(`Tracked child ${n}/Evaluations/Individual evaluation - Example Police.txt`);
      expect(ownText?.toString()).toMatch(/^Individual evaluation by Example Police of a tracked child/);
      expect(
        packed.get(`Tracked child ${n}/Evaluations/Joint evaluation - Example Partnership.txt`),
      ).toBeDefined();

      const consent = await postForm(app, await childPage(app, la, 'consent', 'SYN0007'), {
        consent: 'not-possible',
        details: 'Synthetic reasons',
      });
      expect(consent.statusCode).toBe(200);
      state = await h.client.state(inspectionId);
      const consentSub = state.deliverables.find((d) => d.id === 'consent')?.submissions[0];
      expect(consentSub).toMatchObject({
        childId: 'SYN0007',
        files: [{ name: 'consent.txt' }],
        note: 'Discussions cannot take place: reasons given',
      });
      expect(JSON.stringify(state)).not.toContain('Synthetic reasons');

      // A child who is not tracked cannot be chosen, nor a tracked one by its ID in place of its reference.
      for (const child of ['SYN0002', 'SYN0013']) {
        const byId = await app.inject({ method: 'GET', url: `/a/${la}/d/consent?child=${child}` });
        expect(byId.body).not.toContain('name="consent"');
      }
      const wrong = await postForm(app, await childPage(app, la, 'consent', 'SYN0013'), {
        child: 'SYN0002',
        consent: 'arranged',
        details: 'x',
      });
      expect(wrong.statusCode).toBe(400);

      // Per-child submissions are audited without the child: which deliverable, that it was for a child.
      const lines = await (await storeFor(h)).audit.list({ inspectionId });
      expect(lines.map((l) => [l.actor, l.details.deliverable, l.details.forTrackedChild])).toEqual([
        [{ kind: 'agency', agency: 'police' }, 'annex-a-documents.police', false],
        [{ kind: 'agency', agency: 'local-authority' }, 'list-meetings', false],
        [{ kind: 'agency', agency: 'police' }, 'key-documents.police', true],
        [{ kind: 'agency', agency: 'partnership' }, 'joint-evaluation', true],
        [{ kind: 'agency', agency: 'police' }, 'individual-evaluation.police', true],
        [{ kind: 'agency', agency: 'local-authority' }, 'consent', true],
      ]);
      expect(JSON.stringify(lines)).not.toMatch(/SYN\d|Synthetic/);
    }),
  );
});

test('uploads: over 25 MB (one or several in a post), a program named report.pdf, a refused submission: refused with the field named (under its own field), nothing of them kept, and the good documents of the same post recorded', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Uploadby', '2090-06-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const app = await build(h, () => now);
      const state = await h.client.state(inspectionId);
      const police = agencyToken(h, state, 'police');
      const url = `/a/${police}/d/annex-a-documents.police`;
      const empty = await storeContents(h, inspectionId);

      // 30 MB: refused as it arrives; not its first 25 MB, not a partial file in incoming/.
      const t0 = Date.now();
      const big = await postForm(app, url, { note: '' }, [
        { field: 'file:3.1', name: 'structure.pdf', content: pdfOf(30 * MB, 1) },
      ]);
      const oneBigMs = Date.now() - t0;
      expect(big.statusCode).toBe(400);
      expect(big.body).toContain('“structure.pdf” is larger than 25 MB: split it or send it another way');
      expect(big.body).toContain('href="#file-3-1"');
      expect(await storeContents(h, inspectionId)).toEqual(empty);

      // Three files of 27 MB in one post: each refused, nothing kept of any.
      const t1 = Date.now();
      const three = await postForm(app, url, { note: '' }, [
        { field: 'file:3.1', name: 'a.pdf', content: pdfOf(27 * MB, 2) },
        { field: 'file:3.2', name: 'b.pdf', content: pdfOf(27 * MB, 3) },
        { field: 'file:3.3', name: 'c.pdf', content: pdfOf(27 * MB, 4) },
      ]);
      const threeBigMs = Date.now() - t1;
      expect(three.statusCode).toBe(400);
      for (const [name, id] of [
        ['a', 'file-3-1'],
        ['b', 'file-3-2'],
        ['c', 'file-3-3'],
      ] as const)
        expect(errorSummary(three.body)).toMatch(
          new RegExp(`href="#${id}"[^>]*>“${name}\\.pdf” is larger than 25 MB`),
        );
      expect(await storeContents(h, inspectionId)).toEqual(empty);
      // Figures for the report, not assertions: a busy machine's times vary.
      process.stdout.write(`uploads: 30 MB refused in ${oneBigMs} ms; 3 × 27 MB in ${threeBigMs} ms\n`);

      // A Windows program named report.pdf, beside a genuine PDF: the program is refused, named by its field
      // and name (not its contents), under 3.2's own field; the genuine PDF of the same post is recorded (not
      // lost), and the page says so.
      const genuine = pdfOf(4096, 5);
      const sha = createHash('sha256').update(genuine).digest('hex');
      const exe = await postForm(app, url, { note: '', complete: 'yes' }, [
        { field: 'file:3.1', name: 'structure.pdf', content: genuine },
        { field: 'file:3.2', name: 'report.pdf', content: windowsProgram },
      ]);
      expect(exe.statusCode).toBe(200);
      const summary = errorSummary(exe.body);
      expect(summary).toContain('There is a problem');
      expect(summary).toContain('href="#file-3-2"');
      expect(summary).toContain(
        '“report.pdf” is a Windows program, not a PDF: programs are not accepted, whatever their name.',
      );
      expect(exe.body).not.toContain('This program cannot be run');
      // The problem is shown under 3.2's own field, and 3.1's field is not marked.
      expect(exe.body).toMatch(
        /<p id="file-3-2-error" class="govuk-error-message">[\s\S]*?“report\.pdf” is a Windows program/,
      );
      expect(exe.body).not.toContain('id="file-3-1-error"');
      const partly = /<div[^>]*id="partly-received"[\s\S]*?<\/ul>/.exec(exe.body)?.[0] ?? '';
      expect(partly).toContain('Received 1 file of this upload');
      expect(partly).toContain('structure.pdf (3.1)');
      expect(partly).not.toContain('report.pdf');
      const kept = await storeContents(h, inspectionId);
      expect([...kept.keys()].filter((k) => !empty.has(k))).toEqual([`${sha.slice(0, 2)}/${sha}.enc`]);
      let d = (await h.client.state(inspectionId)).deliverables.find(
        (x) => x.id === 'annex-a-documents.police',
      );
      expect(d?.submissions.map((s) => s.files.map((f) => f.name))).toEqual([['structure.pdf']]);
      // Not everything came, so it is not marked complete though the box was ticked.
      expect(d?.submissions[0]?.complete).toBeFalsy();

      // Accepted whole: a receipt. The same bytes again with a program: those bytes stay (recorded twice over),
      // nothing of the program is kept.
      const ok = await postForm(app, url, { note: '' }, [
        { field: 'file:3.1', name: 'structure.pdf', content: genuine },
      ]);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).not.toContain('partly-received');
      expect(await storeContents(h, inspectionId)).toEqual(kept);
      const again = await postForm(app, url, { note: '' }, [
        { field: 'file:3.1', name: 'structure-again.pdf', content: genuine },
        { field: 'file:3.3', name: 'report.pdf', content: windowsProgram },
      ]);
      expect(again.statusCode).toBe(200);
      expect(errorSummary(again.body)).toContain('href="#file-3-3"');
      expect(await storeContents(h, inspectionId)).toEqual(kept);
      d = (await h.client.state(inspectionId)).deliverables.find((x) => x.id === 'annex-a-documents.police');
      expect(d?.submissions).toHaveLength(3);

      // Refused by the workflow (a list with an error, and a warning: its header's case), after the file
      // reached the store: deleted again, and no file of its warnings is kept either.
      const la = agencyToken(h, state, 'local-authority');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('List 6');
      const headers = syntheticHeaders('6');
      ws.addRow(headers.map((x) => (x === DOB_HEADER ? x.toUpperCase() : x)));
      for (let i = 1; i <= 6; i++) {
        const row = syntheticRow('6', i, { notifiedOn: start.notifiedOn });
        if (i === 2) row[headers.indexOf(DOB_HEADER)] = '31/02/2020';
        ws.addRow(row);
      }
      const badList = await postForm(app, `/a/${la}/d/list-6`, {}, [
        { field: 'file', name: 'list6.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) },
      ]);
      expect(badList.statusCode).toBe(400);
      expect(badList.body).toContain('The list has 1 error and was not recorded');
      // Its warning is shown too, after its error: all there is to fix in one upload.
      const errorsAt = badList.body.indexOf('Errors in the list');
      const warningsAt = badList.body.indexOf('Also check: warnings in the list');
      expect(errorsAt).toBeGreaterThan(0);
      expect(warningsAt).toBeGreaterThan(errorsAt);
      expect(
        /<table class="govuk-table jtai-findings jtai-warnings"[\s\S]*?<\/table>/.exec(badList.body)?.[0],
      ).toMatch(/<td class="govuk-table__cell">[^<]*\S[^<]*<\/td>/);
      expect(await storeContents(h, inspectionId)).toEqual(kept);
    }),
  );
});

test('uploads: a per-agency quota (files, bytes) and a per-link rate answer plain pages saying what to do, and keep nothing', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Quotaford', '2090-07-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      // Small limits for the test; the same stores, client and workflow.
      const rate = { max: 4, windowMs: 10 * 60_000 };
      const limited = {
        ...h.deployment,
        config: { ...h.deployment.config, uploads: { quota: { files: 2, bytes: 10 * 1024 }, rate } },
      };
      const app = await build(h, () => now, { deployment: limited });
      const state = await h.client.state(inspectionId);
      const police = agencyToken(h, state, 'police');
      const health = agencyToken(h, state, 'health');
      const policeUrl = `/a/${police}/d/annex-a-documents.police`;
      const healthUrl = `/a/${health}/d/annex-a-documents.health`;

      // Files: two accepted (post 1), a third refused (post 2) with whom to ask, and not kept.
      const two = await postForm(app, policeUrl, { note: '' }, [
        { field: 'file:3.1', name: 'one.pdf', content: pdfOf(1024, 1) },
        { field: 'file:3.2', name: 'two.pdf', content: pdfOf(1024, 2) },
      ]);
      expect(two.statusCode).toBe(200);
      const afterTwo = await storeContents(h, inspectionId);
      const third = await postForm(app, policeUrl, { note: '' }, [
        { field: 'file:3.3', name: 'three.pdf', content: pdfOf(1024, 3) },
      ]);
      expect(third.statusCode).toBe(413);
      expect(errorSummary(third.body)).toContain(
        'Your agency has sent 2 files for this inspection, the most one agency may send. Nothing from this upload was kept.',
      );
      expect(await storeContents(h, inspectionId)).toEqual(afterTwo);

      // Bytes: 6 KB accepted; another 6 KB would pass 10 KB, refused and not kept. Another agency's own quota.
      const first = await postForm(app, healthUrl, { note: '' }, [
        { field: 'file:3.1', name: 'first.pdf', content: pdfOf(6 * 1024, 4) },
      ]);
      expect(first.statusCode).toBe(200);
      const afterFirst = await storeContents(h, inspectionId);
      const over = await postForm(app, healthUrl, { note: '' }, [
        { field: 'file:3.2', name: 'second.pdf', content: pdfOf(6 * 1024, 5) },
      ]);
      expect(over.statusCode).toBe(400);
      expect(errorSummary(over.body)).toContain(
        '“second.pdf” would take your agency past its limit of 10 KB of files for this inspection',
      );
      expect(errorSummary(over.body)).toContain('href="#file-3-2"');
      expect(await storeContents(h, inspectionId)).toEqual(afterFirst);

      // Rate: the police link's posts 3 and 4 are answered (its quota is full), here by a second instance of the
      // web app on the same store: it counts the same posts. The 5th (to the first instance) gets a plain 429
      // page with when to try again, before anything of it is read. The health link is not affected.
      const other = await build(h, () => now, { deployment: limited });
      for (let i = 0; i < 2; i++)
        expect(
          (
            await postForm(other, policeUrl, { note: '' }, [
              { field: 'file:3.3', name: 'x.pdf', content: pdf },
            ])
          ).statusCode,
        ).toBe(413);
      const limitedAt = now;
      const flood = await postForm(app, policeUrl, { note: '' }, [
        { field: 'file:3.3', name: 'late.pdf', content: pdfOf(1024, 6) },
      ]);
      expect(flood.statusCode).toBe(429);
      expect(flood.headers['retry-after']).toBe(String(rate.windowMs / 1000));
      expect(flood.headers['content-type']).toMatch(/^text\/html/);
      expect(flood.body).toContain('You have sent too many uploads in a short time');
      expect(flood.body).toContain('This link can be used for 4 uploads in 10 minutes');
      expect(flood.body).toMatch(/You can try again from \w{3} \d+ \w+ \d{4}, \d\d:\d\d/);
      expect(flood.body).not.toContain('late.pdf');
      expect(await storeContents(h, inspectionId)).toEqual(afterFirst);
      const answers = await app.inject({
        method: 'POST',
        url: `/a/${police}/d/annex-a-documents.police/answers`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'answer-0=x',
      });
      expect([403, 429]).toContain(answers.statusCode); // CSRF first, or the rate: never recorded
      expect((await postForm(app, healthUrl, { note: '' }, [])).statusCode).not.toBe(429);

      // Once the window has passed, the link is answered again (here: its quota is still full).
      now = limitedAt + rate.windowMs;
      const later = await postForm(app, policeUrl, { note: '' }, [
        { field: 'file:3.3', name: 'three.pdf', content: pdfOf(1024, 3) },
      ]);
      expect(later.statusCode).toBe(413);
    }),
  );
});

test('uploads at once: at most the quota is accepted (files, then bytes), the rest refused with the quota page and nothing of them kept', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Raceford', '2090-09-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const rate = { max: 100, windowMs: 10 * 60_000 };
      const limited = {
        ...h.deployment,
        config: { ...h.deployment.config, uploads: { quota: { files: 3, bytes: 10 * 1024 }, rate } },
      };
      const app = await build(h, () => now, { deployment: limited });
      const state = await h.client.state(inspectionId);
      const before = await storeContents(h, inspectionId);
      /** Ten posts of one file each through an agency's link, all at once. */
      const atOnce = (agency: 'police' | 'health', bytes: number, fill: number) =>
        Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            postForm(app, `/a/${agencyToken(h, state, agency)}/d/annex-a-documents.${agency}`, { note: '' }, [
              { field: 'file:3.1', name: `doc-${i}.pdf`, content: pdfOf(bytes, fill + i) },
            ]),
          ),
        );
      const refusals = (posts: Awaited<ReturnType<typeof atOnce>>) =>
        posts.filter((r) => r.statusCode !== 200).map((r) => [r.statusCode, errorSummary(r.body)] as const);

      // Files: the quota is 3, ten posts of 1 KB.
      const files = await atOnce('police', 1024, 10);
      expect(files.filter((r) => r.statusCode === 200)).toHaveLength(3);
      for (const [status, summary] of refusals(files)) {
        expect(status).toBe(413);
        expect(summary).toMatch(
          /This upload would take your agency past its limit of 3 files and 10 KB for this inspection|Your agency has sent 3 files for this inspection/,
        );
        expect(summary).toContain('Nothing from this upload was kept.');
      }
      // Bytes: the quota is 10 KB, ten posts of 4 KB: two fit.
      const bytes = await atOnce('health', 4 * 1024, 30);
      expect(bytes.filter((r) => r.statusCode === 200)).toHaveLength(2);
      for (const [status, summary] of refusals(bytes)) {
        expect([400, 413]).toContain(status); // refused by the workflow, or as it arrived (10 KB would pass)
        expect(summary).toMatch(/past its limit of (3 files and )?10 KB/);
      }

      const usage = await h.client.fileUsage(inspectionId);
      expect(usage.byAgency.police).toEqual({ files: 3, bytes: 3 * 1024 });
      expect(usage.byAgency.health).toEqual({ files: 2, bytes: 8 * 1024 });
      // Kept: the five accepted files, each named by its submission; nothing of the fifteen refused.
      const after = await storeContents(h, inspectionId);
      const added = [...after.keys()].filter((k) => !before.has(k));
      expect(added).toHaveLength(5);
      const hashes = added.map((k) => /([0-9a-f]{64})\.enc$/.exec(k)?.[1] ?? k);
      expect((await h.client.fileUsage(inspectionId, hashes)).referenced.sort()).toEqual(hashes.sort());
    }),
  );
});

test('an agency reads the coordinator’s messages and withdraws a wrong file before its deadline, once however often it clicks', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Withdrawbury', '2091-01-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      const app = await build(h, () => now);
      const state = await h.client.state(inspectionId);
      const police = agencyToken(h, state, 'police');
      await h.client.message(inspectionId, 'police', 'Please resend 3.1:\nthe chart is last year’s.');
      const home = await app.inject({ method: 'GET', url: `/a/${police}` });
      expect(home.body).toContain('Messages from the coordinator');
      expect(home.body).toContain('the chart is last year’s.');
      // Only police see it.
      const health = await app.inject({ method: 'GET', url: `/a/${agencyToken(h, state, 'health')}` });
      expect(health.body).not.toContain('Messages from the coordinator');

      const url = `/a/${police}/d/annex-a-documents.police`;
      const sent = await postForm(app, url, { note: '' }, [
        { field: 'file:3.1', name: 'structure-2089.pdf', content: '%PDF-1.4 synthetic wrong year' },
      ]);
      expect(sent.statusCode).toBe(200);
      const jar: Record<string, string> = {};
      const page = await app.inject({ method: 'GET', url });
      keepCookies(jar, page);
      expect(page.body).toContain('What you have sent');
      expect(page.body).toContain('structure-2089.pdf');
      const form = /<form method="post" action="([^"]+\/withdraw\?[^"]+)"[\s\S]*?<\/form>/.exec(page.body);
      const action = form?.[1]?.replace(/&amp;/g, '&') ?? '';
      const hidden = Object.fromEntries(
        [...(form?.[0] ?? '').matchAll(/name="(updateId|submissionId|sha256)" value="([^"]+)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      expect(Object.keys(hidden).sort()).toEqual(['sha256', 'submissionId', 'updateId']);
      const withdraw = (reason: string) =>
        app.inject({
          method: 'POST',
          url: action,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
          payload: new URLSearchParams({ ...hidden, reason }).toString(),
        });
      const noReason = await withdraw('');
      expect(noReason.statusCode).toBe(400);
      expect(noReason.body).toContain('Enter why the file is withdrawn.');
      const first = await withdraw('The chart of the wrong year.');
      expect(first.statusCode).toBe(303);
      expect(first.headers.location).toBe(`${url}#sent`);
      // A second click of the same button: the same update, counted once.
      const again = await withdraw('The chart of the wrong year.');
      expect(again.statusCode).toBe(303);
      const after = await h.client.state(inspectionId);
      const files = after.deliverables.find((d) => d.id === 'annex-a-documents.police')?.submissions[0]
        ?.files;
      expect(files?.map((f) => f.withdrawn?.reason)).toEqual(['The chart of the wrong year.']);
      const shown = await app.inject({ method: 'GET', url });
      expect(shown.body).toMatch(/structure-2089\.pdf[\s\S]*?Withdrawn[\s\S]*?The chart of the wrong year\./);
      expect(shown.body).toMatch(/3\.1 Organisational structures[\s\S]*?still missing/);
    }),
  );
});

test('a worker that does not take an upload in time: the agency is told in plain words, and the same upload sent again from the form counts once', async () => {
  const { h } = ctx;
  const start = await startAtDay2('Quietbrook', '2091-03-01');
  await h.run(() =>
    h.withInspection(start, async ({ inspectionId }) => {
      // Reads are answered; the upload is not taken within the answer time (1 ms: never, for a round trip).
      const impatient = new InspectionsClient(h.client.client, {
        ...h.deployment,
        config: { ...h.deployment.config, answerWithinMs: 1 },
      });
      const slowToTake = Object.assign(Object.create(h.client) as InspectionsClient, {
        submit: impatient.submit.bind(impatient),
      });
      const slow = await build(h, () => now, { client: slowToTake });
      const token = agencyToken(h, await h.client.state(inspectionId), 'local-authority');
      const url = `/a/${token}/d/list-6`;
      const list = { field: 'file', name: 'list6.xlsx', content: await list6(start.notifiedOn, 5) };

      const refused = await postForm(slow, url, {}, [list]);
      expect(refused.statusCode).toBe(503);
      expect(errorSummary(refused.body)).toContain('Your upload could not be confirmed');
      expect(refused.body).toContain('look under &quot;What you have sent&quot; before sending it again');
      expect(refused.body).not.toMatch(/worker|npm start/);
      const updateId = /name="updateId" value="([^"]+)"/.exec(refused.body)?.[1] ?? '';
      expect(updateId).not.toBe('');

      // The form shown again carries the first post's id: sent again (now taken), it is recorded once.
      const app = await build(h, () => now);
      for (let i = 0; i < 2; i++) {
        const again = await postForm(app, url, { updateId }, [list]);
        expect(again.statusCode).toBe(200);
      }
      const d = (await h.client.state(inspectionId)).deliverables.find((x) => x.id === 'list-6');
      expect(d?.submissions).toHaveLength(1);

      // A page the worker does not answer: plain words for the agency, not the staff's.
      const unanswered = Object.assign(Object.create(h.client) as InspectionsClient, {
        agencyPage: impatient.agencyPage.bind(impatient),
      });
      const down = await build(h, () => now, { client: unanswered });
      const page = await down.inject({ method: 'GET', url: `/a/${token}` });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('Sorry, the service is unavailable');
      expect(page.body).toContain('The inspection system is not answering just now');
      expect(page.body).not.toMatch(/worker|npm start/);
    }),
  );
});
