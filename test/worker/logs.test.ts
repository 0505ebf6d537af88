import { JtaiError } from '../../src/client/inspections';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { OPTION_A_ON_TIME } from '../support/recorded-weeks';
import { killAll } from '../start/processes';
import { realLists, records, startWorkerProcess } from './worker-process';

/**
 * What a worker process logs over a whole inspection: JSON records only, its own, the SDK's (workflows',
 * activities', the worker's) and the Rust core's; and never a child's ID, though every list it checks, every
 * selection and every key document names children (SYN0001…). At the SDK's most detailed level (trace).
 */
jest.setTimeout(600_000);

const ctx = useHarness();
const pids = new Set<number>();
afterAll(() => killAll(pids));

const CHILD_ID = /SYN\d{4}/;

test('a worker run through a whole inspection with real synthetic lists logs JSON records and no child ID', async () => {
  const { env, h } = ctx;
  const worker = await startWorkerProcess(env.address, h, { JTAI_LOG_LEVEL: 'trace' });
  pids.add(worker.pid);
  const notifiedOn = notificationMonday('2090-01-01');
  const lists = realLists(notifiedOn);
  const submitted: string[] = [];
  const listFile: typeof lists = async (harness, deliverable, ids) => {
    const file = await lists(harness, deliverable, ids);
    submitted.push(file);
    return file;
  };

  const { inspectionId, final } = await OPTION_A_ON_TIME.run(env, h, listFile);
  // The worker checked real lists of children: every deliverable arrived, and the lists put children forward.
  expect(final.endedAt).toBeDefined();
  // Every deliverable owed arrived (those sent only where possible, such as the DCS note, were not).
  expect(
    final.deliverables.filter((d) => d.receivedAt === undefined && !d.optional).map((d) => d.id),
  ).toEqual([]);
  expect(
    Object.keys(await h.client.candidates(inspectionId)).filter((id) => CHILD_ID.test(id)).length,
  ).toBeGreaterThanOrEqual(20);
  expect(submitted.length).toBeGreaterThanOrEqual(12);

  // A list refused for an error in a child's row: the refusal names the row and column, to the uploader only.
  const refusedOn = notificationMonday('2090-03-01');
  await skipTo(env, at(refusedOn, 2, '11:00'));
  const refusing = await h.client.start({
    localAuthority: 'Refusing Borough',
    notifiedOn: refusedOn,
    option: 'A',
    contacts: CONTACTS,
  });
  const badDateOfBirth = realLists(refusedOn, (cells, i) => i === 2 && cells.set('dob', '31/02/2020'));
  const bad = await badDateOfBirth(h, 'list-6', ['SYN0901', 'SYN0902', 'SYN0903', 'SYN0904']);
  const refusal = await h.client
    .submit(refusing.inspectionId, 'list-6', 'local-authority', [{ path: bad }])
    .catch((err: unknown) => err);
  expect(refusal).toBeInstanceOf(JtaiError);
  expect((refusal as JtaiError).type).toBe('ListInvalid');
  await h.client.cancel(refusing.inspectionId, 'End of test');

  process.kill(worker.pid, 'SIGTERM');
  expect((await worker.exited).code).toBe(0);

  expect(h.smtp.messages.length).toBeGreaterThan(10);

  // Every line a record; from the worker itself, the SDK's worker, activities and workflows, and the core.
  const logged = records(worker);
  const components = new Set(logged.map((r) => r.sdkComponent ?? 'jtai'));
  expect([...components].sort()).toEqual(['activity', 'core', 'jtai', 'worker']);
  expect(new Set(logged.map((r) => r.name))).toEqual(new Set(['worker']));
  expect(logged).toContainEqual(
    expect.objectContaining({ sdkComponent: 'activity', msg: 'Email sent', workflowId: inspectionId }),
  );
  // The inspection has ended but is kept for its retention period (it completes when purged): started, not completed.
  expect(logged).toContainEqual(
    expect.objectContaining({ msg: 'Workflow started', workflowId: inspectionId }),
  );
  expect(logged.filter((r) => r.level === 'trace' || r.level === 'debug').length).toBeGreaterThan(100);
  expect(worker.output()).not.toMatch(CHILD_ID);
});
