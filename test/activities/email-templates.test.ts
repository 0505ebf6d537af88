import { renderNotice } from '../../src/activities';
import { EMAIL_TEMPLATES } from '../../src/activities/email-templates';
import type { Notice, NoticeTemplate } from '../../src/activities/types';

/** Every email the workflow can send renders from its table entry, and the new ones say only what they may. */
const at = Date.UTC(2090, 0, 10, 10, 0);
const base: Notice = {
  inspectionId: 'inspection-example-borough-2090-01-09',
  localAuthority: 'Example Borough',
  template: 'request',
  agency: 'police',
  agencyName: 'Example Police',
  deliverables: [{ id: 'annex-a-documents.police', title: 'Annex A documents', dueAt: at + 86_400_000 }],
  to: ['police@example.org'],
  cc: [],
  messageKey: 'k',
  sentAt: at,
  link: { version: 1, run: 'r', expiresAt: at + 30 * 86_400_000 },
};
const LINK = 'http://jtai.test/a/token';

test.each(Object.keys(EMAIL_TEMPLATES) as NoticeTemplate[])('%s renders every placeholder', (template) => {
  const { subject, text } = renderNotice({ ...base, template }, LINK);
  expect(subject).not.toMatch(/[{}]/);
  expect(text).not.toMatch(/\{[a-zA-Z]+\}/);
  expect(subject).toContain('Example Borough');
});

test('a receipt names each file by code, SHA-256 and size, and says when it arrived', () => {
  const sha = 'a'.repeat(64);
  const { subject, text } = renderNotice(
    {
      ...base,
      template: 'receipt',
      receipt: { at, late: true, files: [{ code: '3.1', sha256: sha, size: 12_345 }] },
    },
    LINK,
  );
  expect(subject).toBe('Received: JTAI Example Borough, Annex A documents');
  // The code with its title, from the theme data.
  expect(text).toContain(`3.1 Organisational structures`);
  expect(text).toMatch(new RegExp(`3\\.1 Organisational structures[^\\n]*: ${sha} \\(12,345 bytes\\)`));
  expect(text).toMatch(/Received .*10 Jan 2090, 10:00.*\(after the deadline\)/);
  expect(text).toContain(LINK);
});

test('the digest lists each arrival with its agency and time; the message email carries no message', () => {
  const digest = renderNotice(
    {
      ...base,
      template: 'arrivals-digest',
      arrivals: [{ title: 'List 6: children in need', agencyName: 'Example Council', at, late: false }],
    },
    LINK,
  );
  expect(digest.text).toMatch(/List 6: children in need, from Example Council, .*10 Jan 2090, 10:00/);
  const message = renderNotice({ ...base, template: 'message' }, LINK);
  expect(message.text).toContain(LINK);
  expect(message.text).toContain('The message itself is not in this email');
});

test('a reminder lists the documents still missing by code and title, one to a line', () => {
  const { text } = renderNotice(
    {
      ...base,
      template: 'reminder',
      deliverables: [{ ...base.deliverables[0]!, missing: ['3.5', '3.6', 'X9'] }],
    },
    LINK,
  );
  expect(text).toContain(
    [
      '    still missing:',
      '      3.5 Strategy, policies and guidance relating to child sexual abuse in the family environment',
      '      3.6 Problem profile related to child sexual abuse in the family environment',
      '      X9',
    ].join('\n'),
  );
});

test.each(Object.keys(EMAIL_TEMPLATES) as NoticeTemplate[])(
  '%s has an HTML part with the same wording, every text escaped, nothing fetched',
  (template) => {
    const hostile = 'Example <b>Police</b> & "Co"';
    const { text, html } = renderNotice(
      {
        ...base,
        template,
        agencyName: hostile,
        deliverables: [
          { id: 'd', title: 'Annex A <script>alert(1)</script>', dueAt: at, missing: ['3.1', '3.<2>'] },
        ],
        receipt: { at, late: false, files: [{ code: '3.1', sha256: 'a'.repeat(64), size: 1 }] },
        arrivals: [{ title: 'List <6>', agencyName: hostile, at, late: true }],
        failure: { agencyName: hostile, to: 'x@example.org', since: at, reason: '<550>' },
      },
      `${LINK}?a=1&b=2`,
    );
    // The plain-text part keeps the texts as they are; only the HTML part escapes them.
    if (text.includes('Annex A')) expect(text).toContain('Annex A <script>alert(1)</script>');
    expect(html).not.toMatch(/<(b|script|6|550)>/);
    expect(html).not.toMatch(/<(img|link|style|iframe)\b|\bsrc=|url\(/i);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    if (text.includes(hostile))
      expect(html).toContain('Example &#60;b&#62;Police&#60;/b&#62; &#38; &#34;Co&#34;');
    if (text.includes(LINK))
      expect(html).toContain(`<a href="${LINK}?a=1&#38;b=2" style="display: inline-block;`);
    if (text.includes('Annex A <script>'))
      expect(html).toMatch(/<td[^>]*>Annex A &#60;script&#62;alert\(1\)&#60;\/script&#62;<br>/);
  },
);

test('a rehearsal says so at the top of both parts', () => {
  const { text, html } = renderNotice({ ...base, rehearsal: true }, LINK);
  expect(text.startsWith('REHEARSAL')).toBe(true);
  expect(html).toMatch(/<p style="[^"]*border: 5px solid #d4351c;[^"]*">REHEARSAL: this is a practice run/);
});
