/**
 * A workbook's parts, read from the zip's central directory before anything is unzipped: each part's sizes
 * are checked against the limits there, so a bomb is refused having read a few kilobytes. A part is then
 * unzipped from its own offset, and never to more bytes than the directory said (a directory that lies about
 * a size is caught while unzipping, not after). Parts that overlap, repeat a name, or are encrypted are
 * refused as damaged. Reads only the file it is given.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { UnreadableListError } from './errors';
import { count, ListLimitError, megabytes, type ListLimits } from './limits';

export interface ZipPart {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** Uncompressed size, as the directory gives it. */
  size: number;
  /** Where the part's local header starts. */
  headerOffset: number;
  /** Where its compressed data starts (after the local header). */
  dataOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const RATIO_FROM = 1024 * 1024;

function damaged(why: string): UnreadableListError {
  return new UnreadableListError(
    'not-a-workbook',
    `The workbook is damaged (${why}). Open it in Excel and save it again as .xlsx.`,
  );
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw damaged('it ends early');
  return buf;
}

/** Where the central directory is and how many entries it has (zip64 included). */
async function findDirectory(
  fh: FileHandle,
  fileSize: number,
): Promise<{ offset: number; size: number; entries: number; end: number }> {
  const tailLength = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readAt(fh, fileSize - tailLength, tailLength);
  let at = tail.length - 22;
  while (at >= 0 && tail.readUInt32LE(at) !== EOCD) at--;
  if (at < 0) throw damaged('no zip directory');
  const eocd = fileSize - tailLength + at;
  let entries = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) throw damaged('a split archive');
  let end = eocd;
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    if (eocd < 20) throw damaged('a zip64 directory that is not there');
    const locator = await readAt(fh, eocd - 20, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw damaged('a zip64 directory that is not there');
    const recordAt = Number(locator.readBigUInt64LE(8));
    if (recordAt + 56 > eocd - 20) throw damaged('a zip64 directory out of place');
    const record = await readAt(fh, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw damaged('a zip64 directory that is not there');
    entries = Number(record.readBigUInt64LE(32));
    size = Number(record.readBigUInt64LE(40));
    offset = Number(record.readBigUInt64LE(48));
    end = recordAt;
  }
  if (offset + size > end) throw damaged('a directory out of place');
  return { offset, size, entries, end: offset };
}

/** Sizes and offset from the zip64 extra field, where the directory entry says to look there. */
function zip64Values(extra: Buffer, want: { size: boolean; compressed: boolean; offset: boolean }) {
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + len) throw damaged('a short zip64 field');
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      return {
        size: want.size ? next() : undefined,
        compressed: want.compressed ? next() : undefined,
        offset: want.offset ? next() : undefined,
      };
    }
    p += 4 + len;
  }
  throw damaged('a zip64 entry with no zip64 field');
}

function parseDirectory(buf: Buffer, entries: number): Omit<ZipPart, 'dataOffset'>[] {
  const parts: Omit<ZipPart, 'dataOffset'>[] = [];
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL)
      throw damaged('a directory entry out of place');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let headerOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    const want = {
      size: size === 0xffffffff,
      compressed: compressedSize === 0xffffffff,
      offset: headerOffset === 0xffffffff,
    };
    if (want.size || want.compressed || want.offset) {
      const z = zip64Values(buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), want);
      size = z.size ?? size;
      compressedSize = z.compressed ?? compressedSize;
      headerOffset = z.offset ?? headerOffset;
    }
    if (flags & 0x1) throw damaged(`the part ${name} is encrypted`);
    if (method !== 0 && method !== 8)
      throw damaged(`the part ${name} is compressed in a way Excel does not use`);
    if (method === 0 && compressedSize !== size) throw damaged(`the part ${name} has two sizes`);
    parts.push({ name, method, compressedSize, size, headerOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** Size and ratio of each part, before any is unzipped. */
function checkSizes(
  parts: readonly Omit<ZipPart, 'dataOffset'>[],
  limits: ListLimits,
  wholeParts: ReadonlySet<string>,
): void {
  for (const part of parts) {
    if (part.size > limits.partBytes)
      throw new ListLimitError(
        'partBytes',
        limits.partBytes,
        `The workbook's part ${part.name} unzips to ${megabytes(part.size)}; the most accepted for one part is ${megabytes(limits.partBytes)} (the part size limit). A list that large should be split, or sent as CSV.`,
      );
    if (wholeParts.has(part.name) && part.size > limits.wholePartBytes)
      throw new ListLimitError(
        'wholePartBytes',
        limits.wholePartBytes,
        `The workbook's part ${part.name} unzips to ${megabytes(part.size)}; the most accepted is ${megabytes(limits.wholePartBytes)} (the limit for parts read whole). Save the list as CSV instead.`,
      );
    if (part.size >= RATIO_FROM && part.size > limits.partRatio * Math.max(part.compressedSize, 1))
      throw new ListLimitError(
        'partRatio',
        limits.partRatio,
        `The workbook's part ${part.name} unzips to ${count(Math.round(part.size / Math.max(part.compressedSize, 1)))} times its zipped size; the most accepted is ${count(limits.partRatio)} times (the compression ratio limit). This is how a "zip bomb" looks: the file was not opened.`,
      );
  }
}

/**
 * The parts of a zip file, checked against the limits. `wholeParts`: names of the parts that will be read whole
 * into memory (they have a smaller limit).
 */
export async function readZipParts(
  filePath: string,
  limits: ListLimits,
  wholeParts: ReadonlySet<string> = new Set(),
): Promise<Map<string, ZipPart>> {
  const fh = await open(filePath, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const dir = await findDirectory(fh, fileSize);
    if (dir.entries > limits.parts)
      throw new ListLimitError(
        'parts',
        limits.parts,
        `The workbook has ${count(dir.entries)} parts; the most accepted is ${count(limits.parts)} (the parts limit).`,
      );
    if (dir.size > dir.entries * (46 + 3 * 0xffff)) throw damaged('a directory larger than its entries');
    const listed = parseDirectory(await readAt(fh, dir.offset, dir.size), dir.entries);
    checkSizes(listed, limits, wholeParts);

    // Each part's local header: where its data starts, and that it says the same name.
    const parts = new Map<string, ZipPart>();
    for (const part of listed) {
      if (parts.has(part.name)) throw damaged(`the part ${part.name} is there twice`);
      const local = await readAt(fh, part.headerOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL)
        throw damaged(`the part ${part.name} is not where the directory says`);
      const nameLength = local.readUInt16LE(26);
      const extraLength = local.readUInt16LE(28);
      const name = (await readAt(fh, part.headerOffset + 30, nameLength)).toString('utf8');
      if (name !== part.name) throw damaged(`the part ${part.name} is named ${name} in its own header`);
      parts.set(part.name, { ...part, dataOffset: part.headerOffset + 30 + nameLength + extraLength });
    }
    // No two parts may share bytes (a bomb can reuse one compressed run for many parts).
    const byOffset = [...parts.values()].sort((a, b) => a.headerOffset - b.headerOffset);
    byOffset.forEach((part, i) => {
      const next = byOffset[i + 1]?.headerOffset ?? dir.end;
      if (part.dataOffset + part.compressedSize > next)
        throw damaged(`the part ${part.name} overlaps the next`);
    });
    return parts;
  } finally {
    await fh.close();
  }
}

/**
 * The uncompressed bytes of one part, in chunks. Stops with an error, as soon as it is seen, if the part
 * unzips to more (or fewer) bytes than the directory said.
 */
export async function* readPart(filePath: string, part: ZipPart): AsyncGenerator<Buffer> {
  if (part.compressedSize === 0) {
    if (part.size !== 0) throw damaged(`the part ${part.name} is empty but should not be`);
    return;
  }
  const raw = createReadStream(filePath, {
    start: part.dataOffset,
    end: part.dataOffset + part.compressedSize - 1,
    highWaterMark: 256 * 1024,
  });
  const source = part.method === 8 ? raw.pipe(createInflateRaw({ chunkSize: 64 * 1024 })) : raw;
  let seen = 0;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      seen += buf.length;
      if (seen > part.size) throw damaged(`the part ${part.name} unzips to more than its directory says`);
      yield buf;
    }
  } catch (err) {
    if (err instanceof UnreadableListError) throw err;
    throw damaged(`the part ${part.name} cannot be unzipped`);
  } finally {
    raw.destroy();
    if (source !== raw) source.destroy();
  }
  if (seen !== part.size) throw damaged(`the part ${part.name} unzips to less than its directory says`);
}
