/** Columns shared by several lists (seed 001, Annex A), and the seven questions of Options A and B. */
import type { ColumnInput } from './table';

export const childId: ColumnInput = {
  key: 'childId',
  header: 'Child unique ID',
  variants: [
    'Child Unique ID',
    'Child ID',
    'Child identifier',
    'Child unique identifier',
    'Unique ID',
    'Child ID number',
  ],
  patterns: [
    /\bchild\b.*\b(id|identifier)\b/i,
    /\b(id|identifier)\b.*\bchild\b/i,
    /^(person|client|case|child)?\s*(id|identifier|ref|reference)$/i,
  ],
  type: 'child-id',
  required: true,
  note: "The child's unique ID in the local authority's case management system. Never a name.",
};
export const gender: ColumnInput = {
  key: 'gender',
  header: 'Gender',
  variants: ['Sex', 'Gender/Sex'],
  patterns: [/^\s*(gender|sex)\b/i],
  type: 'code',
  codeList: 'Gender',
  required: true,
  note: 'Gender as recorded (a) Male, b) Female, c) Not stated/recorded, d) Neither).',
};
export const ethnicity: ColumnInput = {
  key: 'ethnicity',
  header: 'Ethnicity',
  variants: ['Ethnic origin', 'Ethnic group', 'Ethnicity code'],
  patterns: [/ethnic/i],
  type: 'code',
  codeList: 'Ethnicity',
  required: true,
  note: 'DfE ethnicity code (for example WBRI), alone or with its description.',
};
export const dob: ColumnInput = {
  key: 'dob',
  header: 'Date of birth',
  variants: ['DOB', 'D.O.B.', 'Birth date'],
  patterns: [/^(?!.*(expected|unborn|due)).*\b(date of birth|birth ?date|dob)\b/i],
  type: 'date',
  required: true,
  blank: 'ok',
  note: 'Date of birth, dd/mm/yyyy. Leave blank for an unborn child and give the expected date of birth.',
};
export const expectedDob: ColumnInput = {
  key: 'expectedDob',
  header: 'If unborn: expected date of birth',
  variants: ['Expected date of birth', 'Expected DOB', 'EDD', 'Unborn expected date of birth'],
  patterns: [/(expected|unborn|due).*(birth|dob|delivery)/i, /\bedd\b/i],
  type: 'date',
  required: false,
  futureAllowed: true,
  note: 'For an unborn child only: the expected date of birth, dd/mm/yyyy.',
};
export const age: ColumnInput = {
  key: 'age',
  header: 'Age of child (years)',
  variants: ['Age of Child (Years)', 'Age', 'Age (years)', 'Age in years'],
  patterns: [/^age\b/i, /\bage of child\b/i],
  type: 'integer',
  required: true,
  blank: 'ok',
  min: 0,
  decimals: 'warning',
  note: "The child's age in whole years at the date the inspection was notified.",
};
export const disability: ColumnInput = {
  key: 'disability',
  header: 'Does the child have a disability? (Y/N)',
  variants: [
    'Does the Child have a Disability',
    'Does the child have a disability (Y/N)',
    'Disability',
    'Disabled',
  ],
  patterns: [/disab/i],
  type: 'yn',
  codeList: 'Disability',
  required: true,
  note: 'Y, N or Unknown.',
};
export const team: ColumnInput = {
  key: 'team',
  header: 'Allocated team',
  variants: ['Team', 'Allocated Team Name'],
  patterns: [/allocated.*team|team.*allocated/i, /^team( name)?$/i],
  type: 'text',
  required: true,
  blank: 'ok',
  note: 'The team the case is allocated to (blank if none).',
};
export const worker: ColumnInput = {
  key: 'worker',
  header: 'Allocated worker',
  variants: ['Worker', 'Allocated social worker', 'Social worker'],
  patterns: [/allocated.*worker|worker.*allocated/i, /^(social )?worker( name)?$/i],
  type: 'text',
  required: true,
  blank: 'ok',
  note: 'The worker the case is allocated to (blank if none).',
};
export const THEME_HEADER =
  'Is the child at risk of, or subject to, sexual abuse in the family environment (Y/N)?';
export const theme: ColumnInput = {
  key: 'theme',
  header: THEME_HEADER,
  variants: [
    'Whether the child has been at risk of or subject to child sexual abuse in the family environment (Y/N)',
    'Is the child at risk of, or subject to, sexual abuse in the family environment?',
    'At risk of or subject to sexual abuse in the family environment (Y/N)',
  ],
  patterns: [
    /^(?!.*(current or significant|intervention|referral centre|paediatric)).*sexual abuse.*famil/i,
    /^(?!.*(current or significant|intervention|referral centre|paediatric)).*\bcsa\b.*famil/i,
  ],
  type: 'yn',
  required: true,
  note: 'Y if the child is at risk of, or subject to, sexual abuse in the family environment (including abuse in the past); otherwise N.',
};

/** The seven questions of Option A (the 20 children) and Option B (every child flagged Y on lists 6-8). */
export const SEVEN_QUESTIONS: ColumnInput[] = [
  {
    key: 'csaCurrent',
    header: 'Is child sexual abuse in the family environment a current or significant factor? (Y/N)',
    patterns: [/current or significant factor/i],
    type: 'yn',
    required: true,
    note: 'Y if child sexual abuse in the family environment is a current or significant factor for this child.',
  },
  {
    key: 'multiAgency',
    header: 'Is there multi-agency involvement? (Y/N)',
    patterns: [/multi.?agency involvement/i],
    type: 'yn',
    required: true,
    note: 'Y if at least two agencies are supporting the child.',
  },
  {
    key: 'knownToYot',
    header: 'Is the child or young person known to the YOT? (Y/N)',
    patterns: [/known to (the )?(yot|youth offending|youth justice)/i],
    type: 'yn',
    required: true,
    note: 'Y if the youth offending team knows the child.',
  },
  {
    key: 'npsAdult',
    header:
      'Is the NPS working with a parent or any adult living in the same household as the child or who has a close connection to the child or young person? (Y/N)',
    patterns: [/\b(nps|probation)\b.*working with/i],
    type: 'yn',
    required: true,
    note: 'Y if probation works with a parent, an adult in the household or an adult closely connected to the child.',
  },
  {
    key: 'policeInvestigation',
    header: 'Is there a current police investigation or any criminal proceedings? (Y/N)',
    patterns: [/police investigation|criminal proceedings/i],
    type: 'yn',
    required: true,
    note: 'Y if there is a current police investigation or criminal proceedings.',
  },
  {
    key: 'interventionSupport',
    header:
      'Is the child currently receiving intervention and support or has been in the last six months in relation to child sexual abuse in the family environment? (Y/N)',
    patterns: [/intervention and support/i],
    type: 'yn',
    required: true,
    note: 'Y if the child receives, or received in the last six months, intervention and support about this abuse.',
  },
  {
    key: 'sarcPaediatric',
    header:
      'Has the child either attended the Sexual Assault Referral Centre or attended a child paediatric assessment because of concerns about actual or suspected sexual abuse in the family environment in the last 12 months? (Y/N)',
    patterns: [/sexual assault referral centre|\bsarc\b|paediatric assessment/i],
    type: 'yn',
    required: true,
    note: 'Y if in the last 12 months the child attended a SARC or a child paediatric assessment for these concerns.',
  },
];

/** Who the child is: the first columns of every ILACS child-level list (lists 1, 3 to 8). */
export const childDetails: ColumnInput[] = [childId, gender, ethnicity, dob, expectedDob, age];
