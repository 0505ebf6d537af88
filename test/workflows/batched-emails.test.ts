import { eventually } from '../support/eventually';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { messageKey } from '../support/smtp';

/**
 * An inspection's request emails at its start go in one activity (sendNotices), not one each: fewer activities
 * and workflow tasks per inspection (bench:scale). Each email still has its own delivery state and retries.
 */
const ctx = useHarness();
beforeEach(() => {
  ctx.h.smtp.messages.length = 0;
  ctx.h.smtp.refuse.clear();
  ctx.h.smtp.dropAfterData = 0;
});

const AGENCIES = Object.keys(CONTACTS.agencies).length;

async function activitiesScheduled(inspectionId: string): Promise<string[]> {
  const history = await ctx.h.client.client.workflow.getHandle(inspectionId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name
      ? [e.activityTaskScheduledEventAttributes.activityType.name]
      : [],
  );
}

const requestKeys = () =>
  ctx.h.smtp.messages
    .map((m) => messageKey(m))
    .filter((k) => /^request-digest\/[^/]+$/.test(k))
    .sort();

test('the request emails of a start go in one activity, each arriving once with its own key', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Batch Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await eventually(
          'the request emails',
          () => Promise.resolve(requestKeys()),
          (keys) => keys.length >= AGENCIES,
        );
        expect(requestKeys()).toEqual(
          Object.keys(CONTACTS.agencies)
            .map((a) => `request-digest/${a}`)
            .sort(),
        );
        expect(await activitiesScheduled(inspectionId)).toEqual(['sendNotices']);
        const outbox = (await h.client.state(inspectionId)).outbox;
        expect(outbox.map((d) => [d.status, d.attempts])).toEqual(Array(AGENCIES).fill(['sent', 1]));
      },
    ),
  );
});

test('in a batch, an address refused for good is given up and the coordinator told; sends of unknown outcome are resent flagged; no unflagged second copy', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-02-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  h.smtp.refuse.add(CONTACTS.agencies.police.contact);
  // The first message of the batch is taken but never acknowledged: the sender cannot know it went.
  h.smtp.dropAfterData = 1;
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Faulty Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const outbox = async () => (await h.client.state(inspectionId)).outbox;
        const requests = (o: Awaited<ReturnType<typeof outbox>>) =>
          o.filter((d) => d.template === 'request-digest');
        await eventually('the batch tried', outbox, (o) => requests(o).every((d) => d.status !== 'queued'));
        // The retry of the unsure one comes 30 s later (workflow time); the coordinator hears at once.
        await skipTo(env, at(notifiedOn, 0, '08:40'));
        const settled = await eventually('every email sent or given up', outbox, (o) =>
          o.every((d) => d.status === 'sent' || d.status === 'given-up'),
        );
        const police = settled.find((d) => d.key === 'request-digest/police');
        expect(police).toMatchObject({ status: 'given-up', attempts: 1 });
        expect(police?.reason).toMatch(/550|unavailable/i);
        expect(settled.filter((d) => d.template === 'delivery-failed')).toMatchObject([
          { status: 'sent', to: 'coordinator' },
        ]);
        // The server kept one and dropped every connection before acknowledging: each send it cut off is of
        // unknown outcome, resent once and flagged. A second copy arrived only of a flagged email.
        const flagged = settled.filter((d) => d.possibleDuplicate).map((d) => d.key);
        expect(flagged.length).toBeGreaterThanOrEqual(1);
        for (const d of settled.filter((x) => x.possibleDuplicate))
          expect(d).toMatchObject({ status: 'sent', attempts: 2 });
        expect(requests(settled).filter((d) => d.status === 'sent')).toHaveLength(AGENCIES - 1);
        const keys = requestKeys();
        const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
        expect(twice).toHaveLength(1);
        expect(flagged).toContain(twice[0]);
        expect(keys).not.toContain('request-digest/police');
        expect(new Set(keys).size).toBe(AGENCIES - 1);
        // One batch; then the coordinator's "email failed" and the resends (queued at once together, or alone).
        const [first, ...then] = await activitiesScheduled(inspectionId);
        expect(first).toBe('sendNotices');
        expect(then.length).toBeGreaterThanOrEqual(1);
        expect(then.length).toBeLessThanOrEqual(1 + flagged.length);
      },
    ),
  );
});
