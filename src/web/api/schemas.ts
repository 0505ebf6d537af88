import { z } from 'zod';
import { agency, commands, contacts } from '../../client/commands';
import {
  deliverableViewSchema,
  inspectionSummarySchema,
  inspectionViewSchema,
  queryViewSchema,
  receiptSchema,
} from '../../client/read-model';

/**
 * The JSON API's schemas: bodies are the command schemas, answers the read-model views. The OpenAPI
 * document is generated from them; the shared ones are named components (zod's global registry, where
 * `.describe()` also keeps each field's description).
 */

export const errorSchema = z.object({ error: z.object({ type: z.string(), message: z.string() }) });

const COMPONENTS: [z.ZodType, string][] = [
  [inspectionViewSchema, 'InspectionView'],
  [deliverableViewSchema, 'DeliverableView'],
  [inspectionSummarySchema, 'InspectionSummary'],
  [receiptSchema, 'Receipt'],
  [queryViewSchema, 'Query'],
  [errorSchema, 'Error'],
];
for (const [schema, id] of COMPONENTS)
  if (z.globalRegistry.get(schema)?.id !== id)
    z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });

export const okSchema = z.object({ ok: z.literal(true) });

export const idParams = z.object({
  id: z.string().describe('Inspection id, `inspection-<local-authority>-<notification date>`'),
});
export const agencyParams = idParams.extend({ agency });

/** An answer of a status, described, with its schema (the serializer checks what is sent against it). */
export const answer = (description: string, schema: z.ZodType, type = 'application/json') => ({
  description,
  content: { [type]: { schema } },
});

const refused = (description: string) => answer(description, errorSchema);
const REFUSALS = {
  400: refused('Bad request: the type says which, the message what to change'),
  401: refused('Not signed in: use HTTP Basic or the session cookie'),
  403: refused('Not allowed: managers read only'),
  404: refused('No such inspection'),
  409: refused('Not possible now: already settled, not yet requested, or ended'),
  415: refused('An action takes a JSON body only (application/json), whoever calls'),
  429: refused('Too many wrong passwords: sign-in is locked for a while'),
};
/** The refusals of a read, and of an action. */
export const readRefusals = { 401: REFUSALS[401], 404: REFUSALS[404], 429: REFUSALS[429] };
export const actionRefusals = REFUSALS;

/**
 * Starting an inspection: the start command, whose contacts may also come as `contactsYaml` (the file's
 * text), as the API has always taken them.
 */
export const startBody = commands.start
  .extend({
    contacts: contacts.optional(),
    contactsYaml: contacts.optional().describe('The contacts file as YAML, instead of `contacts`'),
  })
  .transform(({ contactsYaml, ...start }, ctx) => {
    const given = start.contacts ?? contactsYaml;
    if (given) return { ...start, contacts: given };
    ctx.addIssue({ code: 'custom', message: 'Upload the contacts file.', path: ['contacts'] });
    return z.NEVER;
  });

export const startedSchema = z.object({ inspectionId: z.string(), deliverables: z.number().int() });
