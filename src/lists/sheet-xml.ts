/**
 * A worksheet's XML as rows of cells, streaming: jtai's own reading of `<row>` and `<c>` over exceljs's SAX
 * events, in place of exceljs's worksheet reader, which builds row, cell, style and value objects for every
 * cell only for the list reader to take the values out again. The values are those exceljs gives (dates by
 * the cell's number format, as exceljs decides it), with three differences that are fixes: every run of rich
 * inline text (exceljs keeps the last), ISO dates (`t="d"`), and cells or rows without a reference (the next
 * column or row). Formulas are cells of their own kind, whatever their result. Pure: works on the events it is
 * given.
 */
import type { Cell } from './cells';

export type SaxEvents = AsyncIterable<{ eventType: string; value: unknown }[]>;

export interface SheetContext {
  /** The workbook's shared strings, by index. */
  sharedStrings: readonly string[];
  /** Whether a cell of this style index holds a date when it holds a number. */
  isDateStyle(style: number): boolean;
  /** Excel serial number (days since 1900, or 1904) to a Date, as exceljs does. */
  excelToDate(serial: number): Date;
  /** Throws when a row would have more cells than allowed (called before they are made). */
  checkCells(row: number, cells: number): void;
}

export interface XmlRow {
  /** 1-based. */
  row: number;
  /** From column A; null where there is no cell. */
  cells: Cell[];
}

interface Tag {
  name: string;
  attributes: Record<string, string>;
}

/** Column index (0-based) of a cell reference such as "AB12". */
function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n - 1;
}

/** The element's name without a namespace prefix (some writers use `x:c`). */
function local(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The rows of one worksheet, in batches (one per chunk of XML read). */
export async function* sheetRows(events: SaxEvents, ctx: SheetContext): AsyncGenerator<XmlRow[]> {
  let rowNo = 0;
  let cells: Cell[] = [];
  let inRow = false;
  // The cell being read.
  let col = -1;
  let type = '';
  let style = 0;
  let formula = false;
  let value: string | undefined;
  let inlineText: string | undefined;
  /** Where text goes: the value, an inline string's text, or nowhere. */
  let into: 'v' | 't' | undefined;
  let phonetic = 0;

  const cellValue = (): Cell => {
    if (formula) return { formula: '' };
    switch (type) {
      case 's': {
        const s = value === undefined ? undefined : ctx.sharedStrings[parseInt(value, 10)];
        return s ?? null;
      }
      case 'inlineStr':
        return inlineText ?? value ?? null;
      case 'str':
        return value ?? null;
      case 'b':
        return value === undefined ? null : parseInt(value, 10) !== 0;
      case 'e':
        return { error: value ?? '' };
      case 'd':
        return value === undefined ? null : new Date(value);
      default: {
        if (value === undefined) return null;
        const n = parseFloat(value);
        return style && ctx.isDateStyle(style) ? ctx.excelToDate(n) : n;
      }
    }
  };

  for await (const batch of events) {
    const rows: XmlRow[] = [];
    for (const { eventType, value: ev } of batch) {
      if (eventType === 'text') {
        if (into === 'v') value = (value ?? '') + (ev as string);
        else if (into === 't' && phonetic === 0) inlineText = (inlineText ?? '') + (ev as string);
        continue;
      }
      const tag = ev as Tag;
      const name = local(tag.name);
      if (eventType === 'opentag') {
        switch (name) {
          case 'row': {
            const r = tag.attributes.r;
            rowNo = r ? parseInt(r, 10) : rowNo + 1;
            cells = [];
            inRow = true;
            col = -1;
            break;
          }
          case 'c': {
            if (!inRow) break;
            const { r, t, s } = tag.attributes;
            col = r ? columnOf(r) : col + 1;
            type = t ?? '';
            style = s ? parseInt(s, 10) : 0;
            formula = false;
            value = inlineText = into = undefined;
            break;
          }
          case 'f':
            formula = true;
            break;
          case 'v':
            into = 'v';
            break;
          case 't':
            into = 't';
            break;
          case 'rPh':
            phonetic++;
            break;
        }
      } else if (eventType === 'closetag') {
        switch (name) {
          case 'v':
          case 't':
            into = undefined;
            break;
          case 'rPh':
            phonetic--;
            break;
          case 'c':
            if (inRow && col >= 0) {
              ctx.checkCells(rowNo, col + 1);
              while (cells.length < col) cells.push(null);
              cells[col] = cellValue();
            }
            break;
          case 'row':
            rows.push({ row: rowNo, cells });
            inRow = false;
            break;
        }
      }
    }
    if (rows.length) yield rows;
  }
}
