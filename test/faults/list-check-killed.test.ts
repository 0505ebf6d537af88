/**
 * Issue 9, "a list checked by a killed worker is recorded (or refused) within a minute of restart and judged on
 * time", on real processes: the real list validator in a worker child process, SIGKILLed mid-check.
 *
 * The list is 299,000 valid rows of list 6 as CSV (56 MB; the row limit is 300,000 with its header): the real validator takes about 20 s over it on a
 * loaded 2-core machine. The list's deadline is moved (in the workflow input) to 20 s after the list is sent,
 * so that it falls after sending and before recording: the list must still count as on time.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { readdir, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import * as messages from '../../src/workflows/messages';
import { upcomingNotificationMonday } from '../support/harness';
import { until } from '../support/eventually';
import { createFaults, type Faults, seconds, startInspection, stateOf, writeList6Csv } from './support';

jest.setTimeout(15 * 60_000);

const ROWS = 299_000;
const FLAG_EVERY = 1_000; // 299 children put forward

let f: Faults;
beforeAll(async () => {
  f = await createFaults();
});
afterAll(async () => {
  await f?.close();
});

test('a list whose check is killed is checked again on restart, recorded within a minute, on time, and no plaintext is left', async () => {
  await f.worker.start();
  const notifiedOn = upcomingNotificationMonday();
  const csv = path.join(f.dataDir, 'uploads-list-6.csv');
  await writeList6Csv(csv, { first: 1, count: ROWS, flagEvery: FLAG_EVERY, notifiedOn });
  const deadlineAfterSendMs = 20_000;
  let dueAt = 0;
  const sentAt = Date.now();
  const { inspectionId } = await startInspection(f, {
    localAuthority: 'Killed Check Borough',
    notifiedOn,
    edit: (schedule) => {
      const list6 = schedule.deliverables.find((d) => d.id === 'list-6')!;
      dueAt = list6.dueAt = sentAt + deadlineAfterSendMs;
      list6.ladder = [];
    },
  });
  const stored = await f.deployment.fileStoreFor(inspectionId).put(createReadStream(csv));
  const handle = f.client.client.workflow.getHandle(inspectionId);
  const update = await handle.startUpdate(messages.submit, {
    args: [
      {
        deliverableId: 'list-6',
        agency: 'local-authority',
        files: [{ name: 'list-6.csv', ...stored }],
        sentAt,
      },
    ],
    updateId: 'killed-check',
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  const result = update.result();
  result.catch(() => undefined); // awaited below; a rejection before then must not go unhandled

  // The check has begun once the whole decrypted copy sits in the worker's scratch folder: kill the worker 1 s in
  // (the check of 299,000 rows takes a few seconds on a quiet machine, about 20 on a loaded one).
  const scratchDir = f.deployment.config.scratchDir;
  const firstPid = f.worker.pid!;
  const folder = await until(
    'the list to be decrypted into scratch space',
    async () => {
      const name = (await readdir(scratchDir).catch(() => [])).find((n) => n.startsWith(`list-${firstPid}-`));
      const copy = name && (await stat(path.join(scratchDir, name, 'list.csv')).catch(() => undefined));
      return copy && copy.size === stored.size && name;
    },
    120_000,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  await f.worker.kill();
  const killedAt = Date.now();
  // What the crash left: a plaintext copy, only jtai's to read, until the next start sweeps it.
  expect(await readdir(path.join(scratchDir, folder))).toEqual(['list.csv']);

  await f.worker.start();
  const restartedAt = Date.now();
  expect(f.worker.runEntries()).toContainEqual(
    expect.objectContaining({ msg: 'Removed scratch folders left by stopped processes', swept: 1 }),
  );
  expect((await readdir(scratchDir)).filter((n) => n.includes(`-${firstPid}-`))).toEqual([]);

  const receipt = await result;
  const recordedAt = Date.now();
  expect(recordedAt - restartedAt).toBeLessThan(60_000);
  expect(receipt).toMatchObject({ deliverableId: 'list-6', submissionId: 'killed-check', late: false });
  expect(receipt.receivedAt).toBe(sentAt);

  const state = await stateOf(f.client, inspectionId);
  const list6 = state.deliverables.find((d) => d.id === 'list-6')!;
  expect(list6.submissions).toHaveLength(1);
  const [submission] = list6.submissions;
  // Judged when sent, before the deadline, though recorded after it.
  expect(submission).toMatchObject({ id: 'killed-check', at: sentAt, late: false, rows: ROWS });
  expect(submission!.at).toBeLessThan(dueAt);
  expect(submission!.recordedAt).toBeGreaterThan(dueAt);
  expect(list6).toMatchObject({ receivedAt: sentAt, late: false });
  expect(Object.keys(await f.client.candidates(inspectionId))).toHaveLength(ROWS / FLAG_EVERY);
  // The second attempt recorded it: the first died with its worker.
  const history = await handle.fetchHistory();
  const checks = new Set(
    history
      .events!.filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validateSubmission',
      )
      .map((e) => String(e.eventId)),
  );
  const attempts = history
    .events!.filter((e) => checks.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes!.attempt);
  expect(attempts).toEqual([2]);
  // Nothing decrypted left behind by either worker.
  expect(await readdir(scratchDir)).toEqual([]);

  console.log(
    `killed check: worker killed ${seconds(killedAt - sentAt)} after the list was sent, restarted in ` +
      `${seconds(restartedAt - killedAt)}, list recorded ${seconds(recordedAt - restartedAt)} after the restart ` +
      `(${seconds(recordedAt - sentAt)} after it was sent, ${seconds(recordedAt - dueAt)} after its deadline), on time`,
  );
});
