/**
 * Rows of a .csv, streaming: UTF-8 with or without BOM, UTF-16 with BOM, quoted fields, comma, semicolon or
 * tab (whichever the first line uses most). The limits are checked as the text goes by, so a row or a cell
 * with no end is refused before it fills the memory. Reads only the file it is given.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import type { Cell } from './cells';
import { ListLimitError, megabytes, RowLimits, type ListLimits } from './limits';
import type { SheetRow } from './cells';

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

/** Looked for in the first megabyte; a CSV with no line break in it is read as one line. */
const FIRST_LINE_SEARCH = 1_000_000;

export async function* readCsv(filePath: string, limits: ListLimits): AsyncGenerator<SheetRow[]> {
  const { size } = await stat(filePath);
  if (size > limits.partBytes)
    throw new ListLimitError(
      'partBytes',
      limits.partBytes,
      `The file is ${megabytes(size)}; the most accepted is ${megabytes(limits.partBytes)} (the file size limit).`,
    );
  const sheetName = 'CSV';
  const guard = new RowLimits(limits);
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
    guard.chars({ row: rowNo }, field.length);
    cells.push(field === '' && !fieldQuoted ? null : field);
    field = '';
    fieldQuoted = false;
    guard.cells({ row: rowNo }, cells.length);
  };
  const endRow = (): void => {
    endField();
    if (cells.length === 1 && cells[0] === null) cells = [];
    guard.row({ row: rowNo }, cells.length);
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
    // A field still open at the end of a chunk: checked now, not only when it ends.
    guard.chars({ row: rowNo }, field.length);
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
        if (nl < 0 && pending.length < FIRST_LINE_SEARCH) continue;
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
