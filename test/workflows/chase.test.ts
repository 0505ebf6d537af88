import type { Rung } from '../../src/timeline/schedule';
import { chaseWakeAt, newCursor, nextRung } from '../../src/workflows/chase';
import type { DeliverableState } from '../../src/workflows/types';

/** The cursor of one deliverable's chase (src/workflows/chase.ts), as the one chasing coroutine walks it. */
const rung = (id: string, at: number): Rung => ({ id, kind: 'reminder', to: 'contact', at });

function deliverable(fields: Partial<DeliverableState>): DeliverableState {
  return {
    id: 'list-6',
    key: 'list-6',
    title: 'List 6',
    description: '',
    kind: 'list',
    owner: 'local-authority',
    day: 2,
    dueAt: 1_000,
    originalDueAt: 1_000,
    documents: [],
    perTrackedChild: false,
    chase: true,
    ladder: [rung('a', 100), rung('b', 200), rung('c', 300)],
    source: '',
    requestedAt: 0,
    ladderFrom: 0,
    ladderVersion: 1,
    extensions: [],
    submissions: [],
    chaseLog: [],
    ...fields,
  };
}

test('a chase walks its ladder in order, skipping rungs before ladderFrom, and restarts on a new ladder version', () => {
  const d = deliverable({ ladderFrom: 150 });
  const c = { ...newCursor(d, false), started: true };
  expect(nextRung(d, c)).toEqual({ rung: rung('b', 200), index: 1, version: 1 });
  c.index = 2;
  expect(nextRung(d, c)?.rung.id).toBe('c');
  c.index = 3;
  expect(nextRung(d, c)).toBeUndefined();
  expect(chaseWakeAt(d, c, false)).toBeUndefined();
  // An extension: a new ladder, walked from its start, from the instant it was given.
  d.ladderVersion = 2;
  d.ladder = [rung('a', 400), rung('b', 500)];
  d.ladderFrom = 350;
  expect(nextRung(d, c)).toEqual({ rung: rung('a', 400), index: 0, version: 2 });
  expect(chaseWakeAt(d, c, false)).toBe(400);
});

test('a chase not started waits for its request, starts at once once asked for, and a settled one waits for nothing', () => {
  const d = deliverable({ requires: 'list-1' });
  delete d.requestedAt;
  const c = newCursor(d, false);
  expect(chaseWakeAt(d, c, false)).toBeUndefined();
  d.requestedAt = 50;
  expect(chaseWakeAt(d, c, false)).toBe(-Infinity);
  expect(chaseWakeAt(d, c, true)).toBeUndefined();
  c.started = true;
  expect(chaseWakeAt(d, c, false)).toBe(100);
});
