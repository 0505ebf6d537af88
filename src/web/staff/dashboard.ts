import type { FastifyInstance } from 'fastify';
import { parseCommand } from '../../client/commands';
import { apart } from '../../client/read-model';
import { formPage, signedIn } from './guards';

/**
 * The inspections a page at a time, open ones first: stage, next deadline, overdue count; rehearsals apart, in
 * their own colour. `?page=` is the cursor of the page before's "Next page" link.
 */
export function dashboardPage(app: FastifyInstance): void {
  // Dashboards opened at the same moment share one visibility call in flight for the first page (no cache:
  // an answer is never older than one call's round trip).
  let firstPage: ReturnType<typeof app.inspections.listPage> | undefined;
  const listFirstPage = () => {
    firstPage ??= app.inspections.listPage().finally(() => {
      firstPage = undefined;
    });
    return firstPage;
  };

  app.get('/', { preHandler: signedIn }, async (request, reply) => {
    const query = parseCommand('list', request.query);
    const { inspections: all, nextPage } =
      query.page || query.pageSize ? await app.inspections.listPage(query) : await listFirstPage();
    const { inspections, rehearsals } = apart(all);
    return reply.view(
      'staff/dashboard.njk',
      formPage(request, reply, {
        inspections,
        rehearsals,
        later: !!query.page,
        ...(nextPage
          ? {
              nextPageHref: `/?${new URLSearchParams({ page: nextPage, ...(query.pageSize ? { pageSize: String(query.pageSize) } : {}) }).toString()}`,
            }
          : {}),
        nav: 'inspections',
      }),
    );
  });
}
