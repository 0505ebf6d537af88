/** A list report for a person: a summary line, then the findings grouped by column. Pure. */
import { LIST_TITLES } from './ids';
import type { Finding, ListReport } from './validate';

const PREFIX = /^Row \d+, column ".*?": /s;

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;
}

function rowsText(rows: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === (rows[j] ?? 0) + 1) j++;
    parts.push(j > i ? `${rows[i]}-${rows[j]}` : String(rows[i]));
    i = j + 1;
  }
  const MAX_PARTS = 25;
  if (parts.length <= MAX_PARTS) return parts.join(', ');
  return `${parts.slice(0, MAX_PARTS).join(', ')} and ${plural(parts.length - MAX_PARTS, 'more')}`;
}

export function formatReport(report: ListReport, options: { maxPerColumn?: number } = {}): string {
  const max = options.maxPerColumn ?? 20;
  const { errors, warnings } = report.counts;
  const lines: string[] = [];
  lines.push(
    `${LIST_TITLES[report.list]}, ${report.file}: ${plural(report.rows, 'row')} read, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}. ` +
      (errors
        ? 'NOT ACCEPTED: correct the errors and send the list again.'
        : 'Accepted' + (warnings ? ' (see the warnings).' : '.')),
  );

  const shown = report.findings.length;
  if (shown < errors + warnings)
    lines.push(
      `Only the first ${plural(shown, 'finding')} are listed below (the findings limit); the rest were counted, not kept.`,
    );

  // Group: findings about the file or header first, then by column in order of first appearance.
  const groups = new Map<string, Finding[]>();
  const fileLevel: Finding[] = [];
  for (const f of report.findings) {
    if (!PREFIX.test(f.message)) {
      fileLevel.push(f);
      continue;
    }
    let g = groups.get(f.column);
    if (!g) groups.set(f.column, (g = []));
    g.push(f);
  }
  if (fileLevel.length) {
    lines.push('', 'The file and its header row:');
    for (const f of fileLevel) lines.push(`  ${f.severity === 'error' ? 'ERROR' : 'warning'}: ${f.message}`);
  }
  for (const [column, fs] of groups) {
    const e = fs.filter((f) => f.severity === 'error').length;
    lines.push('', `Column "${column}": ${plural(e, 'error')}, ${plural(fs.length - e, 'warning')}`);
    // Same problem in many rows: one line with the rows.
    const byText = new Map<string, { f: Finding; rows: number[] }>();
    for (const f of fs) {
      const text = `${f.severity}\u0000${f.message.replace(PREFIX, '')}`;
      const hit = byText.get(text);
      if (hit) hit.rows.push(f.row);
      else byText.set(text, { f, rows: [f.row] });
    }
    let shown = 0;
    for (const { f, rows } of byText.values()) {
      if (shown === max) {
        lines.push(`  ... and ${plural(byText.size - max, 'more problem')} in this column.`);
        break;
      }
      shown++;
      const where = rows.length === 1 ? `row ${rows[0]}` : `rows ${rowsText(rows)}`;
      lines.push(
        `  ${f.severity === 'error' ? 'ERROR' : 'warning'} ${where}: ${f.message.replace(PREFIX, '')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
