/**
 * Hostile list files for tests and `npm run bench:hostile`, written in a temporary directory: a workbook whose
 * sheet unzips to more than a gigabyte (a zip bomb), a CSV of a million rows, and the zip writer they need.
 * Synthetic data only.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { syntheticHeaders } from '../../src/lists/synthetic';

export interface ZipEntryIn {
  name: string;
  /** Raw deflate data, or undefined to deflate `data`. */
  deflated?: Buffer[];
  data?: Buffer;
  /** Uncompressed size and CRC, given with `deflated`. */
  size?: number;
  crc?: number;
  /** What the directory says the uncompressed size is (to write a directory that lies). */
  declaredSize?: number;
}

/** Writes a zip (deflated entries, no data descriptors). Chunks are written as they are, so a bomb never sits in memory. */
export async function writeZip(path: string, entries: ZipEntryIn[]): Promise<void> {
  const out = createWriteStream(path);
  let offset = 0;
  const write = async (buf: Buffer): Promise<void> => {
    offset += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  for (const e of entries) {
    const chunks = e.deflated ?? [deflateRawSync(e.data ?? Buffer.alloc(0))];
    const compressed = chunks.reduce((n, c) => n + c.length, 0);
    const size = e.declaredSize ?? e.size ?? e.data?.length ?? 0;
    const crc = e.crc ?? crc32(e.data ?? Buffer.alloc(0));
    const name = Buffer.from(e.name, 'utf8');
    const headerOffset = offset;
    /** The local header (30 bytes) or the directory entry (46): the same fields, the directory's shifted by 2. */
    const header = (inDirectory: boolean): Buffer => {
      const h = Buffer.alloc(inDirectory ? 46 : 30);
      h.writeUInt32LE(inDirectory ? 0x02014b50 : 0x04034b50, 0);
      const p = inDirectory ? 6 : 4;
      if (inDirectory) h.writeUInt16LE(20, 4); // version made by
      h.writeUInt16LE(20, p); // version needed
      h.writeUInt16LE(0x0800, p + 2); // UTF-8 names
      h.writeUInt16LE(8, p + 4); // deflated
      h.writeUInt32LE(0, p + 6); // time, date
      h.writeUInt32LE(crc >>> 0, p + 10);
      h.writeUInt32LE(compressed, p + 14);
      h.writeUInt32LE(size, p + 18);
      h.writeUInt16LE(name.length, p + 22);
      if (inDirectory) h.writeUInt32LE(headerOffset, 42);
      return h;
    };
    await write(Buffer.concat([header(false), name]));
    for (const c of chunks) await write(c);
    central.push(header(true), name);
  }
  const dir = Buffer.concat(central);
  const dirOffset = offset;
  await write(dir);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(dirOffset, 16);
  await write(end);
  out.end();
  await once(out, 'close');
}

const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`);

/** The parts every workbook needs around its one sheet. */
function workbookParts(): ZipEntryIn[] {
  const ns = 'http://schemas.openxmlformats.org';
  return [
    {
      name: '[Content_Types].xml',
      data: xml(
        `<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        `<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="List 6" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
  ];
}

/** A workbook of one sheet whose XML is given whole (and any other parts), to test what exceljs would not write. */
export async function writeRawWorkbook(
  path: string,
  sheetXml: string,
  extra: ZipEntryIn[] = [],
): Promise<void> {
  await writeZip(path, [
    ...workbookParts(),
    ...extra,
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheetXml) },
  ]);
}

const cellXml = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

/**
 * A workbook whose one sheet is list 6's header row and then one short row repeated until the sheet's XML
 * is `bytes` long (the issue's bomb: a 3.3 MB file whose sheet unzips to 1.15 GB). The repeated part is
 * deflated once and its bytes written again and again (a full flush makes each copy stand alone), so writing
 * it takes moments and little memory. `garbage`: the sheet's compressed bytes replaced by zeros of the same
 * length, keeping the directory as it is (had the checker unzipped anything, it would find the part damaged).
 */
export async function writeZipBomb(
  path: string,
  bytes = 1_150_000_000,
  options: { garbage?: boolean; declaredSize?: number } = {},
): Promise<{ size: number }> {
  const header = syntheticHeaders('6')
    .map((h, i) => cellXml(`${String.fromCharCode(65 + i)}1`, h))
    .join('');
  const head = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">${header}</row>`,
  );
  const tail = Buffer.from('</sheetData></worksheet>');
  const row = Buffer.from(`<row r="2">${cellXml('A2', 'SYN0001')}</row>`);
  const block = Buffer.alloc(Math.floor((1 << 20) / row.length) * row.length);
  for (let p = 0; p < block.length; p += row.length) row.copy(block, p);
  const copies = Math.max(1, Math.floor((bytes - head.length - tail.length) / block.length));
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const deflatedHead = deflateRawSync(head, flush);
  const deflatedBlock = deflateRawSync(block, flush);
  const deflatedTail = deflateRawSync(tail);
  let crc = crc32(head);
  for (let i = 0; i < copies; i++) crc = crc32(block, crc);
  crc = crc32(tail, crc);
  const size = head.length + copies * block.length + tail.length;
  const deflated = [deflatedHead, ...Array<Buffer>(copies).fill(deflatedBlock), deflatedTail];
  const sheet: ZipEntryIn = {
    name: 'xl/worksheets/sheet1.xml',
    deflated: options.garbage ? deflated.map((d) => Buffer.alloc(d.length)) : deflated,
    size,
    crc,
    declaredSize: options.declaredSize,
  };
  await writeZip(path, [...workbookParts(), sheet]);
  return { size };
}

/**
 * A list 6 CSV: the header, then `rows` rows holding only a child ID (the 1,000,000-row CSV was 11 MB;
 * this one is 12 MB). Every row lacks its required cells, so the findings grow with the rows too.
 */
export async function writeLongCsv(path: string, rows = 1_000_000): Promise<void> {
  const out = createWriteStream(path);
  const header = syntheticHeaders('6')
    .map((h) => `"${h}"`)
    .join(',');
  out.write(`${header}\r\n`);
  const BATCH = 10_000;
  for (let i = 1; i <= rows; i += BATCH) {
    const lines: string[] = [];
    for (let j = i; j < i + BATCH && j <= rows; j++) lines.push(`SYN${String(j).padStart(7, '0')}\r\n`);
    if (!out.write(lines.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}
