import { LIST_TITLES } from '../ids';
import { childId } from './columns';
import type { ListTableInput } from './table';

export const meetings: ListTableInput = {
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
};
