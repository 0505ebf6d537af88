import type { FastifyInstance } from 'fastify';
import { formPage, signedIn } from './guards';

/** Every inspection: stage, next deadline, overdue count. */
export function dashboardPage(app: FastifyInstance): void {
  // Dashboards opened at the same moment share one visibility call in flight (no cache: an answer is never
  // older than one call's round trip).
  let listing: ReturnType<typeof app.inspections.list> | undefined;
  const listInspections = () => {
    listing ??= app.inspections.list().finally(() => {
      listing = undefined;
    });
    return listing;
  };

  app.get('/', { preHandler: signedIn }, async (request, reply) => {
    const inspections = await listInspections();
    return reply.view('staff/dashboard.njk', formPage(request, reply, { inspections, nav: 'inspections' }));
  });
}
