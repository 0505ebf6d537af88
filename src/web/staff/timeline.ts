import type { FastifyInstance } from 'fastify';
import { parseCommand } from '../../client/commands';
import { timelineOf, type TimelineView } from '../../client/read-model';
import { sendAttachment } from '../http';
import { formPage, signedIn } from './guards';

/** The Annex C timeline of any notification date (as `jtai timeline`), and its calendar file. */
export function timelinePage(app: FastifyInstance): void {
  app.get<{ Querystring: { notified?: string; option?: string; format?: string } }>(
    '/timeline',
    { preHandler: signedIn },
    async (request, reply) => {
      const notified = request.query.notified ?? '';
      const option = request.query.option === 'B' ? 'B' : 'A';
      let timeline: TimelineView | undefined;
      let error: string | undefined;
      if (notified) {
        try {
          const notifiedOn = parseCommand('timeline', { notifiedOn: notified, option }).notifiedOn;
          timeline = timelineOf({ notifiedOn, option, calendar: app.deployment.calendar });
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
      }
      if (timeline && request.query.format === 'ics')
        return sendAttachment(
          reply,
          `jtai-${timeline.notifiedOn}.ics`,
          'text/calendar; charset=utf-8',
          timeline.ics(),
        );
      if (error) reply.code(400);
      return reply.view(
        'staff/timeline.njk',
        formPage(request, reply, {
          nav: 'timeline',
          notified,
          option,
          rows: timeline?.rows,
          form: { errors: error ? [{ text: error, href: '#notified' }] : [], values: { notified, option } },
        }),
      );
    },
  );
}
