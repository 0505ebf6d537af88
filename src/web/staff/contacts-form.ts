import { z } from 'zod';
import type { Contacts } from '../../client/contacts';
import type { AgencyDirectory } from '../../infra/db';
import { AGENCIES, AGENCY_NAMES, type AgencyId } from '../../timeline/types';
import type { FormError } from './notes';

/**
 * The contacts as form fields (the start form and the agency directory page): the coordinator's name and
 * email, and each agency's name, primary contact and escalation lead, one field each, each checked on its own
 * so that the error summary lists every problem and marks only the fields that have one.
 */

/** One agency's fields, as a template shows them. */
export interface AgencyFields {
  id: AgencyId;
  /** The name the service gives the agency when none is typed. */
  usualName: string;
  name: string;
  contact: string;
  escalation: string;
}

export interface ContactFields {
  coordinator: { name: string; email: string };
  agencies: AgencyFields[];
}

/** Field names: `coordinator-name`, `police-contact`, …; the same as the ids the error summary links to. */
export const fieldName = (who: AgencyId | 'coordinator', what: string) => `${who}-${what}`;

/** The fields as typed (`values`, after a refusal), or else as the directory holds them. */
export function contactFields(
  values: Record<string, string> | undefined,
  directory: AgencyDirectory,
): ContactFields {
  const from = (name: string, saved: string | undefined) => values?.[name] ?? saved ?? '';
  return {
    coordinator: {
      name: from('coordinator-name', directory.coordinator?.name),
      email: from('coordinator-email', directory.coordinator?.email),
    },
    agencies: AGENCIES.map((id) => {
      const saved = directory.agencies[id];
      return {
        id,
        usualName: AGENCY_NAMES[id],
        name: from(fieldName(id, 'name'), saved?.name ?? AGENCY_NAMES[id]),
        contact: from(fieldName(id, 'contact'), saved?.contact),
        escalation: from(fieldName(id, 'escalation'), saved?.escalation),
      };
    }),
  };
}

const capitalised = (what: string) => `${what.slice(0, 1).toUpperCase()}${what.slice(1)}`;
const isEmail = (value: string) => value.length <= 254 && z.email().safeParse(value).success;

/** The contacts typed in the form, or every problem with them (each linked to its field). */
export function readContactFields(values: Record<string, string>): {
  contacts?: Contacts;
  errors: FormError[];
} {
  const errors: FormError[] = [];
  const text = (name: string, what: string): string => {
    const value = (values[name] ?? '').trim();
    if (!value) errors.push({ text: `Enter ${what}`, href: `#${name}` });
    else if (value.length > 200)
      errors.push({ text: `${capitalised(what)} must be 200 characters or fewer`, href: `#${name}` });
    return value;
  };
  const email = (name: string, whose: string): string => {
    const value = (values[name] ?? '').trim();
    if (!value) errors.push({ text: `Enter the email address of ${whose}`, href: `#${name}` });
    else if (!isEmail(value))
      errors.push({
        text: `Enter the email address of ${whose} in the correct format, like name@example.com`,
        href: `#${name}`,
      });
    return value;
  };
  const coordinator = {
    name: text('coordinator-name', "the coordinator's name"),
    email: email('coordinator-email', 'the coordinator'),
  };
  const agencies = Object.fromEntries(
    AGENCIES.map((id) => {
      const usual = AGENCY_NAMES[id];
      const name = text(fieldName(id, 'name'), `the name of ${usual}`);
      return [
        id,
        {
          name,
          contact: email(fieldName(id, 'contact'), `${name || usual}'s primary contact`),
          escalation: email(fieldName(id, 'escalation'), `${name || usual}'s escalation lead`),
        },
      ];
    }),
  ) as Contacts['agencies'];
  return errors.length ? { errors } : { contacts: { coordinator, agencies }, errors };
}

/** The field names of the contacts, for keeping what was typed. */
export const CONTACT_FIELD_NAMES: readonly string[] = [
  'coordinator-name',
  'coordinator-email',
  ...AGENCIES.flatMap((id) => ['name', 'contact', 'escalation'].map((what) => fieldName(id, what))),
];
