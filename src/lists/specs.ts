/**
 * List specifications as data: one table per list (seed 001, Annex A), each column with its header as the
 * guidance words it, the headers real exports use (shared/reference/annex-a.md), its type, code list and
 * whether it is required. The tables are checked by a zod schema when this module loads; the row schemas
 * that validate a file are built from them in ./schema.ts. Pure: no I/O, no Node built-ins.
 */
import { z } from 'zod';
import { CODE_LIST_NAMES } from './codelists';
import { LIST_IDS, LIST_TITLES, type ListId } from './ids';

export const COLUMN_TYPES = ['child-id', 'date', 'time', 'yn', 'integer', 'code', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const ColumnTableRow = z
  .object({
    key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
    /** The header as the guidance words it. */
    header: z.string().min(1),
    /** Other exact headers in use (the ILACS template's wording, common exports). */
    variants: z.array(z.string()).default([]),
    /** Looser patterns tried last (from the reference's header regexes); a match is a warning. */
    patterns: z.array(z.instanceof(RegExp)).default([]),
    type: z.enum(COLUMN_TYPES),
    codeList: z.enum(CODE_LIST_NAMES).optional(),
    /** The column must be present. */
    required: z.boolean(),
    /** Whether a blank cell is acceptable; defaults to 'error' for required columns, 'ok' otherwise. */
    blank: z.enum(['ok', 'error']).optional(),
    /** Option B: the cell must be filled on rows flagged Y for the theme. */
    requiredWhenTheme: z.boolean().default(false),
    /** A date that may lie in the future (expected date of birth, a planned meeting). */
    futureAllowed: z.boolean().default(false),
    /** Integers: smallest value allowed. */
    min: z.number().optional(),
    /** Integers: decimals are accepted with a warning (exports often give ages as 6.14). */
    decimals: z.enum(['error', 'warning']).default('error'),
    /** What the column means, for the template's notes sheet. */
    note: z.string().min(1),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'code' && !c.codeList)
      ctx.addIssue({ code: 'custom', message: `column ${c.key}: a code column needs a code list` });
  })
  .transform((c) => ({
    ...c,
    codeList: c.codeList ?? (c.type === 'yn' ? 'YN' : undefined),
    blank: c.blank ?? (c.required ? ('error' as const) : ('ok' as const)),
  }));

export type ColumnInput = z.input<typeof ColumnTableRow>;
export type ColumnSpec = z.output<typeof ColumnTableRow>;

const ListTable = z.object({
  id: z.enum(LIST_IDS),
  title: z.string(),
  sheetName: z.string().max(31),
  scope: z.string(),
  columns: z.array(ColumnTableRow).min(1),
  /** A child appears at most once (false for lists of events: contacts, referrals, meetings). */
  uniqueChildId: z.boolean(),
  /** Date pairs that must be in order: `after` on or after `before`. */
  dateOrder: z.array(z.object({ before: z.string(), after: z.string() })).default([]),
  /** The case is open when every one of these is blank (used for the aged-18-or-over rule). */
  openWhenBlank: z.array(z.string()).optional(),
  /** More rows than this is a warning (the YOT and NPS lists: up to five; Option A: 20). */
  maxRows: z.number().optional(),
  /** Which child IDs the list puts forward for selection. */
  candidates: z.enum(['theme', 'all', 'none']),
});
export type ListTableInput = z.input<typeof ListTable>;
export type ListSpec = z.output<typeof ListTable> & { option: 'A' | 'B' };

// ---------------------------------------------------------------------------------------------------------
// Columns shared by several lists
// ---------------------------------------------------------------------------------------------------------

const childId: ColumnInput = {
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
const gender: ColumnInput = {
  key: 'gender',
  header: 'Gender',
  variants: ['Sex', 'Gender/Sex'],
  patterns: [/^\s*(gender|sex)\b/i],
  type: 'code',
  codeList: 'Gender',
  required: true,
  note: 'Gender as recorded (a) Male, b) Female, c) Not stated/recorded, d) Neither).',
};
const ethnicity: ColumnInput = {
  key: 'ethnicity',
  header: 'Ethnicity',
  variants: ['Ethnic origin', 'Ethnic group', 'Ethnicity code'],
  patterns: [/ethnic/i],
  type: 'code',
  codeList: 'Ethnicity',
  required: true,
  note: 'DfE ethnicity code (for example WBRI), alone or with its description.',
};
const dob: ColumnInput = {
  key: 'dob',
  header: 'Date of birth',
  variants: ['DOB', 'D.O.B.', 'Birth date'],
  patterns: [/^(?!.*(expected|unborn|due)).*\b(date of birth|birth ?date|dob)\b/i],
  type: 'date',
  required: true,
  blank: 'ok',
  note: 'Date of birth, dd/mm/yyyy. Leave blank for an unborn child and give the expected date of birth.',
};
const expectedDob: ColumnInput = {
  key: 'expectedDob',
  header: 'If unborn: expected date of birth',
  variants: ['Expected date of birth', 'Expected DOB', 'EDD', 'Unborn expected date of birth'],
  patterns: [/(expected|unborn|due).*(birth|dob|delivery)/i, /\bedd\b/i],
  type: 'date',
  required: false,
  futureAllowed: true,
  note: 'For an unborn child only: the expected date of birth, dd/mm/yyyy.',
};
const age: ColumnInput = {
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
const disability: ColumnInput = {
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
const team: ColumnInput = {
  key: 'team',
  header: 'Allocated team',
  variants: ['Team', 'Allocated Team Name'],
  patterns: [/allocated.*team|team.*allocated/i, /^team( name)?$/i],
  type: 'text',
  required: true,
  blank: 'ok',
  note: 'The team the case is allocated to (blank if none).',
};
const worker: ColumnInput = {
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
const theme: ColumnInput = {
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

// ---------------------------------------------------------------------------------------------------------
// One table per list
// ---------------------------------------------------------------------------------------------------------

const list3Columns: ColumnInput[] = [
  childId,
  gender,
  ethnicity,
  dob,
  expectedDob,
  age,
  {
    key: 'referralDate',
    header: 'Date of the most recent referral',
    variants: ['Date of referral', 'Referral date', 'Date of most recent referral'],
    patterns: [/date.*referral|referral.*date/i],
    type: 'date',
    required: true,
    note: 'Date of the referral, dd/mm/yyyy.',
  },
  {
    key: 'referralSource',
    header: 'Referral source',
    variants: ['Source of referral'],
    patterns: [/referral.*source|source.*referral/i],
    type: 'code',
    codeList: 'Source',
    required: true,
    note: 'CIN census referral source code (for example 6 for police), alone or with its description.',
  },
  {
    key: 'nfa',
    header: 'Referral NFA? (Y/N)',
    variants: ['Referral NFA?', 'Referral NFA', 'NFA'],
    patterns: [/\bnfa\b/i, /no further action/i],
    type: 'yn',
    codeList: 'NFA',
    required: true,
    note: 'Y if the referral led to no further action; otherwise N.',
  },
  {
    key: 'referralsCount',
    header: 'Number of referrals in last 12 months',
    variants: ['Number of referrals in the last 12 months', 'Referrals in last 12 months'],
    patterns: [/number of referrals|referrals.*12 ?months/i],
    type: 'integer',
    required: true,
    min: 0,
    note: 'How many referrals the child had in the 12 months before this one (a whole number).',
  },
  team,
  worker,
];

const TABLES: ListTableInput[] = [
  {
    id: '1',
    title: LIST_TITLES['1'],
    sheetName: 'List 1',
    scope: 'All those who have been the subject of a contact in the three months before the inspection.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      expectedDob,
      age,
      {
        key: 'contactDate',
        header: 'Date of contact',
        variants: ['Contact date'],
        patterns: [/date.*contact|contact.*date/i],
        type: 'date',
        required: true,
        note: 'Date of the contact, dd/mm/yyyy.',
      },
      {
        key: 'contactSource',
        header: 'Contact source',
        variants: ['Source of contact'],
        patterns: [/contact.*source|source.*contact/i],
        type: 'code',
        codeList: 'Source',
        required: true,
        note: 'CIN census contact source code (for example 6 for police), alone or with its description.',
      },
    ],
    uniqueChildId: false,
    candidates: 'none',
  },
  {
    id: '3',
    title: LIST_TITLES['3'],
    sheetName: 'List 3',
    scope: 'All those who have been the subject of a referral in the three months before the inspection.',
    columns: list3Columns,
    uniqueChildId: false,
    candidates: 'none',
  },
  {
    id: '4',
    title: LIST_TITLES['4'],
    sheetName: 'List 4',
    scope:
      'All those who have been the subject of a statutory assessment (section 17 or 47) in the six months before the inspection, including assessments not yet completed.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      expectedDob,
      age,
      disability,
      {
        key: 'assessmentStart',
        header: 'Continuous assessment start date',
        variants: ['Assessment start date'],
        patterns: [/assessment.*start|start.*assessment/i],
        type: 'date',
        required: true,
        note: 'Date the continuous assessment started, dd/mm/yyyy.',
      },
      {
        key: 'childSeen',
        header: 'Child seen during continuous assessment (Y/N)',
        variants: ['Child Seen During Continuous Assessment', 'Child seen during assessment'],
        patterns: [/seen during.*assessment/i],
        type: 'yn',
        codeList: 'YNU',
        required: true,
        blank: 'ok',
        note: 'Y, N or Unknown.',
      },
      {
        key: 'assessmentAuthorised',
        header: 'Continuous assessment date of authorisation',
        variants: ['Assessment authorisation date', 'Date of authorisation'],
        patterns: [/authori[sz]/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'Date the assessment was authorised, dd/mm/yyyy; blank while it is open.',
      },
      {
        key: 'assessedAsNeedingSupport',
        header: "Was the child assessed as requiring LA children's social care support?",
        patterns: [/was the child assessed.*social care support/i],
        type: 'yn',
        required: false,
        note: 'ILACS column, optional here: Y or N.',
      },
      team,
      worker,
      theme,
    ],
    uniqueChildId: false,
    dateOrder: [{ before: 'assessmentStart', after: 'assessmentAuthorised' }],
    openWhenBlank: ['assessmentAuthorised'],
    candidates: 'none',
  },
  {
    id: '5',
    title: LIST_TITLES['5'],
    sheetName: 'List 5',
    scope:
      'All those who have been the subject of a section 47 enquiry in the six months before the inspection, including open enquiries.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      expectedDob,
      age,
      disability,
      {
        key: 's47Start',
        header: 'Section 47 enquiry start date',
        variants: ['Strategy discussion initiating Section 47 Enquiry Start Date', 'S47 start date'],
        patterns: [/(section 47|s47|s\.47).*start|start.*(section 47|s47)/i],
        type: 'date',
        required: true,
        note: 'Date the section 47 enquiry started (the strategy discussion that initiated it), dd/mm/yyyy.',
      },
      {
        key: 's47Count',
        header: 'Number of section 47 enquiries in the last 12 months',
        variants: ['Number of S47s in last 12 months'],
        patterns: [/number of (section 47|s47)/i],
        type: 'integer',
        required: true,
        min: 0,
        note: 'A whole number.',
      },
      {
        key: 'icpcUnnecessary',
        header: 'Was an initial child protection conference deemed unnecessary (Y/N)',
        variants: ['Was an Initial Child Protection Conference deemed unnecessary?'],
        patterns: [/deemed unnecessary/i],
        type: 'yn',
        required: true,
        blank: 'ok',
        note: 'Y or N; blank while the enquiry is open.',
      },
      {
        key: 'icpcDate',
        header: 'Date of initial child protection conference',
        variants: ['ICPC date', 'Date of ICPC'],
        patterns: [/date.*(initial child protection conference|icpc)|icpc.*date/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy; blank if there was none.',
      },
      {
        key: 'icpcPlan',
        header: 'Did the initial child protection conference result in a child protection plan? (Y/N)',
        variants: ['Did the Initial Child Protection Conference Result in a Child Protection Plan'],
        patterns: [/result in a child protection plan/i],
        type: 'yn',
        codeList: 'YNU',
        required: true,
        blank: 'ok',
        note: 'Y, N or Unknown; blank if there was no conference.',
      },
      {
        key: 'icpcCount',
        header: 'Number of ICPCs in the last 12 months',
        patterns: [/number of icpcs?/i],
        type: 'integer',
        required: true,
        min: 0,
        note: 'A whole number.',
      },
      team,
      worker,
      theme,
    ],
    uniqueChildId: false,
    dateOrder: [{ before: 's47Start', after: 'icpcDate' }],
    candidates: 'none',
  },
  {
    id: '6',
    title: LIST_TITLES['6'],
    sheetName: 'List 6',
    scope:
      'All those receiving services as a child in need at the point of inspection and those who ceased to in the three months before.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      expectedDob,
      age,
      disability,
      {
        key: 'cinStart',
        header: 'Child in need start date',
        variants: ['CIN Start Date', 'CIN start'],
        patterns: [/(\bcin\b|child in need).*start/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'primaryNeed',
        header: 'Primary need code',
        variants: ['Primary need', 'Category of need'],
        patterns: [/primary need|need code/i],
        type: 'code',
        codeList: 'PrimaryNeed',
        required: true,
        note: 'CIN primary need code N0 to N9, alone or with its description (for example N1 - Abuse or neglect).',
      },
      {
        key: 'lastSeen',
        header: 'Date child was last seen',
        variants: ['Date last seen'],
        patterns: [/last seen/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'cinClosure',
        header: 'Child in need closure date',
        variants: ['CIN Closure Date', 'Closure date'],
        patterns: [/clos\w*\s.*date|date.*clos/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy; blank while the case is open.',
      },
      {
        key: 'closureReason',
        header: 'Reason for closure',
        variants: ['Closure reason', 'CIN closure reason'],
        patterns: [/reason.*closure|closure.*reason/i],
        type: 'code',
        codeList: 'ReasonClosure',
        required: true,
        blank: 'ok',
        note: 'CIN closure reason RC1 to RC9; blank while the case is open.',
      },
      {
        key: 'caseStatus',
        header: 'Case status',
        patterns: [/case status/i],
        type: 'code',
        codeList: 'CaseStatus',
        required: false,
        note: 'ILACS column, optional here: a) Looked after child ... e) Closed episode.',
      },
      team,
      worker,
      theme,
    ],
    uniqueChildId: true,
    dateOrder: [{ before: 'cinStart', after: 'cinClosure' }],
    openWhenBlank: ['cinClosure'],
    candidates: 'theme',
  },
  {
    id: '7',
    title: LIST_TITLES['7'],
    sheetName: 'List 7',
    scope:
      'All those subject to a child protection plan at the point of inspection and those whose plan ended in the three months before.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      expectedDob,
      age,
      disability,
      {
        key: 'cppStart',
        header: 'Child protection plan start date',
        variants: ['CPP start date', 'CP plan start date'],
        patterns: [/(child protection|\bcpp?\b) plan.*start|\bcpp?\b start/i],
        type: 'date',
        required: true,
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'initialCategory',
        header: 'Initial category of abuse',
        patterns: [/initial.*categor/i],
        type: 'code',
        codeList: 'Abuse',
        required: true,
        note: 'Neglect, Physical abuse, Sexual abuse, Emotional abuse or Multiple.',
      },
      {
        key: 'latestCategory',
        header: 'Latest category of abuse',
        patterns: [/latest.*categor/i],
        type: 'code',
        codeList: 'Abuse',
        required: true,
        note: 'Neglect, Physical abuse, Sexual abuse, Emotional abuse or Multiple.',
      },
      {
        key: 'lastVisit',
        header: 'Date of the last statutory visit',
        variants: ['Date of last statutory visit', 'Last statutory visit'],
        patterns: [/statutory visit/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'seenAlone',
        header: 'Was the child seen alone?',
        variants: ['Seen alone', 'Was the child seen alone? (Y/N)'],
        patterns: [/seen alone/i],
        type: 'yn',
        codeList: 'SeenAlone',
        required: true,
        blank: 'ok',
        note: 'Y, N or Unknown.',
      },
      {
        key: 'reviewConference',
        header: 'Date of latest review conference',
        patterns: [/review conference/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'cppEnd',
        header: 'Child protection plan end date',
        variants: ['CPP end date', 'CP plan end date'],
        patterns: [/(child protection|\bcpp?\b) plan.*end|\bcpp?\b end/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy; blank while the plan is open.',
      },
      {
        key: 'emergencyOrder',
        header:
          'Subject to emergency protection/care/supervision order or protected under police powers in last six months (Y/N)',
        variants: [
          'Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)',
        ],
        patterns: [/subject to emergency protection/i, /police powers/i],
        type: 'yn',
        required: true,
        note: 'Y or N.',
      },
      {
        key: 'previousPlans',
        header: 'Number of previous child protection plans',
        variants: ['Previous CP plans'],
        patterns: [/number of previous (child protection|cp)/i],
        type: 'integer',
        required: true,
        min: 0,
        note: 'A whole number.',
      },
      team,
      worker,
      theme,
    ],
    uniqueChildId: true,
    dateOrder: [
      { before: 'cppStart', after: 'cppEnd' },
      { before: 'cppStart', after: 'reviewConference' },
    ],
    openWhenBlank: ['cppEnd'],
    candidates: 'theme',
  },
  {
    id: '8',
    title: LIST_TITLES['8'],
    sheetName: 'List 8',
    scope:
      'All children in care at the point of inspection and those who ceased to be looked after in the six months before. The reduced JTAI list or the full ILACS list 8 are both accepted.',
    columns: [
      childId,
      gender,
      ethnicity,
      dob,
      age,
      disability,
      {
        key: 'startedLookedAfter',
        header: 'Date started to be looked after',
        variants: ['Date started looked after', 'Date became looked after'],
        patterns: [/started.*looked after|looked after.*start/i],
        type: 'date',
        required: true,
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'categoryOfNeed',
        header: "Child's category of need",
        variants: ['Category of need'],
        patterns: [/category of need/i],
        type: 'code',
        codeList: 'PrimaryNeed',
        required: true,
        note: 'Category of need N1 to N8, alone or with its description.',
      },
      {
        key: 'secondEpisode',
        header: 'Second or subsequent episode of being a looked after child within the last 12 months (Y/N)',
        variants: [
          'Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)',
        ],
        patterns: [/second or subsequent/i],
        type: 'yn',
        required: true,
        note: 'Y or N.',
      },
      {
        key: 'legalStatus',
        header: "Child's legal status",
        variants: ['Legal status'],
        patterns: [/^(?!.*start).*legal status/i],
        type: 'code',
        codeList: 'LegalStatus',
        required: true,
        note: 'SSDA903 legal status code (for example C2), alone or with its description.',
      },
      {
        key: 'lastSocialWorkVisit',
        header: "Date of last social worker's visit",
        variants: ['Date of Last Social Work Visit', 'Date of last social worker visit'],
        patterns: [/last social work/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'reunitePlan',
        header: 'Plan for child to be reunited with their family (Y/N)',
        patterns: [/reunit/i],
        type: 'yn',
        required: false,
        note: 'Y or N.',
      },
      {
        key: 'ceasedLookedAfter',
        header: 'Date ceased to be looked after',
        patterns: [/date ceased|ceased.*date/i],
        type: 'date',
        required: true,
        blank: 'ok',
        note: 'dd/mm/yyyy; blank while the child is looked after.',
      },
      {
        key: 'reasonCeased',
        header: 'Reason ceased to be looked after',
        patterns: [/reason ceased/i],
        type: 'code',
        codeList: 'ReasonCeased',
        required: true,
        blank: 'ok',
        note: 'SSDA903 reason episode ceased (for example E13), alone or with its description.',
      },
      {
        key: 'placementStart',
        header: 'Start date of most recent placement',
        variants: ['Start sate of most recent placement', 'Placement start date'],
        patterns: [/most recent placement|placement start/i],
        type: 'date',
        required: true,
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'placementType',
        header: 'Placement type',
        patterns: [/placement type/i],
        type: 'code',
        codeList: 'PlacementType',
        required: true,
        note: 'SSDA903 placement type code (for example U6), alone or with its description.',
      },
      {
        key: 'placementProvider',
        header: 'Placement provider',
        patterns: [/placement provider/i],
        type: 'code',
        codeList: 'Provider',
        required: true,
        note: 'Placement provider code PR0 to PR5, alone or with its description.',
      },
      {
        key: 'providerName',
        header: 'Name of provider',
        patterns: [/name of provider|provider name/i],
        type: 'text',
        required: false,
        note: 'Name of the placement provider.',
      },
      {
        key: 'placementAddress',
        header: 'Placement address',
        patterns: [/placement address/i],
        type: 'text',
        required: false,
        note: 'Address of the placement.',
      },
      {
        key: 'urn',
        header: 'URN of placement',
        variants: ['Placement URN'],
        patterns: [/\burn\b/i],
        type: 'text',
        required: true,
        blank: 'ok',
        note: 'Ofsted unique reference number of the placement, if it has one.',
      },
      {
        key: 'placementLocation',
        header: 'Placement location',
        patterns: [/placement location/i],
        type: 'code',
        codeList: 'PlacementLocation',
        required: true,
        note: 'In or Out of the local authority area.',
      },
      team,
      worker,
      {
        key: 'siblingGroup',
        header: 'Part of sibling group',
        patterns: [/sibling/i],
        type: 'yn',
        required: false,
        note: 'Y or N.',
      },
      theme,
      // Columns of the full ILACS list 8, accepted when present.
      {
        key: 'uasc',
        header: 'Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)',
        variants: ['Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))'],
        patterns: [/unaccompanied asylum/i, /\buasc\b/i],
        type: 'yn',
        codeList: 'UASC',
        required: false,
        note: 'ILACS column, optional here: Y or N.',
      },
      {
        key: 'legalStatusStart',
        header: 'Start date of current legal status',
        patterns: [/start.*legal status/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'latestReview',
        header: 'Date of Latest Statutory Review',
        patterns: [/statutory review/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'permanencePlan',
        header: 'What is the permanence plan for this child?',
        patterns: [/permanence plan/i],
        type: 'code',
        codeList: 'Permanence',
        required: false,
        note: 'ILACS column, optional here.',
      },
      {
        key: 'iroVisit',
        header: 'Date of Last IRO Visit / Contact to the Child',
        patterns: [/\biro\b/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'healthAssessment',
        header: 'Date of Last Health Assessment',
        patterns: [/health assessment/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'dentalCheck',
        header: 'Date of Last Dental Check',
        patterns: [/dental/i],
        type: 'date',
        required: false,
        note: 'ILACS column, optional here: dd/mm/yyyy.',
      },
      {
        key: 'placementsCount',
        header: 'Number of Placements in the Last 12 months',
        patterns: [/number of placements/i],
        type: 'integer',
        required: false,
        min: 0,
        note: 'ILACS column, optional here: a whole number.',
      },
      {
        key: 'postcode',
        header: 'Placement postcode',
        patterns: [/postcode/i],
        type: 'text',
        required: false,
        note: 'ILACS column, optional here.',
      },
      {
        key: 'laOfPlacement',
        header: 'LA of Placement',
        patterns: [/^la of placement|local authority of placement/i],
        type: 'text',
        required: false,
        note: 'ILACS column, optional here.',
      },
      {
        key: 'missingEpisodes',
        header: "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        patterns: [/number of episodes.*missing/i],
        type: 'integer',
        required: false,
        min: 0,
        note: 'ILACS column, optional here: a whole number.',
      },
      {
        key: 'absentEpisodes',
        header: "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        patterns: [/number of episodes.*absent/i],
        type: 'integer',
        required: false,
        min: 0,
        note: 'ILACS column, optional here: a whole number.',
      },
      {
        key: 'returnInterviewOffered',
        header: 'Was the child offered a Return Interview after their last missing episode (Y/N)?',
        patterns: [/offered a return interview/i],
        type: 'yn',
        codeList: 'YNU',
        required: false,
        note: 'ILACS column, optional here: Y, N or Unknown.',
      },
      {
        key: 'returnInterviewAccepted',
        header: 'Did the child accept a Return Interview after their last missing episode (Y/N)?',
        patterns: [/accept a return interview/i],
        type: 'yn',
        codeList: 'YNU',
        required: false,
        note: 'ILACS column, optional here: Y, N or Unknown.',
      },
    ],
    uniqueChildId: true,
    dateOrder: [
      { before: 'startedLookedAfter', after: 'ceasedLookedAfter' },
      { before: 'startedLookedAfter', after: 'placementStart' },
      { before: 'startedLookedAfter', after: 'legalStatusStart' },
    ],
    openWhenBlank: ['ceasedLookedAfter'],
    candidates: 'theme',
  },
  ...(['yot', 'nps'] as const).map((id): ListTableInput => ({
    id,
    title: LIST_TITLES[id],
    sheetName: id.toUpperCase(),
    scope: `Up to five cases where ${id === 'yot' ? 'the YOT' : 'the NPS'} as well as children's services are involved and there are current or significant concerns about child sexual abuse in the family environment.`,
    columns: [
      childId,
      {
        key: 'childInNeed',
        header: 'Child in need (Y/N)',
        variants: ['Child in need', 'CIN', 'Is the child a child in need? (Y/N)'],
        patterns: [/child in need|\bcin\b/i],
        type: 'yn',
        required: true,
        note: 'Y if the child is a child in need.',
      },
      {
        key: 'childProtectionPlan',
        header: 'Child protection plan (Y/N)',
        variants: ['Child protection plan', 'CPP', 'On a child protection plan (Y/N)'],
        patterns: [/child protection|\bcpp?\b/i],
        type: 'yn',
        required: true,
        note: 'Y if the child is on a child protection plan.',
      },
      {
        key: 'lookedAfter',
        header: 'Looked after (Y/N)',
        variants: ['Looked after', 'CLA', 'LAC', 'Looked after child (Y/N)', 'Child in care (Y/N)'],
        patterns: [/looked after|\bcla\b|\blac\b|in care/i],
        type: 'yn',
        required: true,
        note: 'Y if the child is looked after by the local authority.',
      },
    ],
    uniqueChildId: true,
    maxRows: 5,
    candidates: 'all',
  })),
  {
    id: 'twenty',
    title: LIST_TITLES.twenty,
    sheetName: 'Twenty children',
    scope: 'Option A: for each of the 20 children the lead inspector selected, the seven answers.',
    columns: [childId, ...SEVEN_QUESTIONS.map((c) => ({ ...c, blank: 'error' as const }))],
    uniqueChildId: true,
    maxRows: 20,
    candidates: 'all',
  },
  {
    id: 'meetings',
    title: LIST_TITLES.meetings,
    sheetName: 'Meetings',
    scope:
      'Multi-agency meetings in the fieldwork week: initial and review child protection conferences, children in care reviews, strategy discussions and any other planning or review meeting relating to children at risk of or subject to sexual abuse in the family environment.',
    columns: [
      {
        key: 'meetingDate',
        header: 'Date of meeting',
        variants: ['Date', 'Meeting date'],
        patterns: [/date/i],
        type: 'date',
        required: true,
        futureAllowed: true,
        note: 'dd/mm/yyyy.',
      },
      {
        key: 'meetingTime',
        header: 'Time of meeting',
        variants: ['Time', 'Meeting time', 'Start time'],
        patterns: [/time/i],
        type: 'time',
        required: true,
        note: '24-hour time, for example 14:30.',
      },
      {
        key: 'meetingType',
        header: 'Type of meeting',
        variants: ['Meeting type', 'Type'],
        patterns: [/type/i],
        type: 'code',
        codeList: 'MeetingType',
        required: true,
        note: 'Initial child protection conference, Review child protection conference, Children in care review, Strategy discussion or Other.',
      },
      childId,
      {
        key: 'details',
        header: 'Details (for other meetings)',
        variants: ['Details', 'Description', 'Purpose'],
        patterns: [/detail|description|purpose/i],
        type: 'text',
        required: false,
        note: 'For an "Other" meeting: what kind of planning or review meeting it is. No names.',
      },
    ],
    uniqueChildId: false,
    candidates: 'none',
  },
  {
    id: 'referrals',
    title: LIST_TITLES.referrals,
    sheetName: 'Referrals',
    scope:
      'Referrals received in the last three months that relate to child sexual abuse in the family environment (the columns of list 3).',
    columns: list3Columns,
    uniqueChildId: false,
    candidates: 'none',
  },
];

const PARSED: Map<ListId, z.output<typeof ListTable>> = new Map(
  TABLES.map((t) => {
    const parsed = ListTable.parse(t);
    const keys = new Set(parsed.columns.map((c) => c.key));
    if (keys.size !== parsed.columns.length) throw new Error(`list ${parsed.id}: duplicate column keys`);
    for (const o of parsed.dateOrder)
      if (!keys.has(o.before) || !keys.has(o.after))
        throw new Error(`list ${parsed.id}: bad date order rule`);
    return [parsed.id, parsed];
  }),
);

const OPTION_B_LISTS: ReadonlySet<ListId> = new Set(['6', '7', '8']);
const OPTION_B_COLUMNS: ColumnSpec[] = SEVEN_QUESTIONS.map((c) =>
  ColumnTableRow.parse({ ...c, blank: 'ok', requiredWhenTheme: true }),
);

const cache = new Map<string, ListSpec>();

/** The specification of a list; Option B adds the seven questions to lists 6 to 8. */
export function getListSpec(list: ListId, option: 'A' | 'B' = 'A'): ListSpec {
  const k = `${list}:${option}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const base = PARSED.get(list);
  if (!base) throw new Error(`unknown list ${list}`);
  const withB = option === 'B' && OPTION_B_LISTS.has(list);
  const spec: ListSpec = {
    ...base,
    option: withB ? 'B' : 'A',
    columns: withB ? [...base.columns, ...OPTION_B_COLUMNS] : base.columns,
  };
  cache.set(k, spec);
  return spec;
}

export function hasOptionBColumns(list: ListId): boolean {
  return OPTION_B_LISTS.has(list);
}
