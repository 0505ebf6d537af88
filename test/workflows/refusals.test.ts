import { JtaiError } from '../../src/client/inspections';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { childIds, readingValidator, syntheticCsv } from '../support/list-double';
import { messageKey } from '../support/smtp';
import { eventually } from '../support/eventually';

/** Every refusal is one clear line, typed, and changes nothing. */
const ctx = useHarness({ validateListFile: readingValidator });

/** What a refusal must not change (the chase log moves on its own as emails go out). */
async function essence(inspectionId: string) {
  const state = await ctx.h.client.state(inspectionId);
  return {
    selection: state.selection,
    candidates: await ctx.h.client.candidates(inspectionId),
    cancelled: state.cancelled,
    // A refused list is counted (for the rehearsal's debrief): the one change a refusal makes.
    deliverables: state.deliverables.map(
      ({ chaseLog: _chaseLog, refusedSubmissions: _refused, ...rest }) => rest,
    ),
  };
}

/** Expect `action` to be refused with `type` and a message matching `message`, leaving the state as it was. */
async function refused(
  inspectionId: string,
  action: () => Promise<unknown>,
  type: string,
  message: RegExp,
): Promise<void> {
  const before = await essence(inspectionId);
  const error = await action().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(JtaiError);
  expect({ type: (error as JtaiError).type, message: (error as JtaiError).message }).toEqual({
    type,
    message: expect.stringMatching(message),
  });
  expect((error as JtaiError).message).not.toContain('\n');
  expect(await essence(inspectionId)).toEqual(before);
}

test('refusals in Option A: unknown deliverable, wrong agency, too many or too few children, a child on no list, a past extension, a bad list', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 0, '09:00'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Refusing Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const ids = childIds('SYN', 25);
        const list = await h.file('list6.csv', syntheticCsv(ids));
        await refused(
          inspectionId,
          () => h.client.submit(inspectionId, 'list-9', 'local-authority', [{ path: list }]),
          'UnknownDeliverable',
          /no deliverable "list-9"/,
        );
        await refused(
          inspectionId,
          () => h.client.submit(inspectionId, 'list-6', 'police', [{ path: list }]),
          'WrongAgency',
          /"list-6" is owed by local-authority, not police/,
        );
        await refused(
          inspectionId,
          () =>
            h.client.submit(inspectionId, 'key-documents', 'police', [{ path: list }], {
              childId: 'SYN0001',
            }),
          'NotYetRequested',
          /not been asked for yet/,
        );
        const bad = await h.file('bad.csv', `${syntheticCsv(ids.slice(0, 3))}\nSYN0099,b) Female,BAD`);
        await refused(
          inspectionId,
          () => h.client.submit(inspectionId, 'list-6', 'local-authority', [{ path: bad }]),
          'ListInvalid',
          /1 error and was not recorded; first: row 5, column "Theme \(Y\/N\)"/,
        );

        await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ path: list }]);
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'twenty', childIds('SYN', 21)),
          'SelectionInvalid',
          /up to 20 children; 21 were given/,
        );
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'twenty', [...ids.slice(0, 5), 'SYN9999']),
          'NotOnAnyList',
          /position 6 is not on any list received/,
        );
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'tracked', ids.slice(0, 5)),
          'NotYetRequested',
          /selection of 20 children before/,
        );
        await h.client.select(inspectionId, 'twenty', ids.slice(0, 20));
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'tracked', ids.slice(0, 4)),
          'SelectionInvalid',
          /Between 5 and 7 children are tracked; 4 were given/,
        );
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'tracked', [...ids.slice(0, 4), ids[22] ?? '']),
          'NotOnAnyList',
          /position 5 is not among the 20 selected/,
        );

        await refused(
          inspectionId,
          () => h.client.extend(inspectionId, 'list-7', at(notifiedOn, 0, '08:00'), 'typo'),
          'ExtensionInPast',
          /already passed/,
        );
        await refused(
          inspectionId,
          () => h.client.waive(inspectionId, 'list-6', 'no longer needed'),
          'AlreadySettled',
          /has been received/,
        );
        await refused(
          inspectionId,
          () => h.client.waive(inspectionId, 'annex-a-documents', 'x'),
          'UnknownDeliverable',
          /owed by several agencies/,
        );
        await refused(
          inspectionId,
          () => h.client.confirm(inspectionId, 'call'),
          'NotYetRequested',
          /follows "selection-tracked"/,
        );

        await h.client.cancel(inspectionId, 'Inspection postponed by Ofsted.');
        const cancelled = await h.client.state(inspectionId);
        expect(cancelled.cancelled?.reason).toBe('Inspection postponed by Ofsted.');
        const late = await h.client
          .submit(inspectionId, 'list-7', 'local-authority', [{ path: list }])
          .catch((err: unknown) => err);
        expect(late).toBeInstanceOf(JtaiError);
        expect((late as JtaiError).type).toBe('InspectionEnded');
      },
    ),
  );
});

test('Option B has no selection of 20, and its tracked children come from the lists', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-02-01');
  await skipTo(env, at(notifiedOn, 0, '09:00'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Small Borough', notifiedOn, option: 'B', contacts: CONTACTS },
      async ({ inspectionId }) => {
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'twenty', ['SYN0001']),
          'WrongKind',
          /Option B has no selection of 20/,
        );
        await refused(
          inspectionId,
          () => h.client.select(inspectionId, 'tracked', childIds('SYN', 5)),
          'NotOnAnyList',
          /5 children at positions 1, 2, 3, 4, 5 are not on any list received/,
        );
        await h.client.submit(inspectionId, 'list-yot', 'youth-justice', [
          { path: await h.file('yot.csv', syntheticCsv(childIds('SYN', 3))) },
        ]);
        await h.client.submit(inspectionId, 'list-nps', 'probation', [
          { path: await h.file('nps.csv', syntheticCsv(childIds('NPS', 3))) },
        ]);
        await refused(
          inspectionId,
          () =>
            h.client.select(inspectionId, 'tracked', [
              ...childIds('SYN', 3),
              ...childIds('NPS', 3),
              'SYN0001',
            ]),
          'SelectionInvalid',
          /same child ID is given twice/,
        );
        const receipt = await h.client.select(inspectionId, 'tracked', [
          ...childIds('SYN', 3),
          ...childIds('NPS', 3),
        ]);
        expect(receipt.complete).toBe(true);
        const state = await h.client.state(inspectionId);
        expect(state.selection.tracked).toHaveLength(6);
        // Revoking the police links bumps their version and sends a new link that carries it.
        expect(await h.client.sendLink(inspectionId, 'police', true)).toBe(2);
        // The email follows from the workflow's own coroutine.
        const linkMail = await eventually(
          'the police link email',
          () => Promise.resolve(h.smtp.messages.find((m) => messageKey(m).startsWith('link/police/'))),
          (mail) => mail !== undefined,
        );
        const token = /http:\/\/jtai\.test\/a\/(\S+)/.exec(linkMail?.text ?? '')?.[1] ?? '';
        const now = await env.currentTimeMs();
        expect(h.deployment.links.verify(token, now)).toMatchObject({
          inspectionId,
          agency: 'police',
          version: 2,
        });
        expect(h.deployment.links.verify(`${token}x`, now)).toBeUndefined();
        expect(await h.client.candidates(inspectionId)).toEqual({
          SYN0001: ['yot'],
          SYN0002: ['yot'],
          SYN0003: ['yot'],
          NPS0001: ['nps'],
          NPS0002: ['nps'],
          NPS0003: ['nps'],
        });
      },
    ),
  );
});
