import type { FastifyInstance } from 'fastify';
import { formatUkDateTime } from '../../timeline/format';
import { auditStaff } from '../audit';
import { CONTACT_FIELD_NAMES, contactFields, readContactFields } from './contacts-form';
import { coordinator, field, formPage, type Body } from './guards';
import { redirectWith, takeFlash } from './notes';

/**
 * The agency directory: the contacts used last time (kept when an inspection starts), editable on their own.
 * The start form is pre-filled from it; it can be downloaded as a contacts file for the CLI.
 */
export function agencyDirectoryPages(app: FastifyInstance): void {
  app.get('/agencies', { preHandler: coordinator }, async (request, reply) => {
    const flash = await takeFlash(app, request);
    const directory = await app.store.agencyDirectory.get();
    const changed = directory.coordinator ?? Object.values(directory.agencies)[0];
    return reply.view(
      'staff/agencies.njk',
      formPage(request, reply, {
        nav: 'agencies',
        contacts: contactFields(flash.values, directory),
        changed: changed
          ? { atUk: formatUkDateTime(changed.updatedAt.getTime()), by: changed.updatedBy }
          : undefined,
        saved: flash.done === 'saved',
        form: { errors: flash.errors ?? [], values: flash.values ?? {} },
      }),
    );
  });

  app.post<{ Body: Body }>('/agencies', { preHandler: coordinator }, async (request, reply) => {
    const values = Object.fromEntries(CONTACT_FIELD_NAMES.map((name) => [name, field(request.body, name)]));
    const { contacts, errors } = readContactFields(values);
    if (!contacts) return redirectWith(app, request, reply, '/agencies', { errors, values });
    await app.store.agencyDirectory.saveContacts(contacts, request.user?.username ?? '');
    await auditStaff(app, request, 'directory.changed', undefined);
    return redirectWith(app, request, reply, '/agencies', { done: 'saved' });
  });
}
