/**
 * `npm run bench:web`: how fast the pages render with 50 inspections.
 *
 * Starts a Temporal dev server (in memory) and a worker, starts 50 inspections, serves the web app on
 * 127.0.0.1 (a random port), signs in, then requests the dashboard, an inspection page and an agency page
 * a few hundred times each over loopback (a plain loop of fetches, a few at a time, bounded in count and
 * time) and prints p50 / p95 / p99 in milliseconds. Target: p95 under 200 ms.
 *
 * Environment: BENCH_INSPECTIONS (50), BENCH_REQUESTS (300 per page), BENCH_CONCURRENCY (4).
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/web/app';
import { openStore } from '../src/infra/db';
import { CONTACTS, createHarness, upcomingNotificationMonday } from '../test/support/harness';
import { createDevServerEnv } from '../test/support/temporal';

const INSPECTIONS = Number(process.env.BENCH_INSPECTIONS || 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 4);
const TIME_LIMIT_MS = 60_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

async function measure(name: string, urls: () => string, headers: Record<string, string>) {
  const times: number[] = [];
  let failures = 0;
  const started = Date.now();
  let issued = 0;
  const worker = async () => {
    while (issued < REQUESTS && Date.now() - started < TIME_LIMIT_MS) {
      issued++;
      const t0 = performance.now();
      const res = await fetch(urls(), { headers, redirect: 'manual' });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  times.sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `${name.padEnd(16)} n=${String(times.length).padStart(4)}  p50 ${f(percentile(times, 50))} ms  p95 ${f(percentile(times, 95))} ms  p99 ${f(percentile(times, 99))} ms${failures ? `  (${failures} not 200)` : ''}`,
  );
  return { p95: percentile(times, 95), failures };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const env = await createDevServerEnv();
  const h = await createHarness(env);
  try {
    await h.run(async () => {
      const notifiedOn = upcomingNotificationMonday();
      const ids: string[] = [];
      for (let i = 1; i <= INSPECTIONS; i++) {
        const { inspectionId } = await h.client.start({
          localAuthority: `Bench Borough ${String(i).padStart(2, '0')}`,
          notifiedOn,
          option: i % 2 ? 'A' : 'B',
          contacts: CONTACTS,
        });
        ids.push(inspectionId);
      }
      console.log(`Started ${ids.length} inspections in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);

      const store = await openStore(h.deployment.config.database);
      await store.users.set('bench', 'coordinator', 'bench-password-123');
      const app = await buildApp({ client: h.client, deployment: h.deployment, store });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      try {
        // Sign in as a browser does: the form's CSRF token and cookie, then the session cookie.
        const form = await fetch(`${base}/sign-in`);
        const csrfCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
        const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
        const signIn = await fetch(`${base}/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
          body: new URLSearchParams({ username: 'bench', password: 'bench-password-123', _csrf: token }),
        });
        const session = (
          signIn.headers.getSetCookie().find((c) => c.startsWith('jtai_session=')) ?? ''
        ).split(';')[0];
        if (!session) throw new Error(`sign-in failed (${signIn.status})`);
        const headers = { cookie: `${csrfCookie}; ${session}` };

        // Wait until the visibility store lists them all.
        for (let i = 0; i < 100; i++) {
          if ((await h.client.list()).length >= INSPECTIONS) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const state = await h.client.state(ids[0] ?? '');
        const link = h.deployment.links.sign({
          inspectionId: state.inspectionId,
          agency: 'local-authority',
          version: state.linkVersions['local-authority'],
          run: state.runNonce,
          expiresAt: state.closesAt + 14 * 86_400_000,
        });
        let k = 0;
        const pick = () => ids[k++ % ids.length] ?? '';

        // Warm up (template cache, connections), then measure.
        for (let i = 0; i < 10; i++) {
          await (await fetch(`${base}/`, { headers })).arrayBuffer();
          await (await fetch(`${base}/inspections/${pick()}`, { headers })).arrayBuffer();
        }
        const tl = performance.now();
        for (let i = 0; i < 30; i++) await h.client.list();
        console.log(`client.list(): ${((performance.now() - tl) / 30).toFixed(1)} ms each, one at a time`);
        console.log(
          `${INSPECTIONS} inspections, ${REQUESTS} requests per page, ${CONCURRENCY} at a time, over loopback:`,
        );
        const results = [
          await measure('dashboard', () => `${base}/`, headers),
          await measure('inspection page', () => `${base}/inspections/${pick()}`, headers),
          await measure('agency page', () => `${base}/a/${link}`, {}),
          await measure('api status', () => `${base}/api/inspections/${pick()}`, headers),
        ];
        const worst = Math.max(...results.map((r) => r.p95));
        console.log(
          `Worst p95: ${worst.toFixed(1)} ms (target < 200 ms): ${worst < 200 ? 'met' : 'NOT met'}.`,
        );
        if (results.some((r) => r.failures > 0)) process.exitCode = 1;
      } finally {
        await app.close();
        await store.close();
        for (const id of ids) await h.client.cancel(id, 'End of benchmark').catch(() => undefined);
      }
    });
  } finally {
    await h.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:web failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
