import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActivityDependencies } from '../../src/activities';

/**
 * A stand-in for the list validator in workflow tests (the validator has its own tests): it really
 * reads the CSV it is given. Column 1 is the child ID; a row whose last cell is `Y` puts the child
 * forward; a cell `BAD` is an error at that row and column, a cell `QUERY` a warning (a query the
 * agency answers).
 */
/** What the double finds in a cell, by the cell's text. */
const FINDINGS: Record<string, { code: string; severity: 'error' | 'warning'; message: string }> = {
  BAD: { code: 'type', severity: 'error', message: 'Not a valid value: use Y or N.' },
  QUERY: { code: 'query', severity: 'warning', message: 'An unusual value: check it.' },
};

export const readingValidator: ActivityDependencies['validateListFile'] = async (list, filePath) => {
  const lines = (await readFile(filePath, 'utf8')).trim().split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const findings = [];
  const candidates: string[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const cells = line.split(',');
    for (const [c, cell] of cells.entries()) {
      const finding = FINDINGS[cell];
      if (finding) findings.push({ row: i + 2, column: header[c] ?? '', ...finding });
    }
    if (cells.at(-1) === 'Y' && cells[0]) candidates.push(cells[0]);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    list,
    file: path.basename(filePath),
    rows: lines.length - 1,
    valid: errors === 0,
    findings,
    counts: { errors, warnings: findings.length - errors },
    candidates,
  };
};

/** A synthetic list: child IDs SYN0001… flagged Y for the theme. */
export function syntheticCsv(ids: string[], flag = 'Y'): string {
  return ['Child Unique ID,Gender,Theme (Y/N)', ...ids.map((id) => `${id},b) Female,${flag}`)].join('\n');
}

export const childIds = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
