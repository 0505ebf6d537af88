/**
 * List specifications: the tables (one data module per list, seed 001 Annex A) checked against their schema
 * (./table.ts) when this module loads, and the one function that reads them. Pure: no I/O, no Node built-ins.
 */
import type { ListId } from '../ids';
import { SEVEN_QUESTIONS } from './columns';
import { list1 } from './list-1';
import { list3 } from './list-3';
import { list4 } from './list-4';
import { list5 } from './list-5';
import { list6 } from './list-6';
import { list7 } from './list-7';
import { list8 } from './list-8';
import { meetings } from './meetings';
import { referrals } from './referrals';
import { ColumnTableRow, ListTable, type ColumnSpec, type ListSpec, type ListTableInput } from './table';
import { twenty } from './twenty';
import { nps, yot } from './yot-nps';

export { SEVEN_QUESTIONS, THEME_HEADER } from './columns';
export {
  COLUMN_TYPES,
  type ColumnInput,
  type ColumnSpec,
  type ColumnType,
  type ListSpec,
  type ListTableInput,
} from './table';

const TABLES: ListTableInput[] = [
  list1,
  list3,
  list4,
  list5,
  list6,
  list7,
  list8,
  yot,
  nps,
  twenty,
  meetings,
  referrals,
];

const PARSED: Map<ListId, ListTable> = new Map(
  TABLES.map((t) => {
    const parsed = ListTable.parse(t);
    const keys = new Set(parsed.columns.map((c) => c.key));
    if (keys.size !== parsed.columns.length) throw new Error(`list ${parsed.id}: duplicate column keys`);
    for (const o of parsed.dateOrder)
      if (!keys.has(o.before) || !keys.has(o.after))
        throw new Error(`list ${parsed.id}: bad date order rule`);
    return [parsed.id, parsed];
  }),
);

const OPTION_B_LISTS: ReadonlySet<ListId> = new Set(['6', '7', '8']);
const OPTION_B_COLUMNS: ColumnSpec[] = SEVEN_QUESTIONS.map((c) =>
  ColumnTableRow.parse({ ...c, blank: 'ok', requiredWhenTheme: true }),
);

const cache = new Map<string, ListSpec>();

/** The specification of a list; Option B adds the seven questions to lists 6 to 8. */
export function getListSpec(list: ListId, option: 'A' | 'B' = 'A'): ListSpec {
  const k = `${list}:${option}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const base = PARSED.get(list);
  if (!base) throw new Error(`unknown list ${list}`);
  const withB = option === 'B' && OPTION_B_LISTS.has(list);
  const spec: ListSpec = {
    ...base,
    option: withB ? 'B' : 'A',
    columns: withB ? [...base.columns, ...OPTION_B_COLUMNS] : base.columns,
  };
  cache.set(k, spec);
  return spec;
}

export function hasOptionBColumns(list: ListId): boolean {
  return OPTION_B_LISTS.has(list);
}
