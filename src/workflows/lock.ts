import { condition } from '@temporalio/workflow';

/**
 * Named locks for update handlers that await (Temporal's safe-message-handlers pattern): a second submission
 * to the same deliverable waits until the first is checked and recorded, so they are recorded in the order
 * they were accepted and neither sees the other half done. Waiters are woken in the order they began waiting.
 */
export function createLocks() {
  const held = new Set<string>();
  return {
    async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
      await condition(() => !held.has(name));
      held.add(name);
      try {
        return await work();
      } finally {
        held.delete(name);
      }
    },
  };
}
