/**
 * Streaming readers: rows of an .xlsx (exceljs WorkbookReader, never the whole workbook in memory) or a
 * .csv (UTF-8 with or without BOM, UTF-16 with BOM, quoted fields, comma/semicolon/tab). Files that cannot be
 * read as a list raise UnreadableListError with the reason.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { TextDecoder } from 'node:util';
import ExcelJS from 'exceljs';
import { UnreadableListError } from './errors';
import type { Cell } from './cells';

export interface SheetRow {
  /** 0 for the first sheet (a CSV has one). */
  sheetIndex: number;
  sheetName: string;
  /** Spreadsheet row number, 1-based. */
  row: number;
  /** Cells from column A, 0-based; null for an empty cell. */
  cells: Cell[];
}

export type FileKind = 'xlsx' | 'csv';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ENCRYPTION_MARKERS = ['EncryptionInfo', 'EncryptedPackage'].map((s) => Buffer.from(s, 'utf16le'));
const WORKBOOK_EXTENSIONS = new Set(['.xlsx', '.xlsm', '.xltx', '.xls', '.xlsb', '.ods']);

/** Works out how to read a file from its first bytes (not its name), or says why it cannot be read. */
export async function sniffFile(filePath: string): Promise<FileKind> {
  let size: number;
  try {
    size = (await stat(filePath)).size;
  } catch {
    throw new UnreadableListError(
      'not-a-workbook',
      'The file cannot be opened: it does not exist or is not readable.',
    );
  }
  if (size === 0) throw new UnreadableListError('empty', 'The file is empty (0 bytes).');
  const fh = await open(filePath, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(size, 512 * 1024));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const ext = extname(filePath).toLowerCase();
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC))
    throw new UnreadableListError(
      'empty',
      'The file is an empty zip archive, not a workbook with a list in it.',
    );
  if (head.subarray(0, 8).equals(CFB_MAGIC)) {
    if (ENCRYPTION_MARKERS.some((m) => head.includes(m)))
      throw new UnreadableListError(
        'password-protected',
        'The workbook is password-protected (encrypted). Save a copy without a password (File > Info > Protect Workbook > Encrypt with Password, clear it) and send that.',
      );
    throw new UnreadableListError(
      'not-a-workbook',
      'The file is an old-style Excel 97-2003 (.xls) or other Office file, not an .xlsx workbook. Open it in Excel and save it as .xlsx (Excel Workbook).',
    );
  }
  if (WORKBOOK_EXTENSIONS.has(ext))
    throw new UnreadableListError(
      'not-a-workbook',
      `The file is named ${ext} but is not an Excel workbook (its content is not an .xlsx file). Save the list from Excel as .xlsx, or as .csv.`,
    );
  const utf16 =
    head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
  if (!utf16 && head.subarray(0, 8192).includes(0))
    throw new UnreadableListError(
      'not-a-workbook',
      'The file is neither an Excel workbook (.xlsx) nor a text (.csv) file. Save the list from Excel as .xlsx.',
    );
  return 'csv';
}

// ---------------------------------------------------------------------------------------------------------
// xlsx
// ---------------------------------------------------------------------------------------------------------

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

export const XLSX_READER_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  hyperlinks: 'ignore',
  // Styles are needed to tell a date cell (a number with a date format) from a plain number.
  styles: 'cache',
  entries: 'ignore',
} as const;

interface WorksheetEvents {
  name?: string;
  parse(): AsyncIterable<{ eventType: string; value: unknown }[]>;
}

/**
 * Rows of every sheet in batches. Worksheets are read through their event batches (one per chunk of XML)
 * rather than row by row, which saves an async hop per row.
 */
async function* readXlsx(filePath: string): AsyncGenerator<SheetRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, XLSX_READER_OPTIONS);
  let sheetIndex = -1;
  try {
    for await (const wsReader of reader) {
      sheetIndex++;
      const ws = wsReader as unknown as WorksheetEvents;
      const sheetName = ws.name ?? `Sheet ${sheetIndex + 1}`;
      for await (const events of ws.parse()) {
        const batch: SheetRow[] = [];
        for (const ev of events) {
          if (ev.eventType !== 'row') continue;
          const row = ev.value as ExcelJS.Row;
          const cells = row.values as Cell[];
          cells.shift(); // exceljs values are 1-based
          for (let i = 0; i < cells.length; i++) cells[i] = toCell(cells[i]);
          batch.push({ sheetIndex, sheetName, row: row.number, cells });
        }
        if (batch.length) yield batch;
      }
    }
  } catch (err) {
    if (err instanceof UnreadableListError) throw err;
    throw new UnreadableListError(
      'not-a-workbook',
      `The file could not be read as an Excel workbook (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'}). Open it in Excel and save it again as .xlsx.`,
    );
  }
  if (sheetIndex < 0)
    throw new UnreadableListError(
      'not-a-workbook',
      'The file is a zip archive but not an Excel workbook: it has no worksheets. Save the list from Excel as .xlsx.',
    );
}

// ---------------------------------------------------------------------------------------------------------
// csv
// ---------------------------------------------------------------------------------------------------------

function pickDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    let count = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === d) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

async function* readCsv(filePath: string): AsyncGenerator<SheetRow[]> {
  const sheetName = 'CSV';
  const stream = createReadStream(filePath, { highWaterMark: 256 * 1024 });
  let decoder: TextDecoder | undefined;
  let delimiter: string | undefined;
  let pending = '';
  // Parser state (persists across chunks).
  let field = '';
  let fieldQuoted = false;
  let inQuotes = false;
  let quotePending = false; // saw a quote inside a quoted field: either an escaped quote or the closing quote
  let cells: Cell[] = [];
  let rowNo = 1;
  const rows: SheetRow[] = [];

  const endField = (): void => {
    cells.push(field === '' && !fieldQuoted ? null : field);
    field = '';
    fieldQuoted = false;
  };
  const endRow = (): void => {
    endField();
    if (cells.length === 1 && cells[0] === null) cells = [];
    rows.push({ sheetIndex: 0, sheetName, row: rowNo++, cells });
    cells = [];
  };

  const feed = (text: string): void => {
    const d = delimiter ?? ',';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          // fall through to the unquoted handling of ch
        } else if (ch === '"') {
          quotePending = true;
          continue;
        } else {
          field += ch;
          continue;
        }
      }
      if (ch === d) endField();
      else if (ch === '\n') endRow();
      else if (ch === '\r') {
        if (text[i + 1] !== '\n') endRow();
      } else if (ch === '"' && field === '') {
        inQuotes = true;
        fieldQuoted = true;
      } else field += ch;
    }
  };

  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (!decoder) {
        let encoding = 'utf-8';
        if (buf[0] === 0xff && buf[1] === 0xfe) encoding = 'utf-16le';
        else if (buf[0] === 0xfe && buf[1] === 0xff) encoding = 'utf-16be';
        decoder = new TextDecoder(encoding); // strips a BOM
      }
      let text = decoder.decode(buf, { stream: true });
      if (!delimiter) {
        pending += text;
        const nl = pending.search(/[\r\n]/);
        if (nl < 0 && pending.length < 1_000_000) continue;
        delimiter = pickDelimiter(nl < 0 ? pending : pending.slice(0, nl));
        text = pending;
        pending = '';
      }
      feed(text);
      if (rows.length) yield rows.splice(0, rows.length);
    }
    const rest = (decoder?.decode() ?? '') + pending;
    if (!delimiter) delimiter = pickDelimiter(rest.split(/[\r\n]/)[0] ?? '');
    feed(rest);
    if (inQuotes && quotePending) inQuotes = false;
    if (field !== '' || fieldQuoted || cells.length > 0) endRow();
    if (rows.length) yield rows.splice(0, rows.length);
  } finally {
    stream.destroy();
  }
}

export interface OpenedFile {
  kind: FileKind;
  /** Every row of every sheet, in order, streaming, in batches (one per chunk read). */
  batches: AsyncGenerator<SheetRow[]>;
}

export async function openRows(filePath: string): Promise<OpenedFile> {
  const kind = await sniffFile(filePath);
  return { kind, batches: kind === 'xlsx' ? readXlsx(filePath) : readCsv(filePath) };
}
