import { JtaiError } from '../../src/client/inspections';
import { agencyView } from '../../src/client/read-model';
import { readAnswersSheet, writeAnswersSheet } from '../../src/lists/twenty-answers';
import { createCalendar } from '../../src/timeline/calendar';
import { buildSchedule } from '../../src/timeline/schedule';
import { csaFamilyTheme } from '../../src/timeline/themes/csa-family';
import type { AgencyId, IsoDate } from '../../src/timeline/types';
import { eventually } from '../support/eventually';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';
import { addresses, messageKey } from '../support/smtp';
import path from 'node:path';

/**
 * Option A (issue 14): once the lead inspector records the 20, police, health, the YOT and probation are each
 * asked their own question for them, answer by their due time (14:00 on day 3 unless set), are chased like any
 * deliverable, and their answers fill the local authority's return with their source.
 */
const calendar = createCalendar();
const ctx = useHarness({ validateListFile: readingValidator });

const QUESTIONS: Record<string, string> = {
  police: 'policeInvestigation',
  health: 'sarcPaediatric',
  'youth-justice': 'knownToYot',
  probation: 'npsAdult',
};

test('the schedule carries who answers which question and when; the coordinator may set another time', () => {
  const notifiedOn = notificationMonday('2090-01-01');
  const schedule = buildSchedule({ notifiedOn, option: 'A', theme: csaFamilyTheme, calendar });
  expect(schedule.twentyAnswers?.dueAt).toBe(at(notifiedOn, 3, '14:00'));
  expect(schedule.twentyAnswers?.questions.map((q) => [q.agency, q.column])).toEqual(
    Object.entries(QUESTIONS).sort(([, a], [, b]) => order(a) - order(b)),
  );
  const earlier = buildSchedule({
    notifiedOn,
    option: 'A',
    theme: csaFamilyTheme,
    calendar,
    twentyAnswersDue: { day: 3, time: '12:30' },
  });
  expect(earlier.twentyAnswers?.dueAt).toBe(at(notifiedOn, 3, '12:30'));
  // After the local authority's return is due: refused.
  expect(() =>
    buildSchedule({
      notifiedOn,
      option: 'A',
      theme: csaFamilyTheme,
      calendar,
      twentyAnswersDue: { day: 3, time: '16:30' },
    }),
  ).toThrow(/before the local authority's return/);
  expect(
    buildSchedule({ notifiedOn, option: 'B', theme: csaFamilyTheme, calendar }).twentyAnswers,
  ).toBeUndefined();
});

/** The order of the questions in the 20-case return. */
/** Messages whose key starts with `prefix`. */
const mail = (prefix: string) => ctx.h.smtp.messages.filter((m) => messageKey(m).startsWith(prefix));

/**
 * An Option A inspection notified on the first suitable Monday after `after`, 25 synthetic children on list 6
 * (day 2, 14:00), then `body`; run with a worker and ended afterwards.
 */
async function withListSix(
  localAuthority: string,
  after: IsoDate,
  body: (x: { inspectionId: string; notifiedOn: IsoDate; ids: string[] }) => Promise<void>,
): Promise<void> {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday(after);
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority, notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const ids = childIds('SYN', 25);
        await skipTo(env, at(notifiedOn, 2, '14:00'));
        await h.client.submit(inspectionId, 'list-6', 'local-authority', [
          { path: await h.file('list-6.csv', syntheticCsv(ids)) },
        ]);
        await body({ inspectionId, notifiedOn, ids });
      },
    ),
  );
}

function order(column: string): number {
  return ['knownToYot', 'npsAdult', 'policeInvestigation', 'sarcPaediatric'].indexOf(column);
}

test('Option A: four agencies answer their questions for the 20 (one by sheet, one late and escalated) and the return shows each source', async () => {
  const { env, h } = ctx;
  const cl = h.client;
  await withListSix('Answering Borough', '2090-03-01', async ({ inspectionId, notifiedOn, ids }) => {
    // Nobody is asked before the 20 are recorded.
    expect((await cl.state(inspectionId)).deliverables.filter((d) => d.kind === 'answers')).toEqual([]);

    await skipTo(env, at(notifiedOn, 3, '09:20'));
    const twenty = ids.slice(0, 20);
    await cl.select(inspectionId, 'twenty', twenty);
    const asked = (await cl.state(inspectionId)).deliverables.filter((d) => d.kind === 'answers');
    expect(asked.map((d) => [d.id, d.answers?.columns, d.dueAt, d.added?.childIds?.length])).toEqual(
      Object.entries(QUESTIONS)
        .sort(([, a], [, b]) => order(a) - order(b))
        .map(([agency, column]) => [`twenty-answers.${agency}`, [column], at(notifiedOn, 3, '14:00'), 20]),
    );
    // Each agency is asked by email, its own question only, and no child's ID.
    const requests = await eventually(
      'the four requests',
      () => Promise.resolve(mail('twenty-answers.')),
      (m) => m.filter((x) => messageKey(x).endsWith('/request')).length === 4,
    );
    const police = requests.find((m) => messageKey(m) === 'twenty-answers.police/request');
    expect(addresses(police?.to)).toEqual(['police@example.org']);
    expect(police?.text).toContain('current police investigation');
    expect(police?.text).not.toMatch(/YOT|SARC|NPS/);
    for (const m of requests) expect(`${m.subject} ${m.text}`).not.toMatch(/SYN\d{4}/);

    // Refused: another agency's question, a child not among the 20, a value other than Y/N/blank.
    const refusal = async (fn: () => Promise<unknown>) =>
      fn().then(
        () => undefined,
        (err: unknown) => (err instanceof JtaiError ? err.type : String(err)),
      );
    expect(
      await refusal(() =>
        cl.answerTwenty(inspectionId, 'twenty-answers.police', 'police', [
          { childId: twenty[0] ?? '', column: 'sarcPaediatric', value: 'Y' },
        ]),
      ),
    ).toBe('WrongAgency');
    expect(
      await refusal(() =>
        cl.answerTwenty(inspectionId, 'twenty-answers.health', 'police', [
          { childId: twenty[0] ?? '', column: 'sarcPaediatric', value: 'Y' },
        ]),
      ),
    ).toBe('WrongAgency');
    expect(
      await refusal(() =>
        cl.answerTwenty(inspectionId, 'twenty-answers.police', 'police', [
          { childId: 'SYN0025', column: 'policeInvestigation', value: 'Y' },
        ]),
      ),
    ).toBe('NotOnAnyList');
    expect(
      await refusal(() =>
        cl.answerTwenty(inspectionId, 'twenty-answers.police', 'police', [
          { childId: twenty[0] ?? '', column: 'policeInvestigation', value: 'X' as 'Y' },
        ]),
      ),
    ).toBe('BadRequest');

    const yn = (i: number) => (i % 4 === 0 ? ('Y' as const) : ('N' as const));
    const answersFor = (agency: string) =>
      twenty.map((childId, i) => ({ childId, column: QUESTIONS[agency] ?? '', value: yn(i) }));

    // Police answer on the form at 10:00, in two goes; probation at 11:00.
    await skipTo(env, at(notifiedOn, 3, '10:00'));
    await cl.answerTwenty(inspectionId, 'twenty-answers.police', 'police', answersFor('police').slice(0, 10));
    const part = await cl.answerTwenty(
      inspectionId,
      'twenty-answers.police',
      'police',
      answersFor('police').slice(10),
    );
    expect(part.complete).toBe(true);
    await skipTo(env, at(notifiedOn, 3, '11:00'));
    await cl.answerTwenty(inspectionId, 'twenty-answers.probation', 'probation', answersFor('probation'));

    // The YOT fills in the sheet its page offers and sends it at 12:00.
    await skipTo(env, at(notifiedOn, 3, '12:00'));
    const sheet = path.join(h.dir, 'yot-answers.xlsx');
    await writeAnswersSheet(sheet, {
      columns: ['knownToYot'],
      rows: twenty.map((childId, i) => ({ childId, values: { knownToYot: yn(i) } })),
    });
    const read = await readAnswersSheet(sheet, ['knownToYot'], twenty);
    expect(read.problems).toEqual([]);
    await cl.answerTwenty(inspectionId, 'twenty-answers.youth-justice', 'youth-justice', read.answers, {
      sheet: { path: sheet },
    });

    // Health has not answered by 14:00: at 15:00 its escalation lead hears, and the return flags its column.
    await skipTo(env, at(notifiedOn, 3, '15:10'));
    const escalation = await eventually(
      'health escalated',
      () => Promise.resolve(mail('twenty-answers.health/escalation-lead')),
      (m) => m.length === 1,
    );
    expect(addresses(escalation[0]?.to)).toEqual(['health-lead@example.org']);
    expect(escalation[0]?.date?.getTime()).toBe(at(notifiedOn, 3, '15:00'));
    const flagged = await cl.twentyReturn(inspectionId, at(notifiedOn, 3, '15:10'));
    expect(flagged?.flaggedCount).toBe(20);
    const first = flagged?.rows[0]?.cells ?? [];
    const cell = (column: string) => first.find((c) => c.column === column);
    expect(cell('policeInvestigation')).toMatchObject({
      value: 'Y',
      state: 'answered',
      source: 'police',
    });
    expect(cell('policeInvestigation')?.sourceText).toContain('Example Police');
    expect(cell('knownToYot')).toMatchObject({ value: 'Y', state: 'answered', source: 'youth-justice' });
    expect(cell('npsAdult')).toMatchObject({ value: 'Y', state: 'answered', source: 'probation' });
    expect(cell('sarcPaediatric')).toMatchObject({
      value: '',
      state: 'not-answered',
      source: 'health',
      flagged: true,
    });
    expect(cell('csaCurrent')).toMatchObject({ value: '', state: 'local-authority', flagged: false });
    expect(flagged?.rows.map((r) => r.childId)).toEqual(twenty);

    // Health answers late at 15:20: recorded as late, merged, no longer flagged.
    await skipTo(env, at(notifiedOn, 3, '15:20'));
    await cl.answerTwenty(inspectionId, 'twenty-answers.health', 'health', answersFor('health'));
    const state = await cl.state(inspectionId);
    const health = state.deliverables.find((d) => d.id === 'twenty-answers.health');
    expect({ late: health?.late, escalated: health?.chaseLog.map((c) => c.rung) }).toEqual({
      late: true,
      escalated: ['request', 'reminder-2h', 'escalation-lead'],
    });
    for (const agency of ['police', 'probation', 'youth-justice'])
      expect(state.deliverables.find((d) => d.id === `twenty-answers.${agency}`)?.late).toBe(false);
    const merged = await cl.twentyReturn(inspectionId, at(notifiedOn, 3, '15:20'));
    expect(merged?.flaggedCount).toBe(0);
    expect(merged?.rows[1]?.cells.find((c) => c.column === 'sarcPaediatric')).toMatchObject({
      value: 'N',
      source: 'health',
    });
    expect(merged?.agencies.map((a) => [a.agency, a.answered, a.asked])).toEqual(
      expect.arrayContaining([
        ['police', 20, 20],
        ['health', 20, 20],
        ['youth-justice', 20, 20],
        ['probation', 20, 20],
      ]),
    );
    // The sheet is kept like an upload; the form's answers are not files.
    const yot = state.deliverables.find((d) => d.id === 'twenty-answers.youth-justice');
    expect(yot?.submissions.map((s) => s.files.length)).toEqual([1]);

    // Each agency's page holds its own question and answers only.
    for (const agency of Object.keys(QUESTIONS) as AgencyId[]) {
      const page = agencyView(state, agency, at(notifiedOn, 3, '15:20'));
      const items = page.items.filter((i) => i.kind === 'answers');
      expect(items.map((i) => i.answers?.columns)).toEqual([[QUESTIONS[agency]]]);
      const others = Object.values(QUESTIONS).filter((c) => c !== QUESTIONS[agency]);
      for (const other of others) expect(JSON.stringify(page)).not.toContain(other);
    }

    // The local authority's return goes in as today, checked as today.
    await skipTo(env, at(notifiedOn, 3, '15:40'));
    const ret = await cl.submit(inspectionId, 'list-twenty', 'local-authority', [
      { path: await h.file('list-twenty.csv', syntheticCsv(twenty)) },
    ]);
    expect(ret).toMatchObject({ late: false, complete: true });
  });
});

test('the 20 recorded after the agencies’ time, then recorded again: asked by the return’s deadline, answers kept for children still selected; the return closes what is still owed', async () => {
  const { env, h } = ctx;
  const cl = h.client;
  await withListSix('Late Borough', '2090-06-01', async ({ inspectionId, notifiedOn, ids }) => {
    // Recorded at 14:30, after the agencies' 14:00: they are asked by the return's own 16:00.
    await skipTo(env, at(notifiedOn, 3, '14:30'));
    const first = ids.slice(0, 20);
    await cl.select(inspectionId, 'twenty', first);
    const asked = (await cl.state(inspectionId)).deliverables.filter((d) => d.kind === 'answers');
    expect(asked.map((d) => d.dueAt)).toEqual(asked.map(() => at(notifiedOn, 3, '16:00')));
    const police = (childIds: string[]) =>
      childIds.map((childId) => ({ childId, column: 'policeInvestigation', value: 'Y' as const }));
    const done = await cl.answerTwenty(inspectionId, 'twenty-answers.police', 'police', police(first));
    expect(done.complete).toBe(true);

    // The lead inspector changes five of the 20: the police owe answers for the five new children only.
    await skipTo(env, at(notifiedOn, 3, '14:45'));
    const second = ids.slice(5, 25);
    await cl.select(inspectionId, 'twenty', second);
    let state = await cl.state(inspectionId);
    const owed = state.deliverables.find((d) => d.id === 'twenty-answers.police');
    expect(owed?.added?.childIds).toEqual(second);
    expect(owed?.receivedAt).toBeUndefined();
    const kept = await cl.twentyReturn(inspectionId, at(notifiedOn, 3, '14:45'));
    const policeCell = (childId: string) =>
      kept?.rows.find((r) => r.childId === childId)?.cells.find((c) => c.column === 'policeInvestigation');
    expect(policeCell(second[0] ?? '')).toMatchObject({ value: 'Y', source: 'police' });
    expect(policeCell(second[19] ?? '')).toMatchObject({ value: '', state: 'awaiting' });
    expect(kept?.rows.map((r) => r.childId)).toEqual(second);

    // The local authority sends its return at 15:40: what is still owed for it is closed and not chased.
    await skipTo(env, at(notifiedOn, 3, '15:40'));
    const ret = await cl.submit(inspectionId, 'list-twenty', 'local-authority', [
      { path: await h.file('list-twenty.csv', syntheticCsv(second)) },
    ]);
    expect(ret).toMatchObject({ late: false, complete: true });
    state = await cl.state(inspectionId);
    const answers = state.deliverables.filter((d) => d.kind === 'answers');
    const closedAt = at(notifiedOn, 3, '15:40');
    expect(
      answers.map((d) => [d.owner, d.receivedAt, Math.floor(((d.waived?.at ?? 0) - closedAt) / 60_000)]),
    ).toEqual(answers.map((d) => [d.owner, undefined, 0]));
    const closed = await eventually(
      'each agency told',
      () => Promise.resolve(mail('answers-closed/')),
      (m) => m.length === 4,
    );
    expect(closed.map((m) => addresses(m.to)[0]).sort()).toEqual([
      'health@example.org',
      'police@example.org',
      'probation@example.org',
      'yot@example.org',
    ]);
    for (const m of closed) expect(`${m.subject} ${m.text}`).not.toMatch(/SYN\d{4}/);

    // Past every rung of theirs: nothing more to the agencies about the answers, nothing overdue.
    await skipTo(env, at(notifiedOn, 4, '12:00'));
    const after = h.smtp.messages.filter(
      (m) =>
        messageKey(m).startsWith('twenty-answers.') && (m.date?.getTime() ?? 0) > at(notifiedOn, 3, '15:40'),
    );
    expect(after.map(messageKey)).toEqual([]);
    const view = await cl.view(inspectionId, at(notifiedOn, 4, '12:00'));
    expect(view.deliverables.filter((d) => d.kind === 'answers').map((d) => d.status)).toEqual([
      'waived',
      'waived',
      'waived',
      'waived',
    ]);
    // Before 15:40 the escalations came as for any deliverable (their 16:00 deadline had not passed yet):
    // none was sent after it.
    state = await cl.state(inspectionId);
    for (const d of state.deliverables.filter((x) => x.kind === 'answers'))
      expect(d.chaseLog.filter((c) => c.at > at(notifiedOn, 3, '15:40'))).toEqual([]);
  });
});
