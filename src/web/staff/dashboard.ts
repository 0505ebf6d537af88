import type { FastifyInstance } from 'fastify';
import { apart } from '../../client/read-model';
import { formPage, signedIn } from './guards';

/** Every inspection: stage, next deadline, overdue count; rehearsals apart, in their own colour. */
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
    const { inspections, rehearsals } = apart(await listInspections());
    return reply.view(
      'staff/dashboard.njk',
      formPage(request, reply, { inspections, rehearsals, nav: 'inspections' }),
    );
  });
}
