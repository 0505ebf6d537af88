import { parseContacts, type Contacts } from '../client/contacts';
import { JtaiError, type InspectionsClient } from '../client/inspections';
import { assertIsoDate } from '../timeline/calendar';
import { parseUkDateTime } from '../timeline/format';
import { AGENCIES, type AgencyId, type InspectionOption } from '../timeline/types';

const isAgency = (x: string): x is AgencyId => (AGENCIES as readonly string[]).includes(x);

/**
 * The coordinator's actions, shared by the pages and the JSON API: each checks what a form or a JSON body
 * gave, then calls the same InspectionsClient method as the CLI. Problems are JtaiErrors (type BadRequest)
 * with a message a person can act on; the workflow's refusals come back typed as they are.
 */

const bad = (message: string) => new JtaiError(message, 'BadRequest');

export function text(value: unknown, what: string, max = 2000): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw bad(`Enter ${what}.`);
  if (s.length > max)
    throw bad(`${what[0]?.toUpperCase()}${what.slice(1)} must be ${max} characters or fewer.`);
  return s;
}

export function optionalText(value: unknown, max = 2000): string | undefined {
  const s = typeof value === 'string' ? value.trim() : '';
  return s ? s.slice(0, max) : undefined;
}

export function agencyParam(value: unknown): AgencyId {
  if (typeof value !== 'string' || !isAgency(value)) throw bad(`Unknown agency "${String(value)}".`);
  return value;
}

/** Child IDs from a form (one or several checkboxes) or JSON (an array), or a text box (spaces, commas). */
export function childIds(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return raw.map((x) => String(x).trim()).filter(Boolean);
}

export interface StartInput {
  localAuthority: unknown;
  notifiedOn: unknown;
  option: unknown;
  contacts: Contacts | string | undefined;
}

export async function startInspection(client: InspectionsClient, input: StartInput) {
  const localAuthority = text(input.localAuthority, 'the local authority', 120);
  const notifiedOn = text(input.notifiedOn, 'the notification date', 10);
  try {
    assertIsoDate(notifiedOn, 'notification date');
  } catch {
    throw bad('Enter the notification date as YYYY-MM-DD, for example 2026-11-23.');
  }
  const option = (typeof input.option === 'string' ? input.option : '').toUpperCase();
  if (option !== 'A' && option !== 'B') throw bad('Choose option A or B.');
  if (input.contacts === undefined || input.contacts === '') throw bad('Upload the contacts file.');
  const contacts =
    typeof input.contacts === 'string' ? parseContacts(input.contacts, 'contacts.yaml') : input.contacts;
  return client.start({ localAuthority, notifiedOn, option: option satisfies InspectionOption, contacts });
}

export function parseDeadline(value: unknown): number {
  const s = text(value, 'the new deadline', 40);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const at = Date.parse(s);
    if (Number.isFinite(at)) return at;
  }
  try {
    return parseUkDateTime(s);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
}

export async function select(client: InspectionsClient, id: string, stage: unknown, ids: unknown) {
  if (stage !== 'twenty' && stage !== 'tracked') throw bad('Say which selection: twenty or tracked.');
  const chosen = childIds(ids);
  if (chosen.length === 0) throw bad('Choose at least one child.');
  return client.select(id, stage, chosen);
}

export async function confirm(client: InspectionsClient, id: string, deliverable: unknown, note: unknown) {
  return client.confirm(id, text(deliverable, 'what is confirmed', 200), optionalText(note));
}

export async function extend(
  client: InspectionsClient,
  id: string,
  body: { deliverable?: unknown; to?: unknown; reason?: unknown; agency?: unknown },
) {
  const deliverable = text(body.deliverable, 'the deliverable', 200);
  const dueAt = parseDeadline(body.to);
  // Refused here as the workflow would, before the client computes a chasing ladder for a date in the past.
  if (dueAt <= Date.now())
    throw new JtaiError(
      'The new deadline has already passed: choose a later date and time.',
      'ExtensionInPast',
    );
  const reason = text(body.reason, 'a reason for the extension');
  const agency = body.agency ? agencyParam(body.agency) : undefined;
  await client.extend(id, deliverable, dueAt, reason, agency);
  return { deliverable, dueAt };
}

export async function waive(
  client: InspectionsClient,
  id: string,
  body: { deliverable?: unknown; reason?: unknown; agency?: unknown },
) {
  const deliverable = text(body.deliverable, 'the deliverable', 200);
  const reason = text(body.reason, 'a reason for waiving it');
  await client.waive(id, deliverable, reason, body.agency ? agencyParam(body.agency) : undefined);
  return { deliverable };
}

export async function cancel(client: InspectionsClient, id: string, reason: unknown) {
  await client.cancel(id, text(reason, 'a reason for cancelling the inspection'));
}

export async function sendLink(client: InspectionsClient, id: string, agency: unknown, revoke: boolean) {
  return client.sendLink(id, agencyParam(agency), revoke);
}
