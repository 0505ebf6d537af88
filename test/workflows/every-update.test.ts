import { Worker } from '@temporalio/worker';
import { at, useHarness, workflowBundle } from '../support/harness';
import { UPDATE_NAMES, updatesIn } from '../support/histories';
import { OPTION_A_EVERY_UPDATE } from '../support/recorded-weeks';
import { addresses, messageKey } from '../support/smtp';

/**
 * The week `npm run record-history` records into test/histories/option-a-every-update.json, run afresh:
 * each update did what it says, and the history it leaves holds every update and replays. So the script's
 * week keeps working as the workflow changes, whatever the recorded file says.
 */
const ctx = useHarness(OPTION_A_EVERY_UPDATE.overrides);

test('a week with every update: refused and queried lists, selections, waiver, extension, links, contacts, a withdrawal, a message, an added deliverable, receipts, cancellation', async () => {
  const { env, h } = ctx;
  await h.run(async () => {
    const { inspectionId, notifiedOn, final } = await OPTION_A_EVERY_UPDATE.run(env, h);
    const byId = (id: string) => final.deliverables.find((d) => d.id === id);
    // The server's clock runs on between skips: an update lands within a minute of the instant skipped to.
    const minute = (instant: number | undefined) => Math.floor((instant ?? NaN) / 60_000);

    expect(final.cancelled?.reason).toBe('Inspection postponed by Ofsted.');
    expect(minute(final.cancelled?.at)).toBe(minute(at(notifiedOn, 5, '12:00')));
    expect(final.endedAt).toBeUndefined();
    // The refused list left nothing; the one with a query was recorded, and the answer kept.
    expect(byId('list-6')?.submissions).toHaveLength(1);
    expect(byId('list-6')?.submissions[0]?.queries).toEqual([
      expect.objectContaining({ row: 27, column: 'Gender', code: 'query' }),
    ]);
    expect(byId('list-6')?.queryAnswers).toEqual([expect.objectContaining({ agency: 'local-authority' })]);
    expect(minute(byId('list-6')?.queryAnswers?.[0]?.at)).toBe(minute(at(notifiedOn, 2, '10:00')));
    expect(byId('list-nps')?.waived?.reason).toBe('No NPS cases meet the criteria.');
    expect(byId('list-7')).toMatchObject({
      dueAt: at(notifiedOn, 4, '17:00'),
      extensions: [expect.objectContaining({ reason: 'The export is being rebuilt.' })],
    });
    expect(byId('list-7')?.receivedAt).toBeUndefined();
    // A new local authority contact gets a new link, and its earlier links stop working.
    expect(final.linkVersions).toMatchObject({ police: 1, health: 2, 'local-authority': 2 });
    expect(final.contacts.agencies['local-authority'].contact).toBe('la-new@example.org');
    expect(final.selection.tracked).toHaveLength(6);
    expect(minute(byId('confirmation-call')?.receivedAt)).toBe(minute(at(notifiedOn, 4, '11:30')));

    // Missed deadlines were escalated, to the new local authority contact in copy; nothing after the cancellation.
    const mail = h.smtp.messages;
    const meetings = mail.filter((m) => messageKey(m).startsWith('list-meetings/escalation-lead'));
    expect(meetings.map((m) => [m.date?.getTime(), addresses(m.cc)])).toEqual([
      [at(notifiedOn, 4, '09:00'), ['la-new@example.org']],
    ]);
    const links = mail.filter((m) => messageKey(m).startsWith('link/'));
    expect(links.map((m) => addresses(m.to)).sort()).toEqual([
      ['health@example.org'],
      ['la-new@example.org'],
      ['police@example.org'],
    ]);
    expect(Math.max(...mail.map((m) => m.date?.getTime() ?? 0))).toBeLessThanOrEqual(
      final.cancelled?.at ?? 0,
    );

    // A wrong document withdrawn before its deadline: kept in the record with the reason, no longer counted.
    const annexA = byId('annex-a-documents.police');
    const withdrawn = annexA?.submissions.at(-1)?.files[0];
    expect(withdrawn?.withdrawn).toMatchObject({ reason: 'Sent the wrong version.' });
    expect(annexA?.receivedAt).toBeUndefined();
    // The receipt names what arrived by code and SHA-256, never by the file's name.
    const receipts = mail.filter((m) => messageKey(m).startsWith('receipt/'));
    const policeReceipt = receipts.find((m) => addresses(m.to).includes('police@example.org'));
    expect(policeReceipt?.subject).toContain('Received: JTAI');
    expect(policeReceipt?.text).toContain(
      `3.1 Organisational structures showing lines of reporting and accountability: ${withdrawn?.sha256 ?? '?'}`,
    );
    expect(policeReceipt?.text).not.toContain('doc-3.1.pdf');
    // One receipt per agency submission (lists, documents): none for the coordinator's own acts.
    const agencySubmissions = final.deliverables
      .flatMap((d) => d.submissions)
      .filter((x) => x.agency !== 'partnership');
    expect(receipts).toHaveLength(agencySubmissions.length);
    // The coordinator's message is on the record; its email says only that there is one.
    expect(final.messages).toEqual([
      expect.objectContaining({
        agency: 'police',
        text: 'Please send the corrected structure chart by Thursday.',
      }),
    ]);
    const note = mail.filter((m) => messageKey(m).startsWith('message/'));
    expect(note.map((m) => addresses(m.to))).toEqual([['police@example.org']]);
    expect(note[0]?.text).not.toContain('structure chart');
    // CQC's request: a deliverable of its own, asked for at once and chased.
    expect(byId('cqc-request-1')).toMatchObject({
      owner: 'health',
      dueAt: at(notifiedOn, 5, '17:00'),
      added: { source: 'cqc-request', childIds: ['SYN0001', 'SYN0002'] },
    });
    const cqc = mail.filter((m) => messageKey(m) === 'cqc-request-1/request');
    expect(cqc.map((m) => [addresses(m.to), m.subject])).toEqual([
      [['health@example.org'], expect.stringContaining('JTAI')],
    ]);
    expect(cqc[0]?.text).toContain('CQC request: health records');
    // The agency that was asked hears of an extension and of a waiver; the reason stays out of the email.
    const told = mail.filter((m) => /^(extended|waived)\//.test(messageKey(m)));
    expect(told.map((m) => [messageKey(m), addresses(m.to)]).sort()).toEqual([
      ['extended/list-7/1', ['la@example.org']],
      ['waived/list-nps', ['probation@example.org']],
    ]);
    expect(told.map((m) => m.text).join('\n')).not.toContain('No NPS cases');

    const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
    const { accepted, failed } = updatesIn(history);
    expect(UPDATE_NAMES.filter((name) => !accepted.includes(name))).toEqual([]);
    expect(failed).toEqual(['ListInvalid']);
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: h.deployment.dataConverter },
      history,
      inspectionId,
    );
  });
});
