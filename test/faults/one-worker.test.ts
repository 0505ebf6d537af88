/**
 * Issue 9 on real processes, one worker child process for the file (dev server, loopback SMTP server, the real
 * list validator): a mail outage is visible in the status, a late start escalates what is overdue, two racing
 * uploads to one list leave the newest as the latest. The tests run in order on the one worker.
 */
import { formatStatus } from '../../src/client/terminal';
import { openStore } from '../../src/infra/db';
import { buildApp } from '../../src/web/app';
import { cookieHeader, signIn } from '../web/support';
import { WorkflowUpdateStage } from '@temporalio/client';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { MAIL_FAILING_KEY } from '../../src/workflows/search-attributes';
import * as messages from '../../src/workflows/messages';
import type { Delivery, InspectionStatus } from '../../src/workflows/types';
import { addresses, messageKey } from '../support/smtp';
import { CONTACTS, notificationMonday, upcomingNotificationMonday } from '../support/harness';
import { until } from '../support/eventually';
import {
  createFaults,
  type Faults,
  messageIdFor,
  seconds,
  startInspection,
  stateOf,
  writeList6Csv,
} from './support';

jest.setTimeout(10 * 60_000);

let f: Faults;
beforeAll(async () => {
  f = await createFaults();
  await f.worker.start();
});
afterAll(async () => {
  await f?.close();
});

const copiesOf = (inspectionId: string, key: string) =>
  f.smtp.messages.filter((m) => m.messageId === messageIdFor(inspectionId, key));

async function stateWhen(
  inspectionId: string,
  what: string,
  ok: (s: InspectionStatus) => boolean,
  timeoutMs = 5 * 60_000,
): Promise<InspectionStatus> {
  return until(
    what,
    async () => {
      const s = await stateOf(f.client, inspectionId);
      return ok(s) && s;
    },
    timeoutMs,
  );
}

test('a mail outage shows in the status after the first failed attempt, with the reason; once the server is back every email is sent once', async () => {
  await f.smtp.stop();
  const startedAt = Date.now();
  const { inspectionId } = await f.client.start({
    localAuthority: 'Outage Borough',
    notifiedOn: upcomingNotificationMonday(),
    option: 'A',
    contacts: CONTACTS,
  });
  const digests = (s: InspectionStatus) => s.outbox.filter((x) => x.template === 'request-digest');
  const failing = await stateWhen(
    inspectionId,
    'the request emails to show as failing',
    (s) => digests(s).length === 6 && digests(s).every((x) => x.status === 'failing'),
  );
  const visibleAfterMs = Date.now() - startedAt;
  for (const x of digests(failing)) {
    // Visible after the first attempt, before any retry; the reason is the transport's own.
    expect(x).toMatchObject({
      status: 'failing',
      attempts: 1,
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(x.failingSince).toBeGreaterThanOrEqual(x.queuedAt);
  }
  // The dashboard's count (a search attribute) says so too.
  const handle = f.client.client.workflow.getHandle(inspectionId);
  await until('JtaiMailFailing to count the failing emails', async () => {
    const d = await handle.describe();
    return d.typedSearchAttributes.get(MAIL_FAILING_KEY) === 6;
  });
  // What the coordinator reads (status, API and page share the view; the list its count), in words.
  const view = await f.client.view(inspectionId);
  expect(view.mailProblems).toHaveLength(6);
  expect(view.mailProblems).toContainEqual(
    expect.objectContaining({
      agency: 'police',
      to: 'contact',
      status: 'failing',
      waiting: 1,
      reason: expect.stringMatching(/ECONNREFUSED/),
    }),
  );
  expect(formatStatus(view)).toMatch(
    /^! Email to Police \(contact\) failing since .+ECONNREFUSED.+; 1 email waiting$/m,
  );
  expect(view.deliverables.find((d) => d.chaseLog.length)?.chaseLog[0]).toMatchObject({
    delivery: 'failing',
  });
  const listed = (await f.client.listPage()).inspections.find((x) => x.inspectionId === inspectionId);
  expect(listed?.mailFailing).toBe(6);
  // The coordinator's pages: a banner on the inspection's page, a red tag on the list of inspections.
  const store = await openStore(f.deployment.config.database);
  const app = await buildApp({ client: f.client, deployment: f.deployment, store });
  try {
    await store.users.set('coord', 'coordinator', 'coordinator-password-1');
    const cookie = cookieHeader(await signIn(app, 'coord', 'coordinator-password-1'));
    const page = await app.inject({ url: `/inspections/${inspectionId}`, headers: { cookie } });
    expect(page.body).toContain('Email is not getting through');
    expect(page.body).toMatch(
      /<li>Email to Police \(contact\) failing since [^<]+ECONNREFUSED[^<]+; 1 email waiting\.<\/li>/,
    );
    const dashboard = await app.inject({ url: '/', headers: { cookie } });
    expect(dashboard.body).toContain('email failing (6)');
  } finally {
    await app.close();
    await store.close();
  }

  // "Resend link" answers at once while mail is down; its email waits in the outbox like the others.
  const linkAskedAt = Date.now();
  const version = await f.client.sendLink(inspectionId, 'police', true);
  const linkAnsweredMs = Date.now() - linkAskedAt;
  expect(version).toBe(2);
  const withLink = await stateWhen(inspectionId, 'the link email to fail', (s) =>
    s.outbox.some((x) => x.template === 'link' && x.status === 'failing'),
  );
  expect(withLink.outbox.filter((x) => x.template === 'link')).toHaveLength(1);

  await f.smtp.start();
  const backAt = Date.now();
  const sent = await stateWhen(inspectionId, 'every email to be sent', (s) =>
    s.outbox.every((x) => x.status === 'sent'),
  );
  const sentAfterMs = Date.now() - backAt;
  expect(sent.outbox).toHaveLength(7);
  for (const x of sent.outbox) {
    // The outcome of every failed attempt was known (refused before the message): one copy each, none flagged.
    expect(copiesOf(inspectionId, x.key)).toHaveLength(1);
    expect(x.possibleDuplicate).toBeUndefined();
    expect(x.attempts).toBeGreaterThanOrEqual(2);
  }
  await until('JtaiMailFailing to go back to 0', async () => {
    const d = await handle.describe();
    return d.typedSearchAttributes.get(MAIL_FAILING_KEY) === 0;
  });
  expect((await f.client.view(inspectionId)).mailProblems).toEqual([]);
  console.log(
    `outage: failing with the reason ${seconds(visibleAfterMs)} after the start; sendLink answered in ` +
      `${linkAnsweredMs} ms with mail down; all 7 sent ${seconds(sentAfterMs)} after the server came back`,
  );
});

test('a late start: the first email to each agency says what is OVERDUE, and each deliverable already overdue is escalated once', async () => {
  // A notification some weeks back: every deadline of the first stage has passed, the inspection is still open.
  const notifiedOn = notificationMonday(f.deployment.calendar.ukDate(Date.now() - 24 * 86_400_000));
  const input = await startInspection(f, { localAuthority: 'Late Borough', notifiedOn, lateStart: true });
  expect(input.schedule.closesAt).toBeGreaterThan(Date.now() + 3_600_000);
  const owed = input.schedule.deliverables.filter((d) => d.chase && !d.requires);
  expect(owed.length).toBeGreaterThan(0);
  expect(owed.every((d) => d.dueAt < input.requestedAt)).toBe(true);

  const state = await stateWhen(
    input.inspectionId,
    'the late start emails to be sent',
    (s) =>
      s.outbox.length > 0 &&
      s.outbox.every((x) => x.status === 'sent') &&
      s.outbox.filter((x) => x.key.endsWith('/late-start-escalation')).length >= owed.length,
  );
  const agencies = [...new Set(owed.map((d) => d.owner))];
  const digests = state.outbox.filter((x) => x.template.startsWith('request-digest'));
  expect(digests.map((x) => [x.agency, x.template]).sort()).toEqual(
    agencies.map((a) => [a, 'request-digest-late']).sort(),
  );
  // The digests were queued first: they are each agency's first email.
  const firstEscalation = state.outbox.findIndex((x) => x.key.endsWith('/late-start-escalation'));
  expect(state.outbox.slice(0, firstEscalation).every((x) => x.template === 'request-digest-late')).toBe(
    true,
  );
  for (const x of digests) {
    const [mail] = copiesOf(input.inspectionId, x.key);
    expect(mail?.text).toContain('OVERDUE: was due');
    expect(mail?.text).not.toContain('Reminders will come');
    expect(addresses(mail!.to)).toEqual([CONTACTS.agencies[x.agency].contact]);
  }
  // One escalation per overdue deliverable, to its agency's escalation lead; no reminder for a deadline gone.
  const escalations = state.outbox.filter((x) => x.key.endsWith('/late-start-escalation'));
  expect(escalations.map((x: Delivery) => x.deliverableIds).sort()).toEqual(owed.map((d) => [d.id]).sort());
  for (const x of escalations) {
    const copies = copiesOf(input.inspectionId, x.key);
    expect(copies).toHaveLength(1);
    expect(messageKey(copies[0]!)).toBe(x.key);
    expect(addresses(copies[0]!.to)).toEqual([CONTACTS.agencies[x.agency].escalation]);
  }
  expect(state.outbox.filter((x) => x.template === 'reminder')).toEqual([]);
  expect(state.outbox).toHaveLength(digests.length + escalations.length);
  console.log(
    `late start (notified ${notifiedOn}): ${digests.length} request-digest-late, ${escalations.length} late-start escalations for ${owed.length} overdue deliverables`,
  );
});

test('two racing uploads to one list: the one accepted last is the latest submission and sets the children put forward, though the first takes longer to check', async () => {
  const notifiedOn = upcomingNotificationMonday();
  const { inspectionId } = await f.client.start({
    localAuthority: 'Race Borough',
    notifiedOn,
    option: 'A',
    contacts: CONTACTS,
  });
  const store = f.deployment.fileStoreFor(inspectionId);
  const slowCsv = path.join(f.dataDir, 'race-slow.csv');
  const fastCsv = path.join(f.dataDir, 'race-fast.csv');
  await writeList6Csv(slowCsv, { first: 1, count: 150_000, flagEvery: 1_000, notifiedOn });
  await writeList6Csv(fastCsv, { first: 900_001, count: 30, flagEvery: 3, notifiedOn });
  const [slow, fast] = [
    await store.put(createReadStream(slowCsv)),
    await store.put(createReadStream(fastCsv)),
  ];
  const handle = f.client.client.workflow.getHandle(inspectionId);
  const upload = (updateId: string, file: typeof slow) =>
    handle.startUpdate(messages.submit, {
      args: [
        {
          deliverableId: 'list-6',
          agency: 'local-authority',
          files: [{ name: `${updateId}.csv`, ...file }],
          sentAt: Date.now(),
        },
      ],
      updateId,
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
  const began = Date.now();
  const first = await upload('race-slow', slow);
  const second = await upload('race-fast', fast);
  const [slowReceipt, fastReceipt] = await Promise.all([first.result(), second.result()]);
  const tookMs = Date.now() - began;
  expect(slowReceipt.submissionId).toBe('race-slow');
  expect(fastReceipt.submissionId).toBe('race-fast');

  const state = await stateOf(f.client, inspectionId);
  const list6 = state.deliverables.find((d) => d.id === 'list-6')!;
  expect(list6.submissions.map((s) => [s.id, s.rows])).toEqual([
    ['race-slow', 150_000],
    ['race-fast', 30],
  ]);
  // Put forward: the children flagged in the newest list only (SYN900001, SYN900004, …), none of the first's.
  const expected = Array.from({ length: 10 }, (_, k) => `SYN${900_001 + 3 * k}`);
  expect(Object.keys(await f.client.candidates(inspectionId)).sort()).toEqual(expected.sort());
  console.log(`racing uploads: both recorded in ${seconds(tookMs)}, the newest (30 rows) after the slow one`);
});

/**
 * A server that takes longer than a short socket timeout to acknowledge a message it has read (RFC 5321 lets
 * it take 10 minutes after the end of the data; content scanning can take long): the send waits for its answer
 * rather than giving up and sending the message again.
 */
test('a server that acknowledges each message 35 s after reading it gets each email once', async () => {
  f.smtp.delayMs = 35_000;
  try {
    const { inspectionId } = await f.client.start({
      localAuthority: 'Slow Answer Borough',
      notifiedOn: upcomingNotificationMonday(),
      option: 'A',
      contacts: CONTACTS,
    });
    // Until every email is sent, or one has arrived twice (then at once: the next copy would come later).
    const state = await stateWhen(
      inspectionId,
      'every email sent, or one delivered twice',
      (s) =>
        s.outbox.length === 6 &&
        (s.outbox.every((x) => x.status === 'sent') ||
          s.outbox.some((x) => copiesOf(inspectionId, x.key).length > 1)),
      150_000,
    );
    expect(state.outbox.map((x) => [x.key, x.status, copiesOf(inspectionId, x.key).length])).toEqual(
      state.outbox.map((x) => [x.key, 'sent', 1]),
    );
  } finally {
    f.smtp.delayMs = 0;
  }
});
