import { JtaiError } from '../../src/client/errors';
import type { InspectionSummary } from '../../src/client/read-model';
import { until } from '../support/eventually';
import { CONTACTS, upcomingNotificationMonday, useHarness } from '../support/harness';
import { createDevServerEnv } from '../support/temporal';
import { basic, build, closeApps, cookieHeader, PASSWORDS, signIn, storeFor } from './support';

/**
 * Inspections a page at a time (the client, the API and the dashboard), open ones first, on a real dev server
 * whose visibility store answers the queries. Six inspections, two of them cancelled (cancelled inspections
 * stay until they are purged, so they are listed, after the open ones), one started while no worker runs.
 */
jest.setTimeout(240_000);
const ctx = useHarness({}, { createEnv: createDevServerEnv });
afterAll(closeApps);

const NAMES = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'].map((n) => `${n} Paging Borough`);
const CANCELLED = new Set([NAMES[1], NAMES[3]]);
const ended = (s: InspectionSummary) => s.stage === 'cancelled';

test('pages hold every inspection once, open ones first; a bad cursor is refused; the API and dashboard link on', async () => {
  const notifiedOn = upcomingNotificationMonday();
  // Started with no worker running (as when starts lag): listed at once, open, with its local authority.
  const { inspectionId: waiting } = await ctx.h.client.start({
    localAuthority: NAMES[5] ?? '',
    notifiedOn,
    option: 'B',
    contacts: CONTACTS,
  });
  const listed = await until('the inspection started with no worker listed', async () =>
    (await ctx.h.client.listPage()).inspections.find((s) => s.inspectionId === waiting),
  );
  expect(listed).toMatchObject({ localAuthority: NAMES[5], stage: 'case-lists', status: 'RUNNING' });

  await ctx.h.run(async () => {
    for (const localAuthority of NAMES.slice(0, 5)) {
      const { inspectionId } = await ctx.h.client.start({
        localAuthority,
        notifiedOn,
        option: 'A',
        contacts: CONTACTS,
      });
      if (CANCELLED.has(localAuthority)) await ctx.h.client.cancel(inspectionId, 'started in error');
    }
    // Visibility is written after each workflow task: wait until all six show their stage.
    await until('six inspections listed with their stages', async () => {
      const { inspections } = await ctx.h.client.listPage({ pageSize: 500 });
      return inspections.length === 6 && inspections.filter(ended).length === 2;
    });

    const pages: InspectionSummary[][] = [];
    let page: string | undefined;
    do {
      const next = await ctx.h.client.listPage({ pageSize: 2, ...(page ? { page } : {}) });
      pages.push(next.inspections);
      page = next.nextPage;
    } while (page && pages.length < 10);
    // A full page may be followed by an empty last one (the visibility store cannot tell there is no more).
    expect(pages.map((p) => p.length).join()).toMatch(/^2,2,2(,0)?$/);
    const order = pages.flat();
    expect(new Set(order.map((s) => s.inspectionId)).size).toBe(6);
    expect(order.map((s) => s.localAuthority).sort()).toEqual([...NAMES].sort());
    // Open ones first, ended ones last.
    expect(order.map(ended)).toEqual([false, false, false, false, true, true]);

    const tampered = Buffer.from(JSON.stringify({ phase: 7 })).toString('base64url');
    for (const bad of ['not-a-cursor', tampered])
      await expect(ctx.h.client.listPage({ page: bad })).rejects.toThrow(
        expect.objectContaining({
          type: 'Invalid',
          message: expect.stringMatching(/page link is not valid/),
        }),
      );
    await expect(ctx.h.client.listPage({ page: tampered })).rejects.toBeInstanceOf(JtaiError);

    const app = await build(ctx.h);
    const auth = basic('manager', PASSWORDS.manager);
    await storeFor(ctx.h);
    const first = await app.inject({ url: '/api/inspections?pageSize=4', headers: auth });
    expect(first.statusCode).toBe(200);
    const body = first.json<{ inspections: InspectionSummary[]; nextPage?: string }>();
    expect(body.inspections).toHaveLength(4);
    expect(body.nextPage).toEqual(expect.any(String));
    const second = await app.inject({
      url: `/api/inspections?pageSize=4&page=${encodeURIComponent(body.nextPage ?? '')}`,
      headers: auth,
    });
    expect(second.json<{ inspections: InspectionSummary[]; nextPage?: string }>()).toEqual({
      inspections: [expect.any(Object), expect.any(Object)],
      rehearsals: [],
    });
    expect((await app.inject({ url: '/api/inspections?page=garbage', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/inspections?pageSize=0', headers: auth })).statusCode).toBe(400);

    const cookie = cookieHeader(await signIn(app, 'coord', PASSWORDS.coordinator));
    const dashboard = await app.inject({ url: '/?pageSize=4', headers: { cookie } });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('4 inspections on this page, open ones first');
    const next = /class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next"/.exec(
      dashboard.body,
    )?.[1];
    expect(next).toMatch(/^\/\?page=.+&amp;pageSize=4$/);
    const last = await app.inject({ url: (next ?? '').replace(/&amp;/g, '&'), headers: { cookie } });
    expect(last.statusCode).toBe(200);
    expect(last.body).toContain('2 inspections on this page');
    expect(last.body).toContain('First page');
    expect(last.body).not.toContain('rel="next"');
    const refused = await app.inject({ url: '/?page=garbage', headers: { cookie } });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('page link is not valid');
  });
});
