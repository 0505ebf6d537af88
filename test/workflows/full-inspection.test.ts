import path from 'node:path';
import { writePack } from '../../src/client/exports';
import * as messages from '../../src/workflows/messages';
import { readZip } from '../lists/helpers';
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
    // Sent where possible (individual evaluations, the DCS's note of context): none sent, none chased, and the
    // inspection still completes.
    const optional = final.deliverables.filter((d) => d.optional);
    expect(optional.map((d) => d.key).sort()).toEqual([
      'dcs-context-note',
      ...Array<string>(5).fill('individual-evaluation'),
    ]);
    for (const d of optional) expect({ id: d.id, chased: d.chaseLog }).toEqual({ id: d.id, chased: [] });
    for (const d of final.deliverables.filter((x) => !x.optional)) {
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

    // Every email has a plain-text part and an HTML part, as sent through the SMTP listener and parsed there;
    // neither holds a child ID; the HTML fetches nothing and runs nothing.
    for (const m of mail) {
      expect(m.text?.trim()).toBeTruthy();
      expect(m.html).toEqual(expect.stringContaining('<!doctype html>'));
      const html = m.html || '';
      expect(html).not.toMatch(/SYN\d{4}/);
      expect(html).not.toMatch(/<(img|script|link|style|iframe)\b|\bsrc=|url\(/i);
    }
    const police = digests.find((m) => m.to && JSON.stringify(m.to).includes('police@example.org'));
    const policeHtml = police?.html || '';
    const link = /https?:\/\/\S+\/a\/\S+/.exec(police?.text ?? '')?.[0] ?? '';
    expect(link).not.toBe('');
    // The deadlines as a table (what, due in UK time), the link as a button.
    expect(policeHtml).toMatch(/<th[^>]*>What<\/th><th[^>]*>Due \(UK time\)<\/th>/);
    expect(policeHtml).toMatch(
      /<td[^>]*>Annex A documents(<br>[^<]*<span[^>]*>Still missing:(<br>[^<]*)+<\/span>)?<\/td><td[^>]*>\w{3} \d+ \w{3} 2090, \d\d:\d\d UK time<\/td>/,
    );
    expect(policeHtml).toContain(`<a href="${link.replace(/&/g, '&#38;')}" style="display: inline-block;`);
    expect(police?.text).toContain('Annex A documents');

    // The pack printed for the inspectors' arrival: a folder per tracked child, files named by what they are.
    const zipPath = path.join(h.dir, 'pack.zip');
    await writePack(h.client, inspectionId, zipPath, final.endedAt);
    const zip = readZip(zipPath);
    const names = [...zip.keys()];
    const tracked = final.selection.tracked;
    expect(tracked).toHaveLength(5);
    for (const [i, childId] of tracked.entries()) {
      const cover = zip.get(`Tracked child ${i + 1}/Cover sheet.html`)?.toString() ?? '';
      expect(cover).toContain(`<dd>${childId}</dd>`);
      expect(cover).toContain('Family agreed to meet inspectors.');
      expect(names).toContain(
        `Tracked child ${i + 1}/Evaluations/Joint evaluation - Example Partnership.docx`,
      );
    }
    const kd9 = 'KD9 Chronology of significant events in the six months before the inspection.pdf';
    expect(zip.get(`Tracked child 1/Key documents/Example Police/${kd9}`)?.toString()).toBe(
      'chronology police 0',
    );
    expect(zip.get(`Tracked child 3/Key documents/Example ICB/${kd9}`)?.toString()).toBe(
      'chronology health 2',
    );
    expect(names.filter((n) => n.startsWith('Tracked child 2/Key documents/'))).toEqual([]);
    expect(names).toContain(
      'Annex A documents/Example Police/3.1 Organisational structures showing lines of reporting and accountability.pdf',
    );
    expect(names).toContain('Lists/Example Council/List 6 - children in need.csv');
    // No child ID and no uploader's file name in any path; child IDs only on cover sheets (and in the lists).
    for (const name of names) {
      expect(name).not.toMatch(/SYN\d{4}|chronology\.pdf|evaluation\.docx|doc-\d/);
      if (!/Cover sheet\.html$|^Lists\//.test(name))
        expect(zip.get(name)?.toString()).not.toMatch(/SYN\d{4}/);
    }
    const index = zip.get('index.csv')?.toString() ?? '';
    expect(index).toContain(
      `Tracked child 2,Example Police,,Key documents for each tracked child,note sent (see the cover sheet),`,
    );
    expect(index).toMatch(/\nAnnex A documents,Example Police,3\.9,[^\n]*,received,/);
    expect(index).toMatch(/\nTracked child 5,Example Partnership,,[^\n]*Joint evaluation[^\n]*,received,/);
    const html = zip.get('index.html')?.toString() ?? '';
    for (let i = 1; i <= 5; i++) expect(html).toContain(`<h2>Tracked child ${i}</h2>`);
  });
}, 300_000);
