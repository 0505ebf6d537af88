/**
 * Reading a list file as rows: what kind of file it is (from its first bytes, not its name), then the rows of
 * an .xlsx (./xlsx.ts) or a .csv (./csv.ts), streaming. Files that cannot be read as a list raise
 * UnreadableListError with the reason; files over a limit, ListLimitError.
 */
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { SheetRow } from './cells';
import { readCsv } from './csv';
import { UnreadableListError } from './errors';
import { LIST_LIMITS, type ListLimits } from './limits';
import { readXlsx } from './xlsx';

export type { SheetRow } from './cells';

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

export interface OpenedFile {
  kind: FileKind;
  /** Every row of every sheet, in order, streaming, in batches (one per chunk read). */
  batches: AsyncGenerator<SheetRow[]>;
}

/** Opens a list file by its content, not its name; the limits are checked as it is read. */
export async function openRows(filePath: string, limits: ListLimits = LIST_LIMITS): Promise<OpenedFile> {
  const kind = await sniffFile(filePath);
  return { kind, batches: kind === 'xlsx' ? readXlsx(filePath, limits) : readCsv(filePath, limits) };
}
