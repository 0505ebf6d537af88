/**
 * Rows of an .xlsx, streaming. The zip is not handed to exceljs: its parts are listed and checked against the
 * limits first (./zip.ts), then read one by one, each unzipped by jtai with its size enforced and decoded as
 * UTF-8 across chunk boundaries: the workbook and its relationships, the styles (to tell a date from a
 * number) and the shared strings with exceljs's parsers, then each worksheet, in the order of the workbook's
 * tabs, with ./sheet-xml.ts. Nothing is unzipped to disk, parts a list does not need (images, themes) are
 * never unzipped, and exceljs's zip and worksheet readers are never loaded. Workbooks with macros, links to
 * other files or embedded objects are refused before anything is read.
 */
import { TextDecoder } from 'node:util';
import { UnreadableListError } from './errors';
import { ListLimitError, RowLimits, count, type ListLimits } from './limits';
import type { SheetRow } from './cells';
import { sheetRows, type SaxEvents, type SheetContext } from './sheet-xml';
import { readPart, readZipParts, type ZipPart } from './zip';

/** Options of exceljs's streaming reader that read a workbook as the list reader does (`npm run bench:lists`). */
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
/** Read whole into memory (a smaller limit applies). */
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

type Text = AsyncIterable<string>;

/**
 * The pieces of exceljs 4.4 (pinned in package.json) the reader uses: internal modules, loaded when the first
 * workbook is read so that importing the lists costs nothing.
 */
interface ExcelParts {
  parseSax: (source: Text) => SaxEvents;
  utils: {
    isDateFmt(fmt: string | undefined): boolean;
    excelToDate(serial: number, date1904?: boolean): Date;
  };
  StylesXform: new () => {
    init(): void;
    parseStream(source: Text): Promise<unknown>;
    getStyleModel(id: number): { numFmt?: string } | null;
  };
  WorkbookXform: new () => {
    parseStream(source: Text): Promise<unknown>;
    model?: { sheets?: { name?: string; rId?: string }[] };
    map: { workbookPr: { model?: { date1904?: boolean } } };
  };
  RelationshipsXform: new () => { parseStream(source: Text): Promise<{ Id?: string; Target?: string }[]> };
}

let excel: ExcelParts | undefined;
function excelParts(): ExcelParts {
  /* eslint-disable @typescript-eslint/no-require-imports -- exceljs's internal modules have no types */
  excel ??= {
    parseSax: require('exceljs/lib/utils/parse-sax') as ExcelParts['parseSax'],
    utils: require('exceljs/lib/utils/utils') as ExcelParts['utils'],
    StylesXform: require('exceljs/lib/xlsx/xform/style/styles-xform') as ExcelParts['StylesXform'],
    WorkbookXform: require('exceljs/lib/xlsx/xform/book/workbook-xform') as ExcelParts['WorkbookXform'],
    RelationshipsXform:
      require('exceljs/lib/xlsx/xform/core/relationships-xform') as ExcelParts['RelationshipsXform'],
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return excel;
}

/** A part's text, decoded as UTF-8 (a character split between two chunks is joined, not garbled). */
async function* partText(filePath: string, part: ZipPart): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const bytes of readPart(filePath, part)) yield decoder.decode(bytes, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * The shared strings, each as its text (the runs of rich text joined; phonetic guides left out), as the
 * cells that use them read.
 */
async function readSharedStrings(parseSax: ExcelParts['parseSax'], source: Text): Promise<string[]> {
  const strings: string[] = [];
  let text = '';
  let inText = false;
  let phonetic = 0;
  for await (const events of parseSax(source))
    for (const { eventType, value } of events) {
      if (eventType === 'text') {
        if (inText && phonetic === 0) text += value as string;
        continue;
      }
      const name = (value as { name: string }).name;
      if (eventType === 'opentag') {
        if (name === 'si') text = '';
        else if (name === 't') inText = true;
        else if (name === 'rPh') phonetic++;
      } else if (eventType === 'closetag') {
        if (name === 't') inText = false;
        else if (name === 'rPh') phonetic--;
        else if (name === 'si') strings.push(text);
      }
    }
  return strings;
}

/** The worksheets in the order of the workbook's tabs, then any the workbook does not list. */
function sheetsInOrder(
  sheets: readonly { name?: string; rId?: string }[],
  rels: readonly { Id?: string; Target?: string }[],
  parts: Map<string, ZipPart>,
): { part: ZipPart; name?: string }[] {
  const out: { part: ZipPart; name?: string }[] = [];
  const taken = new Set<string>();
  for (const sheet of sheets) {
    const target = rels.find((r) => r.Id === sheet.rId)?.Target;
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

function checkSheetCount(parts: Map<string, ZipPart>, limits: ListLimits): void {
  const sheets = [...parts.keys()].filter((n) => WORKSHEET.test(n)).length;
  if (sheets > limits.sheets)
    throw new ListLimitError(
      'sheets',
      limits.sheets,
      `The workbook has ${count(sheets)} sheets; the most accepted is ${count(limits.sheets)} (the sheets limit). Send the list in a workbook of its own.`,
    );
  if (sheets === 0)
    throw new UnreadableListError(
      'not-a-workbook',
      'The file is a zip archive but not an Excel workbook: it has no worksheets. Save the list from Excel as .xlsx.',
    );
}

/** Rows of every sheet in batches, the limits checked as they go. */
export async function* readXlsx(filePath: string, limits: ListLimits): AsyncGenerator<SheetRow[]> {
  const parts = await readZipParts(filePath, limits, WHOLE_PARTS);
  refuseActiveContent(parts);
  checkSheetCount(parts, limits);
  const x = excelParts();
  const whole = (name: string): Text | undefined => {
    const part = parts.get(name);
    return part && partText(filePath, part);
  };
  const guard = new RowLimits(limits);
  let sheet = 0;
  try {
    const relsPart = whole(RELS);
    const rels = relsPart ? await new x.RelationshipsXform().parseStream(relsPart) : [];
    const book = new x.WorkbookXform();
    const bookPart = whole(WORKBOOK);
    if (bookPart) await book.parseStream(bookPart);
    const styles = new x.StylesXform();
    const stylesPart = whole(STYLES);
    if (stylesPart) await styles.parseStream(stylesPart);
    else styles.init();
    const stringsPart = whole(SHARED_STRINGS);
    const date1904 = Boolean(book.map.workbookPr.model?.date1904);
    const dateStyles = new Map<number, boolean>();
    const ctx: SheetContext = {
      sharedStrings: stringsPart ? await readSharedStrings(x.parseSax, stringsPart) : [],
      isDateStyle: (s) => {
        let d = dateStyles.get(s);
        if (d === undefined) dateStyles.set(s, (d = x.utils.isDateFmt(styles.getStyleModel(s)?.numFmt)));
        return d;
      },
      excelToDate: (serial) => x.utils.excelToDate(serial, date1904),
      checkCells: (row, cells) => guard.cells({ row, sheet }, cells),
    };

    for (const { part, name } of sheetsInOrder(book.model?.sheets ?? [], rels, parts)) {
      const sheetIndex = sheet++;
      const sheetName = name ?? `Sheet ${sheet}`;
      for await (const rows of sheetRows(x.parseSax(partText(filePath, part)), ctx)) {
        const batch: SheetRow[] = [];
        for (const { row, cells } of rows) {
          const place = { row, sheet };
          guard.row(place, cells.length);
          for (const c of cells)
            if (typeof c === 'string' && c.length > limits.cellChars) guard.chars(place, c.length);
          batch.push({ sheetIndex, sheetName, row, cells });
        }
        yield batch;
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
