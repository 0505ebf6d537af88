import { z } from 'zod';
import { assertIsoDate } from '../timeline/calendar';
import { parseUkDateTime } from '../timeline/format';
import { MAX_DAY_MINUTES, MIN_DAY_MINUTES } from '../timeline/rehearsal';
import { AGENCIES, type IsoDate, type Instant } from '../timeline/types';
import { ContactsError, JtaiError } from './errors';
import type { Receipt } from '../workflows/types';
import type { InspectionsClient } from './inspections';

/**
 * Every action on an inspection as one zod schema, shared by the CLI, the pages and the JSON API, with one
 * parser for each kind of value people type: dates, date-times, agencies, deliverables, the option, child
 * IDs, text. A schema's messages are written for the person who typed the value; `parseCommand` turns a
 * failure into a JtaiError (BadRequest) carrying each problem and the field it is about.
 */

// ---- Values ----

const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date typed as `yyyy-mm-dd` or `dd/mm/yyyy`, as `yyyy-mm-dd`; undefined if it is not a real date. */
export function readDate(text: string): IsoDate | undefined {
  const iso = ISO_DATE.exec(text);
  const uk = UK_DATE.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : uk ? [uk[3], uk[2], uk[1]] : [];
  if (!y || !m || !d) return undefined;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  try {
    assertIsoDate(date);
    return date;
  } catch {
    return undefined;
  }
}

/**
 * A moment typed as UK wall time (`dd/mm/yyyy HH:mm`, `yyyy-mm-dd HH:mm`, `yyyy-mm-ddTHH:mm`) or as an ISO
 * instant with its offset (`2026-11-27T17:00:00Z`). Throws with the text and the forms accepted.
 */
export function readDateTime(text: string): Instant {
  if (ISO_INSTANT.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return at;
  }
  return parseUkDateTime(text);
}

const capitalised = (what: string) => `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}`;

/** Text a person must give: trimmed, not empty, at most `max` characters. */
export const text = (what: string, max = 2000) =>
  z
    .string({ error: `Enter ${what}.` })
    .trim()
    .min(1, `Enter ${what}.`)
    .max(max, `${capitalised(what)} must be ${max} characters or fewer.`);

/** Text a person may give: trimmed, cut to `max` characters; empty is none. */
export const optionalText = (max = 2000) =>
  z
    .string()
    .optional()
    .transform((s) => s?.trim().slice(0, max) || undefined);

/** A date as `yyyy-mm-dd` or `dd/mm/yyyy`, given as `yyyy-mm-dd`. */
export const date = (what: string) =>
  text(what, 40)
    .transform((value, ctx) => {
      const parsed = readDate(value);
      if (parsed) return parsed;
      ctx.addIssue({
        code: 'custom',
        message: `Enter ${what} as a real date, YYYY-MM-DD or DD/MM/YYYY, for example 2026-11-23.`,
      });
      return z.NEVER;
    })
    .describe('A date, YYYY-MM-DD or DD/MM/YYYY');

/** A date and time (UK time, or an ISO instant with offset), given as an instant. */
export const dateTime = (what: string) =>
  text(what, 40)
    .transform((value, ctx) => {
      try {
        return readDateTime(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    })
    .describe('UK time `2026-11-27 17:00` or `27/11/2026 17:00`, or an ISO instant with offset');

export const agency = z.enum(AGENCIES, {
  error: (issue) =>
    `Unknown agency "${String(issue.input).slice(0, 40)}": the agencies are ${AGENCIES.join(', ')}.`,
});

/** A deliverable id (`annex-a-documents.police`), or its key (with the agency when several owe it). */
export const deliverable = (what = 'the deliverable') =>
  text(what, 200).describe(
    'Deliverable id (`annex-a-documents.police`) or key (with `agency` when several owe it)',
  );

export const option = z
  .string({ error: 'Choose option A or B.' })
  .trim()
  .toUpperCase()
  .pipe(z.enum(['A', 'B'], { error: 'Choose option A or B.' }))
  .describe('The case-list option, A or B');

/** A yes or no: `true`/`false` in JSON, `yes`/`no` from a form. */
export const yesNo = z
  .union([z.boolean(), z.enum(['yes', 'no'])], { error: 'Answer yes or no.' })
  .transform((value) => value === true || value === 'yes');

/** Real minutes one working day of a rehearsal lasts: a number, fractions allowed (tests run fast). */
export const dayMinutes = z
  .union([z.number(), z.string().trim()], { error: 'Choose how many minutes a working day lasts.' })
  .transform((value, ctx) => {
    const n = typeof value === 'number' ? value : value === '' ? Number.NaN : Number(value);
    if (Number.isFinite(n) && n >= MIN_DAY_MINUTES && n <= MAX_DAY_MINUTES) return n;
    ctx.addIssue({
      code: 'custom',
      message: `Choose how many minutes a working day of the rehearsal lasts: a number from ${MIN_DAY_MINUTES} to ${MAX_DAY_MINUTES}, for example 20.`,
    });
    return z.NEVER;
  })
  .describe('Real minutes one working day of a rehearsal lasts (a night or weekend lasts an eighth of it)');

/** Child IDs: a list (JSON, repeated form fields, CLI arguments) or text split on spaces and commas. */
export const childIds = z
  .union([z.array(z.string()), z.string()], { error: 'Choose at least one child.' })
  .transform((value) => (Array.isArray(value) ? value : value.split(/[\s,]+/)).map((x) => x.trim()))
  .transform((ids) => ids.filter(Boolean))
  .pipe(z.array(z.string()).min(1, 'Choose at least one child.'))
  .describe('Child IDs: a list, or text with the IDs separated by spaces or commas');

/** The id that makes a repeated request (a double click, a retry) count once. */
export const updateId = z
  .string()
  .regex(/^[A-Za-z0-9-]{8,80}$/, 'An update id is 8 to 80 letters, digits and dashes.')
  .optional();

/** The contacts file as YAML text, or the same as an object; problems name the line (YAML) and field. */
export const contacts = z
  .union([z.string(), z.looseObject({})], { error: 'Upload the contacts file.' })
  .transform((value, ctx) => {
    if (value === '') {
      ctx.addIssue({ code: 'custom', message: 'Upload the contacts file.' });
      return z.NEVER;
    }
    // Loaded here, not up front: only start and contacts read a contacts file, and the YAML parser is slow
    // to load (it would cost every CLI command that parses a date).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkContacts, parseContacts } = require('./contacts') as typeof import('./contacts');
    try {
      return typeof value === 'string' ? parseContacts(value, 'contacts.yaml') : checkContacts(value);
    } catch (err) {
      if (!(err instanceof ContactsError)) throw err;
      for (const message of err.problems)
        ctx.addIssue({ code: 'custom', message, params: { type: 'ContactsInvalid' } });
      return z.NEVER;
    }
  })
  .describe(
    'The contacts file as YAML text, or as an object: coordinator { name, email }, agencies { <agency>: { name, contact, escalation } }',
  );

// ---- Commands ----

export const commands = {
  /** A page of the inspections (see listing.ts): the cursor from the page before, and how many to a page. */
  list: z.object({
    page: z.string().max(8192, 'This page link is not valid: start from the first page.').optional(),
    pageSize: z.coerce
      .number({ error: 'The page size must be a whole number from 1 to 500.' })
      .int('The page size must be a whole number from 1 to 500.')
      .min(1, 'The page size must be a whole number from 1 to 500.')
      .max(500, 'The page size must be a whole number from 1 to 500.')
      .optional(),
  }),
  /** The timeline a notification date would give (no inspection needed). */
  timeline: z.object({
    notifiedOn: date('the notification date'),
    option: option.default('A'),
    themeId: z.string().optional(),
  }),
  /** The timeline of a rehearsal starting at an instant, on its compressed clock. */
  rehearsalTimeline: z.object({
    rehearsalFrom: dateTime('when the rehearsal starts'),
    dayMinutes,
    option: option.default('A'),
    themeId: z.string().optional(),
  }),
  /** An inspection, or with `rehearsal` the same on a compressed clock starting now (see `startProblems`). */
  start: z.object({
    localAuthority: text('the local authority', 120),
    notifiedOn: date('the notification date').optional(),
    option,
    contacts,
    themeId: z.string().optional(),
    rehearsal: yesNo
      .optional()
      .describe('A rehearsal: the same inspection on a compressed clock, starting now'),
    dayMinutes: dayMinutes.optional(),
    lateStart: yesNo
      .optional()
      .describe('Start it though deadlines have passed: each overdue deliverable is escalated at once'),
    twentyAnswersTime: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Give the time as HH:MM (24-hour).')
      .optional()
      .describe(
        "Option A: when the agencies' answers on the 20 are due, on the theme's day (14:00 on day 3 unless given)",
      ),
    updateId,
  }),
  submit: z.object({
    deliverable: deliverable(),
    agency,
    childId: text('the child ID', 80).optional(),
    note: optionalText(),
    complete: z.boolean().optional(),
    updateId,
  }),
  select: z.object({
    stage: z.enum(['twenty', 'tracked'], { error: 'Say which selection: twenty or tracked.' }),
    childIds,
    updateId,
  }),
  confirm: z.object({
    deliverable: deliverable('what is confirmed').describe('`call`, or another confirmation deliverable'),
    note: optionalText(),
    updateId,
  }),
  extend: z.object({
    deliverable: deliverable(),
    to: dateTime('the new deadline'),
    reason: text('a reason for the extension'),
    agency: agency.optional(),
    updateId,
  }),
  waive: z.object({
    deliverable: deliverable(),
    reason: text('a reason for waiving it'),
    agency: agency.optional(),
    updateId,
  }),
  cancel: z.object({ reason: text('a reason for cancelling the inspection'), updateId }),
  contacts: z.object({ contacts, updateId }),
  sendLink: z.object({
    agency,
    revoke: z.boolean().default(false).describe('Revoke the earlier links first'),
    updateId,
  }),
  answerQueries: z.object({
    deliverable: deliverable(),
    agency,
    submissionId: text('the list answered', 200),
    answers: z
      .array(
        z.object({ row: z.number().int(), column: z.string(), query: z.string(), answer: text('an answer') }),
      )
      .min(1, 'Write an answer to at least one query'),
    updateId,
  }),
  /** An agency takes back a wrong file before its deadline (its own only). */
  withdraw: z.object({
    deliverable: deliverable(),
    agency,
    submissionId: text('the submission', 200),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'Name the file by its SHA-256 (64 hexadecimal characters).')
      .describe('The SHA-256 of the file, as on the receipt'),
    reason: text('why the file is withdrawn', 500),
    updateId,
  }),
  /** A message from the coordinator to an agency: shown on its page; its email says only that there is one. */
  message: z.object({ agency, text: text('the message', 2000), updateId }),
  /** Something more asked for during the inspection (CQC's request, an ad-hoc request), chased like the rest. */
  request: z.object({
    title: text('what is asked for, in a few words', 200),
    description: text('what is asked for', 2000),
    owner: agency,
    kind: z
      .enum(['documents', 'confirmation'], {
        error: 'Say whether documents or a confirmation are asked for.',
      })
      .default('documents'),
    due: dateTime('when it is due'),
    source: z
      .enum(['cqc-request', 'ad-hoc'], { error: 'Say who asks: cqc-request or ad-hoc.' })
      .default('ad-hoc'),
    childIds: z.array(text('a child ID', 80)).max(200).optional(),
    updateId,
  }),
};

export type Commands = { [K in keyof typeof commands]: z.output<(typeof commands)[K]> };

/** A problem with what was given: the field it is about (for a form's error summary), and its refusal type. */
export interface Problem {
  field: string;
  message: string;
  type: string;
}

/** A command that does not parse: each problem, and (as a JtaiError) the first in a line. */
export class CommandError extends JtaiError {
  constructor(readonly problems: Problem[]) {
    const more = problems.length - 1;
    super(
      `${problems[0]?.message ?? 'The request is not valid.'}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`,
      problems[0]?.type ?? 'BadRequest',
    );
  }
}

/** The problems of a zod error; a custom issue may carry its refusal type (e.g. ContactsInvalid). */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((issue) => {
    const type = issue.code === 'custom' ? (issue.params as { type?: unknown } | undefined)?.type : undefined;
    return {
      field: issue.path.map(String).join('.'),
      message: issue.message,
      type: typeof type === 'string' ? type : 'BadRequest',
    };
  });
}

/** Parse a command, or throw a CommandError naming each problem. */
export function parseCommand<K extends keyof typeof commands>(name: K, input: unknown): Commands[K] {
  const result = commands[name].safeParse(input ?? {});
  if (!result.success) throw new CommandError(problemsOf(result.error.issues));
  return result.data as Commands[K];
}

// ---- Running them ----

/** What each command on an inspection answers. */
export interface Results {
  select: Receipt;
  confirm: Receipt;
  /** The deadline as it now is (for a rehearsal, on its compressed clock). */
  extend: Instant;
  waive: void;
  cancel: void;
  contacts: void;
  sendLink: number;
  answerQueries: void;
  withdraw: void;
  /** The message's id. */
  message: string;
  /** The new deliverable's id. */
  request: string;
}

/** Each command on an inspection, run through the one client. */
export const perform: {
  [K in keyof Results]: (client: InspectionsClient, id: string, c: Commands[K]) => Promise<Results[K]>;
} = {
  select: (client: InspectionsClient, id: string, c: Commands['select']) =>
    client.select(id, c.stage, c.childIds, c.updateId),
  confirm: (client: InspectionsClient, id: string, c: Commands['confirm']) =>
    client.confirm(id, c.deliverable, c.note, c.updateId),
  extend: (client: InspectionsClient, id: string, c: Commands['extend']) =>
    client.extend(id, c.deliverable, c.to, c.reason, c.agency, c.updateId),
  waive: (client: InspectionsClient, id: string, c: Commands['waive']) =>
    client.waive(id, c.deliverable, c.reason, c.agency, c.updateId),
  cancel: (client: InspectionsClient, id: string, c: Commands['cancel']) =>
    client.cancel(id, c.reason, c.updateId),
  contacts: (client: InspectionsClient, id: string, c: Commands['contacts']) =>
    client.changeContacts(id, c.contacts, c.updateId),
  sendLink: (client: InspectionsClient, id: string, c: Commands['sendLink']) =>
    client.sendLink(id, c.agency, c.revoke, c.updateId),
  answerQueries: (client: InspectionsClient, id: string, c: Commands['answerQueries']) =>
    client.answerQueries(id, c.deliverable, c.agency, c.submissionId, c.answers, c.updateId),
  withdraw: (client: InspectionsClient, id: string, c: Commands['withdraw']) =>
    client.withdraw(
      id,
      { deliverableId: c.deliverable, submissionId: c.submissionId, sha256: c.sha256 },
      c.agency,
      c.reason,
      c.updateId,
    ),
  message: (client: InspectionsClient, id: string, c: Commands['message']) =>
    client.message(id, c.agency, c.text, c.updateId),
  request: (client: InspectionsClient, id: string, c: Commands['request']) =>
    client.addDeliverable(
      id,
      {
        title: c.title,
        description: c.description,
        owner: c.owner,
        kind: c.kind,
        dueAt: c.due,
        source: c.source,
        ...(c.childIds ? { childIds: c.childIds } : {}),
      },
      c.updateId,
    ),
};

/** Run a parsed command on an inspection. */
export function runCommand<K extends keyof Results>(
  client: InspectionsClient,
  inspectionId: string,
  name: K,
  command: Commands[K],
): Promise<Results[K]> {
  const run: (client: InspectionsClient, id: string, c: Commands[K]) => Promise<Results[K]> = perform[name];
  return run(client, inspectionId, command);
}

/** Parse a command and run it on an inspection. */
export async function performCommand<K extends keyof Results>(
  client: InspectionsClient,
  inspectionId: string,
  name: K,
  input: unknown,
): Promise<{ command: Commands[K]; result: Results[K] }> {
  const command = parseCommand(name, input);
  return { command, result: await runCommand(client, inspectionId, name, command) };
}

/** What a start needs that one field alone cannot say: a rehearsal starts now and needs N, an inspection a date. */
const START_RULES: {
  field: 'notifiedOn' | 'dayMinutes';
  broken: (c: Commands['start']) => boolean;
  message: string;
}[] = [
  {
    field: 'notifiedOn',
    broken: (c) => !c.rehearsal && c.notifiedOn === undefined,
    message: 'Enter the notification date.',
  },
  {
    field: 'notifiedOn',
    broken: (c) => !!c.rehearsal && c.notifiedOn !== undefined,
    message: 'A rehearsal starts now, on the day it is started: leave out the notification date.',
  },
  {
    field: 'dayMinutes',
    broken: (c) => !!c.rehearsal && c.dayMinutes === undefined,
    message: 'Choose how many minutes a working day of the rehearsal lasts, for example 20.',
  },
  {
    field: 'dayMinutes',
    broken: (c) => !c.rehearsal && c.dayMinutes !== undefined,
    message: 'Minutes per working day are for a rehearsal only: ask for a rehearsal, or leave them out.',
  },
];

export function startProblems(c: Commands['start']): Problem[] {
  return START_RULES.filter((rule) => rule.broken(c)).map(({ field, message }) => ({
    field,
    message,
    type: 'BadRequest',
  }));
}

/** Start an inspection, or a rehearsal of one. */
export function startInspection(client: InspectionsClient, c: Commands['start']) {
  const problems = startProblems(c);
  if (problems.length > 0) throw new CommandError(problems);
  const common = {
    localAuthority: c.localAuthority,
    option: c.option,
    contacts: c.contacts,
    ...(c.themeId ? { themeId: c.themeId } : {}),
  };
  if (c.rehearsal && c.dayMinutes !== undefined)
    return client.startRehearsal({ ...common, dayMinutes: c.dayMinutes });
  return client.start({
    ...common,
    notifiedOn: c.notifiedOn as string,
    ...(c.lateStart ? { lateStart: true } : {}),
    ...(c.twentyAnswersTime ? { twentyAnswersTime: c.twentyAnswersTime } : {}),
  });
}
