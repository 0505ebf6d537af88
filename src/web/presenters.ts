import {
  mailProblemLine,
  missingToShow,
  type AgencyItem,
  type AgencyView,
  type CoordinatorPage,
  type DeliverableView,
  type Progress,
} from '../client/read-model';
import { formatUkTyped } from '../timeline/format';

type DeliverableStatus = DeliverableView['status'];

/**
 * GOV.UK presentation over read-model views: tag colours and the rows of a task list. Everything a
 * template shows comes from a read-model view; this adds only how it looks.
 */

export interface Tag {
  text: string;
  classes: string;
  /** The deliverable's progress (received, due-soon, overdue, …): for tests and styling. */
  colour: Progress;
}

const CLASSES: Record<Progress, string> = {
  received: 'govuk-tag--green',
  'due-soon': 'govuk-tag--yellow',
  overdue: 'govuk-tag--red',
  waived: 'govuk-tag--grey',
  awaiting: 'govuk-tag--blue',
  'not-yet-requested': 'govuk-tag--grey',
};

export function tagFor(status: DeliverableStatus, progress: Progress, statusLabel: string): Tag {
  const classes = status === 'received-late' ? 'govuk-tag--teal' : CLASSES[progress];
  return {
    text: progress === 'due-soon' ? `${statusLabel}, due soon` : statusLabel,
    classes,
    colour: progress,
  };
}

const tagOf = (row: { view: { status: DeliverableStatus; statusLabel: string }; progress: Progress }) =>
  tagFor(row.view.status, row.progress, row.view.statusLabel);

/** What the agency does on its page for a deliverable of each kind it can send. */
const ACTIONS: Partial<Record<AgencyItem['kind'], string>> = {
  list: 'Upload the list',
  documents: 'Upload documents',
  evaluation: 'Give the evaluations',
  consent: 'Confirm the arrangements',
  answers: 'Answer the questions',
};

export type PresentedItem = AgencyItem & { tag: Tag; action?: string };
export type PresentedAgencyPage = Omit<AgencyView, 'items' | 'owed' | 'optional' | 'settled' | 'next'> & {
  items: PresentedItem[];
  owed: PresentedItem[];
  optional: PresentedItem[];
  settled: PresentedItem[];
  next: PresentedItem[];
};

export function presentItem(item: AgencyItem): PresentedItem {
  const action = ACTIONS[item.kind];
  return { ...item, tag: tagOf(item), ...(action ? { action } : {}) };
}

export function presentAgencyPage(page: AgencyView): PresentedAgencyPage {
  return {
    ...page,
    items: page.items.map(presentItem),
    owed: page.owed.map(presentItem),
    optional: page.optional.map(presentItem),
    settled: page.settled.map(presentItem),
    next: page.next.map(presentItem),
  };
}

/** Rows of the GOV.UK task list on an agency's page. */
export function taskListItems(items: PresentedItem[], base: string, ended: boolean) {
  return items.map((i) => {
    const v = i.view;
    const parts = [`Due ${v.dueUk}`];
    if (v.received) {
      const n = v.received.files.length;
      parts.push(`Received ${v.received.atUk}${n ? `: ${n} file${n === 1 ? '' : 's'}` : ''}`);
    }
    if (v.waived) parts.push(`Waived: ${v.waived.reason}`);
    const missing = missingToShow(v);
    if (missing.length) parts.push(`Still missing: ${missing.join(', ')}`);
    if (i.perChild && i.perChild.length > 0)
      parts.push(
        `${i.perChild.filter((c) => c.received).length} of ${i.perChild.length} tracked children done`,
      );
    if (i.lastQueries.length)
      parts.push(`${i.lastQueries.length} ${i.lastQueries.length === 1 ? 'query' : 'queries'} to check`);
    const open = !!i.action && !ended && v.status !== 'waived' && v.status !== 'not-yet-requested';
    return {
      title: { text: v.title },
      ...(open ? { href: `${base}/d/${encodeURIComponent(v.id)}` } : {}),
      hint: { text: parts.join('. ') },
      status: { tag: { text: i.tag.text, classes: i.tag.classes } },
    };
  });
}

/**
 * The coordinator's pages: a tag on each timeline row, whether it can still be extended or waived (the
 * forms beside it), each candidate's lists by title, and an example due time in the form typed, from the
 * inspection's own dates.
 */
export function presentCoordinatorPage(page: CoordinatorPage) {
  const views = page.days.flatMap((day) => day.rows.map((row) => row.view));
  const titleOf = (id: string) => views.find((v) => v.id === id)?.title;
  const open = new Set(page.open.map((o) => o.id));
  const firstOpen = views.find((v) => open.has(v.id));
  const example = page.view.nextDue ?? firstOpen?.dueAt;
  return {
    ...page,
    mailLines: page.view.mailProblems.map((p) => `Email ${mailProblemLine(p)}.`),
    days: page.days.map((day) => ({
      ...day,
      rows: day.rows.map((row) => ({ ...row, tag: tagOf(row), open: open.has(row.view.id) })),
    })),
    candidates: page.candidates.map((c) => ({
      ...c,
      listTitles: c.lists.map((l) => titleOf(`list-${l}`) ?? `List ${l}`),
    })),
    exampleDue: example ? formatUkTyped(Date.parse(example)) : undefined,
  };
}
