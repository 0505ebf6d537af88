import { LIST_TITLES } from '../ids';
import { childDetails, team, worker } from './columns';
import type { ColumnInput, ListTableInput } from './table';

/** The columns of list 3, shared by the referrals list. */
export const list3Columns: ColumnInput[] = [
  ...childDetails,
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

export const list3: ListTableInput = {
  id: '3',
  title: LIST_TITLES['3'],
  sheetName: 'List 3',
  scope: 'All those who have been the subject of a referral in the three months before the inspection.',
  columns: list3Columns,
  uniqueChildId: false,
  candidates: 'none',
};
