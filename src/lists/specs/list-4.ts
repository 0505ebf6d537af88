import { LIST_TITLES } from '../ids';
import { childDetails, disability, team, worker, theme } from './columns';
import type { ListTableInput } from './table';

export const list4: ListTableInput = {
  id: '4',
  title: LIST_TITLES['4'],
  sheetName: 'List 4',
  scope:
    'All those who have been the subject of a statutory assessment (section 17 or 47) in the six months before the inspection, including assessments not yet completed.',
  columns: [
    ...childDetails,
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
};
