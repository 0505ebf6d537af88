/**
 * Header mapping: the guidance wording or a known export wording exactly; then the same wording differing only
 * in case, spacing or punctuation (a warning); then the looser patterns from the reference (a warning).
 * Pure: no I/O.
 */
import type { Cell } from './cells';
import type { ColumnSpec, ListSpec } from './specs';

export type MatchHow = 'exact' | 'normalised' | 'pattern';

export interface MappedColumn {
  index: number;
  /** The header as written in the file. */
  text: string;
  spec: ColumnSpec;
  how: MatchHow;
}

export interface HeaderMatch {
  mapped: MappedColumn[];
  /** Non-empty headers that are not columns of the list (or repeat one already mapped). */
  extras: { index: number; text: string; duplicateOf?: string }[];
  missingRequired: ColumnSpec[];
  /** Whether this row is taken as the list's header row. */
  isHeader: boolean;
}

export function normaliseHeader(s: string): string {
  return s
    .replace(/[\u2018\u2019\u201b\u2032`]/g, "'")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function headerText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c.replace(/\s+/g, ' ').trim();
  if (typeof c === 'number' || typeof c === 'boolean') return String(c);
  return '';
}

interface Lookup {
  exact: Map<string, ColumnSpec>;
  normalised: Map<string, ColumnSpec>;
}
const lookups = new WeakMap<ListSpec, Lookup>();

function lookupFor(spec: ListSpec): Lookup {
  let l = lookups.get(spec);
  if (l) return l;
  l = { exact: new Map(), normalised: new Map() };
  for (const c of spec.columns) {
    for (const h of [c.header, ...c.variants]) {
      const e = h.replace(/\s+/g, ' ').trim();
      if (!l.exact.has(e)) l.exact.set(e, c);
      const n = normaliseHeader(h);
      if (n && !l.normalised.has(n)) l.normalised.set(n, c);
    }
  }
  lookups.set(spec, l);
  return l;
}

/** Maps one row's cells to the list's columns and says whether the row looks like the header row. */
export function matchHeaders(spec: ListSpec, cells: readonly Cell[]): HeaderMatch {
  const l = lookupFor(spec);
  const texts = cells.map(headerText);
  const raw = cells.map((c) => (typeof c === 'string' ? c.trim() : headerText(c)));
  const taken = new Map<string, MappedColumn>();
  const byIndex = new Map<number, MappedColumn>();
  const duplicateOf = new Map<number, string>();

  const take = (index: number, c: ColumnSpec, how: MatchHow): void => {
    const m: MappedColumn = { index, text: raw[index] ?? '', spec: c, how };
    taken.set(c.key, m);
    byIndex.set(index, m);
  };

  // Pass 1 and 2: exact, then normalised.
  for (const pass of ['exact', 'normalised'] as const) {
    texts.forEach((t, i) => {
      if (!t || byIndex.has(i) || duplicateOf.has(i)) return;
      const c = pass === 'exact' ? l.exact.get(t) : l.normalised.get(normaliseHeader(t));
      if (!c) return;
      const already = taken.get(c.key);
      if (already) duplicateOf.set(i, already.text);
      else take(i, c, pass);
    });
  }
  // Pass 3: patterns, in the list's column order.
  texts.forEach((t, i) => {
    if (!t || byIndex.has(i) || duplicateOf.has(i)) return;
    for (const c of spec.columns) {
      if (taken.has(c.key)) continue;
      if (c.patterns.some((p) => p.test(t))) {
        take(i, c, 'pattern');
        return;
      }
    }
  });

  const mapped = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const extras: HeaderMatch['extras'] = [];
  texts.forEach((t, i) => {
    if (t && !byIndex.has(i)) {
      const d = duplicateOf.get(i);
      const text = raw[i] ?? t;
      extras.push(d === undefined ? { index: i, text } : { index: i, text, duplicateOf: d });
    }
  });
  const required = spec.columns.filter((c) => c.required);
  const missingRequired = required.filter((c) => !taken.has(c.key));
  const found = required.length - missingRequired.length;
  const hasId = taken.has('childId');
  const isHeader =
    (hasId && mapped.length >= Math.min(3, spec.columns.length)) ||
    found >= Math.max(3, Math.ceil(required.length / 2));
  return { mapped, extras, missingRequired, isHeader };
}
