import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseCommand, startInspection } from '../../src/client/commands';
import { INSPECTION_HEADER } from '../../src/infra/mail';
import { writeSyntheticList } from '../../src/lists/synthetic';
import { accessible, browserTest, launchBrowser, shot, type Browser } from '../support/browser';
import { until } from '../support/eventually';
import { CONTACTS, createHarness, type Harness } from '../support/harness';
import { messageKey } from '../support/smtp';
import { createDevServerEnv } from '../support/temporal';
import { build, closeApps, PASSWORDS } from './support';

/**
 * A rehearsal on the Temporal dev server in real time (real worker, real SMTP listener) with one-minute working
 * days (N = 1): the NPS list's reminder comes about a minute after the start and its escalation about three, so
 * within about four minutes the test sees both, sends the list late and reads the debrief; then Chromium shows
 * the REHEARSAL banner. A rehearsal starts now by design: every instant checked is counted from its start.
 */
jest.setTimeout(600_000);

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createDevServerEnv();
  h = await createHarness(env);
}, 180_000);
afterAll(async () => {
  await closeApps();
  await h?.close();
  await env?.teardown();
});

const mailOf = (id: string) =>
  h.smtp.messages.filter((m) => m.headers.get(INSPECTION_HEADER.toLowerCase()) === id);

browserTest(
  'a rehearsal of one-minute days reminds, escalates, is debriefed, and shows its banner',
  async () => {
    let browser: Browser | undefined;
    await h.run(async () => {
      const { inspectionId: id, input } = await startInspection(
        h.client,
        parseCommand('start', {
          localAuthority: 'Rehearsal Borough',
          option: 'A',
          contacts: CONTACTS,
          rehearsal: true,
          dayMinutes: 1,
        }),
      );
      try {
        const startsAt = input.schedule.rehearsal?.startsAt ?? Number.NaN;
        const mail = (key: string) =>
          until(`the email ${key}`, () => mailOf(id).find((m) => messageKey(m) === key), 400_000);
        const reminder = await mail('list-nps/reminder-day-before/v1');
        expect(reminder.subject).toMatch(/^REHEARSAL: Reminder: JTAI Rehearsal Borough/);
        const escalation = await mail('list-nps/escalation-lead/v1');
        expect(escalation.subject).toMatch(/^REHEARSAL: Overdue: JTAI Rehearsal Borough/);
        // Each was due at its rung's instant on the rehearsal's clock (day 1 09:00 at 67.5 s, day 2 16:00 at
        // 187.5 s after the start) and not sent before it.
        const outbox = (await h.client.state(id)).outbox;
        for (const [key, offset] of [
          ['list-nps/reminder-day-before/v1', 67_500],
          ['list-nps/escalation-lead/v1', 187_500],
        ] as const) {
          const item = outbox.find((x) => x.key === key);
          expect(item).toMatchObject({ scheduledFor: startsAt + offset, status: 'sent' });
          expect(item?.queuedAt).toBeGreaterThanOrEqual(startsAt + offset);
        }

        // The NPS list, after its escalation (day 2 16:00, an hour of the week after its 15:00 deadline): late,
        // and the debrief says by how much, in real minutes and in working minutes of the week.
        const npsFile = path.join(h.dir, 'nps.xlsx');
        await writeSyntheticList('nps', npsFile, { option: 'A', notifiedOn: input.schedule.notifiedOn });
        expect((await h.client.submit(id, 'list-nps', 'probation', [{ path: npsFile }])).late).toBe(true);
        const nps = (await h.client.debrief(id)).rows.find((r) => r.deliverableId === 'list-nps');
        expect(nps).toMatchObject({ outcome: 'received-late', accepted: 1 });
        expect(nps?.lateMinutes).toBeGreaterThan(0);
        expect(nps?.lateWorkingMinutes).toBeGreaterThanOrEqual(60);

        // In Chromium: the banner on the rehearsal's page, and the debrief with the lateness.
        const app = await build(h);
        await app.listen({ port: 0, host: '127.0.0.1' });
        const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        browser = await launchBrowser();
        const page = await browser.context.newPage();
        await page.goto(`${base}/sign-in`);
        await page.fill('#username', 'coord');
        await page.fill('#password', PASSWORDS.coordinator);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${base}/`);
        await page.goto(`${base}/inspections/${id}`);
        expect(await page.locator('[data-rehearsal]').textContent()).toMatch(
          /REHEARSAL: a practice run, not a real inspection\. Each working day lasts 1 minute and /,
        );
        await page.setViewportSize({ width: 1280, height: 1200 });
        await shot(page, 'rehearsal-inspection', false);
        await page.goto(`${base}/inspections/${id}/debrief`);
        expect(await page.locator('[data-rehearsal]').count()).toBe(1);
        expect(await page.locator('[data-deliverable="list-nps"]').textContent()).toMatch(
          /sent late: [\s\S]*of the week's working time/,
        );
        await accessible(page, 'debrief');
        await page.locator('[data-deliverable="list-nps"]').scrollIntoViewIfNeeded();
        await shot(page, 'rehearsal-debrief', false);
      } finally {
        await browser?.close();
        await h.client.cancel(id, 'End of test').catch(() => undefined);
      }
    });
  },
);
