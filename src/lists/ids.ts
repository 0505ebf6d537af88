/** List identifiers and titles. Pure data: safe to import from workflow code. */

export const LIST_IDS = [
  '1',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  'yot',
  'nps',
  'twenty',
  'meetings',
  'referrals',
] as const;
export type ListId = (typeof LIST_IDS)[number];

export const LIST_TITLES: Record<ListId, string> = {
  '1': 'List 1: contacts',
  '3': 'List 3: referrals',
  '4': 'List 4: assessments',
  '5': 'List 5: section 47 enquiries and initial child protection conferences',
  '6': 'List 6: children in need',
  '7': 'List 7: children on a child protection plan',
  '8': 'List 8: children in care',
  yot: 'Youth offending team (YOT) cases: up to five children',
  nps: 'National Probation Service (NPS) cases: up to five children',
  twenty: 'Option A: additional information on the 20 selected children',
  meetings: 'Multi-agency meetings in the fieldwork week',
  referrals: 'Referrals in the last three months relating to child sexual abuse in the family environment',
};

export function isListId(x: string): x is ListId {
  return (LIST_IDS as readonly string[]).includes(x);
}
