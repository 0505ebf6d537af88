import { createCalendar } from '../../src/timeline/calendar';
import { inspectionView } from '../../src/client/read-model';
import { addresses, messageKey } from '../support/smtp';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';

/** Reminders before a deadline, escalation after it, and what moves or stops them. */
const calendar = createCalendar();
const ctx = useHarness({ validateListFile: readingValidator });
beforeEach(() => {
  ctx.h.smtp.messages.length = 0;
});

const key = messageKey;
const mailFor = (prefix: string) => ctx.h.smtp.messages.filter((m) => key(m).startsWith(prefix));

test('a late agency is reminded, then escalated to its lead, then to the coordinator, once each at the scheduled instants', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Late Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await skipTo(env, at(notifiedOn, 7, '12:00'));

        const police = mailFor(`annex-a-documents.police/`);
        expect(police.map((m) => [key(m), m.date?.getTime(), addresses(m.to), addresses(m.cc)])).toEqual([
          [
            'annex-a-documents.police/reminder-day-before/v1',
            at(notifiedOn, 5, '09:00'),
            ['police@example.org'],
            [],
          ],
          ['annex-a-documents.police/reminder-2h/v1', at(notifiedOn, 6, '15:00'), ['police@example.org'], []],
          // One hour after a 17:00 deadline is out of hours: the lead hears at 09:00, the coordinator an hour later.
          [
            'annex-a-documents.police/escalation-lead/v1',
            at(notifiedOn, 7, '09:00'),
            ['police-lead@example.org'],
            ['police@example.org'],
          ],
          [
            'annex-a-documents.police/escalation-coordinator/v1',
            at(notifiedOn, 7, '10:00'),
            ['coordinator@example.org'],
            ['police-lead@example.org'],
          ],
        ]);
        // A 15:00 deadline: escalation one hour after, coordinator next working day at 09:00.
        expect(mailFor('list-6/').map((m) => [key(m), m.date?.getTime()])).toEqual([
          ['list-6/reminder-day-before/v1', at(notifiedOn, 1, '09:00')],
          ['list-6/reminder-2h/v1', at(notifiedOn, 2, '13:00')],
          ['list-6/escalation-lead/v1', at(notifiedOn, 2, '16:00')],
          ['list-6/escalation-coordinator/v1', at(notifiedOn, 3, '09:00')],
        ]);
        const lead = mailFor('annex-a-documents.police/escalation-lead')[0];
        expect(lead?.subject).toBe('Overdue: JTAI Late Borough, Example Police');
        expect(lead?.text).toContain('http://jtai.test/a/');
        // Each document still missing, by code and title, one to a line.
        expect(lead?.text).toMatch(
          /still missing:\n +3\.1 Organisational structures[^\n]*\n +3\.2 [\s\S]*\n +3\.9 /,
        );

        const view = inspectionView(
          await h.client.state(inspectionId),
          await env.currentTimeMs(),
          undefined,
          'coordinator',
        );
        const row = view.deliverables.find((d) => d.id === 'annex-a-documents.police');
        expect(row?.status).toBe('overdue');
        expect(row?.chaseLog.map((c) => c.rung)).toEqual([
          'request',
          'reminder-day-before',
          'reminder-2h',
          'escalation-lead',
          'escalation-coordinator',
        ]);
        expect(view.overdue).toBeGreaterThan(10);

        // One coroutine chases every deliverable: never more than two timers at once (it and the main loop's),
        // where a coroutine per deliverable held one each (and some 300 pending promises: bench:scale).
        const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
        let pending = 0;
        let most = 0;
        for (const e of history.events ?? []) {
          if (e.timerStartedEventAttributes) most = Math.max(most, ++pending);
          if (e.timerFiredEventAttributes || e.timerCanceledEventAttributes) pending--;
        }
        const rungs = view.deliverables.flatMap((d) => d.chaseLog).filter((c) => c.rung !== 'request');
        expect(new Set(rungs.map((c) => c.at)).size).toBeGreaterThan(5);
        expect(most).toBeGreaterThan(0);
        expect(most).toBeLessThanOrEqual(2);

        // Received late: recorded as late, and the chasing of it stops.
        await h.client.submit(
          inspectionId,
          'annex-a-documents',
          'police',
          [{ path: await h.file('structure.pdf', 'synthetic'), code: '3.1' }],
          { complete: true, note: 'The rest follows on Monday.' },
        );
        const sentBefore = mailFor('annex-a-documents.police/').length;
        await skipTo(env, at(notifiedOn, 9, '12:00'));
        const after = inspectionView(
          await h.client.state(inspectionId),
          await env.currentTimeMs(),
          undefined,
          'coordinator',
        );
        expect(after.deliverables.find((d) => d.id === 'annex-a-documents.police')).toMatchObject({
          status: 'received-late',
          received: { late: true, files: [{ name: 'structure.pdf', code: '3.1' }] },
          missingDocuments: ['3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9'],
        });
        expect(mailFor('annex-a-documents.police/')).toHaveLength(sentBefore);
      },
    ),
  );
});

test('an extension moves the reminders, a waiver stops chasing, a repeated update id counts once', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-02-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  const sent = () => h.smtp.messages.length;
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Moving Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await skipTo(env, at(notifiedOn, 1, '10:00'));
        await h.client.waive(inspectionId, 'list-nps', 'No NPS cases meet the criteria.');
        const before = sent();
        expect(before).toBeGreaterThan(0);

        // Day 2 10:00: list-meetings (end of day 3) moves to day 5 at 12:00.
        await skipTo(env, at(notifiedOn, 2, '10:00'));
        const newDue = at(notifiedOn, 5, '12:00');
        await h.client.extend(inspectionId, 'list-meetings', newDue, 'Conference diary not yet confirmed.');
        // The local authority's contact changes: later emails go to the new address; a broken set is refused.
        const la = { ...CONTACTS.agencies['local-authority'], contact: 'la-new@example.org' };
        await expect(
          h.client.changeContacts(inspectionId, {
            ...CONTACTS,
            coordinator: { name: 'Sam', email: 'not-an-email' },
          }),
        ).rejects.toMatchObject({ type: 'BadRequest' });
        await h.client.changeContacts(inspectionId, {
          ...CONTACTS,
          agencies: { ...CONTACTS.agencies, 'local-authority': la },
        });

        const file = await h.file('yot.csv', syntheticCsv(childIds('SYN', 2)));
        const first = await h.client.submit(inspectionId, 'list-yot', 'youth-justice', [{ path: file }], {
          updateId: 'yot-upload-1',
        });
        const again = await h.client.submit(inspectionId, 'list-yot', 'youth-justice', [{ path: file }], {
          updateId: 'yot-upload-1',
        });
        expect(again).toEqual(first);

        await skipTo(env, at(notifiedOn, 5, '11:00'));
        await h.client.submit(inspectionId, 'list-meetings', 'local-authority', [
          { path: await h.file('meetings.csv', syntheticCsv([])) },
        ]);
        const state = await h.client.state(inspectionId);

        const yot = state.deliverables.find((d) => d.id === 'list-yot');
        expect(yot?.submissions).toHaveLength(1);
        expect(yot?.submissions[0]?.id).toBe('yot-upload-1');

        const meetings = state.deliverables.find((d) => d.id === 'list-meetings');
        expect(meetings).toMatchObject({
          dueAt: newDue,
          originalDueAt: at(notifiedOn, 3, '17:00'),
          late: false,
        });
        expect(meetings?.extensions).toEqual([
          {
            at: expect.any(Number),
            from: at(notifiedOn, 3, '17:00'),
            to: newDue,
            reason: 'Conference diary not yet confirmed.',
          },
        ]);
        expect(meetings?.extensions[0]?.at).toBeGreaterThanOrEqual(at(notifiedOn, 2, '10:00'));
        expect(mailFor('list-meetings/').map((m) => [key(m), m.date?.getTime(), addresses(m.to)])).toEqual([
          ['list-meetings/reminder-day-before/v1', at(notifiedOn, 2, '09:00'), ['la@example.org']],
          ['list-meetings/reminder-day-before/v2', at(notifiedOn, 4, '09:00'), ['la-new@example.org']],
          ['list-meetings/reminder-2h/v2', at(notifiedOn, 5, '10:00'), ['la-new@example.org']],
        ]);
        // Reminded on day 1 at 09:00, waived at 10:00: nothing after that.
        expect(mailFor('list-nps/').map(key)).toEqual(['list-nps/reminder-day-before/v1']);
        const nps = inspectionView(
          state,
          await env.currentTimeMs(),
          undefined,
          'coordinator',
        ).deliverables.find((d) => d.id === 'list-nps');
        expect(nps).toMatchObject({
          status: 'waived',
          waived: { reason: 'No NPS cases meet the criteria.' },
        });
      },
    ),
  );
});

test('Option B across a bank holiday: days are working days, chasing stays in working hours, tracked children come straight from the lists', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-03-01', true);
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Holiday Borough', notifiedOn, option: 'B', contacts: CONTACTS },
      async ({ inspectionId, input }) => {
        const keys = input.schedule.deliverables.map((d) => d.key);
        expect(keys).not.toContain('selection-twenty');
        expect(keys).not.toContain('list-twenty');
        for (const d of input.schedule.deliverables) {
          expect(calendar.isWorkingDay(calendar.ukDate(d.dueAt))).toBe(true);
          expect(d.dueAt).toBe(
            at(
              notifiedOn,
              d.day,
              d.key.startsWith('list-1') ||
                d.key.startsWith('list-3') ||
                d.key.startsWith('list-4') ||
                d.key.startsWith('list-5')
                ? '10:00'
                : calendar.ukTime(d.dueAt),
            ),
          );
        }
        // The window really does contain a bank holiday: day 9 is more than 11 calendar days on.
        const lastDay = calendar.addWorkingDays(notifiedOn, 9);
        expect((Date.parse(lastDay) - Date.parse(notifiedOn)) / 86_400_000).toBeGreaterThan(11);

        await skipTo(env, at(notifiedOn, 2, '14:00'));
        const ids = childIds('SYN', 8);
        await h.client.submit(inspectionId, 'list-6', 'local-authority', [
          { path: await h.file('l6.csv', syntheticCsv(ids)) },
        ]);
        await skipTo(env, at(notifiedOn, 4, '09:30'));
        const receipt = await h.client.select(inspectionId, 'tracked', ids.slice(0, 6));
        expect(receipt).toMatchObject({ deliverableId: 'selection-tracked', late: false, complete: true });
        await skipTo(env, at(notifiedOn, 9, '18:00'));
        for (const m of h.smtp.messages.filter((x) => key(x).includes('/'))) {
          const sentAt = m.date?.getTime() ?? 0;
          expect(calendar.isInWorkingHours(sentAt) || key(m).startsWith('request')).toBe(true);
        }
        const state = await h.client.state(inspectionId);
        const requestedAt = state.deliverables.find((d) => d.id === 'key-documents.police')?.requestedAt ?? 0;
        expect(requestedAt - at(notifiedOn, 4, '09:30')).toBeGreaterThanOrEqual(0);
        expect(requestedAt - at(notifiedOn, 4, '09:30')).toBeLessThan(60_000);
        expect(mailFor('key-documents.police/request')).toHaveLength(1);
      },
    ),
  );
});
