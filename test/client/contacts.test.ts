import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContactsError, parseContacts } from '../../src/client/contacts';

const example = readFileSync(join(__dirname, '../../examples/contacts.yaml'), 'utf8');

/** The problems parseContacts reports for a text, or [] if it parses. */
function problemsOf(text: string): string[] {
  try {
    parseContacts(text, 'contacts.yaml');
    return [];
  } catch (error) {
    if (error instanceof ContactsError) return error.problems;
    throw error;
  }
}

const GOOD = `coordinator:
  name: Sam Example
  email: sam.coordinator@example.org
agencies:
  local-authority: { contact: la@example.org, escalation: dcs@example.org }
  police:
    name: Example Constabulary
    contact: police@example.org
    escalation: not-an-email
  health: { contact: health@example.org, escalation: health.lead@example.org }
  probation: { contact: probation@example.org, escalation: probation.lead@example.org }
  youth-justice: { contact: yjs@example.org, escalation: yjs.lead@example.org }
  partnership: { contact: partnership@example.org, escalation: partnership.lead@example.org }
`;

describe('parseContacts', () => {
  it('parses the example file, defaulting agency names', () => {
    const contacts = parseContacts(example, 'examples/contacts.yaml');
    expect(contacts.coordinator).toEqual({ name: 'Sam Example', email: 'sam.coordinator@example.org' });
    expect(contacts.agencies['local-authority']).toEqual({
      name: "Example Council children's services",
      contact: 'la.performance@example.org',
      escalation: 'dcs.office@example.org',
    });
    expect(contacts.agencies.probation).toEqual({
      name: 'Probation (NPS)',
      contact: 'probation.pdu@example.org',
      escalation: 'probation.head@example.org',
    });
    expect(Object.keys(contacts.agencies)).toEqual([
      'local-authority',
      'police',
      'health',
      'probation',
      'youth-justice',
      'partnership',
    ]);
  });

  it('names the line and field of a bad email', () => {
    expect(problemsOf(GOOD)).toEqual([
      'contacts.yaml line 9: agencies.police.escalation: "not-an-email" is not an email address',
    ]);
    expect(() => parseContacts(GOOD, 'contacts.yaml')).toThrow(
      new ContactsError([
        'contacts.yaml line 9: agencies.police.escalation: "not-an-email" is not an email address',
      ]),
    );
  });

  it('reports a missing agency on the line of agencies', () => {
    const text = GOOD.replace('not-an-email', 'police.lead@example.org').replace(/ {2}probation: .*\n/, '');
    expect(problemsOf(text)).toEqual(['contacts.yaml line 4: agencies.probation: is missing']);
  });

  it('reports a missing field on the line of its parent, and an empty one on its own line', () => {
    const text = GOOD.replace('    escalation: not-an-email\n', '').replace(
      'email: sam.coordinator@example.org',
      'email:',
    );
    expect(problemsOf(text)).toEqual([
      'contacts.yaml line 3: coordinator.email: is empty; expected an email address',
      'contacts.yaml line 6: agencies.police.escalation: is missing',
    ]);
  });

  it('reports unknown keys on their own line, with what is allowed', () => {
    const text = GOOD.replace(
      'escalation: not-an-email',
      'escalation: police.lead@example.org\n    phone: 01234',
    )
      .replace('  youth-justice:', '  youth_justice:')
      .concat('notes: hello\n');
    expect(problemsOf(text)).toEqual([
      'contacts.yaml line 4: agencies.youth-justice: is missing',
      'contacts.yaml line 10: agencies.police.phone: unknown field (expected name, contact, escalation)',
      'contacts.yaml line 13: agencies.youth_justice: unknown agency ' +
        '(expected local-authority, police, health, probation, youth-justice, partnership)',
      'contacts.yaml line 15: notes: unknown field (expected coordinator, agencies)',
    ]);
  });

  it('reports the first YAML syntax error with its line', () => {
    const text = GOOD.replace('    name: Example Constabulary\n', '    name: [Example Constabulary\n');
    expect(problemsOf(text)).toEqual([
      'contacts.yaml line 8: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a duplicate key as a syntax error on the second key', () => {
    const text = GOOD.replace(
      '    contact: police@example.org\n',
      '    contact: police@example.org\n    contact: x@example.org\n',
    );
    expect(problemsOf(text)).toEqual([
      'contacts.yaml line 9: agencies.police.contact: appears more than once',
    ]);
  });

  it('reports wrong types and an empty file', () => {
    const text = GOOD.replace(
      'escalation: not-an-email',
      'escalation: [a@example.org, b@example.org]',
    ).replace(
      '  health: { contact: health@example.org, escalation: health.lead@example.org }',
      '  health: NHS',
    );
    expect(problemsOf(text)).toEqual([
      'contacts.yaml line 9: agencies.police.escalation: expected an email address, found a list',
      'contacts.yaml line 10: agencies.health: expected a mapping with name, contact and escalation, found the text "NHS"',
    ]);
    expect(problemsOf('# nothing yet\n')).toEqual([
      'contacts.yaml line 1: the file is empty; expected a mapping with coordinator and agencies',
    ]);
  });

  it('lists every problem and summarises them in the message', () => {
    const text = GOOD.replace('sam.coordinator@example.org', 'sam').replace('police@example.org', 'police');
    let error: unknown;
    try {
      parseContacts(text, 'contacts.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ContactsError);
    expect((error as ContactsError).problems).toEqual([
      'contacts.yaml line 3: coordinator.email: "sam" is not an email address',
      'contacts.yaml line 8: agencies.police.contact: "police" is not an email address',
      'contacts.yaml line 9: agencies.police.escalation: "not-an-email" is not an email address',
    ]);
    expect((error as ContactsError).message).toBe(
      'contacts.yaml line 3: coordinator.email: "sam" is not an email address (and 2 more problems)',
    );
  });
});
