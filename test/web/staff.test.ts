import { Client, Connection } from '@temporalio/client';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseContacts } from '../../src/client/contacts';
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
  errorSummary,
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
    const follow = (res: { headers: Record<string, unknown> }) =>
      app.inject({ method: 'GET', url: String(res.headers.location), headers: { cookie } });

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
    // Post/redirect/get: the problems are on the form's page, once.
    expect(refused.statusCode).toBe(303);
    const refusedPage = await follow(refused);
    expect(refusedPage.body).toContain('govuk-error-summary');
    expect(refusedPage.body).toMatch(
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
    expect(past.statusCode).toBe(303);
    const pastPage = await follow(past);
    expect(pastPage.body).toContain('href="#lateStart"');
    expect(pastPage.body).toContain('Start it late: the notification date is right');

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
    expect(started.headers.location).toMatch(new RegExp(`^/inspections/${inspectionId}\\?n=[\\w-]{22}$`));
    try {
      const page = await app.inject({
        method: 'GET',
        url: started.headers.location as string,
        headers: { cookie },
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('The inspection has started');
      // The inspection's pages (sub-navigation): the timeline's rows, and each agency's link beside its actions.
      const sub = (name: string) =>
        app.inject({ method: 'GET', url: `/inspections/${inspectionId}/${name}`, headers: { cookie } });
      expect((await sub('timeline')).body).toMatch(/data-deliverable="list-6" data-colour="[a-z-]+"/);
      expect((await sub('agencies')).body).toContain('/a/'); // agency links, for the coordinator
      const pageCsrf = csrfFrom(page.body);
      const post = (url: string, payload: Record<string, string | string[]>) =>
        app.inject({ method: 'POST', url, headers: { cookie }, payload: { ...payload, _csrf: pageCsrf } });
      /**
       * An action as a browser does it: the POST (answered 303), then for an act that is checked first its
       * check-your-answers page and button (303 again); the page it ends on.
       */
      const act = async (url: string, payload: Record<string, string | string[]>) => {
        let res = await post(url, payload);
        expect(res.statusCode).toBe(303);
        let location = String(res.headers.location);
        if (/\/check\/[\w-]{22}$/.test(location)) {
          const check = await app.inject({ method: 'GET', url: location, headers: { cookie } });
          expect(check.statusCode).toBe(200);
          res = await app.inject({
            method: 'POST',
            url: location,
            headers: { cookie },
            payload: { _csrf: csrfFrom(check.body) },
          });
          expect(res.statusCode).toBe(303);
          location = String(res.headers.location);
        }
        return app.inject({ method: 'GET', url: location, headers: { cookie } });
      };

      // The dashboard lists it with stage, next deadline, overdue count.
      const dashboard = await eventually(
        'the dashboard to list Formshire',
        () => app.inject({ method: 'GET', url: '/', headers: { cookie } }),
        (r) => r.body.includes('Formshire'),
      );
      expect(dashboard.body).toContain('Formshire');
      expect(dashboard.body).toContain('case lists');

      await putList6(inspectionId, notifiedOn);
      const withCandidates = await sub('children');
      expect(withCandidates.body).toContain('value="SYN0001"');
      // Each candidate's lists by title, not by id.
      expect(withCandidates.body).toContain('On List 6: children in need');
      const twenty = ['SYN0001', 'SYN0004', 'SYN0007', 'SYN0010', 'SYN0013'];
      const tooFew = await act(`/inspections/${inspectionId}/select`, {
        stage: 'tracked',
        childIds: ['SYN0001'],
      });
      expect(tooFew.body).toContain('govuk-error-summary');
      expect(tooFew.body).toContain('Between 5 and 7 children are tracked');
      expect(
        (await act(`/inspections/${inspectionId}/select`, { stage: 'twenty', childIds: twenty })).body,
      ).toContain('The selection of children for more information is recorded');
      // Three tracked children are too few: refused, with the three still ticked and the others not.
      const tooFewTracked = await act(`/inspections/${inspectionId}/select`, {
        stage: 'tracked',
        childIds: twenty.slice(0, 3),
      });
      expect(errorSummary(tooFewTracked.body)).toContain('Between 5 and 7 children are tracked');
      const ticked = [
        ...tooFewTracked.body.matchAll(
          /id="tracked(?:-\d+)?" name="childIds" type="checkbox" value="(SYN\d+)" checked/g,
        ),
      ];
      expect(ticked.map((m) => m[1])).toEqual(twenty.slice(0, 3));
      expect(
        (await act(`/inspections/${inspectionId}/select`, { stage: 'tracked', childIds: twenty })).body,
      ).toContain('The tracked children are recorded');
      const call = await act(`/inspections/${inspectionId}/confirm`, {
        deliverable: 'confirmation-call',
        note: '',
      });
      expect(call.body).toContain('The confirmation is recorded');
      const extended = await act(`/inspections/${inspectionId}/extend`, {
        deliverable: 'list-7',
        to: `${createCalendar().addWorkingDays(notifiedOn, 12)} 17:00`,
        reason: 'Synthetic reason',
      });
      expect(extended.body).toContain('The deadline is moved');
      const past = await act(`/inspections/${inspectionId}/extend`, {
        deliverable: 'list-8',
        to: '2001-01-01 17:00',
        reason: 'Synthetic reason, typed once',
      });
      expect(errorSummary(past.body)).toContain('The new deadline has already passed');
      // What was typed is back in the refused form, and only in it (the waive form has a reason too).
      expect(past.body).toMatch(/id="extend-to" name="to" type="text" value="2001-01-01 17:00"/);
      expect(past.body).toMatch(
        /id="extend-reason" name="reason" type="text" value="Synthetic reason, typed once"/,
      );
      expect(past.body).toMatch(/id="waive-reason" name="reason" type="text">/);
      expect(past.body).toMatch(/<option value="list-8" selected>/);
      const requestedLate = await act(`/inspections/${inspectionId}/request`, {
        source: 'cqc-request',
        owner: 'health',
        title: 'Synthetic "title" <b>',
        description: 'Synthetic description\non two lines',
        kind: 'confirmation',
        due: '2001-01-01 12:00',
      });
      expect(errorSummary(requestedLate.body)).not.toBe('');
      expect(requestedLate.body).toContain('>Synthetic description\non two lines</textarea>');
      expect(requestedLate.body).toContain('value="Synthetic &quot;title&quot; &lt;b&gt;"');
      expect(requestedLate.body).toMatch(/name="kind" type="radio" value="confirmation" checked/);
      expect(requestedLate.body).toMatch(/<option value="health" selected>/);
      // Read once: the page shown again has empty forms.
      expect((await sub('actions')).body).not.toContain('Synthetic &quot;title');
      expect(
        (await act(`/inspections/${inspectionId}/waive`, { deliverable: 'list-8', reason: 'Not held' })).body,
      ).toContain('The deliverable is waived');
      const resend = await act(`/inspections/${inspectionId}/links/police`, { action: 'resend' });
      expect(resend.body).toContain('The agency has been emailed its link again');
      const revoke = await act(`/inspections/${inspectionId}/links/police`, { action: 'revoke' });
      expect(revoke.body).toContain('Earlier links of the agency no longer work');

      // A message to an agency, and something more asked of one (chased like the rest).
      const noText = await act(`/inspections/${inspectionId}/message`, { agency: 'police', text: '' });
      expect(errorSummary(noText.body)).toContain('Enter the message.');
      const messaged = await act(`/inspections/${inspectionId}/message`, {
        agency: 'police',
        text: 'Synthetic message to police',
      });
      expect(messaged.body).toContain('The message is on the agency’s page');
      const due = `${createCalendar().addWorkingDays(notifiedOn, 6)} 12:00`;
      const requested = await act(`/inspections/${inspectionId}/request`, {
        source: 'cqc-request',
        owner: 'health',
        title: 'Health records of two tracked children',
        description: 'Synthetic request',
        kind: 'documents',
        due,
      });
      expect(requested.body).toContain('The request is recorded');
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
      const after = await sub('timeline');
      expect(after.body).toContain('Extended to');
      expect(after.body).toMatch(/data-deliverable="list-6" data-colour="received"/);
      expect(after.body).toMatch(/data-deliverable="list-8" data-colour="waived"/);
      expect(after.body).toContain('Chase log');
      expect(after.body).toContain('Health records of two tracked children');
      const agencies = await sub('agencies');
      expect(agencies.body).toContain('Messages to agencies');
      expect(agencies.body).toContain('Synthetic message to police');
      // The grid: a column per tracked child; police's key documents received for SYN0004 only.
      const children = (await sub('children')).body;
      const grid = /<table class="govuk-table jtai-child-grid"[\s\S]*?<\/table>/.exec(children)?.[0] ?? '';
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

      const cancel = await act(`/inspections/${inspectionId}/cancel`, { reason: '' });
      expect(errorSummary(cancel.body)).toContain('Enter a reason for cancelling the inspection');

      // The audit log: who did what, in order; refused actions are not in it; no child ID, reason or note.
      const store = await storeFor(ctx.h);
      const all = await store.audit.list({ inspectionId });
      // Each view of the page once it showed child IDs is a line too (test/web/child-ids.test.ts): apart here.
      expect(all.filter((l) => l.action === 'status.viewed').length).toBeGreaterThanOrEqual(2);
      const lines = all.filter((l) => l.action !== 'status.viewed');
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

test('every action answers with a redirect, so a reload acts no more; an act that cannot be undone is checked first; a second click of the same button (the same update id) counts once', async () => {
  const notifiedOn = upcomingNotificationMonday();
  await ctx.h.run(async () => {
    const app = await build(ctx.h, () => now);
    const cookie = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
    const post = (url: string, payload: Record<string, string>) =>
      app.inject({ method: 'POST', url, headers: { cookie }, payload });
    const { inspectionId } = await ctx.h.client.start({
      localAuthority: 'Twiceshire',
      notifiedOn,
      option: 'A',
      contacts: CONTACTS,
    });
    try {
      const page = await get(`/inspections/${inspectionId}/agencies`);
      const csrf = csrfFrom(page.body);
      const messageForm = /action="[^"]*\/message"[\s\S]*?<\/form>/.exec(page.body)?.[0] ?? '';
      const updateId = /name="updateId" value="([^"]+)"/.exec(messageForm)?.[1];
      expect(updateId).toMatch(/^[\w-]{8,}$/);

      // A message sent twice with the form's update id (a double click), then its page reloaded: one message.
      const message = { _csrf: csrf, agency: 'police', text: 'Synthetic, once', updateId: updateId ?? '' };
      const [first, second] = [
        await post(`/inspections/${inspectionId}/message`, message),
        await post(`/inspections/${inspectionId}/message`, message),
      ];
      expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
      const landed = await get(String(first.headers.location));
      expect(landed.body).toContain('The message is on the agency’s page');
      const reloaded = await get(String(first.headers.location));
      expect(reloaded.statusCode).toBe(200);
      expect(reloaded.body).not.toContain('The message is on the agency’s page');
      expect((await ctx.h.client.state(inspectionId)).messages?.map((m) => m.text)).toEqual([
        'Synthetic, once',
      ]);

      // Waiving: first a check page (shown as often as reloaded, doing nothing), then its button, pressed twice
      // at once: waived once, audited once, neither press refused.
      const toCheck = await post(`/inspections/${inspectionId}/waive`, {
        _csrf: csrf,
        deliverable: 'list-8',
        reason: 'Synthetic reason to waive',
      });
      expect(toCheck.statusCode).toBe(303);
      const checkUrl = String(toCheck.headers.location);
      expect(checkUrl).toMatch(new RegExp(`^/inspections/${inspectionId}/check/[\\w-]{22}$`));
      for (let i = 0; i < 2; i++) {
        const check = await get(checkUrl);
        expect(check.statusCode).toBe(200);
        expect(check.body).toContain('Check before you waive a deliverable');
        expect(check.body).toContain('Synthetic reason to waive');
      }
      expect(
        (await ctx.h.client.state(inspectionId)).deliverables.find((d) => d.id === 'list-8')?.waived,
      ).toBeUndefined();
      const checkCsrf = csrfFrom((await get(checkUrl)).body);
      const presses = await Promise.all([0, 1].map(() => post(checkUrl, { _csrf: checkCsrf })));
      expect(presses.map((r) => r.statusCode)).toEqual([303, 303]);
      for (const press of presses) {
        const shown = await get(String(press.headers.location));
        expect(errorSummary(shown.body)).toBe('');
        expect(shown.body).toContain('The deliverable is waived');
      }
      const state = await ctx.h.client.state(inspectionId);
      expect(state.deliverables.find((d) => d.id === 'list-8')?.waived?.reason).toBe(
        'Synthetic reason to waive',
      );
      const lines = await (await storeFor(ctx.h)).audit.list({ inspectionId });
      expect(lines.filter((l) => l.action === 'deliverable.waived')).toHaveLength(1);

      // Another session cannot use the check page: nothing is done, and it says so.
      const other = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
      const stranger = await app.inject({ method: 'GET', url: checkUrl, headers: { cookie: other } });
      expect(stranger.statusCode).toBe(303);
      const strangerPage = await app.inject({
        method: 'GET',
        url: String(stranger.headers.location),
        headers: { cookie: other },
      });
      expect(errorSummary(strangerPage.body)).toContain('That check had expired or was not yours');
    } finally {
      await ctx.h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
    }
  });
});

/** The contacts as the start form's and the directory page's fields. */
function contactFieldsOf(contacts: typeof CONTACTS): Record<string, string> {
  return {
    'coordinator-name': contacts.coordinator.name,
    'coordinator-email': contacts.coordinator.email,
    ...Object.fromEntries(
      Object.entries(contacts.agencies).flatMap(([id, a]) => [
        [`${id}-name`, a.name],
        [`${id}-contact`, a.contact],
        [`${id}-escalation`, a.escalation],
      ]),
    ),
  };
}

/** The ids of the inputs a page marks as in error. */
const markedInputs = (html: string) =>
  [...html.matchAll(/<input\s+class="[^"]*govuk-input--error[^"]*" id="([^"]+)"/g)].map((m) => m[1]);

test('the start form: a GOV.UK date input and each contact as a field, pre-filled from the agency directory; every problem listed and only those fields marked; the directory page edits and exports the contacts', async () => {
  const notifiedOn = upcomingNotificationMonday();
  const [year = '', month = '', day = ''] = notifiedOn.split('-');
  const store = await storeFor(ctx.h);
  await store.agencyDirectory.saveContacts(CONTACTS, 'test');
  await ctx.h.run(async () => {
    const app = await build(ctx.h, () => now);
    const cookie = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
    const newPage = await get('/inspections/new');
    expect(newPage.statusCode).toBe(200);
    // Pre-filled from the directory; the date is three fields.
    expect(newPage.body).toMatch(
      /id="police-contact" name="police-contact" type="email"[^>]* value="police@example.org"/,
    );
    expect(newPage.body).toContain('name="notifiedOn-month"');
    expect(markedInputs(newPage.body)).toEqual([]);
    const csrf = csrfFrom(newPage.body);
    const postStart = async (fields: Record<string, string>) => {
      const form = await multipart(fields);
      return app.inject({
        method: 'POST',
        url: `/inspections?_csrf=${encodeURIComponent(csrf)}`,
        headers: { ...form.headers, cookie },
        payload: form.payload,
      });
    };
    const fields = {
      localAuthority: 'Fieldshire',
      rehearsal: 'no',
      'notifiedOn-day': String(Number(day)),
      'notifiedOn-month': month,
      'notifiedOn-year': year,
      option: 'A',
      ...contactFieldsOf(CONTACTS),
    };

    // Three problems at once: all listed, only those three fields marked, what was typed kept.
    const refused = await postStart({
      ...fields,
      'notifiedOn-month': '',
      'police-contact': 'not-an-email',
      'health-escalation': '',
    });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toMatch(/^\/inspections\/new\?n=[\w-]{22}$/);
    const shown = await get(String(refused.headers.location));
    expect(
      [...errorSummary(shown.body).matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      // In the order of the fields on the page.
      ['#notifiedOn-month', 'The notification date must include a month'],
      [
        '#police-contact',
        'Enter the email address of Example Police&#39;s primary contact in the correct format, like name@example.com',
      ],
      ['#health-escalation', 'Enter the email address of Example ICB&#39;s escalation lead'],
    ]);
    expect(markedInputs(shown.body).sort()).toEqual([
      'health-escalation',
      'notifiedOn-month',
      'police-contact',
    ]);
    expect(shown.body).toContain('value="not-an-email"');
    expect(shown.body).toContain('value="Fieldshire"');
    // Shown once: a reload is the plain form.
    expect(errorSummary((await get(String(refused.headers.location))).body)).toBe('');

    // Changed contacts start it, and are kept in the directory for next time.
    const started = await postStart({ ...fields, 'police-contact': 'new-police@example.org' });
    expect(started.statusCode).toBe(303);
    const inspectionId = `inspection-fieldshire-${notifiedOn}`;
    try {
      expect(String(started.headers.location)).toMatch(new RegExp(`^/inspections/${inspectionId}\\?n=`));
      expect((await get(String(started.headers.location))).body).toContain('The inspection has started');
      expect((await ctx.h.client.state(inspectionId)).contacts.agencies.police.contact).toBe(
        'new-police@example.org',
      );
      expect((await store.agencyDirectory.get()).agencies.police?.contact).toBe('new-police@example.org');
      expect((await get('/inspections/new')).body).toContain('value="new-police@example.org"');

      // The directory's own page: a refusal lists the problem; a change is saved, with a banner, audited.
      const directoryPage = await get('/agencies');
      expect(directoryPage.body).toContain('Agency directory');
      const postDirectory = (changes: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/agencies',
          headers: { cookie },
          payload: { ...contactFieldsOf(CONTACTS), ...changes, _csrf: csrfFrom(directoryPage.body) },
        });
      const badDirectory = await postDirectory({ 'coordinator-email': 'nobody' });
      expect(badDirectory.statusCode).toBe(303);
      const badShown = await get(String(badDirectory.headers.location));
      expect(errorSummary(badShown.body)).toContain('href="#coordinator-email"');
      expect(markedInputs(badShown.body)).toEqual(['coordinator-email']);
      const saved = await postDirectory({ 'coordinator-name': 'Alex Coordinator' });
      expect(saved.statusCode).toBe(303);
      expect((await get(String(saved.headers.location))).body).toContain('The agency directory is saved');
      expect((await store.agencyDirectory.get()).coordinator?.name).toBe('Alex Coordinator');
      expect((await store.audit.list({})).some((l) => l.action === 'directory.changed')).toBe(true);

      // Exported as a contacts file the CLI takes.
      const exported = await get('/agencies/contacts.yaml');
      expect(exported.headers['content-disposition']).toContain('contacts.yaml');
      expect(parseContacts(exported.body, 'contacts.yaml')).toEqual({
        ...CONTACTS,
        coordinator: { ...CONTACTS.coordinator, name: 'Alex Coordinator' },
      });
    } finally {
      await ctx.h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
    }
  });
});

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
        url: `/inspections/${inspectionId}/documents`,
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
      expect(managerPage.body).not.toContain(`/inspections/${inspectionId}/documents`);
      const managerDocuments = await app.inject({
        method: 'GET',
        url: `/inspections/${inspectionId}/documents`,
        headers: { cookie: manager },
      });
      expect(managerDocuments.statusCode).toBe(403);

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
