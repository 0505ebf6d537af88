import ExcelJS from 'exceljs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import type { AgencyId } from '../../src/timeline/types';
import type { InspectionStatus } from '../../src/workflows/types';
import { openStore, type Store } from '../../src/infra/db';
import { buildApp, type BuildOptions } from '../../src/web/app';
import { pdf } from '../support/documents';
import type { Harness } from '../support/harness';

/** Shared by the web tests: an app per test (closed after it), sign-in, forms, synthetic list files. */

export const PASSWORDS = { coordinator: 'coordinator-password-1', manager: 'manager-password-1' };

const stores = new Map<string, Promise<Store>>();
/**
 * The store of a harness: the embedded database under its data dir (as the web app opens it), with a
 * coordinator `coord` and a manager `manager`; one per harness, closed after the test file.
 */
export function storeFor(h: Harness): Promise<Store> {
  let store = stores.get(h.dir);
  if (!store) {
    store = (async () => {
      const s = await openStore(h.deployment.config.database);
      if ((await s.users.count()) === 0) {
        await s.users.set('coord', 'coordinator', PASSWORDS.coordinator);
        await s.users.set('manager', 'manager', PASSWORDS.manager);
      }
      return s;
    })();
    stores.set(h.dir, store);
  }
  return store;
}
afterAll(async () => {
  for (const [dir, store] of stores) {
    stores.delete(dir);
    await (await store).close();
  }
}, 60_000);

const open: FastifyInstance[] = [];
/**
 * Build the app on the harness's client and deployment (or `options.deployment`, one made from it: other
 * limits, the same stores); every app built is closed by `closeApps`.
 */
export async function build(
  h: Harness,
  clock?: () => number,
  options: Partial<BuildOptions> = {},
): Promise<FastifyInstance> {
  const app = await buildApp({
    client: h.client,
    deployment: h.deployment,
    store: await storeFor(h),
    ...(clock ? { clock } : {}),
    ...options,
  });
  open.push(app);
  return app;
}
export async function closeApps(): Promise<void> {
  while (open.length) await open.pop()?.close();
}

/**
 * What the helpers below need of a web app: Fastify's `inject` (an app built in the test), or real HTTP requests
 * to a web app running in another process (`overHttp`).
 */
export interface Injects {
  inject(request: {
    method: 'GET' | 'POST';
    url: string;
    headers?: Record<string, string>;
    payload?: Buffer | Record<string, string>;
  }): Promise<Answer>;
}
export type Answer = Pick<
  LightMyRequestResponse,
  'statusCode' | 'headers' | 'body' | 'rawPayload' | 'cookies'
>;

/**
 * A web app listening at `baseUrl`, reached as a browser reaches it: redirects are not followed (the caller
 * sees the 303 and its cookies), and an object payload is sent as a form (application/x-www-form-urlencoded).
 */
export function overHttp(baseUrl: string): Injects {
  return {
    async inject({ method, url, headers = {}, payload }) {
      const form = payload && !Buffer.isBuffer(payload) ? new URLSearchParams(payload).toString() : undefined;
      const res = await fetch(new URL(url, baseUrl), {
        method,
        redirect: 'manual',
        headers: form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
        ...(payload ? { body: form ?? new Uint8Array(payload as Buffer) } : {}),
      });
      const rawPayload = Buffer.from(await res.arrayBuffer());
      return {
        statusCode: res.status,
        headers: Object.fromEntries(res.headers),
        body: rawPayload.toString('utf8'),
        rawPayload,
        cookies: res.headers.getSetCookie().map((line) => {
          const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
          const at = pair.indexOf('=');
          const maxAge = attributes.find((a) => /^max-age=/i.test(a))?.split('=')[1];
          return {
            name: pair.slice(0, at),
            value: decodeURIComponent(pair.slice(at + 1)),
            ...(maxAge === undefined ? {} : { maxAge: Number(maxAge) }),
          };
        }),
      };
    },
  };
}

/** Cookies a browser would keep, from a response, merged into a jar. */
export function keepCookies(
  jar: Record<string, string>,
  res: Pick<Answer, 'cookies'>,
): Record<string, string> {
  for (const c of res.cookies) {
    if (c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0)) delete jar[c.name];
    else jar[c.name] = c.value;
  }
  return jar;
}
export const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** The CSRF token in a page's forms (hidden field, or the action's query string). */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html) ?? /[?&]_csrf=([^"&]+)/.exec(html);
  if (!m?.[1]) throw new Error('No CSRF token on the page');
  return decodeURIComponent(m[1].replace(/&amp;/g, '&'));
}

/** The sign-in form posted once, as a browser would: the answer, and the cookies kept after it. */
export async function postSignIn(app: Injects, username: string, password: string, next = '') {
  const jar: Record<string, string> = {};
  const page = await app.inject({ method: 'GET', url: '/sign-in' });
  keepCookies(jar, page);
  const res = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: cookieHeader(jar) },
    payload: { username, password, _csrf: csrfFrom(page.body), next },
  });
  return { res, jar: keepCookies(jar, res) };
}

/** Sign in through the form; returns the cookie jar of the session. */
export async function signIn(app: Injects, username: string, password: string) {
  const { res, jar } = await postSignIn(app, username, password);
  if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode}`);
  return jar;
}

/** A multipart body as a browser sends it. */
export async function multipart(
  fields: Record<string, string>,
  files: { field: string; name: string; content: Buffer | string; type?: string }[] = [],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files)
    form.append(f.field, new Blob([f.content], { type: f.type ?? 'application/octet-stream' }), f.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

/**
 * GET a page of a link, then POST a multipart form to the action on it, with the page's cookies; a 303 (the
 * receipt, post/redirect/get) is followed with a GET as a browser does, and that page is the answer.
 */
export async function postForm(
  app: Injects,
  pageUrl: string,
  fields: Record<string, string>,
  files: Parameters<typeof multipart>[1] = [],
) {
  const jar: Record<string, string> = {};
  const page = await app.inject({ method: 'GET', url: pageUrl });
  expect(page.statusCode).toBe(200);
  keepCookies(jar, page);
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
  expect(action).toBeDefined();
  const updateId = /name="updateId" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const body = await multipart({ updateId, ...fields }, files);
  const posted = await app.inject({
    method: 'POST',
    url: action ?? '',
    headers: { ...body.headers, cookie: cookieHeader(jar) },
    payload: body.payload,
  });
  const next = posted.statusCode === 303 ? posted.headers.location : undefined;
  if (typeof next !== 'string') return posted;
  return app.inject({
    method: 'GET',
    url: next,
    headers: { cookie: cookieHeader(keepCookies(jar, posted)) },
  });
}

/** The link an agency was given (the same signing as the emails). */
export function agencyToken(
  h: Pick<Harness, 'deployment'>,
  state: InspectionStatus,
  agency: AgencyId,
): string {
  return h.deployment.links.sign({
    inspectionId: state.inspectionId,
    agency,
    version: state.linkVersions[agency],
    run: state.runNonce,
    expiresAt: state.closesAt + 14 * 86_400_000,
  });
}

/** A synthetic list 6 workbook (SYN0001…); `breakRow` gets a date of birth that does not exist. */
export async function list6(notifiedOn: string, rows: number, breakRow?: number): Promise<Buffer> {
  const headers = syntheticHeaders('6');
  const dob = headers.findIndex((x) => /date of birth/i.test(x));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('List 6');
  ws.addRow(headers);
  for (let i = 1; i <= rows; i++) {
    const row = syntheticRow('6', i, { notifiedOn });
    if (i === breakRow) row[dob] = '31/02/2020';
    ws.addRow(row);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const DOB_HEADER = syntheticHeaders('6').find((x) => /date of birth/i.test(x)) ?? '';

/**
 * Every file under an inspection's local store (blobs, and anything left in its `incoming/` folder), with its
 * size: what a test compares before and after an upload to see what was kept.
 */
export async function storeContents(
  h: Pick<Harness, 'deployment'>,
  inspectionId: string,
): Promise<Map<string, number>> {
  const root = path.join(h.deployment.config.filesDir, inspectionId);
  const found = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else found.set(path.relative(root, p), (await stat(p)).size);
    }
  };
  await walk(root);
  return found;
}

/** HTTP Basic credentials, as the API's callers send them. */
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

export const MB = 1024 * 1024;
/** A synthetic PDF of `bytes` bytes (a PDF header, then `fill`): distinct fills, distinct stored files. */
export function pdfOf(bytes: number, fill: number): Buffer {
  const b = Buffer.alloc(bytes, fill);
  pdf.copy(b);
  return b;
}

/** The error summary of a page (its problems, each linked to its field). */
export const errorSummary = (html: string) =>
  /<div class="govuk-error-summary"[\s\S]*?<\/div>\s*<\/div>/.exec(html)?.[0] ?? '';
