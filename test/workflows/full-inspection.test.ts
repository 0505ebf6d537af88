import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as messages from '../../src/workflows/messages';
import type { InspectionState } from '../../src/workflows/types';
import { ANNEX_A_DOCUMENTS } from '../../src/timeline/themes/csa-family';
import { AGENCIES } from '../../src/timeline/types';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { historyToText } from '../support/histories';
import { messageKey } from '../support/smtp';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';

/**
 * A whole Option A inspection, notification to the end of week two, with every agency on time:
 * the workflow completes, nobody is reminded of something already received, nobody is escalated.
 */
const HISTORY_KEY = path.join(__dirname, '../histories/payloads.key');
const HISTORY_FILE = path.join(__dirname, '../histories/option-a-on-time.json');
const ctx = useHarness({ validateListFile: readingValidator }, { payloadKey: HISTORY_KEY });

test('an Option A inspection where everyone is on time completes with no escalation', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday(await env.currentTimeMs());
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  const cl = h.client;
  const flagged = childIds('SYN', 30);

  await h.run(async () => {
    const { inspectionId } = await cl.start({
      localAuthority: 'Example Borough',
      notifiedOn,
      option: 'A',
      contacts: CONTACTS,
    });
    const submitList = async (deliverable: string, agency: Parameters<typeof cl.submit>[2], ids: string[]) =>
      cl.submit(inspectionId, deliverable, agency, [
        { path: await h.file(`${deliverable}.csv`, syntheticCsv(ids)) },
      ]);

    // Day 2, before 15:00: lists 6-8, YOT and NPS lists.
    await skipTo(env, at(notifiedOn, 2, '14:00'));
    await submitList('list-6', 'local-authority', flagged.slice(0, 15));
    await submitList('list-7', 'local-authority', flagged.slice(10, 25));
    await submitList('list-8', 'local-authority', flagged.slice(20, 30));
    await submitList('list-yot', 'youth-justice', flagged.slice(0, 5));
    await submitList('list-nps', 'probation', flagged.slice(5, 10));

    // Day 3: the lead inspector picks 20; the answers on them; the meetings of the fieldwork week.
    await skipTo(env, at(notifiedOn, 3, '09:20'));
    const twenty = flagged.slice(0, 20);
    await cl.select(inspectionId, 'twenty', twenty);
    await skipTo(env, at(notifiedOn, 3, '15:00'));
    await submitList('list-twenty', 'local-authority', twenty);
    await submitList('list-meetings', 'local-authority', flagged.slice(0, 3));

    // Day 4: five tracked children, then the call.
    await skipTo(env, at(notifiedOn, 4, '09:50'));
    const tracked = twenty.slice(0, 5);
    await cl.select(inspectionId, 'tracked', tracked);
    await skipTo(env, at(notifiedOn, 4, '11:30'));
    await cl.confirm(inspectionId, 'call', 'Cases confirmed as multi-agency with current work.');

    // Day 6: key documents for each tracked child from each agency; every agency's Annex A documents.
    await skipTo(env, at(notifiedOn, 6, '12:00'));
    for (const agency of ['local-authority', 'police', 'health', 'probation', 'youth-justice'] as const) {
      for (const [i, child] of tracked.entries()) {
        if (i % 2 === 0) {
          await cl.submit(
            inspectionId,
            'key-documents',
            agency,
            [{ path: await h.file('chronology.pdf', `chronology ${agency} ${i}`), code: 'KD9' }],
            { childId: child },
          );
        } else {
          await cl.submit(inspectionId, 'key-documents', agency, [], {
            childId: child,
            note: 'No involvement with this child.',
          });
        }
      }
    }
    for (const agency of AGENCIES) {
      const docs = ANNEX_A_DOCUMENTS[agency];
      const files = await Promise.all(
        docs.map(async (d) => ({
          path: await h.file(`doc-${d.code}.pdf`, `${agency} ${d.code}`),
          code: d.code,
        })),
      );
      await cl.submit(inspectionId, 'annex-a-documents', agency, files);
    }

    // Day 7 10:00: lists 1, 3, 4, 5. Day 8: referrals and joint evaluations. Day 9: consent; CQC request.
    await skipTo(env, at(notifiedOn, 7, '09:00'));
    for (const n of ['1', '3', '4', '5'])
      await submitList(`list-${n}`, 'local-authority', flagged.slice(0, 8));
    await skipTo(env, at(notifiedOn, 8, '11:00'));
    await submitList('list-referrals', 'local-authority', flagged.slice(0, 4));
    for (const child of tracked) {
      await cl.submit(
        inspectionId,
        'joint-evaluation',
        'partnership',
        [{ path: await h.file('evaluation.docx', `evaluation`) }],
        { childId: child },
      );
    }
    await skipTo(env, at(notifiedOn, 9, '10:00'));
    for (const child of tracked) {
      await cl.submit(inspectionId, 'consent', 'local-authority', [], {
        childId: child,
        note: 'Family agreed to meet inspectors.',
      });
    }
    await cl.confirm(inspectionId, 'cqc-health-request');

    const handle = cl.client.workflow.getHandle(inspectionId);
    const final: InspectionState = await handle.result();
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
    if (process.env.JTAI_RECORD_HISTORY) {
      await writeFile(HISTORY_FILE, historyToText(await handle.fetchHistory()));
    }

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
