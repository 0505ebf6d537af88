import { LIST_TITLES } from '../ids';
import { childId, SEVEN_QUESTIONS } from './columns';
import type { ListTableInput } from './table';

export const twenty: ListTableInput = {
  id: 'twenty',
  title: LIST_TITLES.twenty,
  sheetName: 'Twenty children',
  scope: 'Option A: for each of the 20 children the lead inspector selected, the seven answers.',
  columns: [childId, ...SEVEN_QUESTIONS.map((c) => ({ ...c, blank: 'error' as const }))],
  uniqueChildId: true,
  maxRows: 20,
  candidates: 'all',
};
