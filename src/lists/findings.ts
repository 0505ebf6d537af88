/** What a check found, at its row and column, and the collector a scan adds them to. Pure. */
import type { Severity } from './cells';

export interface Finding {
  row: number;
  column: string;
  code: string;
  severity: Severity;
  message: string;
}

export interface FindingCounts {
  errors: number;
  warnings: number;
}

/** Keeps the first findings of each severity up to its limit, and counts them all. */
export class Findings {
  readonly kept: Finding[] = [];
  readonly counts: FindingCounts = { errors: 0, warnings: 0 };

  constructor(private readonly max: FindingCounts = { errors: Infinity, warnings: Infinity }) {}

  add(row: number, column: string, code: string, severity: Severity, message: string): void {
    const key = severity === 'error' ? 'errors' : 'warnings';
    if (++this.counts[key] <= this.max[key]) this.kept.push({ row, column, code, severity, message });
  }

  /** No errors: the list is accepted (warnings become queries). */
  get valid(): boolean {
    return this.counts.errors === 0;
  }
}

/** Spreadsheet column letters of a 0-based index: 0 is A, 26 is AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
