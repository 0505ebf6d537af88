import { documentsFor } from '../timeline/theme';
import { THEMES } from '../timeline/themes';
import type { AgencyId } from '../timeline/types';
import type { NoticeTemplate } from './types';

/**
 * The wording of every email, as a table. Placeholders: {localAuthority}, {agencyName}, {items},
 * {link}, {coordinator}. Emails name deliverables and due times only: never a child's ID, name,
 * date of birth or anything from a list.
 */
export const EMAIL_TEMPLATES: Record<NoticeTemplate, { subject: string; body: string }> = {
  'request-digest': {
    subject: 'JTAI {localAuthority}: what {agencyName} is asked to provide',
    body: [
      'Dear colleague,',
      '',
      'The local area has been notified of a joint targeted area inspection. {agencyName} is asked to provide the following, each by the time shown (UK time):',
      '',
      '{items}',
      '',
      'Use your agency link to upload files and confirm what you have done:',
      '{link}',
      '',
      'The link is for {agencyName} only. Please do not forward it. Reminders will come before each deadline.',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  'request-digest-late': {
    subject: 'JTAI {localAuthority}: what {agencyName} is asked to provide (some already overdue)',
    body: [
      'Dear colleague,',
      '',
      'The local area has been notified of a joint targeted area inspection, and this request is being sent late: some of what {agencyName} is asked to provide was already due. Items marked OVERDUE are needed as soon as possible; the others by the time shown (UK time):',
      '',
      '{items}',
      '',
      'Use your agency link to upload files and confirm what you have done:',
      '{link}',
      '',
      'The link is for {agencyName} only. Please do not forward it. If something overdue cannot be sent today, tell the coordinator when it will come.',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  request: {
    subject: 'JTAI {localAuthority}: new request for {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'The inspection has reached the next stage. {agencyName} is now asked to provide:',
      '',
      '{items}',
      '',
      'Upload through your agency link:',
      '{link}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  link: {
    subject: 'JTAI {localAuthority}: your agency link for {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'Here is the link for {agencyName} to upload and confirm what the joint targeted area inspection asks of it. Any link sent earlier may no longer work: use this one.',
      '{link}',
      '',
      'Still to provide (UK time):',
      '',
      '{items}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  reminder: {
    subject: 'Reminder: JTAI {localAuthority}, due {firstDue}',
    body: [
      'Dear colleague,',
      '',
      'A reminder that {agencyName} is asked to provide the following for the joint targeted area inspection:',
      '',
      '{items}',
      '',
      'If it is already on its way, please upload it through your agency link as soon as it is ready:',
      '{link}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  'escalation-lead': {
    subject: 'Overdue: JTAI {localAuthority}, {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'You are named as the escalation lead for {agencyName}. The following was due for the joint targeted area inspection and has not been received:',
      '',
      '{items}',
      '',
      'Please make sure it is sent today through the agency link, or tell the coordinator when it will come:',
      '{link}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  'escalation-coordinator': {
    subject: 'Still overdue: JTAI {localAuthority}, {agencyName}',
    body: [
      'The following is still outstanding from {agencyName} after escalation to its lead:',
      '',
      '{items}',
      '',
      'Consider calling the agency lead, extending the deadline with a reason, or waiving it.',
      'Agency link (for reference; it is the agency’s own): {link}',
    ].join('\n'),
  },
  'delivery-failed': {
    subject: 'JTAI {localAuthority}: email to {failedAgency} could not be delivered',
    body: [
      'An email from JTAI coordination to {failedAgency} ({failedTo}) could not be delivered and has been given up.',
      '',
      'Failing since {failedSince}: {failedReason}',
      '',
      'It was about:',
      '',
      '{items}',
      '',
      'Check the address (change the contacts if it is wrong), then resend the agency its link from the inspection page.',
    ].join('\n'),
  },
  receipt: {
    subject: 'Received: JTAI {localAuthority}, {firstTitle}',
    body: [
      'Dear colleague,',
      '',
      'This confirms what {agencyName} sent for the joint targeted area inspection:',
      '',
      '{items}',
      '',
      'Received {receivedAt}{receivedLate}. Files (with the SHA-256 of each, to match your copy):',
      '{receiptFiles}',
      '',
      'See what is still owed on your agency page:',
      '{link}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  'arrivals-digest': {
    subject: 'JTAI {localAuthority}: what arrived',
    body: [
      'Received since the last summary (UK time):',
      '',
      '{arrivals}',
      '',
      'The inspection page shows who still owes what.',
    ].join('\n'),
  },
  extended: {
    subject: 'JTAI {localAuthority}: a deadline for {agencyName} has moved',
    body: [
      'Dear colleague,',
      '',
      'The coordinator has moved the deadline of the following (new due time, UK time):',
      '',
      '{items}',
      '',
      '(The reason is kept with the inspection, not in this email: it may concern a child.)',
      '',
      'Your agency link:',
      '{link}',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  waived: {
    subject: 'JTAI {localAuthority}: no longer needed from {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'The coordinator has recorded that the following is no longer needed from {agencyName}:',
      '',
      '{items}',
      '',
      '(The reason is kept with the inspection, not in this email: it may concern a child.)',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  'answers-closed': {
    subject: 'JTAI {localAuthority}: answers no longer needed from {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'The local authority has sent the inspectors its answers for the children the lead inspector selected, so',
      'the following is no longer needed from {agencyName}:',
      '',
      '{items}',
      '',
      'Any answers you gave before then went into its return. Thank you.',
      '',
      '{coordinator}',
    ].join('\n'),
  },
  message: {
    subject: 'JTAI {localAuthority}: a message for {agencyName}',
    body: [
      'Dear colleague,',
      '',
      'The JTAI coordinator has left a message for {agencyName} about the inspection. Read it on your agency page:',
      '{link}',
      '',
      '(The message itself is not in this email: it may concern a child.)',
      '',
      '{coordinator}',
    ].join('\n'),
  },
};

/** Fill `{name}` placeholders; an unknown placeholder is a programming error, not a silent blank. */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Email template placeholder {${name}} has no value.`);
    return value;
  });
}

/**
 * What every email of a rehearsal adds, whatever its template: nobody may take it for a real inspection.
 * Placeholders as above.
 */
export const REHEARSAL_WORDING = {
  subjectPrefix: 'REHEARSAL: ',
  bodyPrefix: [
    'REHEARSAL: this is a practice run of a joint targeted area inspection, not a real one. Its week runs on a',
    'compressed clock, so the times below are real times today. Use synthetic lists unless the partnership says otherwise.',
    '',
    '',
  ].join('\n'),
};

/**
 * A document code as emails name it, with its title from the theme data: "3.5 Strategy, policies and
 * guidance …". The notice names the deliverable (`annex-a-documents.police`), not the theme: the first theme
 * that asks that agency for the code under it gives the title; an unknown code is shown as it is.
 */
export function documentLabel(deliverableId: string, agency: AgencyId, code: string): string {
  const key = deliverableId.split('.')[0];
  for (const theme of Object.values(THEMES))
    for (const definition of theme.deliverables)
      if (definition.key === key) {
        const title = documentsFor(definition, agency).find((doc) => doc.code === code)?.title;
        if (title) return `${code} ${title}`;
      }
  return code;
}
