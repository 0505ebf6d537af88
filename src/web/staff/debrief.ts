import type { FastifyInstance } from 'fastify';
import { debriefCsv, formatMinutes } from '../../client/read-model';
import { sendAttachment } from '../http';
import { formPage, signedIn, type IdParams } from './guards';

/** The colour of each outcome's tag (GOV.UK tag classes); the rest are grey. */
const OUTCOME_TAGS: Record<string, string> = {
  received: 'govuk-tag--green',
  'received-late': 'govuk-tag--orange',
  overdue: 'govuk-tag--red',
};

/**
 * The coordinator's debrief of an inspection or rehearsal: for each agency and deliverable, sent on time or
 * how late, refused submissions, how long the chase took; on a page and as CSV (cells neutralised).
 */
export function debriefPages(app: FastifyInstance): void {
  app.get<{ Params: IdParams }>(
    '/inspections/:id/debrief',
    { preHandler: signedIn },
    async (request, reply) => {
      const debrief = await app.inspections.debrief(request.params.id, app.now());
      return reply.view(
        'staff/debrief.njk',
        formPage(request, reply, {
          nav: 'inspections',
          debrief,
          ...(debrief.rehearsal ? { rehearsal: debrief.rehearsal } : {}),
          minutes: formatMinutes,
          tags: OUTCOME_TAGS,
        }),
      );
    },
  );

  app.get<{ Params: IdParams }>(
    '/inspections/:id/debrief.csv',
    { preHandler: signedIn },
    async (request, reply) => {
      const debrief = await app.inspections.debrief(request.params.id, app.now());
      return sendAttachment(
        reply,
        `${debrief.inspectionId}-debrief.csv`,
        'text/csv; charset=utf-8',
        debriefCsv(debrief),
      );
    },
  );
}
