import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import * as messages from '../../src/workflows/messages';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';

/**
 * Anyone who can reach Temporal can send an inspection an update or start a workflow without jtai (the
 * Temporal CLI or UI). Payloads jtai did not encrypt are never acted on: the request is refused before it
 * enters history, the inspection goes on unharmed, and no workflow task is left failing.
 */
const ctx = useHarness();

test('a plaintext update sent straight to Temporal is refused and changes nothing', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-05-01');
  await skipTo(env, at(notifiedOn, 0, '09:00'));
  // A client with no payload codec: what `temporal workflow update execute --input '{…}'` sends.
  const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Plain Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const handle = plain.workflow.getHandle(inspectionId);
        for (const args of [
          { deliverableId: 'list-8', reason: 'waived without signing in' },
          { deliverableId: 'list-8', reason: 'x', jtaiUntrustedPayload: 'forged marker' },
        ]) {
          const refused = await handle.executeUpdate(messages.waive, { args: [args] }).then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
          const cause = (refused as WorkflowUpdateFailedError).cause;
          expect(cause).toBeInstanceOf(ApplicationFailure);
          expect((cause as ApplicationFailure).type).toBe('Untrusted');
        }
        const state = await h.client.state(inspectionId);
        expect(state.deliverables.find((d) => d.id === 'list-8')?.waived).toBeUndefined();
        // Through jtai the same request works: the inspection is unharmed.
        await h.client.waive(inspectionId, 'list-8', 'Agreed with the lead inspector.');
        expect(
          (await h.client.state(inspectionId)).deliverables.find((d) => d.id === 'list-8')?.waived,
        ).toMatchObject({ reason: 'Agreed with the lead inspector.' });
        const history = await h.client.client.workflow.getHandle(inspectionId).fetchHistory();
        const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
        expect(failedTasks).toEqual([]);
      },
    ),
  );
});

test('a workflow started without jtai fails at once instead of running', async () => {
  const { env, h } = ctx;
  const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  await h.run(async () => {
    const handle = await plain.workflow.start('inspection', {
      workflowId: 'inspection-started-by-hand-2090-05-01',
      taskQueue: h.deployment.config.temporal.taskQueue,
      args: [{ inspectionId: 'inspection-started-by-hand-2090-05-01' }],
    });
    const outcome = await handle.result().then(
      () => 'completed',
      (err: Error) => (err.cause as ApplicationFailure | undefined)?.type ?? err.message,
    );
    expect(outcome).toBe('Untrusted');
  });
});
