/**
 * Small genuine documents of each accepted type, and programs, for the content checks and the upload tests.
 * Synthetic content only.
 */
import archiver from 'archiver';
import ExcelJS from 'exceljs';

/** A zip as archiver writes it (data descriptors, as Office and exceljs do); `store` leaves an entry uncompressed. */
export async function zip(
  entries: [name: string, data: string | Buffer, store?: boolean][],
): Promise<Buffer> {
  const a = archiver('zip');
  const chunks: Buffer[] = [];
  a.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => a.on('end', resolve));
  for (const [name, data, store] of entries) a.append(Buffer.from(data), { name, store: !!store });
  await a.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export const ooxml = (main: string, extra: [string, string][] = []) =>
  zip([
    ['[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
    ['_rels/.rels', '<Relationships/>'],
    [main, '<document/>'],
    ...extra,
  ]);
export const odf = (mime: string) =>
  zip([
    ['mimetype', mime, true],
    ['content.xml', '<office:document-content/>'],
  ]);

export async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('List 6').addRow(['Child ID', 'SYN0001']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const pdf = Buffer.from(
  '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
export const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
export const jpeg = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
  Buffer.alloc(64),
]);
export const cfb = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
/** A Windows executable's first bytes: the DOS header ("MZ", binary fields) and its PE header. */
export const windowsProgram = (() => {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  return b;
})();
export const shortcut = Buffer.concat([
  Buffer.from('4c0000000114020000000000c000000000000046', 'hex'),
  Buffer.alloc(60),
]);
