import {
  formatMinutes,
  mailProblemLine,
  missingToShow,
  STAGE_LABELS,
  type Debrief,
  type InspectionView,
  type RehearsalView,
} from './read-model';
import { dayLengthWords } from '../timeline/rehearsal';

/** The CLI's text: fixed-width tables and the status of an inspection, over read-model views. */

/** A fixed-width table for the terminal. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The line that heads everything the CLI prints of a rehearsal. */
export function rehearsalLine(rehearsal: RehearsalView): string {
  return (
    'REHEARSAL: not a real inspection.' +
    (rehearsal.dayMinutes !== undefined
      ? ` Each working day lasts ${dayLengthWords(rehearsal.dayMinutes)} from ${rehearsal.startsUk ?? 'its start'}; times are on that clock.`
      : '')
  );
}

export function formatStatus(view: InspectionView): string {
  const header = [
    ...(view.rehearsal ? [rehearsalLine(view.rehearsal)] : []),
    `${view.localAuthority}: JTAI notified ${view.notifiedOn}, option ${view.option} (${view.inspectionId})`,
    `Stage: ${STAGE_LABELS[view.stage]}. Overdue: ${view.overdue}.${view.nextDueUk ? ` Next due: ${view.nextDueUk} UK time.` : ''}` +
      (view.cancelled ? ` Cancelled: ${view.cancelled.reason}.` : ''),
    ...view.mailProblems.map((p) => `! Email ${mailProblemLine(p)}`),
    '',
  ];
  const rows = view.deliverables.map((d) => [
    d.dueStandsFor ? `${d.dueUk} (${d.dueStandsFor})` : d.dueUk,
    d.ownerName,
    d.id,
    d.statusLabel,
    d.received
      ? `${d.received.files.length} file(s), ${d.received.atUk}`
      : d.waived
        ? `waived: ${d.waived.reason}`
        : '',
  ]);
  const details = view.deliverables.flatMap((d) => {
    const missing = missingToShow(d);
    return [
      ...d.extensions.map((e) => `  ${d.id}: extended to ${e.toUk} (${e.reason})`),
      ...(missing.length > 0 ? [`  ${d.id}: documents still missing: ${missing.join(', ')}`] : []),
      ...d.queries.map((q) => `  ${d.id}: query, row ${q.row}, column "${q.column}": ${q.message}`),
      ...(d.queriesAnswered ? [`  ${d.id}: queries answered ${d.queriesAnswered.atUk}`] : []),
      ...d.chaseLog.map(
        (c) =>
          `  ${d.id}: ${c.kind} (${c.rung}) to ${c.to}, ${c.atUk}` +
          (c.delivery && c.delivery !== 'sent' ? `: ${c.delivery}${c.reason ? ` (${c.reason})` : ''}` : ''),
      ),
    ];
  });
  return [
    ...header,
    table(['Due (UK time)', 'Owed by', 'Deliverable', 'State', 'Received'], rows),
    '',
    ...(details.length ? ['Chase log and notes:', ...details] : []),
  ].join('\n');
}

/** The debrief as a table: one line per agency and deliverable. */
export function formatDebrief(debrief: Debrief): string {
  const rows = debrief.rows.map((r) => [
    r.agencyName,
    r.deliverableId,
    r.dueStandsFor ? `${r.dueUk} (${r.dueStandsFor})` : r.dueUk,
    r.lateMinutes !== undefined
      ? `late by ${formatMinutes(r.lateMinutes)}` +
        (r.lateWorkingMinutes !== undefined ? ` (${formatMinutes(r.lateWorkingMinutes)} of the week)` : '')
      : r.outcomeLabel,
    r.refusals === undefined ? '-' : String(r.refusals),
    r.chaseMinutes === undefined
      ? '-'
      : `${formatMinutes(r.chaseMinutes)}` +
        (r.chaseWorkingMinutes !== undefined ? ` (${formatMinutes(r.chaseWorkingMinutes)} of the week)` : ''),
    `${r.reminders} / ${r.escalations}`,
  ]);
  return [
    ...(debrief.rehearsal ? [rehearsalLine(debrief.rehearsal)] : []),
    `Debrief of ${debrief.localAuthority} (${debrief.inspectionId})${debrief.ended ? '' : ', so far'}: ` +
      debrief.counts.map((c) => `${c.count} ${c.label}`).join(', ') +
      '.',
    '',
    table(
      [
        'Agency',
        'Deliverable',
        'Due (UK time)',
        'Outcome',
        'Refused',
        'Chase took',
        'Reminders / escalations',
      ],
      rows,
    ),
  ].join('\n');
}
