/**
 * The shape of a list table (seed 001, Annex A): each column with its header as the guidance words it, the
 * headers real exports use (shared/reference/annex-a.md), its type, code list and whether it is required.
 * The tables themselves are data, one module per list beside this one; ./index.ts checks them against this
 * schema when it loads. Pure: no I/O, no Node built-ins.
 */
import { z } from 'zod';
import { CODE_LIST_NAMES } from '../codelists';
import { LIST_IDS } from '../ids';

export const COLUMN_TYPES = ['child-id', 'date', 'time', 'yn', 'integer', 'code', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const ColumnTableRow = z
  .object({
    key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
    /** The header as the guidance words it. */
    header: z.string().min(1),
    /** Other exact headers in use (the ILACS template's wording, common exports). */
    variants: z.array(z.string()).default([]),
    /** Looser patterns tried last (from the reference's header regexes); a match is a warning. */
    patterns: z.array(z.instanceof(RegExp)).default([]),
    type: z.enum(COLUMN_TYPES),
    codeList: z.enum(CODE_LIST_NAMES).optional(),
    /** The column must be present. */
    required: z.boolean(),
    /** Whether a blank cell is acceptable; defaults to 'error' for required columns, 'ok' otherwise. */
    blank: z.enum(['ok', 'error']).optional(),
    /** Option B: the cell must be filled on rows flagged Y for the theme. */
    requiredWhenTheme: z.boolean().default(false),
    /** A date that may lie in the future (expected date of birth, a planned meeting). */
    futureAllowed: z.boolean().default(false),
    /** Integers: smallest value allowed. */
    min: z.number().optional(),
    /** Integers: decimals are accepted with a warning (exports often give ages as 6.14). */
    decimals: z.enum(['error', 'warning']).default('error'),
    /** What the column means, for the template's notes sheet. */
    note: z.string().min(1),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'code' && !c.codeList)
      ctx.addIssue({ code: 'custom', message: `column ${c.key}: a code column needs a code list` });
  })
  .transform((c) => ({
    ...c,
    codeList: c.codeList ?? (c.type === 'yn' ? 'YN' : undefined),
    blank: c.blank ?? (c.required ? ('error' as const) : ('ok' as const)),
  }));

export type ColumnInput = z.input<typeof ColumnTableRow>;
export type ColumnSpec = z.output<typeof ColumnTableRow>;

export const ListTable = z.object({
  id: z.enum(LIST_IDS),
  title: z.string(),
  sheetName: z.string().max(31),
  scope: z.string(),
  columns: z.array(ColumnTableRow).min(1),
  /** A child appears at most once (false for lists of events: contacts, referrals, meetings). */
  uniqueChildId: z.boolean(),
  /** Date pairs that must be in order: `after` on or after `before`. */
  dateOrder: z.array(z.object({ before: z.string(), after: z.string() })).default([]),
  /** The case is open when every one of these is blank (used for the aged-18-or-over rule). */
  openWhenBlank: z.array(z.string()).optional(),
  /** More rows than this is a warning (the YOT and NPS lists: up to five; Option A: 20). */
  maxRows: z.number().optional(),
  /** Which child IDs the list puts forward for selection. */
  candidates: z.enum(['theme', 'all', 'none']),
});
export type ListTableInput = z.input<typeof ListTable>;
export type ListTable = z.output<typeof ListTable>;
export type ListSpec = ListTable & { option: 'A' | 'B' };
