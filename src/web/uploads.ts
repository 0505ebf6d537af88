import type { FastifyRequest } from 'fastify';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore, StoredFile } from '../infra/files';

/**
 * Uploads: each file is streamed straight into the inspection's encrypted store (never to a path named by
 * the uploader); its name is kept only to be shown. Types are an allow-list of extensions.
 */
/** Largest upload accepted, per file. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export const LIST_TYPES = ['.xlsx', '.csv'] as const;
export const DOCUMENT_TYPES = [
  '.pdf',
  '.docx',
  '.doc',
  '.odt',
  '.rtf',
  '.txt',
  '.xlsx',
  '.xls',
  '.ods',
  '.csv',
  '.pptx',
  '.png',
  '.jpg',
  '.jpeg',
  '.msg',
  '.eml',
] as const;

export interface UploadedFile {
  field: string;
  name: string;
  stored: StoredFile;
}

export interface UploadProblem {
  field: string;
  message: string;
}

export interface Upload {
  fields: Record<string, string>;
  files: UploadedFile[];
  problems: UploadProblem[];
}

/** The name an uploader gave a file, for showing only: its last path segment, printable, at most 120 characters. */
export function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>"]/g, '').trim();
  return (clean || 'file').slice(-120);
}

export function extensionOf(name: string): string {
  const m = /\.[A-Za-z0-9]{1,5}$/.exec(name);
  return m ? m[0].toLowerCase() : '';
}

const discard = () =>
  new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });

/** Read a multipart form: fields as text, files into the store; problems (type, size) for the error summary. */
export async function readUpload(
  request: FastifyRequest,
  store: FileStore,
  allowed: readonly string[],
): Promise<Upload> {
  const upload: Upload = { fields: {}, files: [], problems: [] };
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      upload.fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value);
      continue;
    }
    if (!part.filename) {
      await pipeline(part.file, discard());
      continue;
    }
    const name = displayName(part.filename);
    if (!allowed.includes(extensionOf(name))) {
      await pipeline(part.file, discard());
      upload.problems.push({
        field: part.fieldname,
        message: `“${name}” is not a file type accepted here: use ${allowed.join(', ')}`,
      });
      continue;
    }
    const stored = await store.put(part.file);
    if (part.file.truncated) {
      upload.problems.push({
        field: part.fieldname,
        message: `“${name}” is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB: split it or send it another way`,
      });
      continue;
    }
    if (stored.size === 0) {
      upload.problems.push({ field: part.fieldname, message: `“${name}” is empty` });
      continue;
    }
    upload.files.push({ field: part.fieldname, name, stored });
  }
  return upload;
}

/** Put a document the app wrote (an evaluation, consent details) into the store. */
export async function storeText(store: FileStore, text: string): Promise<StoredFile> {
  return store.put(Readable.from([Buffer.from(text, 'utf8')]));
}
