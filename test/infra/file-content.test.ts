/**
 * Content against extension (src/infra/files/content.ts), table-driven: genuine files of each accepted type
 * pass through unchanged; programs under any name, files whose content is another type, binary "text" and
 * zips without their parts are refused, with a message naming the file and what it is.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { checkContent, ContentRefusedError, EXPECTED, HEAD_BYTES } from '../../src/infra/files/content';
import { DOCUMENT_TYPES, LIST_TYPES } from '../../src/web/uploads';
import {
  cfb,
  jpeg,
  odf,
  ooxml,
  pdf,
  png,
  shortcut,
  windowsProgram,
  workbook,
  zip,
} from '../support/documents';

/** Runs `content` through the check in chunks of `chunk` bytes; the bytes that came out, or the refusal. */
async function run(name: string, content: Buffer, chunk = 16 * 1024): Promise<Buffer> {
  const ext = /\.[a-z0-9]+$/i.exec(name)?.[0]?.toLowerCase() ?? '';
  const pieces: Buffer[] = [];
  for (let i = 0; i < content.length; i += chunk) pieces.push(content.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    checkContent(ext, name),
    new Writable({
      write(c: Buffer, _e, done) {
        out.push(c);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

async function refusal(name: string, content: Buffer, chunk?: number): Promise<string> {
  const err = await run(name, content, chunk).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContentRefusedError);
  return (err as Error).message;
}

test('every extension the upload forms allow has an expectation', () => {
  for (const ext of [...LIST_TYPES, ...DOCUMENT_TYPES]) expect(EXPECTED[ext]).toBeDefined();
});

describe('genuine files pass through unchanged', () => {
  const cases: [string, () => Promise<Buffer> | Buffer][] = [
    ['report.pdf', () => pdf],
    ['assessment.docx', () => ooxml('word/document.xml')],
    ['list6.xlsx', workbook],
    ['slides.pptx', () => ooxml('ppt/presentation.xml')],
    ['minutes.odt', () => odf('application/vnd.oasis.opendocument.text')],
    ['figures.ods', () => odf('application/vnd.oasis.opendocument.spreadsheet')],
    ['old.doc', () => cfb],
    ['old.xls', () => cfb],
    ['mail.msg', () => cfb],
    ['scan.png', () => png],
    ['photo.jpg', () => jpeg],
    ['photo.JPEG', () => jpeg],
    ['letter.rtf', () => Buffer.from('{\\rtf1\\ansi Synthetic letter\\par}\r\n')],
    ['list6.csv', () => Buffer.from('\ufeffChild ID,Name\r\nSYN0001,Synthetic Child\r\n')],
    ['ansi.csv', () => Buffer.from([...Buffer.from('Child ID,Cost\r\nSYN0001,'), 0xa3, 0x35, 0x0d, 0x0a])], // "£5" in Windows-1252
    ['unicode.txt', () => Buffer.from('\ufeffNotes\r\n\tline two\x0b\x0c\r\n', 'utf16le')],
    ['mail.eml', () => Buffer.from('From: a@example.org\r\nSubject: Synthetic\r\n\r\n<p>Hello</p>\r\n')],
    ['empty.pdf', () => Buffer.alloc(0)], // the caller says "is empty" in its own words
  ];
  test.each(cases)('%s', async (name, make) => {
    const content = await make();
    expect((await run(name, content, 7)).equals(content)).toBe(true);
    expect((await run(name, content)).equals(content)).toBe(true);
  });

  test('a large workbook-sized document: its directory is read from the end, past the held head', async () => {
    const big = await ooxml('word/document.xml', [['word/media/image1.bin', 'x'.repeat(3 * HEAD_BYTES)]]);
    const padded = await zip([
      ['[Content_Types].xml', '<Types/>'],
      [
        'word/media/noise.bin',
        Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 251)),
        true,
      ],
      ['word/document.xml', '<w/>'],
    ]);
    expect((await run('big.docx', big)).length).toBe(big.length);
    expect((await run('padded.docx', padded, 64 * 1024)).length).toBe(padded.length);
  });
});

describe('programs are refused whatever their name', () => {
  const programs: [string, string, Buffer][] = [
    ['report.pdf', 'a Windows program', windowsProgram],
    ['list6.csv', 'a Windows program', windowsProgram],
    ['notes.txt', 'a Linux program', Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(57)])],
    [
      'photo.jpg',
      'a macOS program',
      Buffer.concat([Buffer.from('cffaedfe07000001', 'hex'), Buffer.alloc(56)]),
    ],
    ['old.doc', 'a macOS program', Buffer.concat([Buffer.from('cafebabe00000002', 'hex'), Buffer.alloc(56)])],
    ['run.txt', 'a script', Buffer.from('#!/bin/sh\necho synthetic\n')],
    ['list6.csv', 'a script', Buffer.from('\ufeff  #!/usr/bin/env python3\nprint(1)\n')],
    ['minutes.docx', 'a Windows shortcut', shortcut],
    ['page.txt', 'a web page with a script', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script>')],
    ['page.pdf', 'a web page with a script', Buffer.from('  <svg onload=""><SCRIPT>alert(1)</SCRIPT></svg>')],
  ];
  test.each(programs)('%s holding %s', async (name, label, content) => {
    const message = await refusal(name, content);
    expect(message).toContain(`“${name}” is ${label}`);
    expect(message).toContain('programs are not accepted, whatever their name');
  });

  test('a web page whose script comes after the first 64 KB, split across two chunks', async () => {
    const page = Buffer.from(`<html><body>${'<p>synthetic</p>'.repeat(HEAD_BYTES / 8)}<scr`);
    const content = Buffer.concat([page, Buffer.from('ipt>alert(1)</script></body></html>')]);
    expect(await refusal('page.txt', content, page.length)).toBe(
      '“page.txt” is a web page with a script, which is not accepted.',
    );
    // Text that mentions a script without being markup is text.
    const prose = Buffer.from('Synthetic note: the word <script> appears in this sentence.\r\n');
    expect((await run('note.txt', prose)).equals(prose)).toBe(true);
  });
});

describe('content that is not what the name says is refused', () => {
  const cases: [string, () => Promise<Buffer> | Buffer, string][] = [
    ['report.pdf', () => png, '“report.pdf” is not a PDF: its contents are a PNG image.'],
    ['assessment.docx', () => pdf, '“assessment.docx” is not a Word document: its contents are a PDF.'],
    ['list6.xlsx', () => ooxml('word/document.xml'), 'its contents are a Word document'],
    [
      'plain.docx',
      () => zip([['readme.txt', 'synthetic']]),
      'it is a zip archive without [Content_Types].xml or word/document.xml',
    ],
    [
      'fake.xlsx',
      () =>
        zip([
          ['[Content_Types].xml', '<T/>'],
          ['xl/styles.xml', '<s/>'],
        ]),
      'without xl/workbook.xml',
    ],
    [
      'cut.docx',
      async () => (await ooxml('word/document.xml')).subarray(0, 300),
      'its zip directory cannot be read',
    ],
    ['old.doc', () => pdf, 'is not a Word 97–2003 document: its contents are a PDF'],
    ['scan.png', () => jpeg, 'is not a PNG image: its contents are a JPEG image'],
    [
      'letter.rtf',
      () => Buffer.from('Synthetic letter, not RTF'),
      'is not a rich-text document: its contents are not a kind of file accepted here',
    ],
    [
      'random.pdf',
      () => Buffer.from('synthetic text, not a PDF'),
      'is not a PDF: its contents are not a kind of file accepted here',
    ],
    [
      'list6.csv',
      () => Buffer.from('Child ID\r\nSYN0001\0\r\n'),
      '“list6.csv” is not a CSV file: it is not plain text',
    ],
    ['list6.csv', () => png, '“list6.csv” is not a CSV file: it is not plain text'],
    ['mail.eml', () => png, 'is not an email message: it is not plain text'],
    ['odd.txt', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('abc')]), 'is not a text file'],
    ['photo.gif', () => Buffer.from('GIF89a'), 'is not a file type accepted here (.gif)'],
  ];
  test.each(cases)('%s', async (name, make, message) => {
    expect(await refusal(name, await make())).toContain(message);
  });

  test('binary bytes far into a "text" file are found, however the chunks fall', async () => {
    const content = Buffer.concat([
      Buffer.from('a,b\r\n'.repeat(100_000)),
      Buffer.from([0x00]),
      Buffer.from('\r\n'),
    ]);
    for (const chunk of [1 << 10, 1 << 16, 1 << 20])
      expect(await refusal('long.csv', content, chunk)).toContain('not plain text');
  });
});
