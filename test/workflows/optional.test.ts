import path from 'node:path';
import { writePack } from '../../src/client/exports';
import { overdueCount } from '../../src/workflows/rules';
import { readZip } from '../lists/helpers';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';
import { messageKey } from '../support/smtp';

/**
 * What is sent "where possible": the DCS's note of context with the lists (Annex A) and each agency's individual
 * evaluation of a tracked child beside the joint one. Shown, recorded and packed; never chased or overdue.
 */
const ctx = useHarness({ validateListFile: readingValidator });

test('the DCS note of context and individual agency evaluations: shown, recorded, packed, never chased or overdue', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2091-01-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Context Borough', notifiedOn, option: 'B', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const cl = h.client;
        // Before anything is sent: on the local authority's page as something it may send, not as owed.
        const la = await cl.agencyPage(inspectionId, 'local-authority', at(notifiedOn, 0, '09:00'));
        expect(la.optional.map((i) => i.view.id)).toEqual(['dcs-context-note']);
        expect(la.owed.map((i) => i.view.id)).not.toContain('dcs-context-note');

        await skipTo(env, at(notifiedOn, 2, '14:00'));
        const ids = childIds('SYN', 10);
        await cl.submit(inspectionId, 'list-6', 'local-authority', [
          { path: await h.file('list-6.csv', syntheticCsv(ids)) },
        ]);
        const note = 'A programme of work with schools on harmful sexual behaviour started in 2090.';
        await cl.submit(
          inspectionId,
          'dcs-context-note',
          'local-authority',
          [{ path: await h.file('SYN0001 context.pdf', 'synthetic context') }],
          { note },
        );
        await skipTo(env, at(notifiedOn, 4, '10:00'));
        const tracked = ids.slice(0, 5);
        await cl.select(inspectionId, 'tracked', tracked);
        await skipTo(env, at(notifiedOn, 8, '11:00'));
        await cl.submit(
          inspectionId,
          'individual-evaluation',
          'police',
          [{ path: await h.file('evaluation SYN0002.docx', 'police evaluation') }],
          { childId: tracked[1] },
        );

        // After every deadline: nothing optional is overdue, chased or in an email.
        await skipTo(env, at(notifiedOn, 10, '10:00'));
        const state = await cl.state(inspectionId);
        const optional = state.deliverables.filter((d) => d.optional);
        expect(optional.map((d) => d.id)).toEqual([
          'dcs-context-note',
          'individual-evaluation.local-authority',
          'individual-evaluation.police',
          'individual-evaluation.health',
          'individual-evaluation.probation',
          'individual-evaluation.youth-justice',
        ]);
        for (const d of optional) expect(d.chaseLog).toEqual([]);
        const view = await cl.view(inspectionId, at(notifiedOn, 10, '10:00'));
        const status = (id: string) => view.deliverables.find((d) => d.id === id)?.status;
        expect(status('dcs-context-note')).toBe('received');
        expect(status('individual-evaluation.health')).toBe('optional');
        expect(overdueCount(state, at(notifiedOn, 10, '10:00'))).toBe(
          view.deliverables.filter((d) => d.status === 'overdue').length,
        );
        expect(view.deliverables.filter((d) => d.status === 'overdue').map((d) => d.id)).not.toContain(
          'individual-evaluation.health',
        );
        for (const m of h.smtp.messages) {
          expect(messageKey(m)).not.toMatch(/^(dcs-context-note|individual-evaluation)/);
          expect(`${m.text} ${m.html || ''}`).not.toContain(note);
        }

        // The coordinator sees the note on the timeline, the evaluation in the grid.
        const page = await cl.coordinatorPage(inspectionId, {
          withLinks: false,
          at: at(notifiedOn, 10, '10:00'),
          viewer: 'coordinator',
        });
        const row = page.days.flatMap((d) => d.rows).find((r) => r.view.id === 'dcs-context-note');
        expect(row?.note).toBe(note);
        const grid = page.childGrid.rows.find((r) => r.deliverableId === 'individual-evaluation.police');
        expect(grid?.cells.map((c) => c.received)).toEqual([false, true, false, false, false]);

        // In the pack: the note as a page of its own and the document, by what they are; the evaluation in the
        // child's folder.
        const zipPath = path.join(h.dir, 'optional-pack.zip');
        await writePack(cl, inspectionId, zipPath, at(notifiedOn, 10, '10:00'));
        const zip = readZip(zipPath);
        const section = 'Note of local context from the DCS/Example Council';
        const title = 'Note of local context from the director of children’s services';
        expect(zip.get(`${section}/${title}.pdf`)?.toString()).toBe('synthetic context');
        expect(zip.get(`${section}/${title} - note.html`)?.toString()).toContain(note);
        expect(
          zip.get('Tracked child 2/Evaluations/Individual evaluation - Example Police.docx')?.toString(),
        ).toBe('police evaluation');
        const index = zip.get('index.csv')?.toString() ?? '';
        expect(index).toContain(
          `Tracked child 1,Example Police,,Individual agency evaluation of each tracked child’s experience,optional: not sent,`,
        );
        expect(index).toMatch(/\nNote of local context from the DCS,Example Council,,[^\n]*,note sent,/);
        for (const name of zip.keys()) expect(name).not.toMatch(/SYN\d{4}/);
      },
    ),
  );
}, 300_000);
