import { missingToShow, STAGE_LABELS, type InspectionView } from './read-model';

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

export function formatStatus(view: InspectionView): string {
  const header = [
    `${view.localAuthority}: JTAI notified ${view.notifiedOn}, option ${view.option} (${view.inspectionId})`,
    `Stage: ${STAGE_LABELS[view.stage]}. Overdue: ${view.overdue}.${view.nextDueUk ? ` Next due: ${view.nextDueUk} UK time.` : ''}` +
      (view.cancelled ? ` Cancelled: ${view.cancelled.reason}.` : ''),
    '',
  ];
  const rows = view.deliverables.map((d) => [
    d.dueUk,
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
      ...d.chaseLog.map((c) => `  ${d.id}: ${c.kind} (${c.rung}) to ${c.to}, ${c.atUk}`),
    ];
  });
  return [
    ...header,
    table(['Due (UK time)', 'Owed by', 'Deliverable', 'State', 'Received'], rows),
    '',
    ...(details.length ? ['Chase log and notes:', ...details] : []),
  ].join('\n');
}
