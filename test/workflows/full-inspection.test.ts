import * as messages from '../../src/workflows/messages';
import { useHarness } from '../support/harness';
import { OPTION_A_ON_TIME } from '../support/recorded-weeks';
import { messageKey } from '../support/smtp';

/**
 * A whole Option A inspection, notification to the end of week two, with every agency on time:
 * the workflow completes, nobody is reminded of something already received, nobody is escalated.
 * The same week is recorded into test/histories/option-a-on-time.json by `npm run record-history`.
 */
const ctx = useHarness(OPTION_A_ON_TIME.overrides);

test('an Option A inspection where everyone is on time completes with no escalation', async () => {
  const { env, h } = ctx;
  await h.run(async () => {
    const { inspectionId, final } = await OPTION_A_ON_TIME.run(env, h);
    const handle = h.client.client.workflow.getHandle(inspectionId);
    expect(final.endedAt).toBeDefined();
    expect(final.cancelled).toBeUndefined();
    for (const d of final.deliverables) {
      expect({ id: d.id, received: d.receivedAt !== undefined, late: d.late }).toEqual({
        id: d.id,
        received: true,
        late: false,
      });
      expect(d.chaseLog.filter((c) => c.kind === 'escalation')).toEqual([]);
    }
    expect(await handle.query(messages.status)).toMatchObject({ endedAt: final.endedAt });
    const { searchAttributes } = await handle.describe();
    expect(searchAttributes).toMatchObject({
      JtaiStage: ['completed'],
      JtaiOverdue: [0],
      JtaiLocalAuthority: ['Example Borough'],
    });

    // Email: nothing reminds of something already received, nothing escalates, no child ID anywhere.
    const mail = h.smtp.messages;
    const digests = mail.filter((m) => messageKey(m).startsWith('request-digest/'));
    expect(digests).toHaveLength(6);
    const reminders = mail.filter((m) => /\/reminder-/.test(messageKey(m)));
    expect(reminders.length).toBeGreaterThan(10);
    for (const reminder of reminders) {
      const deliverableId = messageKey(reminder).split('/')[0];
      const d = final.deliverables.find((x) => x.id === deliverableId);
      expect(d?.receivedAt).toBeGreaterThan(reminder.date?.getTime() ?? Infinity);
    }
    expect(mail.filter((m) => /escalation/.test(messageKey(m)))).toEqual([]);
    for (const m of mail) expect(`${m.subject} ${m.text}`).not.toMatch(/SYN\d{4}/);
  });
});
