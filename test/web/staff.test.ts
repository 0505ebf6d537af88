import { Client, Connection } from '@temporalio/client';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InspectionsClient } from '../../src/client/inspections';
import { inspectionView } from '../../src/client/read-model';
import { createDeployment } from '../../src/infra';
import { loadConfig } from '../../src/infra/config';
import { createCalendar } from '../../src/timeline/calendar';
import { eventually } from '../support/eventually';
import { CONTACTS, upcomingNotificationMonday, useHarness } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import {
  basic,
  build,
  closeApps,
  cookieHeader,
  csrfFrom,
  keepCookies,
  list6,
  multipart,
  PASSWORDS,
  signIn,
  storeFor,
} from './support';

/**
 * Coordinator and manager pages, and the JSON API, through app.inject() against a real client and worker.
 * On the dev server rather than the time-skipping one: the dashboard lists inspections through the
 * visibility API (search attributes), which the time-skipping server does not implement. The dev server
 * runs in real time, so the app's clock is the real one and inspections are notified on the upcoming
 * Monday (see `upcomingNotificationMonday`): nothing falls due while the tests run, whatever the date.
 */
const ctx = useHarness({}, { createEnv: createDevServerEnv });
/** The app's clock: the real one, as the dev server's. */
const now = Date.now();
afterEach(closeApps);

const coordinatorAuth = basic('coord', PASSWORDS.coordinator);
/** The coordinator as the audit log names them. */
const coord = { kind: 'user', username: 'coord' };

async function putList6(inspectionId: string, notifiedOn: string) {
  const stored = await ctx.h.deployment
    .fileStoreFor(inspectionId)
    .put(Readable.from([await list6(notifiedOn, 15)]));
  await ctx.h.client.submit(inspectionId, 'list-6', 'local-authority', [{ stored, name: 'list6.xlsx' }]);
}

test('sign-in is required; a wrong password is refused; managers read but cannot act', async () => {
  const app = await build(ctx.h, () => now);
  const home = await app.inject({ method: 'GET', url: '/' });
  expect(home.statusCode).toBe(302);
  expect(home.headers.location).toBe('/sign-in');
  const deep = await app.inject({ method: 'GET', url: '/inspections/inspection-x-2026-11-23' });
  expect(deep.headers.location).toBe('/sign-in?next=%2Finspections%2Finspection-x-2026-11-23');

  const page = await app.inject({ method: 'GET', url: '/sign-in' });
  const jar = keepCookies({}, page);
  const wrong = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: cookieHeader(jar) },
    payload: { username: 'coord', password: 'not-the-password', _csrf: csrfFrom(page.body) },
  });
  expect(wrong.statusCode).toBe(400);
  expect(wrong.body).toContain('The username or password is not right');
  const noCsrf = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: cookieHeader(jar) },
    payload: { username: 'coord', password: PASSWORDS.coordinator },
  });
  expect(noCsrf.statusCode).toBe(403);

  const session = await signIn(app, 'coord', PASSWORDS.coordinator);
  const signedIn = await app.inject({ method: 'GET', url: '/sign-in' });
  expect(signedIn.statusCode).toBe(200);
  const set = (await app.inject({ method: 'GET', url: '/sign-in' })).cookies;
  expect(set.find((c) => c.name === 'jtai_session')).toBeUndefined();
  const dashboard = await app.inject({ method: 'GET', url: '/', headers: { cookie: cookieHeader(session) } });
  expect(dashboard.statusCode).toBe(200);
  expect(dashboard.body).toContain('Inspections');
  expect(dashboard.body).toContain('Start an inspection');

  // The session cookie is a random id (the store keeps its hash), HttpOnly, SameSite=Lax.
  const login = await app.inject({ method: 'GET', url: '/sign-in' });
  const j2 = keepCookies({}, login);
  const res = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: cookieHeader(j2) },
    payload: { username: 'manager', password: PASSWORDS.manager, _csrf: csrfFrom(login.body) },
  });
  const cookie = res.cookies.find((c) => c.name === 'jtai_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const manager = keepCookies(j2, res);
  const managerHome = await app.inject({
    method: 'GET',
    url: '/',
    headers: { cookie: cookieHeader(manager) },
  });
  expect(managerHome.statusCode).toBe(200);
  expect(managerHome.body).not.toContain('Start an inspection');
  const tampered = await app.inject({
    method: 'GET',
    url: '/',
    headers: { cookie: `jtai_session=${encodeURIComponent(`coord|${Date.now() + 1e9}.forged`)}` },
  });
  expect(tampered.statusCode).toBe(302);
  const form = await app.inject({
    method: 'GET',
    url: '/inspections/new',
    headers: { cookie: cookieHeader(manager) },
  });
  expect(form.statusCode).toBe(403);
  const api = await app.inject({
    method: 'POST',
    url: '/api/inspections/inspection-x-2026-11-23/cancel',
    headers: basic('manager', PASSWORDS.manager),
    payload: { reason: 'no' },
  });
  expect(api.statusCode).toBe(403);
  expect(api.json()).toEqual({ error: { type: 'Forbidden', message: 'Only a coordinator can do this.' } });
});

test('the coordinator starts an inspection from the form (contacts errors by line and field), selects, confirms, extends, waives, resends and revokes links, downloads the pack and calendar', async () => {
  const notifiedOn = upcomingNotificationMonday();
  await ctx.h.run(async () => {
    const app = await build(ctx.h, () => now);
    const jar = await signIn(app, 'coord', PASSWORDS.coordinator);
    const cookie = cookieHeader(jar);
    const newPage = await app.inject({ method: 'GET', url: '/inspections/new', headers: { cookie } });
    const csrf = csrfFrom(newPage.body);
    const contactsText = await readFile(path.join(__dirname, '../../examples/contacts.yaml'), 'utf8');

    const broken = contactsText.replace(/escalation: \S+@\S+/, 'escalation: not-an-email');
    const bad = await multipart({ localAuthority: 'Formshire', notifiedOn, option: 'A' }, [
      { field: 'contacts', name: 'contacts.yaml', content: broken },
    ]);
    const refused = await app.inject({
      method: 'POST',
      url: `/inspections?_csrf=${encodeURIComponent(csrf)}`,
      headers: { ...bad.headers, cookie },
      payload: bad.payload,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toMatch(
      /contacts\.yaml line \d+: agencies\.[a-z-]+\.escalation: &quot;not-an-email&quot; is not an email address/,
    );

    // A notification date whose deadlines have passed: asked whether it is meant, with a box to tick.
    const pastForm = await multipart({ localAuthority: 'Pastshire', notifiedOn: '2025-11-03', option: 'A' }, [
      { field: 'contacts', name: 'contacts.yaml', content: contactsText },
    ]);
    const past = await app.inject({
      method: 'POST',
      url: `/inspections?_csrf=${encodeURIComponent(csrf)}`,
      headers: { ...pastForm.headers, cookie },
      payload: pastForm.payload,
    });
    expect(past.statusCode).toBe(409);
    expect(past.body).toContain('href="#lateStart"');
    expect(past.body).toContain('Start it late: the notification date is right');

    const good = await multipart({ localAuthority: 'Formshire', notifiedOn, option: 'A' }, [
      { field: 'contacts', name: 'contacts.yaml', content: contactsText },
    ]);
    const started = await app.inject({
      method: 'POST',
      url: `/inspections?_csrf=${encodeURIComponent(csrf)}`,
      headers: { ...good.headers, cookie },
      payload: good.payload,
    });
    expect(started.statusCode).toBe(303);
    const inspectionId = `inspection-formshire-${notifiedOn}`;
    expect(started.headers.location).toBe(`/inspections/${inspectionId}?done=started`);
    try {
      const page = await app.inject({
        method: 'GET',
        url: started.headers.location as string,
        headers: { cookie },
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('The inspection has started');
      expect(page.body).toMatch(/data-deliverable="list-6" data-colour="[a-z-]+"/);
      expect(page.body).toContain('/a/'); // agency links, for the coordinator
      const pageCsrf = csrfFrom(page.body);
      const post = (url: string, payload: Record<string, string | string[]>) =>
        app.inject({ method: 'POST', url, headers: { cookie }, payload: { ...payload, _csrf: pageCsrf } });

      // The dashboard lists it with stage, next deadline, overdue count.
      const dashboard = await eventually(
        'the dashboard to list Formshire',
        () => app.inject({ method: 'GET', url: '/', headers: { cookie } }),
        (r) => r.body.includes('Formshire'),
      );
      expect(dashboard.body).toContain('Formshire');
      expect(dashboard.body).toContain('case lists');

      await putList6(inspectionId, notifiedOn);
      const withCandidates = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}`,
        headers: { cookie },
      });
      expect(withCandidates.body).toContain('value="SYN0001"');
      const twenty = ['SYN0001', 'SYN0004', 'SYN0007', 'SYN0010', 'SYN0013'];
      const tooFew = await post(`/inspections/${inspectionId}/select`, {
        stage: 'tracked',
        childIds: ['SYN0001'],
      });
      expect(tooFew.statusCode).toBe(400);
      expect(tooFew.body).toContain('govuk-error-summary');
      expect(tooFew.body).toContain('Between 5 and 7 children are tracked');
      expect(
        (await post(`/inspections/${inspectionId}/select`, { stage: 'twenty', childIds: twenty })).statusCode,
      ).toBe(303);
      expect(
        (await post(`/inspections/${inspectionId}/select`, { stage: 'tracked', childIds: twenty }))
          .statusCode,
      ).toBe(303);
      const call = await post(`/inspections/${inspectionId}/confirm`, {
        deliverable: 'confirmation-call',
        note: '',
      });
      expect(call.statusCode).toBe(303);
      const extended = await post(`/inspections/${inspectionId}/extend`, {
        deliverable: 'list-7',
        to: `${createCalendar().addWorkingDays(notifiedOn, 12)} 17:00`,
        reason: 'Synthetic reason',
      });
      expect(extended.statusCode).toBe(303);
      const past = await post(`/inspections/${inspectionId}/extend`, {
        deliverable: 'list-8',
        to: '2001-01-01 17:00',
        reason: 'x',
      });
      expect(past.statusCode).toBe(400);
      expect(past.body).toContain('The new deadline has already passed');
      expect(
        (await post(`/inspections/${inspectionId}/waive`, { deliverable: 'list-8', reason: 'Not held' }))
          .statusCode,
      ).toBe(303);
      const resend = await post(`/inspections/${inspectionId}/links/police`, { action: 'resend' });
      expect(resend.headers.location).toContain('done=resent');
      const revoke = await post(`/inspections/${inspectionId}/links/police`, { action: 'revoke' });
      expect(revoke.headers.location).toContain('done=revoked');

      // A message to an agency, and something more asked of one (chased like the rest).
      const noText = await post(`/inspections/${inspectionId}/message`, { agency: 'police', text: '' });
      expect(noText.statusCode).toBe(400);
      expect(noText.body).toContain('Enter the message.');
      const messaged = await post(`/inspections/${inspectionId}/message`, {
        agency: 'police',
        text: 'Synthetic message to police',
      });
      expect(messaged.headers.location).toContain('done=messaged');
      const due = `${createCalendar().addWorkingDays(notifiedOn, 6)} 12:00`;
      const requested = await post(`/inspections/${inspectionId}/request`, {
        source: 'cqc-request',
        owner: 'health',
        title: 'Health records of two tracked children',
        description: 'Synthetic request',
        kind: 'documents',
        due,
      });
      expect(requested.headers.location).toContain('done=requested');
      // Police send key documents for one tracked child: the grid shows it in that child's column only.
      await ctx.h.client.submit(
        inspectionId,
        'key-documents',
        'police',
        [{ path: await ctx.h.file('kd.pdf', 'synthetic KD1'), code: 'KD1' }],
        { childId: 'SYN0004' },
      );

      const state = await ctx.h.client.state(inspectionId);
      expect(state.messages?.map((m) => m.text)).toEqual(['Synthetic message to police']);
      expect(state.deliverables.find((d) => d.id === 'cqc-request-1')).toMatchObject({
        owner: 'health',
        title: 'Health records of two tracked children',
      });
      expect(state.selection.tracked).toEqual(twenty);
      expect(state.linkVersions.police).toBe(2);
      expect(state.deliverables.find((d) => d.id === 'list-8')?.waived?.reason).toBe('Not held');
      expect(state.deliverables.find((d) => d.id === 'confirmation-call')?.receivedAt).toBeDefined();
      const after = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}`,
        headers: { cookie },
      });
      expect(after.body).toContain('Extended to');
      expect(after.body).toMatch(/data-deliverable="list-6" data-colour="received"/);
      expect(after.body).toMatch(/data-deliverable="list-8" data-colour="waived"/);
      expect(after.body).toContain('Chase log');
      expect(after.body).toContain('Messages to agencies');
      expect(after.body).toContain('Synthetic message to police');
      expect(after.body).toContain('Health records of two tracked children');
      // The grid: a column per tracked child; police's key documents received for SYN0004 only.
      const grid = /<table class="govuk-table jtai-child-grid"[\s\S]*?<\/table>/.exec(after.body)?.[0] ?? '';
      for (const id of twenty) expect(grid).toContain(`>${id}<`);
      const policeRow =
        /<tr class="govuk-table__row">(?:(?!<\/tr>)[\s\S])*?Example Constabulary[\s\S]*?<\/tr>/.exec(
          grid,
        )?.[0] ?? '';
      expect(policeRow.match(/govuk-tag--green/g)).toHaveLength(1);
      expect(policeRow).toContain('1 of 5');

      const pack = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}/pack.zip`,
        headers: { cookie },
      });
      expect(pack.statusCode).toBe(200);
      expect(pack.headers['content-type']).toBe('application/zip');
      expect(pack.rawPayload.subarray(0, 2).toString()).toBe('PK');
      const ics = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}/timeline.ics`,
        headers: { cookie },
      });
      expect(ics.body).toContain('BEGIN:VCALENDAR');
      expect(ics.body).toContain('list-7-');
      const timeline = await app.inject({
        method: 'GET',
        url: `/timeline?notified=${notifiedOn}&option=A`,
        headers: { cookie },
      });
      expect(timeline.body).toContain('Lead inspector selects up to 20 children');

      const cancel = await post(`/inspections/${inspectionId}/cancel`, { reason: '' });
      expect(cancel.statusCode).toBe(400);
      expect(cancel.body).toContain('Enter a reason for cancelling the inspection');

      // The audit log: who did what, in order; refused actions are not in it; no child ID, reason or note.
      const store = await storeFor(ctx.h);
      const lines = await store.audit.list({ inspectionId });
      expect(lines.map((l) => [l.actor, l.action, l.details])).toEqual([
        [coord, 'inspection.started', { rehearsal: false, via: 'session' }],
        [coord, 'selection.recorded', { stage: 'twenty', count: 5, via: 'session' }],
        [coord, 'selection.recorded', { stage: 'tracked', count: 5, via: 'session' }],
        [coord, 'confirmation.recorded', { deliverable: 'confirmation-call', via: 'session' }],
        [coord, 'deliverable.extended', { deliverable: 'list-7', to: expect.any(String), via: 'session' }],
        [coord, 'deliverable.waived', { deliverable: 'list-8', via: 'session' }],
        [coord, 'link.sent', { agency: 'police', via: 'session' }],
        [coord, 'link.revoked', { agency: 'police', via: 'session' }],
        // The message's length and the request's count of children: never their text or IDs.
        [coord, 'message.sent', { agency: 'police', length: 27, via: 'session' }],
        [
          coord,
          'deliverable.added',
          { kind: 'documents', owner: 'health', source: 'cqc-request', trackedChildren: 0, via: 'session' },
        ],
        [coord, 'pack.downloaded', { via: 'session' }],
      ]);
      expect(lines.every((l) => l.clientAddress === '127.0.0.1')).toBe(true);
      const written = JSON.stringify(lines);
      expect(written).not.toMatch(/SYN\d/);
      expect(written).not.toContain('Synthetic reason');
      expect(written).not.toContain('Not held');
    } finally {
      await ctx.h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
    }
  });
});

test('a coordinator views and downloads a received file, named by what it is and audited; a manager cannot', async () => {
  const notifiedOn = upcomingNotificationMonday();
  await ctx.h.run(async () => {
    const app = await build(ctx.h, () => now);
    const { inspectionId } = await ctx.h.client.start({
      localAuthority: 'Fileshire',
      notifiedOn,
      option: 'A',
      contacts: CONTACTS,
    });
    try {
      await putList6(inspectionId, notifiedOn);
      const tracked = ['SYN0001', 'SYN0004', 'SYN0007', 'SYN0010', 'SYN0013'];
      await ctx.h.client.select(inspectionId, 'twenty', tracked);
      await ctx.h.client.select(inspectionId, 'tracked', tracked);
      // The uploader's file name names the child: it is never shown or sent back.
      const content = '%PDF-1.4 synthetic chronology';
      await ctx.h.client.submit(
        inspectionId,
        'key-documents',
        'police',
        [{ path: await ctx.h.file('SYN0004 chronology.pdf', content), code: 'KD9' }],
        { childId: 'SYN0004' },
      );
      const sha = (await ctx.h.client.files(inspectionId)).find((f) => f.code === 'KD9')?.sha256 ?? '';
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      const name =
        'KD9 Chronology of significant events in the six months before the inspection - Example Police - Tracked child 2.pdf';

      const cookie = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
      const page = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}`,
        headers: { cookie },
      });
      expect(page.body).toContain('Received files');
      expect(page.body).toContain(name);
      expect(page.body).toContain(`href="/inspections/${inspectionId}/files/${sha}?view"`);
      expect(page.body).not.toContain('chronology.pdf');

      const url = `/inspections/${inspectionId}/files/${sha}`;
      const viewed = await app.inject({ method: 'GET', url: `${url}?view`, headers: { cookie } });
      expect(viewed.statusCode).toBe(200);
      expect(viewed.headers['content-type']).toBe('application/pdf');
      expect(viewed.headers['content-disposition']).toBe(
        `inline; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      expect(viewed.headers['content-security-policy']).toMatch(/^sandbox/);
      expect(viewed.headers['cache-control']).toBe('no-store');
      expect(viewed.body).toBe(content);
      const downloaded = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(downloaded.statusCode).toBe(200);
      expect(downloaded.headers['content-disposition']).toMatch(/^attachment; filename="KD9_Chronology_of_/);
      expect(downloaded.body).toBe(content);
      const list = (await ctx.h.client.files(inspectionId)).find((f) => f.deliverableId === 'list-6');
      const xlsx = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}/files/${list?.sha256 ?? ''}?view`,
        headers: { cookie },
      });
      // A spreadsheet is never shown in the browser: always a download.
      expect(xlsx.headers['content-disposition']).toMatch(
        /^attachment; filename="List_6_-_children_in_need_-_Example_Council\.xlsx"/,
      );
      const unknown = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}/files/${'0'.repeat(64)}`,
        headers: { cookie },
      });
      expect(unknown.statusCode).toBe(404);

      const manager = cookieHeader(await signIn(app, 'manager', PASSWORDS.manager));
      const refused = await app.inject({ method: 'GET', url, headers: { cookie: manager } });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain(content);
      const managerPage = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}`,
        headers: { cookie: manager },
      });
      expect(managerPage.body).not.toContain('Received files');

      // Each access is a line: who, what, which inspection, when, from where; the child by position only.
      const lines = (await (await storeFor(ctx.h)).audit.list({ inspectionId })).filter((l) =>
        l.action.startsWith('file.'),
      );
      const kd9 = {
        deliverable: 'key-documents.police',
        agency: 'police',
        sha256: sha,
        code: 'KD9',
        trackedChild: 2,
      };
      expect(lines.map((l) => [l.actor, l.action, l.details, l.clientAddress])).toEqual([
        [coord, 'file.viewed', { ...kd9, via: 'session' }, '127.0.0.1'],
        [coord, 'file.downloaded', { ...kd9, via: 'session' }, '127.0.0.1'],
        [
          coord,
          'file.downloaded',
          { deliverable: 'list-6', agency: 'local-authority', sha256: list?.sha256, via: 'session' },
          '127.0.0.1',
        ],
      ]);
      expect(lines.every((l) => l.at instanceof Date)).toBe(true);
      expect(JSON.stringify(lines)).not.toMatch(/SYN\d/);
    } finally {
      await ctx.h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
    }
  });
}, 180_000);

test('the JSON API: list and status as the CLI prints them, actions, typed errors, OpenAPI', async () => {
  const notifiedOn = upcomingNotificationMonday();
  await ctx.h.run(() =>
    ctx.h.withInspection(
      { localAuthority: 'Apiton', notifiedOn, option: 'B', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const app = await build(ctx.h, () => now);
        const unauth = await app.inject({ method: 'GET', url: '/api/inspections' });
        expect(unauth.statusCode).toBe(401);
        expect(unauth.headers['www-authenticate']).toContain('Basic');
        expect(unauth.json()).toEqual({
          error: { type: 'Unauthorised', message: 'Sign in, or use HTTP Basic.' },
        });

        const list = await eventually(
          `the API to list ${inspectionId}`,
          () => app.inject({ method: 'GET', url: '/api/inspections', headers: coordinatorAuth }),
          (r) => r.body.includes(inspectionId),
        );
        expect(list.statusCode).toBe(200);
        const summaries = list.json<{ inspections: { inspectionId: string; stage: string }[] }>().inspections;
        expect(summaries.find((s) => s.inspectionId === inspectionId)).toMatchObject({ stage: 'case-lists' });

        const one = await app.inject({
          method: 'GET',
          url: `/api/inspections/${inspectionId}`,
          headers: coordinatorAuth,
        });
        const view = one.json<ReturnType<typeof inspectionView>>();
        const expected = inspectionView(await ctx.h.client.state(inspectionId), now);
        expect(view.deliverables.map((d) => [d.id, d.status, d.dueUk])).toEqual(
          expected.deliverables.map((d) => [d.id, d.status, d.dueUk]),
        );
        expect(JSON.stringify(view)).not.toContain('SYN');

        const missing = await app.inject({
          method: 'GET',
          url: '/api/inspections/inspection-nowhere-2026-11-23',
          headers: coordinatorAuth,
        });
        expect(missing.statusCode).toBe(404);
        expect(missing.json()).toMatchObject({ error: { type: 'NotFound' } });

        const waive = await app.inject({
          method: 'POST',
          url: `/api/inspections/${inspectionId}/waive`,
          headers: coordinatorAuth,
          payload: { deliverable: 'list-nps', reason: 'No NPS cases' },
        });
        expect(waive.json()).toEqual({ ok: true, deliverable: 'list-nps' });
        const again = await app.inject({
          method: 'POST',
          url: `/api/inspections/${inspectionId}/waive`,
          headers: coordinatorAuth,
          payload: { deliverable: 'list-nps', reason: 'twice' },
        });
        expect(again.statusCode).toBe(409);
        expect(again.json()).toMatchObject({ error: { type: 'AlreadySettled' } });
        const bad = await app.inject({
          method: 'POST',
          url: `/api/inspections/${inspectionId}/select`,
          headers: coordinatorAuth,
          payload: { stage: 'twenty', childIds: ['SYN0001'] },
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.json()).toMatchObject({ error: { type: 'WrongKind' } });
        const link = await app.inject({
          method: 'POST',
          url: `/api/inspections/${inspectionId}/links/health`,
          headers: coordinatorAuth,
          payload: { revoke: true },
        });
        expect(link.json()).toEqual({ ok: true, version: 2 });

        // A browser session may act only with a JSON body.
        const session = await signIn(app, 'coord', PASSWORDS.coordinator);
        const form = await app.inject({
          method: 'POST',
          url: `/api/inspections/${inspectionId}/cancel`,
          headers: { cookie: cookieHeader(session), 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'reason=cross-site',
        });
        expect(form.statusCode).toBe(415);
        const viaSession = await app.inject({
          method: 'GET',
          url: '/api/inspections',
          headers: { cookie: cookieHeader(session) },
        });
        expect(viaSession.statusCode).toBe(200);

        // API actions are audited as the page's are, with how the caller signed in; refused ones are not.
        const lines = await (await storeFor(ctx.h)).audit.list({ inspectionId });
        expect(lines.map((l) => [l.actor, l.action, l.details])).toEqual([
          [coord, 'deliverable.waived', { deliverable: 'list-nps', via: 'api-basic' }],
          [coord, 'link.revoked', { agency: 'health', via: 'api-basic' }],
        ]);

        const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
          openapi: string;
          paths: Record<string, Record<string, unknown>>;
        }>();
        expect(doc.openapi).toBe('3.1.0');
        for (const p of [
          '/api/inspections',
          '/api/inspections/{id}',
          '/api/inspections/{id}/extend',
          '/api/inspections/{id}/links/{agency}',
        ])
          expect(doc.paths[p]).toBeDefined();
        // Every route of the API is described.
        const routes = app.printRoutes({ commonPrefix: false });
        expect(routes).toMatch(/api\/inspections[\s\S]*\/waive \(POST\)/);
      },
    ),
  );
});

test('an inspection that cannot be read is listed as unavailable, with the reason, not as "?"', async () => {
  const notifiedOn = upcomingNotificationMonday();
  // An inspection without search attributes is listed by querying it; a client holding another payload key
  // cannot read the answer.
  const { config } = ctx.h.deployment;
  const quiet = new InspectionsClient(ctx.h.client.client, {
    ...ctx.h.deployment,
    config: { ...config, searchAttributes: false },
  });
  const otherKeys = await mkdtemp(path.join(tmpdir(), 'jtai-other-keys-'));
  const other = createDeployment(loadConfig({ JTAI_DATA_DIR: otherKeys }));
  const warnings: string[] = [];
  const stranger = new InspectionsClient(
    new Client({ connection: ctx.env.connection, dataConverter: other.dataConverter }),
    other,
    Date.now,
    (message) => warnings.push(message),
  );
  await ctx.h.run(async () => {
    const { inspectionId } = await quiet.start({
      localAuthority: 'Unreadable',
      notifiedOn,
      option: 'A',
      contacts: CONTACTS,
    });
    try {
      const listed = await eventually(
        'the unreadable inspection to be listed',
        () => stranger.list(),
        (all) => all.some((s) => s.inspectionId === inspectionId),
      );
      const summary = listed.find((s) => s.inspectionId === inspectionId);
      expect(summary).toMatchObject({ stage: 'unavailable', localAuthority: 'unavailable' });
      expect(summary?.overdue).toBeUndefined();
      expect(summary?.unavailable).toEqual(expect.stringMatching(/\S/));
      expect(warnings).toContainEqual(`cannot read ${inspectionId}: ${summary?.unavailable}`);
      // The key's own client reads it.
      const own = (await ctx.h.client.list()).find((s) => s.inspectionId === inspectionId);
      expect(own).toMatchObject({ localAuthority: 'Unreadable', stage: 'case-lists', overdue: 0 });
    } finally {
      await ctx.h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
      await rm(otherKeys, { recursive: true, force: true });
    }
  });
});

test('404 and 500 pages: GOV.UK style, and a 5xx says nothing of its cause', async () => {
  const app = await build(ctx.h, () => now);
  const notFound = await app.inject({ method: 'GET', url: '/nowhere' });
  expect(notFound.statusCode).toBe(404);
  expect(notFound.body).toContain('Page not found');
  expect(notFound.body).toContain('govuk-generic-header');
  expect(notFound.body).not.toContain('govuk-header__crown');
  const css = await app.inject({ method: 'GET', url: '/assets/jtai.css' });
  expect(css.statusCode).toBe(200);
  expect(css.body).not.toContain('GDS Transport');
  const failing = await build(ctx.h, () => {
    throw new Error('secret detail SYN0001');
  });
  const token = ctx.h.deployment.links.sign({
    inspectionId: 'inspection-x-2026-11-23',
    agency: 'police',
    version: 1,
    run: 'any',
    expiresAt: 1,
  });
  const res = await failing.inject({ method: 'GET', url: `/a/${token}` });
  expect(res.statusCode).toBe(500);
  expect(res.body).toContain('Sorry, there is a problem with the service');
  expect(res.body).not.toContain('secret detail');
  const apiFail = await failing.inject({
    method: 'GET',
    url: '/api/inspections/x',
    headers: coordinatorAuth,
  });
  expect(apiFail.statusCode).toBeGreaterThanOrEqual(400);
});

test('/readyz answers 200 when Temporal and the store answer, 503 naming what does not', async () => {
  const ready = await (await build(ctx.h, () => now)).inject({ method: 'GET', url: '/readyz' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toEqual({ ok: true, temporal: 'ok', database: 'ok' });

  // A client whose Temporal frontend is a port nobody listens on.
  const nowhere = new InspectionsClient(
    new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' }) }),
    ctx.h.deployment,
  );
  const app = await build(ctx.h, () => now, { client: nowhere });
  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  expect(notReady.statusCode).toBe(503);
  expect(notReady.json()).toEqual({ ok: false, temporal: 'not answering', database: 'ok' });
  // Liveness is another matter: the process answers.
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
});
