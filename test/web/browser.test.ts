import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { accessible, browserTest, launchBrowser, shot, type Browser } from '../support/browser';
import { pdf, windowsProgram } from '../support/documents';
import { INSPECTION_HEADER } from '../../src/infra/mail';
import { eventually, until } from '../support/eventually';
import {
  CONTACTS,
  createHarness,
  recentNotificationMonday,
  upcomingNotificationMonday,
  type Harness,
} from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import { agencyToken, build, closeApps, DOB_HEADER, list6, PASSWORDS, storeFor } from './support';

/**
 * In a real browser (Debian's Chromium through playwright-core, headless, nothing fetched from the network):
 * an agency opens its link, uploads a list with an error, sees it by row and column, uploads a fixed list and
 * gets its receipt; the coordinator signs in and sees it received; a forged link gets 403. Every page is
 * checked with axe-core (no serious or critical violations), also at a phone's width.
 *
 * Screenshots go to $JTAI_SCREENSHOTS when set (`JTAI_SCREENSHOTS=docs/screenshots npx jest test/web/browser`
 * refreshes the README's), otherwise to a temporary folder.
 */
let env: TestWorkflowEnvironment;
let h: Harness;
let app: FastifyInstance;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  env = await createDevServerEnv();
  h = await createHarness(env);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await closeApps();
  await h?.close();
  await env?.teardown();
});

/** A new page of the file's one browser (launched on first use). */
async function newPage(): Promise<Page> {
  browser ??= await launchBrowser();
  return browser.context.newPage();
}

/** At a phone's width (375 px) nothing makes the page scroll sideways, and it is still accessible. */
async function onPhone(page: Page, what: string, name?: string): Promise<void> {
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect({ page: what, overflow }).toEqual({ page: what, overflow: 0 });
  await accessible(page, `${what} (phone)`);
  if (name) await shot(page, name);
  await page.setViewportSize({ width: 1024, height: 800 });
}

browserTest(
  'an agency uploads a list with an error, sees it, fixes it and gets a receipt; the coordinator sees it received; a forged link gets 403',
  async () => {
    // Notified a week ago, so some deadlines have passed (the dashboard shows overdue counts), and another
    // inspection that starts next week. The dev server runs in real time, so both dates are counted from
    // today on a calendar that has every year's bank holidays: the test holds whatever the date.
    const notifiedOn = recentNotificationMonday();
    await h.run(async () => {
      const started = await h.client.start({
        localAuthority: 'Example Borough',
        notifiedOn,
        option: 'A',
        contacts: CONTACTS,
        lateStart: true,
      });
      const other = await h.client.start({
        localAuthority: 'Sampleshire',
        notifiedOn: upcomingNotificationMonday(),
        option: 'B',
        contacts: CONTACTS,
      });
      try {
        app = await build(h);
        await app.listen({ port: 0, host: '127.0.0.1' });
        base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        const page = await newPage();
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push(err.message));
        page.on('console', (m) => {
          // The refusals themselves answer 400 and 403: those are meant.
          if (m.type() === 'error' && !/status of 40[03]/.test(m.text())) problems.push(m.text());
        });
        const token = agencyToken(h, await h.client.state(started.inspectionId), 'local-authority');

        // The agency's page.
        await page.goto(`${base}/a/${token}`);
        expect(await page.locator('h1').textContent()).toContain('Example Council');
        await accessible(page, 'agency page');
        await shot(page, 'agency-page');
        await onPhone(page, 'agency page', 'agency-page-phone');

        // A list with an error: the error summary names its row and column; nothing is recorded.
        await page.getByRole('link', { name: 'List 6: children in need' }).click();
        await page.waitForSelector('h1');
        await accessible(page, 'list upload page');
        await page.setInputFiles('#file', {
          name: 'list-6.xlsx',
          mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          buffer: await list6(notifiedOn, 12, 2),
        });
        await page.getByRole('button', { name: 'Upload and check the list' }).click();
        const summary = page.locator('.govuk-error-summary');
        await summary.waitFor();
        expect(await summary.textContent()).toContain(`Row 3, column “${DOB_HEADER}”`);
        // GOV.UK Frontend moves focus to the summary.
        expect(problems).toEqual([]);
        expect(
          await page.evaluate<boolean>("document.activeElement.classList.contains('govuk-error-summary')"),
        ).toBe(true);
        await accessible(page, 'error summary');
        await shot(page, 'list-error-summary');
        await onPhone(page, 'error summary', 'list-error-summary-phone');
        const refused = await h.client.state(started.inspectionId);
        expect(refused.deliverables.find((d) => d.id === 'list-6')?.submissions).toEqual([]);

        // The fixed list: a receipt with what, when and the SHA-256.
        await page.setInputFiles('#file', {
          name: 'list-6.xlsx',
          mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          buffer: await list6(notifiedOn, 12),
        });
        await page.getByRole('button', { name: 'Upload and check the list' }).click();
        await page.locator('.govuk-panel').waitFor();
        const received = await h.client.state(started.inspectionId);
        const sha = received.deliverables.find((d) => d.id === 'list-6')?.submissions[0]?.files[0]?.sha256;
        expect(sha).toMatch(/^[0-9a-f]{64}$/);
        expect(await page.locator('main').textContent()).toContain(sha);
        await accessible(page, 'receipt');
        await shot(page, 'list-receipt');
        await onPhone(page, 'receipt');

        // The coordinator signs in and sees it received.
        await page.goto(`${base}/`);
        expect(new URL(page.url()).pathname).toBe('/sign-in');
        await accessible(page, 'sign-in');
        await page.fill('#username', 'coord');
        await page.fill('#password', PASSWORDS.coordinator);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${base}/`);
        await eventually(
          'the dashboard to list both inspections',
          () => h.client.list(),
          (list) => [started, other].every((s) => list.some((x) => x.inspectionId === s.inspectionId)),
        );
        await page.reload();
        expect(await page.locator('#inspections').textContent()).toContain('Example Borough');
        await accessible(page, 'dashboard');
        await shot(page, 'dashboard');
        await onPhone(page, 'dashboard', 'dashboard-phone');

        await page.getByRole('link', { name: 'Example Borough' }).click();
        await page.waitForSelector('.jtai-subnav');
        await accessible(page, 'inspection overview');
        await shot(page, 'inspection');
        await onPhone(page, 'inspection overview');
        // Its timeline, one link away in the inspection's sub-navigation.
        await page.locator('.jtai-subnav').getByRole('link', { name: 'Timeline' }).click();
        await page.waitForSelector('.jtai-timeline');
        expect(await page.locator('[aria-current="page"]').textContent()).toBe('Timeline');
        expect(await page.locator('[data-deliverable="list-6"]').getAttribute('data-colour')).toBe(
          'received',
        );
        expect(await page.locator('[data-deliverable="list-6"]').textContent()).toMatch(/received/);
        await accessible(page, 'inspection timeline');
        await onPhone(page, 'inspection timeline');

        // A forged link: a plain 403 page.
        const [body] = token.split('.');
        const forged = await page.goto(`${base}/a/${body}.${'A'.repeat(43)}`);
        expect(forged?.status()).toBe(403);
        expect(await page.locator('main').textContent()).toContain("Contact the partnership's coordinator");
        await accessible(page, '403 page');
      } finally {
        await h.client.cancel(started.inspectionId, 'End of test').catch(() => undefined);
        await h.client.cancel(other.inspectionId, 'End of test').catch(() => undefined);
      }
    });
  },
  180_000,
);

/** A signed-in coordinator's page in the browser (the app listening, Chromium launched, on first use). */
async function coordinatorPage(): Promise<Page> {
  if (!app) {
    app = await build(h);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const page = await newPage();
  await page.goto(`${base}/sign-in`);
  if (await page.locator('#password').count()) {
    await page.fill('#username', 'coord');
    await page.fill('#password', PASSWORDS.coordinator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
  }
  return page;
}

/** Accessible at 1024 px and 375 px, with a screenshot of each. */
async function checked(page: Page, what: string, name: string): Promise<void> {
  await accessible(page, what);
  await shot(page, name);
  await onPhone(page, what, `${name}-phone`);
}

browserTest(
  'the start form (GOV.UK date input, contacts as fields from the agency directory), the directory page and a check-your-answers page: accessible, errors marked field by field',
  async () => {
    const store = await storeFor(h);
    await store.agencyDirectory.saveContacts(CONTACTS, 'test');
    const page = await coordinatorPage();
    await page.goto(`${base}/inspections/new`);
    expect(await page.inputValue('#police-contact')).toBe(CONTACTS.agencies.police.contact);
    await checked(page, 'start form', 'start-form');

    // Two problems: both in the summary (focused), only those two fields marked.
    await page.fill('#localAuthority', 'Browsershire');
    await page.fill('#notifiedOn-day', '31');
    await page.fill('#notifiedOn-month', '2');
    await page.fill('#notifiedOn-year', '2099');
    await page.fill('#police-contact', 'not-an-email');
    await page.getByRole('button', { name: 'Start the inspection' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    expect(await summary.locator('a').allTextContents()).toEqual([
      'The notification date must be a real date',
      "Enter the email address of Example Police's primary contact in the correct format, like name@example.com",
    ]);
    expect(
      await page.evaluate<string[]>(
        "[...document.querySelectorAll('input.govuk-input--error')].map((e) => e.id)",
      ),
    ).toEqual(['notifiedOn-day', 'notifiedOn-month', 'notifiedOn-year', 'police-contact']);
    expect(await page.inputValue('#localAuthority')).toBe('Browsershire');
    await checked(page, 'start form with errors', 'start-form-errors');

    await page.goto(`${base}/agencies`);
    await checked(page, 'agency directory', 'agency-directory');
    await page.fill('#coordinator-name', 'Alex Coordinator');
    await page.getByRole('button', { name: 'Save the directory' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
    expect((await store.agencyDirectory.get()).coordinator?.name).toBe('Alex Coordinator');
    await checked(page, 'agency directory saved', 'agency-directory-saved');

    // An act that cannot be undone (the worker running): a check-your-answers page first, then a banner.
    await h.run(async () => {
      // An act that cannot be undone: a check-your-answers page first, then the outcome in a banner.
      const { inspectionId } = await h.client.start({
        localAuthority: 'Checkshire',
        notifiedOn: upcomingNotificationMonday(),
        option: 'A',
        contacts: CONTACTS,
      });
      try {
        await page.goto(`${base}/inspections/${inspectionId}/actions`);
        await page.selectOption('#waive-deliverable', 'list-8');
        await page.fill('#waive-reason', 'Not held by the area');
        await page.getByRole('button', { name: 'Waive it' }).click();
        await page.waitForURL(/\/check\//);
        expect(await page.locator('.govuk-summary-list').textContent()).toContain('Not held by the area');
        await checked(page, 'check before waiving', 'check-waive');
        await page.getByRole('button', { name: 'Waive it' }).click();
        await page.locator('.govuk-notification-banner--success').waitFor();
        expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(
          'The deliverable is waived',
        );
        // Back on the timeline, where the waived row is.
        expect(new URL(page.url()).pathname).toBe(`/inspections/${inspectionId}/timeline`);
        expect(await page.locator('[data-deliverable="list-8"]').getAttribute('data-colour')).toBe('waived');
      } finally {
        await h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
      }
    });
    await page.close();
  },
  180_000,
);

browserTest(
  'agency pages: a bad file beside good ones (the good recorded, the bad under its own document), then a partial receipt whose panel says what is still owed: accessible',
  async () => {
    if (!app) {
      app = await build(h);
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }
    await h.run(async () => {
      const { inspectionId } = await h.client.start({
        localAuthority: 'Partshire',
        notifiedOn: upcomingNotificationMonday(),
        option: 'A',
        contacts: CONTACTS,
      });
      try {
        const token = agencyToken(h, await h.client.state(inspectionId), 'police');
        const page = await newPage();
        await page.goto(`${base}/a/${token}/d/annex-a-documents.police`);
        await page.setInputFiles('#file-3-1', {
          name: 'structure.pdf',
          mimeType: 'application/pdf',
          buffer: pdf,
        });
        await page.setInputFiles('#file-3-2', {
          name: 'report.pdf',
          mimeType: 'application/pdf',
          buffer: windowsProgram,
        });
        await page.getByRole('button', { name: 'Upload documents' }).click();
        await page.locator('#partly-received').waitFor();
        expect(await page.locator('#file-3-2-error').textContent()).toContain('report.pdf');
        expect(await page.locator('#file-3-1-error').count()).toBe(0);
        expect(await page.locator('#partly-received').textContent()).toContain('structure.pdf (3.1)');
        await checked(page, 'documents partly received', 'agency-partly-received');

        await page.setInputFiles('#file-3-2', {
          name: 'assessment.pdf',
          mimeType: 'application/pdf',
          buffer: pdf,
        });
        await page.getByRole('button', { name: 'Upload documents' }).click();
        await page.locator('#received-panel').waitFor();
        expect(await page.locator('#received-panel').textContent()).toMatch(/Still owed:\s*3\.3 Learning/);
        await checked(page, 'partial receipt', 'agency-receipt-still-owed');
        await page.close();
      } finally {
        await h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
      }
    });
  },
  180_000,
);

/** The emails of one inspection the SMTP listener has taken. */
const mailOf = (id: string) =>
  h.smtp.messages.filter((m) => m.headers.get(INSPECTION_HEADER.toLowerCase()) === id);

browserTest(
  "the coordinator's week, both personas: start, a list refused then received (its receipt emailed), selections checked then recorded (a reload records nothing more), the child grid filling with the agency's note, a file withdrawn; every sub-page accessible",
  async () => {
    const store = await storeFor(h);
    await store.agencyDirectory.saveContacts(CONTACTS, 'test');
    const notifiedOn = upcomingNotificationMonday();
    const [year = '', month = '', day = ''] = notifiedOn.split('-');
    const inspectionId = `inspection-weekshire-${notifiedOn}`;
    const coord = await coordinatorPage();
    const agency = await newPage();
    const sub = (name: string) => `${base}/inspections/${inspectionId}${name}`;
    const audited = async (action: string) =>
      (await store.audit.list({ inspectionId })).filter((l) => l.action === action).length;
    await h.run(async () => {
      try {
        // The coordinator starts the inspection: its overview, with the sub-navigation.
        await coord.goto(`${base}/inspections/new`);
        await coord.fill('#localAuthority', 'Weekshire');
        await coord.fill('#notifiedOn-day', day);
        await coord.fill('#notifiedOn-month', month);
        await coord.fill('#notifiedOn-year', year);
        await coord.getByRole('button', { name: 'Start the inspection' }).click();
        await coord.waitForURL(new RegExp(`/inspections/${inspectionId}\\?n=`));
        expect(await coord.locator('.govuk-notification-banner--success').textContent()).toContain(
          'The inspection has started',
        );
        expect(await coord.locator('.jtai-subnav a').allTextContents()).toEqual([
          'Overview',
          'Timeline',
          'Children',
          'Agencies and links',
          'Documents',
          'Actions',
        ]);
        expect(await coord.locator('.jtai-subnav [aria-current="page"]').textContent()).toBe('Overview');
        await checked(coord, 'inspection overview', 'inspection-overview');

        // The local authority's list 6: one with an error (refused, nothing recorded), then the fixed one.
        const state = await h.client.state(inspectionId);
        await agency.goto(`${base}/a/${agencyToken(h, state, 'local-authority')}/d/list-6`);
        const list = async (breakRow?: number) => {
          await agency.setInputFiles('#file', {
            name: 'list-6.xlsx',
            mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            buffer: await list6(notifiedOn, 15, breakRow),
          });
          await agency.getByRole('button', { name: 'Upload and check the list' }).click();
        };
        await list(2);
        await agency.locator('.govuk-error-summary').waitFor();
        expect(await agency.locator('.govuk-error-summary').textContent()).toContain(
          `Row 3, column “${DOB_HEADER}”`,
        );
        await list();
        await agency.locator('.govuk-panel').waitFor();
        // A reload of the receipt (reached by a redirect from the upload) sends nothing again.
        await agency.reload();
        await agency.locator('.govuk-panel').waitFor();
        const listed = (await h.client.state(inspectionId)).deliverables.find((d) => d.id === 'list-6');
        expect(listed?.submissions).toHaveLength(1);
        const sha = listed?.submissions[0]?.files[0]?.sha256 ?? '';
        // Its receipt, emailed to the local authority's contact, with the file's SHA-256.
        const receipt = await until(
          'the receipt of list 6',
          () => mailOf(inspectionId).find((m) => /^Received: JTAI Weekshire, List 6/.test(m.subject ?? '')),
          60_000,
        );
        expect(receipt.text).toContain(sha);

        // The timeline: list 6 received; an open row's "Extend or waive" opens the forms with it chosen.
        await coord.goto(sub('/timeline'));
        expect(await coord.locator('[data-deliverable="list-6"]').getAttribute('data-colour')).toBe(
          'received',
        );
        await checked(coord, 'inspection timeline', 'inspection-timeline');
        await coord.getByRole('link', { name: 'Extend or waive List 8' }).click();
        await coord.waitForURL(/\/actions\?deliverable=list-8#extend$/);
        expect(await coord.inputValue('#extend-deliverable')).toBe('list-8');
        expect(await coord.inputValue('#waive-deliverable')).toBe('list-8');
        expect(await coord.locator('#extend-to-hint').textContent()).toMatch(
          /For example \d\d\/\d\d\/\d{4} \d\d:\d\d \(DD\/MM\/YYYY/,
        );
        await checked(coord, 'inspection actions', 'inspection-actions');

        // The children: five of those put forward, checked first, then recorded; a reload records nothing more.
        await coord.goto(sub('/children'));
        const twentyForm = coord.locator('form', { has: coord.locator('input[name=stage][value=twenty]') });
        const offered = await Promise.all(
          (await twentyForm.locator('input[name=childIds]').all()).map((i) => i.inputValue()),
        );
        const chosen = offered.slice(0, 5);
        expect(chosen).toHaveLength(5);
        expect(await twentyForm.textContent()).toContain('On List 6: children in need');
        await checked(coord, 'inspection children', 'inspection-children');
        for (const id of chosen) await twentyForm.locator(`input[value="${id}"]`).check();
        await twentyForm.getByRole('button', { name: 'Record the selection' }).click();
        await coord.waitForURL(/\/check\//);
        expect(await coord.locator('.govuk-summary-list').textContent()).toContain(chosen.join(', '));
        await checked(coord, 'check the selection', 'check-selection');
        await coord.getByRole('button', { name: 'Record the selection' }).click();
        await coord.waitForURL(new RegExp(`/inspections/${inspectionId}/children\\?n=`));
        await coord.reload();
        const trackedForm = coord.locator('form', {
          has: coord.locator('input[name=stage][value=tracked]'),
        });
        for (const id of chosen) await trackedForm.locator(`input[value="${id}"]`).check();
        await trackedForm.getByRole('button', { name: 'Record the tracked children' }).click();
        await coord.waitForURL(/\/check\//);
        await coord.getByRole('button', { name: 'Record the tracked children' }).click();
        await coord.locator('.govuk-notification-banner--success').waitFor();
        expect(await coord.locator('.govuk-notification-banner--success').textContent()).toContain(
          'The tracked children are recorded',
        );
        await coord.reload();
        expect(await coord.locator('.govuk-notification-banner--success').count()).toBe(0);
        const selected = await h.client.state(inspectionId);
        expect(selected.selection).toMatchObject({ twenty: chosen, tracked: chosen });
        expect(await audited('selection.recorded')).toBe(2);

        // Police send a document for the first tracked child, with a note for the coordinator.
        const police = agencyToken(h, selected, 'police');
        await agency.goto(`${base}/a/${police}/d/key-documents.police`);
        await agency.getByRole('link', { name: `Child ${chosen[0] ?? ''}` }).click();
        await agency.waitForURL(/\?child=/);
        const childPage = agency.url();
        await agency.locator('input[type=file]').first().setInputFiles({
          name: 'chronology.pdf',
          mimeType: 'application/pdf',
          buffer: pdf,
        });
        await agency.fill('#note', 'Synthetic note: the rest are not held');
        await agency.getByRole('button', { name: 'Upload documents' }).click();
        await agency.locator('.govuk-panel').waitFor();

        // The grid shows it in that child's column, with the note read back.
        await coord.goto(sub('/children'));
        const policeRow = coord.locator('.jtai-child-grid tbody tr', {
          hasText: 'Note: Synthetic note: the rest are not held',
        });
        expect(await policeRow.count()).toBe(1);
        expect(await policeRow.textContent()).toContain('Example Police');
        expect(await policeRow.textContent()).toContain('1 of 5');
        await checked(coord, 'inspection children with the grid', 'inspection-children-grid');
        await coord.goto(sub('/documents'));
        const kept = (await h.client.files(inspectionId)).find(
          (f) => f.deliverableId === 'key-documents.police',
        );
        expect(kept?.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(await coord.locator(`[data-file="${kept?.sha256 ?? ''}"]`).count()).toBe(1);
        await checked(coord, 'inspection documents', 'inspection-documents');

        // The agency withdraws it (a wrong file): recorded once, and gone from the coordinator's documents.
        await agency.goto(childPage);
        await agency.locator('summary', { hasText: 'Withdraw this file' }).click();
        await agency.locator('textarea[name=reason]').fill('Synthetic: the wrong file');
        await agency.getByRole('button', { name: 'Withdraw file' }).click();
        await agency.locator('.govuk-tag', { hasText: 'Withdrawn' }).waitFor();
        await agency.reload();
        expect(await audited('file.withdrawn')).toBe(1);
        await coord.reload();
        expect(await coord.locator(`[data-file="${kept?.sha256 ?? ''}"]`).count()).toBe(0);

        // Agencies and links: each agency's link beside its resend and revoke.
        await coord.goto(sub('/agencies'));
        const card = coord.locator('.govuk-summary-card', { hasText: 'Example Police' });
        expect(await card.getByRole('button', { name: /Resend/ }).count()).toBe(1);
        await checked(coord, 'inspection agencies', 'inspection-agencies');
      } finally {
        await h.client.cancel(inspectionId, 'End of test').catch(() => undefined);
        await agency.close();
        await coord.close();
      }
    });
  },
  300_000,
);
