/**
 * Rows of an .xlsx, streaming. The zip is not handed to exceljs whole: its parts are listed and checked
 * against the limits first (./zip.ts), then exceljs's own parsers read the parts it needs, each unzipped by
 * jtai with its size enforced: the workbook and its relationships, the styles (to tell a date from a number),
 * the shared strings, then each worksheet in the order of the workbook's tabs. Nothing is unzipped to disk,
 * and parts exceljs does not need (images, themes) are never unzipped. Workbooks with macros, links to other
 * files or embedded objects are refused before anything is read.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell } from './cells';
import { UnreadableListError } from './errors';
import { ListLimitError, RowLimits, count, type ListLimits } from './limits';
import type { SheetRow } from './reader';
import { readPart, readZipParts, type ZipPart } from './zip';

export const XLSX_READER_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  hyperlinks: 'ignore',
  // Styles are needed to tell a date cell (a number with a date format) from a plain number.
  styles: 'cache',
  entries: 'ignore',
} as const;

const RELS = 'xl/_rels/workbook.xml.rels';
const WORKBOOK = 'xl/workbook.xml';
const STYLES = 'xl/styles.xml';
const SHARED_STRINGS = 'xl/sharedStrings.xml';
/** Read whole into memory by exceljs (a smaller limit applies). */
const WHOLE_PARTS: ReadonlySet<string> = new Set([RELS, WORKBOOK, STYLES, SHARED_STRINGS]);
const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/;

/** Parts a list has no business holding: refused, named, before anything is read. */
const ACTIVE_CONTENT: readonly { part: RegExp; what: string }[] = [
  { part: /^xl\/vbaProject\.bin$/i, what: 'macros' },
  { part: /^xl\/macrosheets\//i, what: 'Excel 4.0 macro sheets' },
  { part: /^xl\/externalLinks\//i, what: 'links to other files' },
  { part: /^xl\/embeddings\//i, what: 'embedded files or objects' },
  { part: /^xl\/activeX\//i, what: 'ActiveX controls' },
];

/** What exceljs's WorkbookReader does inside; used here to feed it parts that have been checked. */
interface WorkbookInternals {
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string): Generator<{ value: WorksheetEvents }>;
  model?: { sheets?: { name?: string; rId?: string }[] };
  workbookRels?: { Id?: string; Target?: string }[];
}

interface WorksheetEvents {
  name?: string;
  /** Event batches, one per chunk of XML: an async hop per batch rather than per row. */
  parse(): AsyncIterable<{ eventType: string; value: unknown }[]>;
}

function toCell(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      return null; // functions, symbols, bigints: not cell values
  }
  if (v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  const str = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');
  if ('formula' in o || 'sharedFormula' in o) return { formula: str(o.formula ?? o.sharedFormula) };
  if ('error' in o) return { error: str(o.error) };
  if (Array.isArray(o.richText)) return (o.richText as { text?: unknown }[]).map((r) => str(r.text)).join('');
  if ('text' in o) return toCell(o.text);
  return { error: 'unknown value' };
}

/** The worksheets in the order of the workbook's tabs, then any the workbook does not list. */
function sheetsInOrder(
  wb: WorkbookInternals,
  parts: Map<string, ZipPart>,
): { part: ZipPart; name?: string }[] {
  const out: { part: ZipPart; name?: string }[] = [];
  const taken = new Set<string>();
  for (const sheet of wb.model?.sheets ?? []) {
    const target = wb.workbookRels?.find((r) => r.Id === sheet.rId)?.Target;
    if (!target) continue;
    const name = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    const part = parts.get(name);
    if (!part || taken.has(name) || !WORKSHEET.test(name)) continue;
    taken.add(name);
    out.push({ part, name: sheet.name });
  }
  const rest = [...parts.values()]
    .filter((p) => WORKSHEET.test(p.name) && !taken.has(p.name))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return [...out, ...rest.map((part) => ({ part }))];
}

function refuseActiveContent(parts: Map<string, ZipPart>): void {
  const found = ACTIVE_CONTENT.filter((a) => [...parts.keys()].some((name) => a.part.test(name)));
  if (found.length === 0) return;
  throw new UnreadableListError(
    'active-content',
    `The workbook contains ${found.map((a) => a.what).join(' and ')}. A list is values only: copy the list into a new workbook and save it as .xlsx (Excel Workbook), or save it as CSV.`,
  );
}

/** Rows of every sheet in batches, the limits checked as they go. */
export async function* readXlsx(filePath: string, limits: ListLimits): AsyncGenerator<SheetRow[]> {
  const parts = await readZipParts(filePath, limits, WHOLE_PARTS);
  refuseActiveContent(parts);
  const sheetCount = [...parts.keys()].filter((n) => WORKSHEET.test(n)).length;
  if (sheetCount > limits.sheets)
    throw new ListLimitError(
      'sheets',
      limits.sheets,
      `The workbook has ${count(sheetCount)} sheets; the most accepted is ${count(limits.sheets)} (the sheets limit). Send the list in a workbook of its own.`,
    );
  if (sheetCount === 0)
    throw new UnreadableListError(
      'not-a-workbook',
      'The file is a zip archive but not an Excel workbook: it has no worksheets. Save the list from Excel as .xlsx.',
    );

  const wb = new ExcelJS.stream.xlsx.WorkbookReader(
    filePath,
    XLSX_READER_OPTIONS,
  ) as unknown as WorkbookInternals;
  const whole = (name: string): Readable | undefined => {
    const part = parts.get(name);
    return part && Readable.from(readPart(filePath, part));
  };
  const guard = new RowLimits(limits);
  try {
    const rels = whole(RELS);
    if (rels) await wb._parseRels(rels);
    const book = whole(WORKBOOK);
    if (book) await wb._parseWorkbook(book);
    const styles = whole(STYLES);
    if (styles) await wb._parseStyles(styles);
    const strings = whole(SHARED_STRINGS);
    if (strings) for await (const _ of wb._parseSharedStrings(strings));

    let sheetIndex = -1;
    for (const { part, name } of sheetsInOrder(wb, parts)) {
      sheetIndex++;
      const sheetName = name ?? `Sheet ${sheetIndex + 1}`;
      for (const { value: ws } of wb._parseWorksheet(readPart(filePath, part), String(sheetIndex + 1))) {
        for await (const events of ws.parse()) {
          const batch: SheetRow[] = [];
          for (const ev of events) {
            if (ev.eventType !== 'row') continue;
            const row = ev.value as ExcelJS.Row;
            const cells = row.values as Cell[];
            cells.shift(); // exceljs values are 1-based
            const place = { row: row.number, sheet: sheetIndex + 1 };
            guard.row(place, cells.length);
            for (let i = 0; i < cells.length; i++) {
              const c = toCell(cells[i]);
              if (typeof c === 'string' && c.length > limits.cellChars) guard.chars(place, c.length);
              cells[i] = c;
            }
            batch.push({ sheetIndex, sheetName, row: row.number, cells });
          }
          if (batch.length) yield batch;
        }
      }
    }
  } catch (err) {
    if (err instanceof UnreadableListError) throw err;
    throw new UnreadableListError(
      'not-a-workbook',
      `The file could not be read as an Excel workbook (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'}). Open it in Excel and save it again as .xlsx.`,
    );
  }
}
