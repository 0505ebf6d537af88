import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredFile } from '../infra/files';
import type { Intake } from '../infra/files/intake';

/**
 * Uploads: each file is streamed straight into the inspection's encrypted store (never to a path named by
 * the uploader) through an intake, so that a refused submission leaves nothing behind; its name is kept only
 * to be shown. Types are an allow-list of extensions, and the content must be what the extension says
 * (infra/files/content.ts); the size is checked as the bytes arrive, and a file past it is not kept.
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

/** The agency's quota in the inspection, and what is left of it for this post. */
export interface Allowance {
  quota: { files: number; bytes: number };
  left: { files: number; bytes: number };
}

/** "25 MB", "2 GB", "10 KB": sizes as limits are spoken of. */
export function formatSize(bytes: number): string {
  const KB = 1024;
  const MB = KB * 1024;
  const GB = MB * 1024;
  if (bytes >= GB) return `${Number((bytes / GB).toFixed(1))} GB`;
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  return `${Math.max(1, Math.round(bytes / KB))} KB`;
}

/**
 * Read a multipart form: fields as text, files through the content check into the intake; problems (type,
 * size, content, quota) for the error summary. With `allowance`, the files and bytes this post may bring.
 */
export async function readUpload(
  app: FastifyInstance,
  request: FastifyRequest,
  intake: Intake,
  allowed: readonly string[],
  allowance?: Allowance,
): Promise<Upload> {
  const upload: Upload = { fields: {}, files: [], problems: [] };
  let bytes = 0;
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
    const refuse = async (message: string) => {
      await pipeline(part.file, discard());
      upload.problems.push({ field: part.fieldname, message });
    };
    const extension = extensionOf(name);
    if (!allowed.includes(extension)) {
      await refuse(`“${name}” is not a file type accepted here: use ${allowed.join(', ')}`);
      continue;
    }
    if (allowance && upload.files.length >= allowance.left.files) {
      await refuse(
        `“${name}” would take your agency past its limit of ${allowance.quota.files} files for this inspection`,
      );
      continue;
    }
    const maxBytes = Math.min(MAX_UPLOAD_BYTES, allowance ? allowance.left.bytes - bytes : Infinity);
    const received = await app.deployment.receiveFile(intake, part.file, { extension, name, maxBytes });
    if ('refused' in received) {
      upload.problems.push({
        field: part.fieldname,
        message:
          received.refused !== 'too-large'
            ? received.message
            : maxBytes < MAX_UPLOAD_BYTES
              ? `“${name}” would take your agency past its limit of ${formatSize(allowance?.quota.bytes ?? 0)} of files for this inspection`
              : `“${name}” is larger than ${formatSize(MAX_UPLOAD_BYTES)}: split it or send it another way`,
      });
      continue;
    }
    const { stored } = received;
    bytes += stored.size;
    if (stored.size === 0) {
      upload.problems.push({ field: part.fieldname, message: `“${name}” is empty` });
      continue;
    }
    upload.files.push({ field: part.fieldname, name, stored });
  }
  return upload;
}

/** Put a document the app wrote (an evaluation, consent details) into the submission's intake. */
export async function storeText(intake: Intake, text: string): Promise<StoredFile> {
  return intake.put(Readable.from([Buffer.from(text, 'utf8')]));
}
