/**
 * The contacts file an inspection is started with: the coordinator, and for each of the six agencies a
 * primary contact and an escalation lead. Problems are reported the way a coordinator can fix them:
 * file, line and field, e.g. `contacts.yaml line 7: agencies.police.escalation: "x" is not an email address`.
 */
import { LineCounter, isMap, isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import { z } from 'zod';
import { AGENCIES, AGENCY_NAMES, type AgencyId } from '../timeline/types';
import { ContactsError } from './errors';

export interface AgencyContacts {
  name: string;
  /** Primary contact: gets the links and the reminders. */
  contact: string;
  /** Escalation lead: told when a deadline is missed. */
  escalation: string;
}

export interface Contacts {
  coordinator: { name: string; email: string };
  agencies: Record<AgencyId, AgencyContacts>;
}

function agencySchema(id: AgencyId) {
  return z
    .strictObject({ name: z.string().trim().min(1).optional(), contact: z.email(), escalation: z.email() })
    .transform(({ name, contact, escalation }): AgencyContacts => ({
      name: name ?? AGENCY_NAMES[id],
      contact,
      escalation,
    }));
}

const agenciesShape = Object.fromEntries(AGENCIES.map((id) => [id, agencySchema(id)])) as {
  [K in AgencyId]: ReturnType<typeof agencySchema>;
};

export const contactsSchema = z.strictObject({
  coordinator: z.strictObject({ name: z.string().trim().min(1), email: z.email() }),
  agencies: z.strictObject(agenciesShape),
});

/** Kept with the other errors (errors.ts), so that the CLI can tell one without loading the YAML parser. */
export { ContactsError };

export function parseContacts(text: string, fileName: string): Contacts {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;

  // A file that does not parse cannot be checked field by field. Report the first syntax error only:
  // one slip (a missing bracket, a bad indent) makes the parser report several more that follow from it.
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const start = syntaxError.pos[0];
    const duplicate = syntaxError.code === 'DUPLICATE_KEY' ? keyPathAt(doc, start) : undefined;
    const message = duplicate
      ? `${field(duplicate)}appears more than once`
      : syntaxError.message.split('\n')[0];
    throw new ContactsError([`${fileName} line ${lineOf(start)}: ${message}`]);
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // A file that parses but cannot be turned into data: aliases that would expand without end.
    throw new ContactsError([
      `${fileName}: cannot be read (${err instanceof Error ? err.message : String(err)})`,
    ]);
  }
  return checkContacts(data, { name: fileName, lineOf: (path) => lineOf(locate(doc, path)) });
}

/**
 * Check contacts given as data: parsed from a file (`source` says which, and where each field's line is)
 * or a JSON body. Each problem names its field, after its line in the file when there is one.
 */
export function checkContacts(
  data: unknown,
  source?: { name: string; lineOf: (path: string[]) => number },
): Contacts {
  const result = contactsSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, on the key's own line.
      const unknown = path.join('.') === 'agencies' ? 'unknown agency' : 'unknown field';
      const allowed = allowedKeys(path).join(', ');
      return issue.keys.map((key) => ({
        line: source?.lineOf([...path, key]) ?? 0,
        message: `${field([...path, key])}${unknown} (expected ${allowed})`,
      }));
    }
    const value = valueAt(data, path);
    return [{ line: source?.lineOf(path) ?? 0, message: field(path) + describeIssue(issue, path, value) }];
  });
  problems.sort((a, b) => a.line - b.line); // stable: zod's order within a line
  const where = (line: number) => (source ? `${source.name} line ${line}` : 'contacts');
  throw new ContactsError(problems.map((problem) => `${where(problem.line)}: ${problem.message}`));
}

function field(path: string[]): string {
  return path.length > 0 ? `${path.join('.')}: ` : '';
}

function describeIssue(issue: z.core.$ZodIssue, path: string[], value: unknown): string {
  const expected = expectation(path);
  switch (issue.code) {
    case 'invalid_type':
      if (path.length === 0 && value == null) return `the file is empty; expected ${expected}`;
      if (value === undefined) return 'is missing';
      if (value === null) return `is empty; expected ${expected}`;
      return `expected ${expected}, found ${describeValue(value)}`;
    case 'invalid_format':
      return issue.format === 'email'
        ? `${JSON.stringify(value)} is not an email address`
        : `${JSON.stringify(value)} is not valid`;
    case 'too_small':
      return `is empty; expected ${expected}`;
    default:
      return issue.message;
  }
}

/** What belongs at a path, in words. */
function expectation(path: string[]): string {
  const [top, agency, leaf] = path;
  if (top === undefined) return 'a mapping with coordinator and agencies';
  if (top === 'coordinator') {
    return agency === undefined
      ? 'a mapping with name and email'
      : agency === 'email'
        ? 'an email address'
        : 'a name';
  }
  if (agency === undefined) return `a mapping with the six agencies (${AGENCIES.join(', ')})`;
  if (leaf === undefined) return 'a mapping with name, contact and escalation';
  return leaf === 'name' ? 'a name' : 'an email address';
}

function allowedKeys(path: string[]): readonly string[] {
  if (path.length === 0) return ['coordinator', 'agencies'];
  if (path[0] === 'coordinator') return ['name', 'email'];
  return path.length === 1 ? AGENCIES : ['name', 'contact', 'escalation'];
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return typeof value === 'string' ? `the text ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: string[]): unknown {
  let current = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Where a path is in the source: its key's position if it exists, else the position of the deepest
 * ancestor that does (so a missing field is reported on its parent's line).
 */
function locate(doc: Document, path: string[]): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (!pair) break;
    offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
    node = pair.value;
  }
  return offset;
}

/** The field path of the mapping key that starts at `offset`, if there is one. */
function keyPathAt(doc: Document, offset: number): string[] | undefined {
  let found: string[] | undefined;
  visit(doc, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const parents = ancestors
        .filter(isPair)
        .map((parent) => String(isScalar(parent.key) ? parent.key.value : parent.key));
      found = [...parents, String(pair.key.value)];
      return visit.BREAK;
    },
  });
  return found;
}
