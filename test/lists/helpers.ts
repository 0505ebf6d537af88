/** Test helpers: synthetic workbooks and CSVs written in a temporary directory. Synthetic data only. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { ListId } from '../../src/lists';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';

export const NOTIFIED = '2026-03-02';
export const TODAY = '2026-03-04';
export const OPTS = { notifiedOn: NOTIFIED, today: TODAY } as const;

export type CellIn = string | number | boolean | Date | null | { formula: string; result?: unknown };

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'jtai-lists-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function d(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

export interface SheetIn {
  name?: string;
  rows: CellIn[][];
}

/** Writes an .xlsx; Date cells get the dd/mm/yyyy format. */
export async function writeXlsx(path: string, sheets: SheetIn[] | CellIn[][]): Promise<string> {
  const list: SheetIn[] = Array.isArray(sheets[0]) ? [{ rows: sheets as CellIn[][] }] : (sheets as SheetIn[]);
  const wb = new ExcelJS.Workbook();
  list.forEach((s, i) => {
    const ws = wb.addWorksheet(s.name ?? `Sheet${i + 1}`);
    s.rows.forEach((r, ri) => {
      r.forEach((v, ci) => {
        if (v === null) return;
        const cell = ws.getCell(ri + 1, ci + 1);
        cell.value = v as ExcelJS.CellValue;
        if (v instanceof Date) cell.numFmt = 'dd/mm/yyyy';
      });
    });
  });
  await wb.xlsx.writeFile(path);
  return path;
}

/** Header plus n valid synthetic rows of a list. */
export function cleanRows(list: ListId, n: number, option: 'A' | 'B' = 'A'): CellIn[][] {
  const rows: CellIn[][] = [syntheticHeaders(list, option)];
  for (let i = 1; i <= n; i++) rows.push(syntheticRow(list, i, { option, notifiedOn: NOTIFIED }));
  return rows;
}

/** Index of a column in a list's guidance header row. */
export function col(list: ListId, header: string, option: 'A' | 'B' = 'A'): number {
  const i = syntheticHeaders(list, option).indexOf(header);
  if (i < 0) throw new Error(`no column ${header} on list ${list}`);
  return i;
}

export async function writeText(path: string, text: string | Buffer): Promise<string> {
  await writeFile(path, text);
  return path;
}

/** Minimal zip reader for tests: entry names and (stored or deflated) contents. */
export function readZip(path: string): Map<string, Buffer> {
  const buf = readFileSync(path);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const lNameLen = buf.readUInt16LE(local + 26);
    const lExtraLen = buf.readUInt16LE(local + 28);
    const start = local + 30 + lNameLen + lExtraLen;
    const data = buf.subarray(start, start + csize);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
