import type { FastifyInstance } from 'fastify';
import { CommandError, parseCommand, startInspection } from '../../client/commands';
import { JtaiError } from '../../client/errors';
import { auditStaff } from '../audit';
import { showError } from '../errors';
import { REHEARSAL_DAY_MINUTES_CHOICES } from '../../timeline/rehearsal';
import { coordinator, formPage } from './guards';

/** What the start form offers for a rehearsal's working day, in minutes. */
const dayMinuteChoices = REHEARSAL_DAY_MINUTES_CHOICES;

/** Start an inspection: the form, with the contacts file as an upload. */
export function startPages(app: FastifyInstance): void {
  app.get('/inspections/new', { preHandler: coordinator }, async (request, reply) =>
    reply.view(
      'staff/new.njk',
      formPage(request, reply, { nav: 'new', dayMinuteChoices, form: { errors: [], values: {} } }),
    ),
  );

  app.post('/inspections', { preHandler: coordinator }, async (request, reply) => {
    const values: Record<string, string> = {};
    let contacts = '';
    if (request.isMultipart()) {
      for await (const part of request.parts()) {
        if (part.type === 'field') values[part.fieldname] = String(part.value);
        else if (part.fieldname === 'contacts' && part.filename) {
          const buffer = await part.toBuffer();
          if (buffer.length > 256 * 1024)
            throw new JtaiError('The contacts file is too large.', 'BadRequest');
          contacts = buffer.toString('utf8');
        } else await part.toBuffer();
      }
    } else Object.assign(values, request.body as Record<string, string>);
    contacts ||= values.contactsText ?? '';
    // The form holds both: a rehearsal starts now (no notification date), an inspection has no day length.
    const { notifiedOn, dayMinutes, ...rest } = values;
    const chosen = values.rehearsal === 'yes' ? { dayMinutes } : { notifiedOn };
    try {
      const command = parseCommand('start', { ...rest, ...chosen, contacts });
      const { inspectionId } = await startInspection(app.inspections, command);
      await auditStaff(app, request, 'inspection.started', inspectionId, { rehearsal: !!command.rehearsal });
      return await reply.redirect(`/inspections/${inspectionId}?done=started`, 303);
    } catch (err) {
      if (!(err instanceof JtaiError)) throw err;
      const errors =
        err instanceof CommandError
          ? err.problems.map((p) => ({ text: p.message, href: `#${p.field || 'localAuthority'}` }))
          : [{ text: err.message, href: err.type === 'LateStart' ? '#lateStart' : hrefFor(err.message) }];
      reply.code(showError(err).status);
      // Deadlines already past: the form asks, with a box to tick, whether this is meant as a late start.
      const lateStart = err.type === 'LateStart' || values.lateStart === 'yes';
      return reply.view(
        'staff/new.njk',
        formPage(request, reply, { nav: 'new', dayMinuteChoices, lateStart, form: { errors, values } }),
      );
    }
  });
}

/** Which field of the start form a message is about. */
function hrefFor(message: string): string {
  if (/local authority/i.test(message)) return '#localAuthority';
  if (/notification|date|working day/i.test(message)) return '#notifiedOn';
  if (/option/i.test(message)) return '#option';
  if (/minutes/i.test(message)) return '#dayMinutes';
  if (/contacts/i.test(message)) return '#contacts';
  return '#localAuthority';
}
