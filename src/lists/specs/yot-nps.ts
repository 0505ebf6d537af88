import { LIST_TITLES } from '../ids';
import { childId } from './columns';
import type { ListTableInput } from './table';

function partnerCases(id: 'yot' | 'nps'): ListTableInput {
  return {
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
  };
}

export const yot = partnerCases('yot');
export const nps = partnerCases('nps');
