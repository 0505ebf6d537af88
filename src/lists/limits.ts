/**
 * How much one list file may ask of the checker: one table of defaults, each overridable by the caller. A file
 * over a limit is refused as soon as the limit is seen (most before anything is unzipped), with a message
 * naming the limit; refusing it again would give the same answer, so it is never worth retrying. Findings
 * over their limit are counted, not kept. Pure: no I/O.
 */
import { UnreadableListError } from './errors';

const MB = 1024 * 1024;

export const LIST_LIMITS = {
  /**
   * Rows read, every sheet counted, header and notes included: a list of 250,000 children (a large authority's
   * list 1 can be long) fits with room to spare.
   */
  rows: 300_000,
  /** Worksheets in a workbook. */
  sheets: 50,
  /** Cells in one row, counted to the last one used (a list has about 30 columns). */
  cellsPerRow: 1_000,
  /** Characters in one cell: Excel's own maximum. */
  cellChars: 32_767,
  /** Uncompressed bytes of any one part of a workbook (a 250,000-row, 30-column sheet is about 250 MB), or of a CSV. */
  partBytes: 512 * MB,
  /** Uncompressed bytes of a part read whole into memory: shared strings, styles, the workbook and its relationships. */
  wholePartBytes: 128 * MB,
  /** Uncompressed to compressed bytes of any part of 1 MB or more (lists compress about 8 to 1). */
  partRatio: 100,
  /** Parts in a workbook. */
  parts: 10_000,
  /** Errors kept in a report; the rest are counted. */
  errors: 1_000,
  /** Warnings kept in a report; the rest are counted. */
  warnings: 1_000,
};

export type ListLimits = typeof LIST_LIMITS;
export type ListLimit = keyof ListLimits;

/** The defaults with the caller's changes. */
export function listLimits(overrides: Partial<ListLimits> = {}): ListLimits {
  const limits = { ...LIST_LIMITS, ...overrides };
  for (const [k, v] of Object.entries(limits))
    if (!(typeof v === 'number' && v > 0)) throw new RangeError(`list limit ${k} must be a positive number`);
  return limits;
}

/** The file is over one of the limits. The checker stopped at once; the same file will always be refused. */
export class ListLimitError extends UnreadableListError {
  constructor(
    /** Which limit (a key of LIST_LIMITS). */
    readonly limit: ListLimit,
    /** The limit's value. */
    readonly max: number,
    message: string,
  ) {
    super('over-limit', message);
    this.name = 'ListLimitError';
  }
}

/** 1,234,567 */
export function count(n: number): string {
  return n.toLocaleString('en-GB');
}

/** 512 MB */
export function megabytes(bytes: number): string {
  return `${count(Math.ceil(bytes / MB))} MB`;
}

/** Where a row is, for a message: "Row 5 of sheet 2" (a CSV has no sheets: "Row 5"). */
export interface RowPlace {
  row: number;
  /** 1-based; absent for a CSV. */
  sheet?: number;
}

function rowWords(p: RowPlace): string {
  return p.sheet === undefined ? `Row ${count(p.row)}` : `Row ${count(p.row)} of sheet ${p.sheet}`;
}

/** The limits a reader checks as rows go by: rows read (every sheet counted), cells in a row, characters in a cell. */
export class RowLimits {
  private read = 0;

  constructor(private readonly limits: ListLimits) {}

  /** Counts a row read; checks how many cells it has (its length: up to the last cell used). */
  row(p: RowPlace, cells: number): void {
    if (++this.read > this.limits.rows)
      throw new ListLimitError(
        'rows',
        this.limits.rows,
        `The file has more than ${count(this.limits.rows)} rows${p.sheet === undefined ? '' : ', every sheet counted'}; the most accepted is ${count(this.limits.rows)} (the row limit). Check that the list holds only what Annex A asks for, or agree with the lead inspector how to send it.`,
      );
    this.cells(p, cells);
  }

  /** Checks the cells of a row as it is being read (a CSV row can be long before it ends). */
  cells(p: RowPlace, cells: number): void {
    if (cells > this.limits.cellsPerRow)
      throw new ListLimitError(
        'cellsPerRow',
        this.limits.cellsPerRow,
        `${rowWords(p)} has more than ${count(this.limits.cellsPerRow)} cells; the most accepted in one row is ${count(this.limits.cellsPerRow)} (the cells-per-row limit). Delete what lies beyond the list's columns.`,
      );
  }

  /** Checks the length of one cell's text. */
  chars(p: RowPlace, length: number): void {
    if (length > this.limits.cellChars)
      throw new ListLimitError(
        'cellChars',
        this.limits.cellChars,
        `${rowWords(p)} has a cell of more than ${count(this.limits.cellChars)} characters, the most a cell may hold (the cell size limit).`,
      );
  }
}
