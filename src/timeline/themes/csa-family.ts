import type { DeliverableDefinition, DocumentItem, Theme } from '../theme';

/**
 * Deep dive: children at risk of, or subject to, sexual abuse in the family environment.
 * Source: the inspectorates' guidance for this deep dive (seed 001), Annexes A, B and C,
 * and the partnership briefing (seed 000). Day N counts working days from notification (day 0, a Monday).
 */

const BOTH = ['A', 'B'] as const;
const THEME_QUESTION =
  'Is the child at risk of, or subject to, sexual abuse in the family environment (Y/N)?';

/** Annex A, "Key documents for cases being tracked": asked of every agency for each tracked child. */
export const KEY_DOCUMENT_KINDS: readonly DocumentItem[] = [
  { code: 'KD1', title: 'Initial referral, contact or notification (where applicable)' },
  { code: 'KD2', title: 'Most recent assessment, including a common or early help assessment' },
  { code: 'KD3', title: 'Strategy or other multi-agency discussion, or equivalent' },
  { code: 'KD4', title: 'Section 47 investigation documentation / ICPC minutes' },
  { code: 'KD5', title: 'Most recent plan for the child and/or review of the plan' },
  {
    code: 'KD6',
    title: 'Latest return home interview and any subsequent risk assessments (where appropriate)',
  },
  { code: 'KD7', title: 'Minutes of any multi-agency meetings in respect of the child' },
  {
    code: 'KD8',
    title: 'Most recent pre-sentence report relating to the child or any relevant adult (where applicable)',
  },
  { code: 'KD9', title: 'Chronology of significant events in the six months before the inspection' },
];

const structure = 'Organisational structures showing lines of reporting and accountability';
const strategies =
  'Needs analysis, strategies and action plans relating to child sexual abuse in the family environment and children who have displayed harmful sexual behaviour, any success criteria and any analysis of impact';

/** Annex A, "Information required from individual agencies to support the inspection". */
export const ANNEX_A_DOCUMENTS = {
  'local-authority': [
    { code: '1.1', title: structure },
    {
      code: '1.2',
      title:
        'Management information reports for children within the scope of the inspection, at local and agency level',
    },
    {
      code: '1.3',
      title: 'Assessment and threshold criteria for helping families and protecting the identified children',
    },
    {
      code: '1.4',
      title:
        'Practice audits (including multi-agency) over the six months before the inspection, and improvement/action plans',
    },
    {
      code: '1.5',
      title:
        'Services commissioned from the community or voluntary sector for children at risk of or subject to child sexual abuse in the family environment and children who have displayed harmful sexual behaviour',
    },
    {
      code: '1.6',
      title: 'Minutes of multi-agency meetings relating to child sexual abuse in the family environment',
    },
    {
      code: '1.7',
      title: 'Terms of reference for the multi-agency safeguarding hub (MASH) or local equivalent',
    },
    { code: '1.8', title: strategies },
    { code: '1.9', title: 'Assessment and intervention processes' },
  ],
  partnership: [
    { code: '2.1', title: structure },
    {
      code: '2.2',
      title:
        'Minutes of meetings of the local safeguarding partners from the 12 months before the inspection (including executive board meetings)',
    },
    {
      code: '2.3',
      title: 'Sub-group minutes relevant to the scope of the inspection (requested by the lead inspector)',
    },
    { code: '2.4', title: strategies },
  ],
  police: [
    { code: '3.1', title: structure },
    {
      code: '3.2',
      title: 'The assessment process for child sexual abuse in the family environment risk or vulnerability',
    },
    {
      code: '3.3',
      title:
        'Learning and development regarding vulnerability, child sexual abuse in the family environment and child protection',
    },
    { code: '3.4', title: 'Child protection referral document' },
    {
      code: '3.5',
      title: 'Strategy, policies and guidance relating to child sexual abuse in the family environment',
    },
    { code: '3.6', title: 'Problem profile related to child sexual abuse in the family environment' },
    {
      code: '3.7',
      title:
        'Three most recent sets of minutes of force strategic governance meetings on child sexual abuse in the family environment',
    },
    {
      code: '3.8',
      title: 'Audits and action plans relating to child sexual abuse in the family environment',
    },
    {
      code: '3.9',
      title: 'Performance management information/data for child sexual abuse in the family environment',
    },
  ],
  probation: [
    { code: '4.1', title: structure },
    { code: '4.2', title: 'Policy/procedures with regard to child protection and safeguarding' },
    { code: '4.3', title: 'Policy/procedures for the management of risk of harm to others' },
  ],
  'youth-justice': [
    { code: '5.1', title: structure },
    { code: '5.2', title: 'Policy/procedures with regard to child protection and safeguarding' },
    { code: '5.3', title: 'Policy/procedures for the management of risk of harm to others' },
    {
      code: '5.4',
      title:
        'Policy/procedures for the management of child sexual abuse in the family environment and children who have displayed harmful sexual behaviour',
    },
  ],
  health: [
    { code: '6.1', title: `${structure}, including local health commissioning and/or provider services` },
    {
      code: '6.2',
      title:
        'CCG and provider services: who provides commissioned services (school nursing, substance misuse, CASH, CAMHS, urgent care, midwifery)',
    },
    {
      code: '6.3',
      title:
        'CCG and provider services annual reports on safeguarding and child protection, including for children in care',
    },
    {
      code: '6.4',
      title:
        'Provider policies relating to child sexual abuse in the family environment, including local primary care policies',
    },
    {
      code: '6.5',
      title:
        'Commissioner or provider audits and action plans relating to child sexual abuse in the family environment',
    },
  ],
} as const satisfies Record<string, readonly DocumentItem[]>;

/** An ILACS child-level list, owed by the local authority under both options. */
function ilacsList(
  n: string,
  name: string,
  rest: Pick<DeliverableDefinition, 'description' | 'due' | 'source'>,
): DeliverableDefinition {
  return {
    key: `list-${n}`,
    title: `List ${n}: ${name}`,
    kind: 'list',
    options: BOTH,
    owners: ['local-authority'],
    list: n,
    ...rest,
  };
}

const AGENCIES_WITH_CASE_RECORDS = [
  'local-authority',
  'police',
  'health',
  'probation',
  'youth-justice',
] as const;

export const csaFamilyTheme: Theme = {
  id: 'csa-family',
  title: 'Children at risk of, or subject to, sexual abuse in the family environment',
  themeQuestion: THEME_QUESTION,
  maxSelected: 20,
  tracked: { min: 5, max: 7 },
  evaluationHeader: [
    { label: 'Age of child/young person', hint: 'In years' },
    {
      label: 'Does the child have any individual needs relating to their circumstances?',
      hint: 'For example, their ethnicity or a disability',
    },
  ],
  evaluationQuestions: [
    'Was referral for action timely for the child?',
    'Is risk identified, understood and prioritised? Does the child appear to be safe?',
    'Has decision-making matched the priority risks and needs?',
    'Where an assessment has been completed, are risks, needs and strengths clear?',
    'Is there a plan? Is it sufficient to address risk and need? Is it making a difference?',
    'Has the child been involved/engaged at all stages? Have family/carers been involved at all stages?',
    'Have individual needs and circumstances been taken into account?',
    'Do the agencies work together effectively to protect the child?',
  ],
  twentyAnswers: {
    // The local authority's return is due at 16:00 on day three; the agencies answer by 14:00 unless the
    // coordinator sets another time when starting the inspection.
    due: { day: 3, time: '14:00' },
    questions: [
      { column: 'knownToYot', agency: 'youth-justice', label: 'known to the YOT' },
      { column: 'npsAdult', agency: 'probation', label: 'NPS working with an adult close to the child' },
      {
        column: 'policeInvestigation',
        agency: 'police',
        label: 'current police investigation or criminal proceedings',
      },
      {
        column: 'sarcPaediatric',
        agency: 'health',
        label: 'SARC or paediatric assessment in the last 12 months',
      },
    ],
  },
  deliverables: [
    ...(
      [
        ['6', 'children in need'],
        ['7', 'children on a child protection plan'],
        ['8', 'children in care'],
      ] as const
    ).map(([n, name]) =>
      ilacsList(n, name, {
        description: `Child-level list ${n} (as in ILACS) with the column "${THEME_QUESTION}". Option B: with the seven additional Y/N columns for every child flagged Y.`,
        due: { day: 2, time: '15:00' },
        source: 'Annex C, Wed day 2, 3.00pm; Annex A paragraphs 20 and 26',
      }),
    ),
    {
      key: 'list-yot',
      title: 'YOT list: up to five children known to the YOT',
      description:
        'Up to five cases where YOTs, as well as children’s services, are involved and there are current or significant concerns: child ID and whether child in need, on a child protection plan or looked after.',
      kind: 'list',
      options: BOTH,
      due: { day: 2, time: '15:00' },
      owners: ['youth-justice'],
      list: 'yot',
      source: 'Annex A, "By 3.00pm on day two … the following lists"',
    },
    {
      key: 'list-nps',
      title: 'NPS list: up to five children where the NPS is involved',
      description:
        'Up to five cases where NPS, as well as children’s services, are involved and there are current or significant concerns: child ID and whether child in need, on a child protection plan or looked after.',
      kind: 'list',
      options: BOTH,
      due: { day: 2, time: '15:00' },
      owners: ['probation'],
      list: 'nps',
      source: 'Annex A, "By 3.00pm on day two … the following lists"',
    },
    {
      key: 'dcs-context-note',
      title: 'Note of local context from the director of children’s services',
      description:
        'If there are particular contextual issues in the local area in relation to child sexual abuse in the family environment (for example a specific programme of work or service), the director of children’s services may advise the lead inspector of them with these lists: write a note or upload a document. The lead inspector takes this into account when selecting the children to track. Optional.',
      kind: 'documents',
      options: BOTH,
      due: { day: 2, time: '15:00' },
      owners: ['local-authority'],
      optional: true,
      source: 'Annex A, "the director of children’s services (DCS) may want to advise the lead inspector"',
    },
    {
      key: 'selection-twenty',
      title: 'Lead inspector selects up to 20 children',
      description:
        'The lead inspector selects up to 20 children from all the lists, for additional information.',
      kind: 'selection',
      options: ['A'],
      due: { day: 3, time: '09:30' },
      owners: ['lead-inspector'],
      source: 'Annex C, Option A, Thu day 3, 9.30am',
    },
    {
      key: 'list-twenty',
      title: 'Additional information on the 20 selected children',
      description: 'For each of the 20 selected children, the seven Y/N answers of Annex A paragraph 23.',
      kind: 'list',
      options: ['A'],
      due: { day: 3, time: '16:00' },
      owners: ['local-authority'],
      requires: 'selection-twenty',
      list: 'twenty',
      source: 'Annex C, Option A, Thu day 3, 4.00pm',
    },
    {
      key: 'list-meetings',
      title: 'Multi-agency meetings in the fieldwork week',
      description:
        'Details of multi-agency meetings taking place during the fieldwork week: initial and review child protection conferences, children in care reviews, strategy discussions, other planning or review meetings.',
      kind: 'list',
      options: BOTH,
      due: { day: 3 },
      owners: ['local-authority'],
      list: 'meetings',
      source: 'Annex A, "By the end of day three (Thursday)"; briefing, Option B',
    },
    {
      key: 'selection-tracked',
      title: 'Lead inspector selects five to seven children to track',
      description:
        'The lead inspector selects between five and seven children whose experiences inspectors will track.',
      kind: 'selection',
      options: BOTH,
      due: { day: 4, time: '10:00' },
      owners: ['lead-inspector'],
      source: 'Annex C, Fri day 4, 10.00am',
    },
    {
      key: 'confirmation-call',
      title: 'Confirmation call with the lead inspector',
      description:
        'Telephone call confirming that the selected cases include multi-agency involvement and current or recent work on child sexual abuse in the family environment.',
      kind: 'confirmation',
      options: BOTH,
      due: { day: 4, time: '12:00' },
      owners: ['lead-inspector'],
      requires: 'selection-tracked',
      source: 'Annex C, Fri day 4, 12.00pm',
    },
    {
      key: 'key-documents',
      title: 'Key documents for each tracked child',
      description:
        'Electronic copies of the key documents for each tracked child whose experiences the agency has been asked to evaluate, where recent examples exist.',
      kind: 'documents',
      options: BOTH,
      due: { day: 6 },
      owners: AGENCIES_WITH_CASE_RECORDS,
      requires: 'selection-tracked',
      documents: KEY_DOCUMENT_KINDS,
      perTrackedChild: true,
      source: 'Annex A, "Key documents for cases being tracked"; Annex C, Tue day 6',
    },
    {
      key: 'annex-a-documents',
      title: 'Annex A documents',
      description:
        'The area’s best and most recent examples of the documents listed for the agency in Annex A, provided electronically.',
      kind: 'documents',
      options: BOTH,
      due: { day: 6 },
      owners: ['local-authority', 'partnership', 'police', 'probation', 'youth-justice', 'health'],
      documents: ANNEX_A_DOCUMENTS,
      source: 'Annex A, "Information required from individual agencies"; Annex C, Tue day 6',
    },
    ...(
      [
        ['1', 'contacts'],
        ['3', 'referrals'],
        ['4', 'assessments'],
        ['5', 'section 47 enquiries'],
      ] as const
    ).map(([n, name]) =>
      ilacsList(n, name, {
        description:
          n === '4' || n === '5'
            ? `Child-level list ${n} (as in ILACS) of all children in the category, with the column "${THEME_QUESTION}".`
            : `Child-level list ${n} (as in ILACS) of all children in the category.`,
        due: { day: 7, time: '10:00' },
        source: 'Annex C, Wed day 7, 10.00am; Annex A paragraph 32',
      }),
    ),
    {
      key: 'list-referrals',
      title: 'Referrals of the last three months relating to the theme',
      description:
        'As far as possible, referrals received in the last three months that relate to child sexual abuse in the family environment.',
      kind: 'list',
      options: BOTH,
      due: { day: 8 },
      owners: ['local-authority'],
      list: 'referrals',
      source: 'Annex C, Thu day 8, end of day',
    },
    {
      key: 'joint-evaluation',
      title: 'Joint evaluation of each tracked child’s experience',
      description:
        'The partnership’s joint evaluation (and, where possible, individual agency evaluations) of each tracked child’s experience, answering the questions of Annex B.',
      kind: 'evaluation',
      options: BOTH,
      due: { day: 8 },
      owners: ['partnership'],
      requires: 'selection-tracked',
      perTrackedChild: true,
      source: 'Annex C, Thu day 8, end of day; Annex B',
    },
    {
      key: 'individual-evaluation',
      title: 'Individual agency evaluation of each tracked child’s experience',
      description:
        'Where possible, the agency’s own evaluation of each tracked child’s experience, beside the joint evaluation, answering the questions of Annex B. Optional: not chased.',
      kind: 'evaluation',
      options: BOTH,
      due: { day: 8 },
      owners: AGENCIES_WITH_CASE_RECORDS,
      requires: 'selection-tracked',
      perTrackedChild: true,
      optional: true,
      source: 'Annex A, "their joint evaluations and, where possible, individual agency evaluations"',
    },
    {
      key: 'consent',
      title: 'Arrangements for inspectors to meet tracked children and families',
      description:
        'Arrangements for inspectors to talk to each tracked child and their parents or carers, or the reasons why these discussions cannot take place, confirmed in writing by the end of week two.',
      kind: 'consent',
      options: BOTH,
      // "By the end of week two": the working day after day 8 (Friday of week two in an ordinary week).
      due: { day: 9 },
      owners: ['local-authority'],
      requires: 'selection-tracked',
      perTrackedChild: true,
      source: 'Annex A, "Consent to meet with children, young people, parents and carers"',
    },
    {
      key: 'cqc-health-request',
      title: 'CQC request for health documents',
      description:
        'CQC asks the health agencies it chooses for documents about the tracked children, after reviewing the partnership’s evaluations.',
      kind: 'confirmation',
      options: BOTH,
      due: { day: 9 },
      owners: ['cqc'],
      requires: 'selection-tracked',
      source: 'Annex A, "CQC will make this request on the Friday of week two"',
    },
  ],
};
