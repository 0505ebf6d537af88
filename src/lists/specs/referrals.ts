import { LIST_TITLES } from '../ids';
import { list3Columns } from './list-3';
import type { ListTableInput } from './table';

export const referrals: ListTableInput = {
  id: 'referrals',
  title: LIST_TITLES.referrals,
  sheetName: 'Referrals',
  scope:
    'Referrals received in the last three months that relate to child sexual abuse in the family environment (the columns of list 3).',
  columns: list3Columns,
  uniqueChildId: false,
  candidates: 'none',
};
