import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CommandError, parseCommand, readDate, readDateTime } from '../../src/client/commands';

/** The one set of command schemas the CLI, the pages and the API parse with. */

const problemOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof CommandError) return { type: err.type, message: err.message, problems: err.problems };
    throw err;
  }
  throw new Error('expected a CommandError');
};

test('dates: UK and ISO forms, real dates only', () => {
  expect(readDate('2026-11-23')).toBe('2026-11-23');
  expect(readDate('23/11/2026')).toBe('2026-11-23');
  expect(readDate('3/1/2027')).toBe('2027-01-03');
  for (const bad of ['31/02/2026', '2026-02-30', '2026-1-3', '23-11-2026', 'next Monday', ''])
    expect(readDate(bad)).toBeUndefined();
});

test('date-times: UK wall time in either form, or an ISO instant with its offset', () => {
  const expected = Date.parse('2026-11-27T17:00:00Z'); // GMT in November
  expect(readDateTime('27/11/2026 17:00')).toBe(expected);
  expect(readDateTime('2026-11-27 17:00')).toBe(expected);
  expect(readDateTime('2026-11-27T17:00')).toBe(expected);
  expect(readDateTime('2026-11-27T17:00:00Z')).toBe(expected);
  expect(readDateTime('2026-11-27T18:00:00+01:00')).toBe(expected);
  expect(readDateTime('2026-06-01 17:00')).toBe(Date.parse('2026-06-01T16:00:00Z')); // BST
  expect(() => readDateTime('2026-03-29 01:30')).toThrow(/does not exist in UK time/);
  expect(() => readDateTime('next Tuesday')).toThrow(/"next Tuesday"/);
});

test('extend: a deadline the web and the CLI read alike; each missing field named', () => {
  const uk = parseCommand('extend', { deliverable: ' list-7 ', to: '27/11/2026 17:00', reason: 'Agreed' });
  const iso = parseCommand('extend', { deliverable: 'list-7', to: '2026-11-27T17:00:00Z', reason: 'Agreed' });
  expect(uk).toEqual({ deliverable: 'list-7', to: iso.to, reason: 'Agreed' });
  const missing = problemOf(() => parseCommand('extend', { to: 'soon', agency: 'fire-service' }));
  expect(missing.type).toBe('BadRequest');
  expect(missing.problems.map((p) => p.field)).toEqual(['deliverable', 'to', 'reason', 'agency']);
  expect(missing.message).toMatch(/^Enter the deliverable\. \(and 3 more problems\)$/);
  expect(missing.problems[3]?.message).toMatch(
    /^Unknown agency "fire-service": the agencies are local-authority/,
  );
});

test('select: child IDs as a list or as text split on spaces and commas; none is refused', () => {
  const listed = parseCommand('select', { stage: 'tracked', childIds: [' SYN0001', 'SYN0002 '] });
  const typed = parseCommand('select', { stage: 'tracked', childIds: 'SYN0001, SYN0002\nSYN0003' });
  expect(listed.childIds).toEqual(['SYN0001', 'SYN0002']);
  expect(typed.childIds).toEqual(['SYN0001', 'SYN0002', 'SYN0003']);
  expect(problemOf(() => parseCommand('select', { stage: 'tracked', childIds: ' , ' })).message).toBe(
    'Choose at least one child.',
  );
  expect(problemOf(() => parseCommand('select', { stage: 'ten', childIds: ['SYN0001'] })).message).toBe(
    'Say which selection: twenty or tracked.',
  );
});

test('text is trimmed and bounded; an update id has a fixed form', () => {
  expect(problemOf(() => parseCommand('cancel', { reason: '   ' })).message).toBe(
    'Enter a reason for cancelling the inspection.',
  );
  expect(problemOf(() => parseCommand('cancel', { reason: 'x'.repeat(2001) })).message).toBe(
    'A reason for cancelling the inspection must be 2000 characters or fewer.',
  );
  expect(parseCommand('cancel', { reason: ' Done ', updateId: 'abcd-1234' })).toEqual({
    reason: 'Done',
    updateId: 'abcd-1234',
  });
  expect(problemOf(() => parseCommand('cancel', { reason: 'x', updateId: 'a b' })).problems[0]?.field).toBe(
    'updateId',
  );
});

test('start: option in either case, dates in either form, contacts as YAML or an object, problems by field', async () => {
  const yaml = await readFile(path.join(__dirname, '../../examples/contacts.yaml'), 'utf8');
  const fromYaml = parseCommand('start', {
    localAuthority: ' Example Borough ',
    notifiedOn: '23/11/2026',
    option: 'b',
    contacts: yaml,
  });
  expect(fromYaml).toMatchObject({
    localAuthority: 'Example Borough',
    notifiedOn: '2026-11-23',
    option: 'B',
  });
  const fromObject = parseCommand('start', { ...fromYaml, contacts: fromYaml.contacts });
  expect(fromObject.contacts).toEqual(fromYaml.contacts);

  const broken = problemOf(() =>
    parseCommand('start', {
      localAuthority: 'Example',
      notifiedOn: '2026-11-23',
      option: 'A',
      contacts: yaml.replace(/escalation: \S+@\S+/, 'escalation: not-an-email'),
    }),
  );
  expect(broken.type).toBe('ContactsInvalid');
  expect(broken.problems[0]).toMatchObject({
    field: 'contacts',
    message: expect.stringMatching(/^contacts\.yaml line \d+: agencies\.[a-z-]+\.escalation: "not-an-email"/),
  });
  const noContacts = problemOf(() =>
    parseCommand('start', { localAuthority: 'x', notifiedOn: '30/02/2026', option: 'C', contacts: '' }),
  );
  expect(noContacts.problems.map((p) => [p.field, p.message])).toEqual([
    [
      'notifiedOn',
      'Enter the notification date as a real date, YYYY-MM-DD or DD/MM/YYYY, for example 2026-11-23.',
    ],
    ['option', 'Choose option A or B.'],
    ['contacts', 'Upload the contacts file.'],
  ]);
  const objectProblem = problemOf(() =>
    parseCommand('start', {
      ...fromYaml,
      contacts: { ...fromYaml.contacts, coordinator: { name: 'Sam', email: 'nope' } },
    }),
  );
  expect(objectProblem.message).toBe('contacts: coordinator.email: "nope" is not an email address');
});

test('a contacts file whose aliases would expand without end is refused as contacts, not a crash', () => {
  const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [name, prev] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
    ['f', 'e'],
  ])
    rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  const refused = problemOf(() =>
    parseCommand('start', {
      localAuthority: 'x',
      notifiedOn: '2026-11-23',
      option: 'A',
      contacts: rows.join('\n'),
    }),
  );
  expect(refused).toMatchObject({
    type: 'ContactsInvalid',
    message: expect.stringMatching(/^contacts\.yaml: cannot be read \(.*alias/i),
  });
});
