import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/infra/config';
import { createDeployment } from '../../src/infra';
import { msToTs } from '@temporalio/common/lib/time';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import { createWorker } from '../../src/worker/worker';
import { upcomingNotificationMonday, workflowBundle } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';

/**
 * The CLI as the business unit uses it, as separate processes against a real Temporal dev server
 * (search attributes registered, visibility for `jtai list`) and a worker; mail to the outbox folder.
 * The dev server runs in real time, so the inspection is notified on the upcoming Monday (see
 * `upcomingNotificationMonday`): nothing falls due while the test runs, whatever the date.
 */
const run = promisify(execFile);
/** Each `jtai` is a new Node process (a few seconds each on a busy machine): generous, as CI is busy. */
const CLI_TIMEOUT = 240_000;
const ROOT = path.join(__dirname, '../..');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let dir: string;
let vars: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await createDevServerEnv();
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-cli-'));
  vars = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    JTAI_DATA_DIR: dir,
    TEMPORAL_TASK_QUEUE: 'cli-test',
  };
  const deployment = createDeployment(loadConfig(vars));
  worker = await createWorker({
    deployment,
    connection: env.nativeConnection,
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await rm(dir, { recursive: true, force: true });
});

/** Run `jtai …`; never throws: returns exit code, stdout and stderr. */
async function jtai(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // As users run it: the compiled bundle when dist/ is up to date (npm test builds it), else the sources.
    const { stdout, stderr } = await run(path.join(ROOT, 'bin', 'jtai'), args, { cwd: ROOT, env: vars });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The packages a `jtai …` process loaded by the time it exited (a command's start-up cost is mostly these). */
async function packagesLoadedBy(args: string[], env: NodeJS.ProcessEnv = vars): Promise<string[]> {
  const report =
    "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)" +
    '.map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))));' +
    `process.argv = [process.argv[0], 'jtai', ...${JSON.stringify(args)}]; require('./src/client/cli.ts').main();`;
  const out = await run(process.execPath, ['--import', 'tsx', '-e', report], { cwd: ROOT, env }).catch(
    (err: { stderr: string }) => err,
  );
  const line = /LOADED (.*)/.exec(out.stderr)?.[1];
  if (!line) throw new Error(`no report from jtai ${args.join(' ')}: ${out.stderr}`);
  return [...new Set(JSON.parse(line) as string[])];
}

test(
  'each command loads what it runs: help loads no validation, Temporal, YAML or workbook code; the timeline no Temporal; status not the workflow SDK',
  async () => {
    const [help, timeline, validate, status] = await Promise.all([
      packagesLoadedBy(['--help']),
      packagesLoadedBy(['timeline', '--notified', '2026-11-23', '--json']),
      packagesLoadedBy(['lists', 'validate', '--list', '6', path.join(dir, 'none.csv')]),
      // A frontend nobody answers: status loads all it needs before it finds that out.
      packagesLoadedBy(['status', 'inspection-x'], { ...vars, TEMPORAL_ADDRESS: '127.0.0.1:1' }),
    ]);
    expect(help).toContain('commander');
    for (const heavy of ['zod', 'yaml', 'exceljs', '@temporalio/client', '@temporalio/common', 'luxon'])
      expect(help).not.toContain(heavy);
    expect(timeline).toEqual(expect.arrayContaining(['zod', 'luxon']));
    for (const heavy of ['yaml', 'exceljs', '@temporalio/client', '@temporalio/common', 'archiver'])
      expect(timeline).not.toContain(heavy);
    for (const heavy of ['@temporalio/client', 'archiver', 'yaml']) expect(validate).not.toContain(heavy);
    expect(status).toContain('@temporalio/client');
    for (const heavy of ['@temporalio/workflow', 'file-type', 'exceljs', 'archiver', 'yaml'])
      expect(status).not.toContain(heavy);
  },
  CLI_TIMEOUT,
);

test(
  'timeline: Annex C in UK time, as a table, JSON and a calendar file; Easter counted in working days',
  async () => {
    const [table, jsonOut, icsOut, sunday] = await Promise.all([
      jtai('timeline', '--notified', '2027-03-22', '--option', 'A'),
      jtai('timeline', '--notified', '2027-03-22', '--json'),
      jtai('timeline', '--notified', '2026-11-23', '--ics'),
      jtai('timeline', '--notified', '2026-11-22'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/4\s+Tue 30 Mar 2027, 10:00\s+Lead inspector\s+selection-tracked/);
    const json = JSON.parse(jsonOut.stdout) as { deliverables: { id: string; dueAt: string; day: number }[] };
    expect(json.deliverables.find((d) => d.id === 'list-referrals')).toMatchObject({
      day: 8,
      dueAt: '2027-04-05T16:00:00.000Z',
    });
    const ics = icsOut.stdout;
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(35);
    expect(ics).toContain('DTSTART:20261125T150000Z');
    expect(sunday).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^jtai: The notification date 2026-11-22 is not a working day \(Sunday\)/,
      ),
    });
  },
  CLI_TIMEOUT,
);

test(
  'start, list, status, submit, refusals: what the business unit does, one clear line on every refusal',
  async () => {
    const bad = path.join(dir, 'bad-contacts.yaml');
    await writeFile(
      bad,
      (await readFile(path.join(ROOT, 'examples/contacts.yaml'), 'utf8')).replace(
        'police.superintendent@example.org',
        'not-an-email',
      ),
    );
    const notified = upcomingNotificationMonday();
    const startArgs = ['start', '--local-authority', 'Cli Borough', '--notified', notified, '--option', 'A'];
    const refused = await jtai(...startArgs, '--contacts', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /bad-contacts\.yaml line 16: agencies\.police\.escalation: .*not-an-email/,
    );
    // A notification date whose deadlines have passed: refused unless it is said to be a late start.
    const past = ['start', '--local-authority', 'Past Borough', '--notified', '2025-11-03', '--option', 'A'];
    const late = await jtai(...past, '--contacts', 'examples/contacts.yaml');
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(
      /^jtai: Notified on \d{4}-\d{2}-\d{2}, \d+ deadlines? ha(s|ve) already passed .*late start/,
    );
    expect(JSON.parse((await jtai('list', '--json')).stdout)).toEqual({ inspections: [], rehearsals: [] });

    const started = await jtai(...startArgs, '--contacts', 'examples/contacts.yaml');
    expect(started).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Started inspection-cli-borough-${notified}: 35 deliverables`),
    });
    const id = `inspection-cli-borough-${notified}`;
    const [badChange, goodChange] = await Promise.all([
      jtai('contacts', id, '--contacts', bad),
      jtai('contacts', id, '--contacts', 'examples/contacts.yaml'),
    ]);
    expect(badChange).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/line 16: agencies\.police\.escalation/),
    });
    expect(goodChange).toMatchObject({ code: 0, stdout: `Contacts of ${id} replaced.\n` });
    expect((await jtai(...startArgs, '--contacts', 'examples/contacts.yaml')).stderr).toMatch(
      /already exists/,
    );

    // A YOT list, built from the list specification with synthetic IDs.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('YOT');
    ws.addRow(syntheticHeaders('yot'));
    for (let i = 1; i <= 3; i++) ws.addRow(syntheticRow('yot', i, { notifiedOn: notified }));
    const yot = path.join(dir, 'yot.xlsx');
    await wb.xlsx.writeFile(yot);
    const submitted = await jtai('submit', id, 'list-yot', '--agency', 'youth-justice', yot);
    expect(submitted).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Received list-yot/) });

    const status = JSON.parse((await jtai('status', id, '--json')).stdout) as {
      deliverables: { id: string; status: string; received?: { files: { name: string }[] } }[];
      stage: string;
    };
    expect(status.stage).toBe('case-lists');
    expect(status.deliverables.find((d) => d.id === 'list-yot')).toMatchObject({
      status: expect.stringMatching(/^received/),
      received: { files: [{ name: 'yot.xlsx' }] },
    });
    expect((await jtai('status', id)).stdout).toMatch(/Youth justice \(YOT\)\s+list-yot\s+received/);

    const listed = JSON.parse((await jtai('list', '--json')).stdout) as {
      inspections: { inspectionId: string; stage: string; localAuthority: string }[];
    };
    expect(listed.inspections).toEqual([
      expect.objectContaining({ inspectionId: id, localAuthority: 'Cli Borough', stage: 'case-lists' }),
    ]);

    const refusals: [string[], RegExp][] = [
      [['submit', id, 'list-9', '--agency', 'local-authority', yot], /no deliverable "list-9"/],
      [['submit', id, 'list-6', '--agency', 'police', yot], /owed by local-authority, not police/],
      [
        ['select', id, '--twenty', ...Array.from({ length: 21 }, (_, i) => `SYN${1000 + i}`)],
        /up to 20 children; 21 were given/,
      ],
      [['select', id, '--twenty', 'SYN0001', 'NOT-ON-A-LIST'], /position 2 is not on any list received/],
      [['extend', id, 'list-7', '--to', '2026-11-20 17:00', '--reason', 'x'], /already passed/],
      [['extend', id, 'list-7', '--to', 'next Tuesday', '--reason', 'x'], /next Tuesday/],
      [['waive', id, 'annex-a-documents', '--reason', 'x'], /owed by several agencies/],
    ];
    const results = await Promise.all(refusals.map(([args]) => jtai(...args)));
    for (const [i, [args, message]] of refusals.entries()) {
      const result = results[i];
      expect({ args, code: result?.code }).toEqual({ args, code: 1 });
      expect(
        result?.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('jtai:')),
      ).toEqual([expect.stringMatching(message)]);
    }

    expect((await jtai('cancel', id, '--reason', 'Test over')).code).toBe(0);
    expect((await jtai('waive', id, 'list-7', '--reason', 'x')).stderr).toMatch(/has ended|cancelled/);
    const outbox = path.join(dir, 'outbox');
    const mails = await import('node:fs/promises').then((fs) => fs.readdir(outbox));
    expect(mails.length).toBeGreaterThanOrEqual(6);
    for (const name of mails) expect(await readFile(path.join(outbox, name), 'utf8')).not.toMatch(/SYN\d{4}/);
  },
  CLI_TIMEOUT,
);

test(
  'list on a namespace without jtai search attributes: one line saying what to register, not a stack',
  async () => {
    // A server jtai did not set up: its namespace has none of the Jtai* search attributes.
    const namespace = 'cli-no-search-attributes';
    await env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const list = () => jtai('list', '--json');
    vars = { ...vars, TEMPORAL_NAMESPACE: namespace };
    try {
      // The new namespace reaches the frontend's cache within seconds.
      let result = await list();
      for (let i = 0; i < 30 && /not found/i.test(result.stderr); i++) {
        await new Promise((r) => setTimeout(r, 2_000));
        result = await list();
      }
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe(
        `jtai: Temporal's namespace ${namespace} has no search attribute JtaiStage: register jtai's search ` +
          'attributes (docs/deploy.md) or set JTAI_SEARCH_ATTRIBUTES=off.\n',
      );
      vars = { ...vars, JTAI_SEARCH_ATTRIBUTES: 'off' };
      expect(JSON.parse((await list()).stdout)).toEqual({ inspections: [], rehearsals: [] });
    } finally {
      const { TEMPORAL_NAMESPACE: _n, JTAI_SEARCH_ATTRIBUTES: _s, ...rest } = vars;
      vars = rest;
    }
  },
  CLI_TIMEOUT,
);
