/**
 * Issue 9, "with a slow server and 8 worker kills, 0 duplicates where the outcome was known and every possible
 * duplicate logged": real processes throughout (dev server, worker child process, loopback SMTP server).
 *
 * The SMTP server answers each message 0.8–3.2 s after it has read it, so a kill in that window leaves a
 * message delivered that the worker never heard acknowledged: the one case where SMTP allows a second copy. Each
 * kill comes once the worker has sent something and while a message waits for its acknowledgement, so every
 * kill lands mid-send and every worker run makes some progress. The inspections start in groups, one before
 * each kill: an inspection's six emails go side by side, so a burst started at once would all be delivered
 * before the later kills and leave them nothing to land on.
 */
import type { ParsedMail } from 'mailparser';
import { upcomingNotificationMonday, CONTACTS } from '../support/harness';
import { until } from '../support/eventually';
import type { Delivery, InspectionStatus } from '../../src/workflows/types';
import { createFaults, type Faults, messageIdFor, seconds, stateOf, WORKER_READY_MS } from './support';

jest.setTimeout(30 * 60_000);

const INSPECTIONS = 12; // 6 request digests each: a burst of 72 emails
const KILLS = 8;

let f: Faults;
beforeAll(async () => {
  f = await createFaults();
});
afterAll(async () => {
  await f?.close();
});

test('a slow mail server and 8 kills of the worker: every email delivered, a second copy only where flagged and logged', async () => {
  const began = Date.now();
  f.smtp.delayMs = 800;
  f.smtp.delaySpreadMs = 600;
  await f.worker.start();
  const notifiedOn = upcomingNotificationMonday();
  const ids: string[] = [];
  const startGroup = async (k: number) => {
    // Inspections 1..12 over the 8 kills: group k holds those whose number falls to it.
    for (let i = ids.length + 1; i <= Math.round((INSPECTIONS * k) / KILLS); i++) {
      const started = await f.client.start({
        localAuthority: `Kills Borough ${i}`,
        notifiedOn,
        option: 'A',
        contacts: CONTACTS,
      });
      ids.push(started.inspectionId);
    }
  };

  const kills: { at: string; delivered: number; unacknowledged: number }[] = [];
  for (let k = 1; k <= KILLS; k++) {
    await startGroup(k);
    // Mid-send: a message read by the server and not yet acknowledged (the worker is waiting for the 250).
    await until(
      `a message in flight before kill ${k}`,
      () => f.worker.runEntries().some((r) => r.msg === 'Email sent') && f.smtp.unacknowledged > 0,
      WORKER_READY_MS,
    );
    kills.push({
      at: seconds(Date.now() - began),
      delivered: f.smtp.messages.length,
      unacknowledged: f.smtp.unacknowledged,
    });
    await f.worker.kill();
    await f.worker.start();
  }

  const states = await until(
    'every email of every inspection to be sent',
    async () => {
      const all: InspectionStatus[] = [];
      for (const id of ids) all.push(await stateOf(f.client, id));
      return all.every((s) => s.outbox.every((x) => x.status === 'sent')) && all;
    },
    20 * 60_000,
  );
  const tookMs = Date.now() - began;

  const deliveries: (Delivery & { inspectionId: string; messageId: string })[] = states.flatMap((s) =>
    s.outbox.map((x) => ({
      ...x,
      inspectionId: s.inspectionId,
      messageId: messageIdFor(s.inspectionId, x.key),
    })),
  );
  expect(deliveries).toHaveLength(INSPECTIONS * 6);
  expect(deliveries.every((x) => x.template === 'request-digest')).toBe(true);

  const copies = new Map<string, ParsedMail[]>();
  for (const m of f.smtp.messages)
    copies.set(m.messageId ?? '', [...(copies.get(m.messageId ?? '') ?? []), m]);
  // Nothing arrived that the workflows did not mean to send…
  expect([...copies.keys()].sort()).toEqual(deliveries.map((x) => x.messageId).sort());
  // …and each intended email arrived at least once.
  const byId = new Map(deliveries.map((x) => [x.messageId, x]));
  const duplicated = [...copies.entries()].filter(([, list]) => list.length > 1).map(([id]) => byId.get(id)!);
  // A second copy only where the outcome of an attempt was unknown: flagged, and logged at warn by the resend.
  const entries = f.worker.entries();
  for (const x of duplicated) {
    expect({ key: x.key, inspectionId: x.inspectionId, possibleDuplicate: x.possibleDuplicate }).toEqual({
      key: x.key,
      inspectionId: x.inspectionId,
      possibleDuplicate: true,
    });
    const warned = entries.filter(
      (e) =>
        e.level === 'warn' &&
        e.msg === 'Email sent again after an unknown outcome: possible duplicate' &&
        JSON.stringify(e).includes(`"${x.inspectionId}"`) &&
        JSON.stringify(e).includes(`"${x.key}"`),
    );
    expect(warned.length).toBeGreaterThan(0);
  }
  const flagged = deliveries.filter((x) => x.possibleDuplicate);
  // Each kill caught at least one message in flight: its Delivery was retried and flagged.
  expect(flagged.length).toBeGreaterThanOrEqual(1);

  console.log(
    [
      `mail under kills: ${deliveries.length} emails, ${f.smtp.messages.length} delivered, ` +
        `${f.smtp.messages.length - deliveries.length} extra copies of ${duplicated.length} emails; ` +
        `${flagged.length} flagged possible duplicate (${deliveries.filter((x) => x.attempts > 1).length} retried)`,
      `worker started ${f.worker.starts} times; all sent after ${seconds(tookMs)}`,
      `kills: ${kills.map((k) => `${k.at} (${k.delivered} delivered, ${k.unacknowledged} unacknowledged)`).join('; ')}`,
    ].join('\n'),
  );
});
