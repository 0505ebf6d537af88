import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import {
  CommandError,
  parseCommand,
  startInspection,
  startProblems,
  type Commands,
} from '../../client/commands';
import { JtaiError } from '../../client/errors';
import { auditStaff } from '../audit';
import { sendAttachment } from '../http';
import { REHEARSAL_DAY_MINUTES_CHOICES } from '../../timeline/rehearsal';
import { CONTACT_FIELD_NAMES, contactFields, readContactFields, type ContactFields } from './contacts-form';
import { coordinator, formPage } from './guards';
import { redirectWith, takeFlash, type Flash, type FormError } from './notes';

/** What the start form offers for a rehearsal's working day, in minutes. */
const dayMinuteChoices = REHEARSAL_DAY_MINUTES_CHOICES;

/** The parts of a GOV.UK date input. */
type DatePart = 'day' | 'month' | 'year';

/**
 * The notification date from the date input's three fields (`notifiedOn-day`, `-month`, `-year`), checked as
 * the GOV.UK pattern says: which parts are missing, or that it is not a real date; `parts` are the fields to
 * mark. A single `notifiedOn` field (scripts, older forms) is taken as it is.
 */
export function readDateInput(
  values: Record<string, string>,
  name: string,
  what: string,
): { value?: string; error?: string; parts: DatePart[] } {
  const part = (p: DatePart) => (values[`${name}-${p}`] ?? '').trim();
  const given = { day: part('day'), month: part('month'), year: part('year') };
  const single = (values[name] ?? '').trim();
  if (!given.day && !given.month && !given.year) {
    if (single) return { value: single, parts: [] };
    return { error: `Enter ${what}`, parts: ['day', 'month', 'year'] };
  }
  const missing = (['day', 'month', 'year'] as const).filter((p) => !given[p]);
  if (missing.length)
    return { error: `${capitalised(what)} must include a ${missing.join(' and ')}`, parts: missing };
  if (!/^\d{4}$/.test(given.year)) return { error: 'Year must include 4 numbers', parts: ['year'] };
  const day = Number(given.day);
  const month = Number(given.month);
  const year = Number(given.year);
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    /^\d{1,2}$/.test(given.day) &&
    /^\d{1,2}$/.test(given.month) &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day;
  if (!real) return { error: `${capitalised(what)} must be a real date`, parts: ['day', 'month', 'year'] };
  const iso = `${given.year}-${given.month.padStart(2, '0')}-${given.day.padStart(2, '0')}`;
  return { value: iso, parts: [] };
}

const capitalised = (what: string) => `${what.slice(0, 1).toUpperCase()}${what.slice(1)}`;

/** Which field of the start form a command's problem is about. */
const FIELD_HREFS: Record<string, string> = {
  localAuthority: '#localAuthority',
  notifiedOn: '#notifiedOn-day',
  option: '#option',
  dayMinutes: '#dayMinutes',
  contacts: '#contacts',
  lateStart: '#lateStart',
  rehearsal: '#rehearsal',
};

/** The start form's fields from the top: the error summary lists problems in this order. */
const PAGE_ORDER = [
  'localAuthority',
  'rehearsal',
  'notifiedOn-day',
  'notifiedOn-month',
  'notifiedOn-year',
  'lateStart',
  'dayMinutes',
  'option',
  ...CONTACT_FIELD_NAMES,
  'contacts',
];
const inPageOrder = (errors: FormError[]) =>
  errors
    .map((e, i) => ({ e, at: PAGE_ORDER.indexOf(e.href.slice(1)), i }))
    .sort((a, b) => (a.at < 0 ? 999 : a.at) - (b.at < 0 ? 999 : b.at) || a.i - b.i)
    .map((x) => x.e);

/** The start form's fields, from a multipart post (with the contacts file) or a urlencoded one. */
async function readStartForm(
  request: FastifyRequest,
): Promise<{ values: Record<string, string>; file: string }> {
  const values: Record<string, string> = {};
  let file = '';
  if (!request.isMultipart()) {
    for (const [k, v] of Object.entries((request.body as Record<string, unknown> | undefined) ?? {}))
      if (typeof v === 'string') values[k] = v;
    return { values, file };
  }
  for await (const part of request.parts()) {
    if (part.type === 'field') values[part.fieldname] = String(part.value);
    else if (part.fieldname === 'contacts' && part.filename) {
      const buffer = await part.toBuffer();
      if (buffer.length > 256 * 1024) throw new JtaiError('The contacts file is too large.', 'BadRequest');
      file = buffer.toString('utf8');
    } else await part.toBuffer();
  }
  return { values, file };
}

/** The start form's page: values typed (after a refusal) or the agency directory's. */
async function showStartForm(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const flash: Flash & { dateParts?: DatePart[]; lateStart?: boolean } = await takeFlash(app, request);
  const values = flash.values ?? {};
  const contacts: ContactFields = contactFields(flash.values, await app.store.agencyDirectory.get());
  return reply.view(
    'staff/new.njk',
    formPage(request, reply, {
      nav: 'new',
      dayMinuteChoices,
      lateStart: flash.lateStart ?? false,
      dateParts: flash.dateParts ?? [],
      dateError: flash.errors?.find((e) => e.href.startsWith('#notifiedOn-'))?.text,
      contacts,
      form: { errors: flash.errors ?? [], values },
    }),
  );
}

/**
 * Start an inspection: the GOV.UK form (the contacts pre-filled from the agency directory, kept when it
 * starts), or a contacts file (YAML) imported instead. A refusal goes back to the form with every problem.
 */
export function startPages(app: FastifyInstance): void {
  app.get('/inspections/new', { preHandler: coordinator }, async (request, reply) =>
    showStartForm(app, request, reply),
  );

  app.post('/inspections', { preHandler: coordinator }, async (request, reply) => {
    const { values, file } = await readStartForm(request);
    const errors: FormError[] = [];
    let dateParts: DatePart[] = [];
    const rehearsal = values.rehearsal === 'yes';
    // A contacts file (or pasted YAML) is taken instead of the contacts' fields.
    const yaml = file || (values.contactsText ?? '').trim();
    const fromFields = yaml ? undefined : readContactFields(values);
    errors.push(...(fromFields?.errors ?? []));
    let notifiedOn: string | undefined;
    if (!rehearsal) {
      const date = readDateInput(values, 'notifiedOn', 'the notification date');
      if (date.error) errors.push({ text: date.error, href: `#notifiedOn-${date.parts[0] ?? 'day'}` });
      dateParts = date.parts;
      notifiedOn = date.value;
    }
    const input = {
      localAuthority: values.localAuthority ?? '',
      option: values.option ?? '',
      rehearsal: rehearsal ? 'yes' : 'no',
      ...(rehearsal ? { dayMinutes: values.dayMinutes ?? '' } : notifiedOn ? { notifiedOn } : {}),
      ...(values.lateStart === 'yes' ? { lateStart: 'yes' } : {}),
      ...(values.updateId ? { updateId: values.updateId } : {}),
      contacts: fromFields ? (fromFields.contacts ?? {}) : yaml,
    };
    let command: Commands['start'] | undefined;
    try {
      command = parseCommand('start', input);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      for (const p of err.problems) {
        const field = p.field.split('.')[0] ?? '';
        // The contacts' fields have their own problems; the date's were found above.
        if ((fromFields && field === 'contacts') || (field === 'notifiedOn' && dateParts.length)) continue;
        errors.push({ text: p.message, href: FIELD_HREFS[field] ?? '#localAuthority' });
      }
    }
    if (command && errors.length === 0)
      errors.push(
        ...startProblems(command).map((p) => ({ text: p.message, href: FIELD_HREFS[p.field] ?? '#' })),
      );
    const back = (more: Record<string, unknown> = {}) =>
      redirectWith(app, request, reply, '/inspections/new', {
        errors: inPageOrder(errors),
        values: { ...values, ...(file ? { contactsText: file } : {}) },
        dateParts,
        ...more,
      });
    if (!command || errors.length) return back();
    try {
      const { inspectionId } = await startInspection(app.inspections, command);
      await auditStaff(app, request, 'inspection.started', inspectionId, { rehearsal: !!command.rehearsal });
      // The contacts it started with are those offered next time.
      await app.store.agencyDirectory.saveContacts(command.contacts, request.user?.username ?? '');
      return await redirectWith(app, request, reply, `/inspections/${inspectionId}`, { done: 'started' });
    } catch (err) {
      if (!(err instanceof JtaiError)) throw err;
      // Deadlines already past: the form asks, with a box to tick, whether this is meant as a late start.
      const late = err.type === 'LateStart';
      errors.push({ text: err.message, href: late ? '#lateStart' : '#localAuthority' });
      return back({ lateStart: late || values.lateStart === 'yes' });
    }
  });

  /** The agency directory as a contacts file, for the CLI (`jtai start --contacts`). */
  app.get('/agencies/contacts.yaml', { preHandler: coordinator }, async (_request, reply) => {
    const directory = await app.store.agencyDirectory.get();
    const plain = {
      ...(directory.coordinator
        ? { coordinator: { name: directory.coordinator.name, email: directory.coordinator.email } }
        : {}),
      agencies: Object.fromEntries(
        Object.entries(directory.agencies).map(([id, a]) => [
          id,
          { name: a.name, contact: a.contact, escalation: a.escalation },
        ]),
      ),
    };
    return sendAttachment(reply, 'contacts.yaml', 'application/yaml; charset=utf-8', stringify(plain));
  });
}
