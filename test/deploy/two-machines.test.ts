/**
 * The deployment issue's "More than one machine", on real parts: one Temporal dev server, one PostgreSQL (the web
 * app's users, sessions and audit log), one S3-compatible object store (moto), one loopback SMTP server, and two
 * machines, A and B, each running a worker and a web app as `npm run start:dev` runs them (four processes, each
 * with its own data directory and so its own scratch space).
 *
 * What the machines share is what two real machines would: the object store for agencies' files (and the wrapped
 * data keys beside them; a data directory shared between machines would need a network file system, which the
 * deployment does not assume), the database, Temporal, the mail relay, and the same configuration. The keys are
 * made once by `deploy/make-secrets.sh` and each machine gets its own copy of the key files in its own keys folder
 * (`JTAI_KEYS_DIR`), as docker secrets or a secrets manager hand them out: no disk is shared.
 */
import type { ParsedMail } from 'mailparser';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Delivery, InspectionStatus } from '../../src/workflows/types';
import {
  appProcess,
  createFaults,
  type Faults,
  messageIdFor,
  seconds,
  stateOf,
  type WorkerProcess,
} from '../faults/support';
import { until } from '../support/eventually';
import { CONTACTS, upcomingNotificationMonday } from '../support/harness';
import { freePort, startPostgres, type PostgresServer } from '../support/postgres';
import { startS3TestServer, type S3TestServer } from '../support/s3';
import { addresses } from '../support/smtp';
import { csrfFrom, cookieHeader, type Injects, list6, overHttp, postForm, signIn } from '../web/support';

jest.setTimeout(30 * 60_000);

/** Four processes starting at once on two busy cores: a worker alone can take a minute or more. */
const START_MS = 10 * 60_000;
const ROOT = path.join(__dirname, '../..');
const KEY_FILES = ['files.key', 'payloads.key', 'links.key', 'web-session.key'];

interface Machine {
  name: 'A' | 'B';
  worker: WorkerProcess;
  web: WorkerProcess;
  /** The web app, reached over HTTP. */
  http: Injects;
}

let pg: PostgresServer;
let s3: S3TestServer;
let f: Faults;
let root: string;
let a: Machine;
let b: Machine;
const began = Date.now();
const timings: string[] = [];
const note = (what: string) => timings.push(`${what} at ${seconds(Date.now() - began)}`);

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3TestServer()]);
  root = await mkdtemp(path.join(tmpdir(), 'jtai-two-machines-'));
  // The operator makes the secrets once; each machine is given its own copy of the key files.
  const secrets = path.join(root, 'secrets');
  await promisify(execFile)('sh', [path.join(ROOT, 'deploy/make-secrets.sh'), secrets]);
  const keysOf = async (machine: string) => {
    const dir = path.join(root, `keys-${machine}`);
    await mkdir(dir, { mode: 0o700 });
    for (const file of KEY_FILES) await copyFile(path.join(secrets, file), path.join(dir, file));
    return dir;
  };
  const { settings } = s3;
  // Machine A's worker (and the test's client, a CLI on machine A) come from the fault tests' support.
  f = await createFaults({
    DATABASE_URL: await pg.createDatabase(),
    JTAI_FILE_STORE: 's3',
    S3_ENDPOINT: settings.endpoint,
    S3_REGION: settings.region,
    S3_BUCKET: settings.bucket,
    S3_PREFIX: settings.prefix,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: settings.credentials?.accessKeyId,
    S3_SECRET_ACCESS_KEY: settings.credentials?.secretAccessKey,
    JTAI_KEYS_DIR: await keysOf('a'),
  });
  const machine = async (name: 'A' | 'B', keysDir: string, worker?: WorkerProcess): Promise<Machine> => {
    const port = await freePort();
    const own = (dir: string) => ({
      ...f.workerEnv,
      JTAI_DATA_DIR: path.join(root, dir),
      JTAI_KEYS_DIR: keysDir,
    });
    const web = appProcess(
      'web',
      { ...own(`web-${name}`), WEB_PORT: String(port), WEB_HOST: '127.0.0.1' },
      path.join(root, `web-${name}.log`),
    );
    return {
      name,
      worker: worker ?? appProcess('worker', own(`worker-${name}`), path.join(root, `worker-${name}.log`)),
      web,
      http: overHttp(`http://127.0.0.1:${port}`),
    };
  };
  a = await machine('A', f.workerEnv.JTAI_KEYS_DIR ?? '', f.worker);
  b = await machine('B', await keysOf('b'));
  await Promise.all([
    a.worker.start(START_MS),
    b.worker.start(START_MS),
    a.web.start(START_MS),
    b.web.start(START_MS),
  ]);
  note('two workers and two web apps ready');
}, 20 * 60_000);

afterAll(async () => {
  for (const m of [a, b]) await Promise.all([m?.web.kill(), m?.worker.kill()]);
  await f?.close();
  await Promise.all([s3?.stop(), pg?.stop()]);
  if (root) await rm(root, { recursive: true, force: true });
  console.log(`two machines: ${timings.join('; ')}`);
}, 120_000);

/** The coordinator account the first web app to start made, and printed once. */
function coordinatorPassword(): string {
  const printed = [a, b].flatMap((m) =>
    [...m.web.log().matchAll(/^ {2}password: (\S+)$/gm)].map((x) => x[1]),
  );
  expect(printed).toHaveLength(1);
  return printed[0] ?? '';
}

test('a staff session made on web A works on web B; signing out on B ends it on A', async () => {
  const jar = await signIn(a.http, 'coordinator', coordinatorPassword());
  const onB = await b.http.inject({ method: 'GET', url: '/', headers: { cookie: cookieHeader(jar) } });
  expect(onB.statusCode).toBe(200);
  expect(onB.body).toContain('Sign out coordinator');
  // Without the cookie, B asks for a sign-in: it is the session that carries over.
  expect((await b.http.inject({ method: 'GET', url: '/' })).statusCode).toBe(302);

  const out = await b.http.inject({
    method: 'POST',
    url: '/sign-out',
    headers: { cookie: cookieHeader(jar) },
    payload: { _csrf: csrfFrom(onB.body) },
  });
  expect(out.statusCode).toBe(303);
  const afterOnA = await a.http.inject({ method: 'GET', url: '/', headers: { cookie: cookieHeader(jar) } });
  expect(afterOnA.statusCode).toBe(302);
  expect(afterOnA.headers.location).toBe('/sign-in');
});

/** The inspection an email is about (its X-Jtai-Inspection header). */
function inspectionOf(mail: ParsedMail): string {
  const value = mail.headers.get('x-jtai-inspection');
  return typeof value === 'string' ? value : '';
}

const emailsSentBy = (m: Machine) => m.worker.runEntries().filter((r) => r.msg === 'Email sent').length;

/**
 * SIGKILL a machine's worker mid-send: once some email of `inspectionIds` has been acknowledged and at least two
 * wait for their 250 (with both workers sending, one of them is most likely this worker's). Whether it was is
 * seen afterwards: a send the killed worker had started times out and is retried flagged possibleDuplicate.
 */
async function killMidSend(m: Machine, inspectionIds: string[]): Promise<void> {
  await until(
    `emails of ${inspectionIds.join(', ')} in flight`,
    () =>
      f.smtp.unacknowledged >= 2 &&
      f.smtp.messages.filter((x) => inspectionIds.includes(inspectionOf(x))).length > f.smtp.unacknowledged,
    START_MS,
  );
  const at = `${f.smtp.messages.length} delivered, ${f.smtp.unacknowledged} in flight`;
  await m.worker.kill();
  note(`worker ${m.name} killed (${at})`);
}

async function startInspections(names: string[]): Promise<string[]> {
  const notifiedOn = upcomingNotificationMonday();
  const ids: string[] = [];
  for (const localAuthority of names)
    ids.push(
      (await f.client.start({ localAuthority, notifiedOn, option: 'A', contacts: CONTACTS })).inspectionId,
    );
  return ids;
}

/** Every email an inspection has queued so far is sent (none queued or failing). */
async function allSent(ids: string[], what: string): Promise<InspectionStatus[]> {
  return until(
    what,
    async () => {
      const states: InspectionStatus[] = [];
      for (const id of ids) states.push(await stateOf(f.client, id));
      return (
        states.every((s) => s.outbox.every((x) => x.status === 'sent' || x.status === 'skipped')) && states
      );
    },
    START_MS,
  );
}

/** The local authority's link from its request email, on the machine that serves it. */
function agencyLink(inspectionId: string): string {
  const mail = f.smtp.messages.find(
    (x) => inspectionOf(x) === inspectionId && addresses(x.to).includes('la@example.org'),
  );
  const token = /http:\/\/jtai\.test\/a\/(\S+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`No request email with a link to the local authority for ${inspectionId}`);
  return `/a/${token}`;
}

/** List 6 uploaded through a web app's agency page (multipart form with its CSRF token); the receipt page. */
async function uploadList6(web: Machine, inspectionId: string, name: string): Promise<void> {
  const content = await list6(upcomingNotificationMonday(), 12);
  const res = await postForm(web.http, `${agencyLink(inspectionId)}/d/list-6`, {}, [
    { field: 'file', name, content },
  ]);
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('govuk-panel');
  note(`list 6 of ${inspectionId} recorded through web ${web.name}`);
}

test('either worker killed mid-send: emails still go and uploads still record; every email once, a second copy only where flagged; an upload through web A is seen on web B', async () => {
  f.smtp.delayMs = 800; // a kill in the 0.8 s between reading a message and acknowledging it leaves it unknown
  const first = await startInspections([1, 2, 3].map((n) => `Two Machines Borough ${n}`));
  await killMidSend(a, first);
  const sentByBBefore = emailsSentBy(b);
  await allSent(first, 'the request emails of the first inspections, with worker A dead');
  note('first inspections’ emails all sent with worker A dead');
  expect(emailsSentBy(b)).toBeGreaterThan(sentByBBefore);

  // An upload through web A while worker A is dead: worker B checks the list and records it.
  await uploadList6(a, first[0] ?? '', 'list-6 from machine A.xlsx');
  const state = await stateOf(f.client, first[0] ?? '');
  expect(state.deliverables.find((d) => d.id === 'list-6')?.submissions).toHaveLength(1);

  // Web B shows it: on the agency's page, on the staff timeline, and it opens the file itself (the pack).
  const agencyPage = await b.http.inject({ method: 'GET', url: `${agencyLink(first[0] ?? '')}/d/list-6` });
  expect(agencyPage.statusCode).toBe(200);
  expect(agencyPage.body).toMatch(/Received[\s\S]*?\(1 file\(s\)\)/);
  const staff = await signIn(a.http, 'coordinator', coordinatorPassword());
  const staffPage = await b.http.inject({
    method: 'GET',
    url: `/inspections/${first[0]}/timeline`,
    headers: { cookie: cookieHeader(staff) },
  });
  expect(staffPage.statusCode).toBe(200);
  expect(staffPage.body).toMatch(/Received [^<]*: 1 file\(s\)/);
  const pack = await b.http.inject({
    method: 'GET',
    url: `/inspections/${first[0]}/pack.zip`,
    headers: { cookie: cookieHeader(staff) },
  });
  expect(pack.statusCode).toBe(200);
  // The pack names the file by what it is (never by the name it was sent with).
  expect(pack.rawPayload.includes('List 6 - children in need.xlsx')).toBe(true);

  // Worker A back, worker B killed mid-send; an upload through web B is checked and recorded by worker A.
  await a.worker.start(START_MS);
  note('worker A started again');
  const second = await startInspections([5, 6, 7].map((n) => `Two Machines Borough ${n}`));
  await killMidSend(b, second);
  await uploadList6(b, second[0] ?? '', 'list-6 from machine B.xlsx');
  const all = [...first, ...second];
  const states = await allSent(all, 'every email of every inspection, with worker B dead');
  note('every email sent');
  expect(emailsSentBy(a)).toBeGreaterThan(0);

  // Against the outbox: what arrived is what the workflows meant to send, each at least once…
  const deliveries = states.flatMap((s) =>
    s.outbox
      .filter((x) => x.status === 'sent')
      .map((x) => ({ ...x, inspectionId: s.inspectionId, messageId: messageIdFor(s.inspectionId, x.key) })),
  );
  const copies = new Map<string, ParsedMail[]>();
  for (const m of f.smtp.messages)
    copies.set(m.messageId ?? '', [...(copies.get(m.messageId ?? '') ?? []), m]);
  expect([...copies.keys()].sort()).toEqual(deliveries.map((x) => x.messageId).sort());
  // …and a second copy (same Message-ID, or the same subject to the same people) only where flagged.
  const byId = new Map<string, Delivery>(deliveries.map((x) => [x.messageId, x]));
  const duplicated = [...copies.entries()].filter(([, list]) => list.length > 1).map(([id]) => byId.get(id));
  for (const x of duplicated) expect(x?.possibleDuplicate).toBe(true);
  // Each kill left sends of its worker unknown: they timed out and went again, flagged.
  expect(deliveries.filter((x) => x.possibleDuplicate).length).toBeGreaterThanOrEqual(1);
  const sameMail = new Map<string, number>();
  for (const m of f.smtp.messages) {
    const key = JSON.stringify([addresses(m.to).sort(), addresses(m.cc).sort(), m.subject]);
    if (!byId.get(m.messageId ?? '')?.possibleDuplicate) sameMail.set(key, (sameMail.get(key) ?? 0) + 1);
  }
  expect([...sameMail.values()].filter((n) => n > 1)).toEqual([]);
  const receipts = deliveries.filter((x) => x.template === 'receipt');
  expect(receipts.map((x) => x.inspectionId).sort()).toEqual([first[0], second[0]].sort());

  console.log(
    [
      `two machines: ${deliveries.length} emails for ${all.length} inspections, ${f.smtp.messages.length} delivered, ` +
        `${duplicated.length} sent twice, ${deliveries.filter((x) => x.possibleDuplicate).length} flagged possible duplicate`,
      `emails sent by worker A ${a.worker.entries().filter((r) => r.msg === 'Email sent').length} (${a.worker.starts} starts), ` +
        `by worker B ${b.worker.entries().filter((r) => r.msg === 'Email sent').length}`,
    ].join('\n'),
  );
});
