/**
 * An upload's content checked against its name as it streams past, before the store keeps it: a `.pdf` must be
 * a PDF, a `.docx` or `.xlsx` a zip with the Office Open XML parts, a `.csv` or `.txt` text; a program (Windows,
 * Linux or macOS executable, a script with `#!`, a Windows shortcut, a web page with a script) is refused
 * whatever its name. The magic numbers of the documents are file-type's (16.5.4, the last release that is a
 * CommonJS module; later ones are ES modules only, which jest and the compiled CLI load only through import()).
 *
 * `checkContent(extension, name)` is a Transform: bytes pass through unchanged, and the stream fails with a
 * ContentRefusedError as soon as they cannot be what the name says (the head: the first 64 KB), or at the end
 * (the zip's directory, text all through). Put into a store, a failed stream keeps nothing.
 */
import { Transform, type TransformCallback } from 'node:stream';
/** Loaded when an upload is first checked, not by every process that reaches the file store (`jtai status`). */
const fromBuffer: typeof import('file-type/core').fromBuffer = (buffer) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('file-type/core') as typeof import('file-type/core')).fromBuffer(buffer);

export class ContentRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentRefusedError';
  }
}

/** What a name's extension promises. */
interface Expected {
  /** For messages: "… is not <label>". */
  label: string;
  /** What file-type must find in the head (its `ext`); none for text. */
  signatures?: readonly string[];
  /** Parts the zip's central directory must list. */
  zipParts?: readonly string[];
  /** Text from end to end: no control characters other than tab, line breaks and form feed. */
  text?: boolean;
}

const OOXML = '[Content_Types].xml';
const OLE = ['cfb'] as const;

/** Extension -> what its content must be. An extension not here is refused (the allow-lists are in web/uploads). */
export const EXPECTED: Readonly<Record<string, Expected>> = {
  '.pdf': { label: 'a PDF', signatures: ['pdf', 'ai'] },
  '.docx': { label: 'a Word document', signatures: ['docx', 'zip'], zipParts: [OOXML, 'word/document.xml'] },
  '.xlsx': { label: 'an Excel workbook', signatures: ['xlsx', 'zip'], zipParts: [OOXML, 'xl/workbook.xml'] },
  '.pptx': {
    label: 'a PowerPoint presentation',
    signatures: ['pptx', 'zip'],
    zipParts: [OOXML, 'ppt/presentation.xml'],
  },
  '.odt': { label: 'an OpenDocument text', signatures: ['odt'], zipParts: ['mimetype', 'content.xml'] },
  '.ods': {
    label: 'an OpenDocument spreadsheet',
    signatures: ['ods'],
    zipParts: ['mimetype', 'content.xml'],
  },
  '.doc': { label: 'a Word 97–2003 document', signatures: OLE },
  '.xls': { label: 'an Excel 97–2003 workbook', signatures: OLE },
  '.msg': { label: 'an Outlook message', signatures: OLE },
  '.png': { label: 'a PNG image', signatures: ['png'] },
  '.jpg': { label: 'a JPEG image', signatures: ['jpg'] },
  '.jpeg': { label: 'a JPEG image', signatures: ['jpg'] },
  '.rtf': { label: 'a rich-text document', signatures: ['rtf'], text: true },
  '.csv': { label: 'a CSV file', text: true },
  '.txt': { label: 'a text file', text: true },
  '.eml': { label: 'an email message', text: true },
};

/** What file-type found, in words, for "its contents are …". */
const FOUND: Readonly<Record<string, string>> = {
  pdf: 'a PDF',
  ai: 'a PDF',
  docx: 'a Word document',
  xlsx: 'an Excel workbook',
  pptx: 'a PowerPoint presentation',
  odt: 'an OpenDocument text',
  ods: 'an OpenDocument spreadsheet',
  zip: 'a zip archive',
  cfb: 'an Office 97–2003 file',
  png: 'a PNG image',
  jpg: 'a JPEG image',
  gif: 'a GIF image',
  rtf: 'a rich-text document',
};

const startsWith = (head: Buffer, bytes: readonly number[], at = 0) =>
  head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** The first characters after a UTF-8 byte order mark and blanks, lower-cased. */
const opening = (head: Buffer, length: number) =>
  head
    .subarray(startsWith(head, UTF8_BOM) ? 3 : 0, 1024)
    .toString('latin1')
    .trimStart()
    .slice(0, length)
    .toLowerCase();
/** Markup (HTML, SVG, XML) that a browser would run if it holds a script. */
const isMarkup = (head: Buffer) => opening(head, 1) === '<';
const SCRIPT = /<script/i;

/** Programs, refused whatever the file is called: the first bytes that give each away. */
const PROGRAMS: readonly { label: string; test: (head: Buffer) => boolean }[] = [
  // "MZ", then the DOS header's binary fields (text never has a NUL byte).
  { label: 'a Windows program', test: (h) => startsWith(h, [0x4d, 0x5a]) && h.subarray(2, 64).includes(0) },
  { label: 'a Linux program', test: (h) => startsWith(h, [0x7f, 0x45, 0x4c, 0x46]) },
  ...[
    [0xfe, 0xed, 0xfa, 0xce],
    [0xfe, 0xed, 0xfa, 0xcf],
    [0xce, 0xfa, 0xed, 0xfe],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xca, 0xfe, 0xba, 0xbe], // a macOS universal binary (or a Java class file)
  ].map((magic) => ({ label: 'a macOS program', test: (h: Buffer) => startsWith(h, magic) })),
  { label: 'a script (it starts with #!)', test: (h) => opening(h, 2) === '#!' },
  {
    label: 'a Windows shortcut',
    test: (h) =>
      startsWith(h, [0x4c, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46]),
  },
  { label: 'a web page with a script', test: (h) => isMarkup(h) && SCRIPT.test(h.toString('latin1')) },
];

/** Bytes of the start that decide the signature (and hold back the stream until they are in). */
export const HEAD_BYTES = 64 * 1024;
/** The end kept for a zip's directory: room for thousands of parts, which no document here comes near. */
const TAIL_BYTES = 1024 * 1024;

/** Control characters text never holds (tab, line feed, vertical tab, form feed, carriage return and the old end-of-file mark are allowed). */
function isControl(code: number): boolean {
  return (
    code < 0x20 &&
    code !== 0x09 &&
    code !== 0x0a &&
    code !== 0x0b &&
    code !== 0x0c &&
    code !== 0x0d &&
    code !== 0x1a
  );
}

/** Text check across chunks: 8-bit text (UTF-8, Windows-1252 …) or UTF-16 with its byte order mark. */
class TextScan {
  private utf16: 'le' | 'be' | undefined;
  private odd: number | undefined;
  private started = false;
  bad = false;

  feed(chunk: Buffer): void {
    if (this.bad) return;
    if (!this.started) {
      this.started = true;
      if (startsWith(chunk, [0xff, 0xfe])) this.utf16 = 'le';
      else if (startsWith(chunk, [0xfe, 0xff])) this.utf16 = 'be';
    }
    if (!this.utf16) {
      for (const byte of chunk) if (isControl(byte)) return void (this.bad = true);
      return;
    }
    let data = chunk;
    if (this.odd !== undefined) data = Buffer.concat([Buffer.from([this.odd]), chunk]);
    const even = data.length - (data.length % 2);
    for (let i = 0; i < even; i += 2) {
      const unit = this.utf16 === 'le' ? data.readUInt16LE(i) : data.readUInt16BE(i);
      if (isControl(unit)) return void (this.bad = true);
    }
    this.odd = even < data.length ? data[even] : undefined;
  }

  get ok(): boolean {
    return !this.bad && this.odd === undefined;
  }
}

/** Names in a zip's central directory, read from the end of the file; undefined when it is not all there. */
export function zipDirectoryNames(tail: Buffer, fileSize: number): string[] | undefined {
  const tailStart = fileSize - tail.length;
  let at = tail.length - 22;
  const stop = Math.max(0, tail.length - 22 - 0xffff);
  while (at >= stop && tail.readUInt32LE(at) !== 0x06054b50) at--;
  if (at < stop) return undefined;
  let entries = tail.readUInt16LE(at + 10);
  let offset = tail.readUInt32LE(at + 16);
  if (entries === 0xffff || offset === 0xffffffff) {
    // zip64: the locator sits just before the end record and points at the zip64 end record.
    const locator = at - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return undefined;
    const record = Number(tail.readBigUInt64LE(locator + 8)) - tailStart;
    if (record < 0 || record + 56 > tail.length || tail.readUInt32LE(record) !== 0x06064b50) return undefined;
    entries = Number(tail.readBigUInt64LE(record + 32));
    offset = Number(tail.readBigUInt64LE(record + 48));
  }
  let p = offset - tailStart;
  if (p < 0) return undefined;
  const names: string[] = [];
  for (let i = 0; i < entries; i++) {
    if (p + 46 > tail.length || tail.readUInt32LE(p) !== 0x02014b50) return undefined;
    const nameLength = tail.readUInt16LE(p + 28);
    const skip = nameLength + tail.readUInt16LE(p + 30) + tail.readUInt16LE(p + 32);
    if (p + 46 + nameLength > tail.length) return undefined;
    names.push(tail.toString('utf8', p + 46, p + 46 + nameLength));
    p += 46 + skip;
  }
  return names;
}

class ContentCheck extends Transform {
  private readonly expected: Expected | undefined;
  private head: Buffer[] = [];
  private headLength = 0;
  private decided = false;
  private size = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;
  private readonly text: TextScan | undefined;
  /** Markup: the end of the previous chunk, so "<script" split across two chunks is still seen. */
  private markup: string | undefined;

  constructor(
    private readonly extension: string,
    private readonly name: string,
  ) {
    super();
    this.expected = EXPECTED[extension];
    this.text = this.expected?.text ? new TextScan() : undefined;
  }

  private refuse(what: string): ContentRefusedError {
    return new ContentRefusedError(`“${this.name}” ${what}`);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.decided) return done(this.pass(chunk));
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < HEAD_BYTES) return done();
    this.decide().then(
      () => done(),
      (err: Error) => done(err),
    );
  }

  override _flush(done: TransformCallback): void {
    (this.decided ? Promise.resolve() : this.decide()).then(
      () => done(this.atEnd()),
      (err: Error) => done(err),
    );
  }

  /** The head is in (or the whole file, if smaller): programs and signatures; then let the held bytes go. */
  private async decide(): Promise<void> {
    this.decided = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    if (head.length === 0) return; // an empty file: the caller says so in its own words
    const expected = this.expected;
    if (!expected)
      throw this.refuse(`is not a file type accepted here (${this.extension || 'no extension'}).`);
    const program = PROGRAMS.find((p) => p.test(head));
    if (program)
      throw this.refuse(
        `is ${program.label}, not ${expected.label}: programs are not accepted, whatever their name.`,
      );
    if (expected.signatures) {
      const found = (await fromBuffer(head))?.ext;
      if (!found || !expected.signatures.includes(found)) {
        const what = found ? (FOUND[found] ?? `a .${found} file`) : 'not a kind of file accepted here';
        throw this.refuse(
          `is not ${expected.label}: its contents are ${what}. Save it again as ${expected.label} and upload that.`,
        );
      }
    }
    if (this.text && isMarkup(head)) this.markup = '';
    const err = this.pass(head);
    if (err) throw err;
  }

  /** Bytes after the decision: watched, and passed on. */
  private pass(chunk: Buffer): Error | null {
    this.size += chunk.length;
    if (this.text) {
      this.text.feed(chunk);
      if (this.text.bad) return this.notText();
      if (this.markup !== undefined) {
        const seen = this.markup + chunk.toString('latin1');
        if (SCRIPT.test(seen)) return this.refuse('is a web page with a script, which is not accepted.');
        this.markup = seen.slice(-7);
      }
    }
    if (this.expected?.zipParts) {
      this.tail.push(chunk);
      this.tailLength += chunk.length;
      while (this.tail.length > 1 && this.tailLength - (this.tail[0]?.length ?? 0) >= TAIL_BYTES)
        this.tailLength -= this.tail.shift()?.length ?? 0;
    }
    this.push(chunk);
    return null;
  }

  private notText(): ContentRefusedError {
    return this.refuse(
      `is not ${this.expected?.label ?? 'text'}: it is not plain text (it holds binary data).`,
    );
  }

  /** The whole file has passed: text to its last byte, the zip's directory. */
  private atEnd(): Error | null {
    if (this.size === 0) return null;
    if (this.text && !this.text.ok) return this.notText();
    const parts = this.expected?.zipParts;
    if (!parts) return null;
    const names = zipDirectoryNames(Buffer.concat(this.tail), this.size);
    const label = this.expected?.label ?? 'a document';
    if (!names)
      return this.refuse(
        `is not ${label}: it is damaged, or not a document (its zip directory cannot be read).`,
      );
    const missing = parts.filter((p) => !names.includes(p));
    if (missing.length > 0)
      return this.refuse(
        `is not ${label}: it is a zip archive without ${missing.join(' or ')}. Save it again as ${label} and upload that.`,
      );
    return null;
  }
}

/** A pass-through that fails when the bytes are not what `extension` promises (see the top of this file). */
export function checkContent(extension: string, name: string): Transform {
  return new ContentCheck(extension, name);
}
