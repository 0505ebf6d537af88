import { LIST_TITLES } from '../ids';
import { childDetails } from './columns';
import type { ListTableInput } from './table';

export const list1: ListTableInput = {
  id: '1',
  title: LIST_TITLES['1'],
  sheetName: 'List 1',
  scope: 'All those who have been the subject of a contact in the three months before the inspection.',
  columns: [
    ...childDetails,
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
};
