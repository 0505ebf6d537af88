import { InspectionsClient } from '../../src/client/inspections';
import { addresses, messageKey } from '../support/smtp';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';

/** What tells people what happened: the coordinator's digest of arrivals, and a withdrawal that reopens a chase. */
// Several skips of the test server's clock and a worker each: generous on a busy machine.
jest.setTimeout(180_000);
const ctx = useHarness();
beforeEach(() => {
  ctx.h.smtp.messages.length = 0;
});
const mailFor = (prefix: string) => ctx.h.smtp.messages.filter((m) => messageKey(m).startsWith(prefix));

test('the coordinator hears of arrivals at once, then at most hourly, to the coordinator alone', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Digest Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId, input }) => {
        // The default with no configuration: at most hourly.
        expect(input.arrivalsDigestMinutes).toBe(60);
        const send = async (agency: 'police' | 'health' | 'probation', time: string) => {
          await skipTo(env, at(notifiedOn, 1, time));
          const code = (await h.client.state(inspectionId)).deliverables.find(
            (d) => d.id === `annex-a-documents.${agency}`,
          )?.documents[0]?.code;
          await h.client.submit(inspectionId, 'annex-a-documents', agency, [
            { path: await h.file('structure.pdf', `${agency} structure`), ...(code ? { code } : {}) },
          ]);
        };
        await send('police', '10:00');
        await send('health', '10:05');
        await send('probation', '11:30');
        await skipTo(env, at(notifiedOn, 1, '12:30'));

        const digests = mailFor('arrivals/');
        expect(digests.map((m) => [messageKey(m), addresses(m.to), addresses(m.cc)])).toEqual([
          ['arrivals/1', ['coordinator@example.org'], []],
          ['arrivals/2', ['coordinator@example.org'], []],
          ['arrivals/3', ['coordinator@example.org'], []],
        ]);
        // The first at once; the next an hour after it, with what came meanwhile; the third an hour after that.
        const minute = (t: number | undefined) => Math.floor((t ?? NaN) / 60_000);
        expect(digests.map((m) => minute(m.date?.getTime()))).toEqual([
          minute(at(notifiedOn, 1, '10:00')),
          minute(at(notifiedOn, 1, '11:00')),
          minute(at(notifiedOn, 1, '12:00')),
        ]);
        expect(digests[0]?.text).toContain('from Example Police');
        expect(digests[1]?.text).toContain('from Example ICB');
        expect(digests[1]?.text).not.toContain('Example Police');
        expect(digests[2]?.text).toContain('from Example Probation');
        // Titles and agencies only: no file names.
        expect(digests.map((m) => m.text).join('\n')).not.toContain('structure.pdf');
        // Each sender had a receipt.
        expect(
          mailFor('receipt/')
            .map((m) => addresses(m.to))
            .sort(),
        ).toEqual([['health@example.org'], ['police@example.org'], ['probation@example.org']]);
      },
    ),
  );
});

test('a file withdrawn from what was complete makes it owed again: chased on the rungs still ahead', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-03-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Withdraw Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await skipTo(env, at(notifiedOn, 1, '10:00'));
        const sent = await h.client.submit(
          inspectionId,
          'annex-a-documents',
          'police',
          [{ path: await h.file('all.pdf', 'police, everything'), code: '3.1' }],
          { complete: true },
        );
        expect(sent.complete).toBe(true);
        const state = await h.client.state(inspectionId);
        const file = state.deliverables
          .find((d) => d.id === sent.deliverableId)
          ?.submissions.find((s) => s.id === sent.submissionId)?.files[0];
        /** Withdraw the file of `receipt` whose SHA-256 is `sha256`, as `agency`. */
        const withdraw = (
          receipt: { deliverableId: string; submissionId: string },
          sha256: string | undefined,
          agency: 'police' | 'health',
          reason: string,
        ) =>
          h.client.withdraw(
            inspectionId,
            {
              deliverableId: receipt.deliverableId,
              submissionId: receipt.submissionId,
              sha256: sha256 ?? '',
            },
            agency,
            reason,
          );
        await withdraw(sent, file?.sha256, 'police', 'The wrong year.');
        // A second withdrawal of the same file is refused: there is no such file left to withdraw.
        await expect(withdraw(sent, file?.sha256, 'police', 'Again.')).rejects.toThrow(
          'There is no such file to withdraw.',
        );
        // Another agency cannot withdraw police's file.
        await expect(withdraw(sent, file?.sha256, 'health', 'Not ours.')).rejects.toThrow(
          'is owed by police, not health',
        );
        const after = await h.client.state(inspectionId);
        const annexA = after.deliverables.find((d) => d.id === sent.deliverableId);
        expect(annexA?.receivedAt).toBeUndefined();
        expect(annexA?.submissions[0]?.files[0]?.withdrawn?.reason).toBe('The wrong year.');
        // The withdrawn file is not among the files the pack is built from.
        expect((await h.client.files(inspectionId)).map((f) => f.sha256)).not.toContain(file?.sha256);

        // Chased again: the reminders before its deadline go out, on a new ladder version.
        await skipTo(env, at(notifiedOn, 6, '16:00'));
        expect(mailFor('annex-a-documents.police/').map((m) => messageKey(m))).toEqual([
          'annex-a-documents.police/reminder-day-before/v2',
          'annex-a-documents.police/reminder-2h/v2',
        ]);
        // After its deadline a file sent can no longer be withdrawn.
        await skipTo(env, at(notifiedOn, 6, '17:30'));
        const late = await h.client.submit(inspectionId, 'annex-a-documents', 'police', [
          { path: await h.file('late.pdf', 'police, late'), code: '3.1' },
        ]);
        const lateFile = (await h.client.files(inspectionId)).find(
          (f) => f.submissionId === late.submissionId,
        );
        await expect(withdraw(late, lateFile?.sha256, 'police', 'Too late.')).rejects.toThrow(
          'The deadline has passed',
        );
      },
    ),
  );
});

test('a message or an added request that cannot stand is refused, saying what to change', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-05-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Refuse Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await skipTo(env, at(notifiedOn, 1, '10:00'));
        await expect(h.client.message(inspectionId, 'police', 'x'.repeat(2001))).rejects.toThrow(
          'Write the message (up to 2,000 characters).',
        );
        await expect(h.client.message(inspectionId, 'police', '   ')).rejects.toThrow('Write the message');
        const request = {
          title: 'Staff meetings',
          description: 'Names of staff to meet.',
          owner: 'local-authority' as const,
          kind: 'confirmation' as const,
          dueAt: at(notifiedOn, 3, '17:00'),
          source: 'ad-hoc' as const,
        };
        // No child is tracked yet: naming one is refused.
        await expect(
          h.client.addDeliverable(inspectionId, { ...request, childIds: ['SYN0001'] }),
        ).rejects.toThrow('Every child named must be one of the tracked children.');
        await expect(
          h.client.addDeliverable(inspectionId, { ...request, dueAt: at(notifiedOn, 1, '09:00') }),
        ).rejects.toThrow('The due time has already passed');
        await expect(
          h.client.addDeliverable(inspectionId, { ...request, dueAt: at(notifiedOn, 40, '17:00') }),
        ).rejects.toThrow("after the inspection's data side closes");
        // Nothing refused was recorded or sent.
        const state = await h.client.state(inspectionId);
        expect(state.messages ?? []).toEqual([]);
        expect(state.deliverables.filter((d) => d.added)).toEqual([]);
        const id = await h.client.addDeliverable(inspectionId, request);
        expect(id).toBe('ad-hoc-1');
        const added = (await h.client.state(inspectionId)).deliverables.find((d) => d.id === id);
        expect(added).toMatchObject({ owner: 'local-authority', day: 3, requestedAt: expect.any(Number) });
        await skipTo(env, at(notifiedOn, 3, '16:00'));
        expect(mailFor('ad-hoc-1/').map((m) => messageKey(m))).toEqual([
          'ad-hoc-1/request',
          'ad-hoc-1/reminder-day-before/v1',
          'ad-hoc-1/reminder-2h/v1',
        ]);
      },
    ),
  );
});

test('with no worker running, a request is said not to be taken within the answer time, and sent again with its id it counts once', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-07-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  const { inspectionId } = await h.client.start({
    localAuthority: 'Quiet Borough',
    notifiedOn,
    option: 'A',
    contacts: CONTACTS,
  });
  const impatient = new InspectionsClient(h.client.client, {
    ...h.deployment,
    config: { ...h.deployment.config, answerWithinMs: 2_000 },
  });
  const asked = Date.now();
  const refused = await impatient
    .message(inspectionId, 'police', 'Synthetic message', 'quiet-borough-message-1')
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(Date.now() - asked).toBeLessThan(15_000);
  expect(refused).toMatchObject({ type: 'Unavailable' });
  expect(String(refused)).toContain('did not take the request within 2 s');
  expect(refused).toMatchObject({ details: [{ updateId: 'quiet-borough-message-1' }] });
  await h.run(async () => {
    // Sent again with the same id once a worker runs: recorded once, whether or not the first was taken late.
    expect(
      await h.client.message(inspectionId, 'police', 'Synthetic message', 'quiet-borough-message-1'),
    ).toBe('quiet-borough-message-1');
    expect((await h.client.state(inspectionId)).messages).toHaveLength(1);
    await h.client.cancel(inspectionId, 'End of test');
  });
  await h.client.client.workflow.getHandle(inspectionId).terminate('End of test');
});
