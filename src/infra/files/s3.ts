import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
  type ListMultipartUploadsCommandOutput,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { assertSha256, safeSegment, type FileStore, type PutOptions, type StoredFile } from './store';
import type { S3Settings } from '../config';
import type { KeyRecords } from './data-keys';
import { openSealedTo, seal } from './envelope';

/**
 * The file store on an S3-compatible object store. Object keys:
 *
 * - `<prefix>/<inspection id>/<sha256>`: a stored file, sealed (encrypted) in this process as `./envelope` says;
 * - `<prefix>/.incoming/<inspection id>/<uuid>`: a put in progress. The content address is known only once the
 *   whole stream is read, so the sealed bytes go here first (a multipart upload, one part in memory at a time)
 *   and are then copied to their address by the server. A put that fails is aborted and its temporary object
 *   deleted; only a crash between the two leaves anything, under `.incoming/` (see docs/deploy.md for the
 *   bucket rule that expires it).
 */

/** S3's smallest part is 5 MiB (except the last); 8 MiB keeps a 25 MB upload to four requests. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const MIN_PART_BYTES = 5 * 1024 * 1024;

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // Checksums only where S3 requires them: several S3-compatible stores reject the newer default ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

export function createS3FileStore(options: {
  client: S3Client;
  bucket: string;
  prefix: string;
  inspectionId: string;
  key: Buffer;
  partBytes?: number;
}): FileStore {
  const { client, bucket, key } = options;
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  if (partBytes < MIN_PART_BYTES) throw new Error(`S3 parts must be at least ${MIN_PART_BYTES} bytes.`);
  const inspection = safeSegment(options.inspectionId);
  const filesPrefix = `${options.prefix}/${inspection}/`;
  const incomingPrefix = `${options.prefix}/.incoming/${inspection}/`;
  const objectKey = (sha256: string) => {
    assertSha256(sha256);
    return filesPrefix + sha256;
  };

  async function exists(Key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err; // an outage or a refused credential is not "absent"
    }
  }

  /** Writes the sealed stream to `Key`: one PutObject when it fits in a part, else a multipart upload. */
  async function upload(Key: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    const part = Buffer.allocUnsafe(partBytes);
    let filled = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const sendPart = async () => {
      uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }))).UploadId;
      const PartNumber = parts.length + 1;
      const { ETag } = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          Body: part.subarray(0, filled),
        }),
      );
      parts.push({ ETag, PartNumber });
      filled = 0; // the buffer is reused: the request above has finished with it
    };
    try {
      for await (const chunk of chunks) {
        for (let offset = 0; offset < chunk.length;) {
          const copied = chunk.copy(part, filled, offset);
          filled += copied;
          offset += copied;
          if (filled === partBytes) await sendPart();
        }
      }
      if (uploadId === undefined) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: part.subarray(0, filled) }));
        return;
      }
      if (filled > 0) await sendPart();
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      if (uploadId !== undefined)
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId }))
          .catch(() => undefined); // the server's own expiry of stale uploads is the backstop
      throw err;
    }
  }

  async function put(source: Readable, options: PutOptions = {}): Promise<StoredFile> {
    const temp = incomingPrefix + randomUUID();
    const sealed = seal(source, key, options.maxBytes);
    let written = false;
    try {
      await upload(temp, sealed.chunks);
      written = true;
      const stored = sealed.digest();
      const Key = objectKey(stored.sha256);
      // Same content already stored: keep it (a put of the same bytes is a no-op, as on disk).
      if (!(await exists(Key)))
        await client.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/${temp}` }));
      return stored;
    } finally {
      // Left behind only if this delete fails too; the bucket's expiry rule for `.incoming/` then removes it.
      if (written)
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: temp })).catch(() => undefined);
    }
  }

  /** Every key under `prefix` (one page of up to 1,000 at a time). */
  async function* keysUnder(prefix: string): AsyncGenerator<string[]> {
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (keys.length > 0) yield keys;
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  return {
    put,
    putFile: (filePath, options) => put(createReadStream(filePath), options),
    has: async (sha256) => exists(objectKey(sha256)),

    async delete(sha256: string): Promise<void> {
      // S3 answers a delete of an absent key with success, as the local store does.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(sha256) }));
    },

    async exportTo(sha256: string, destination: string): Promise<void> {
      const Key = objectKey(sha256);
      let body: Readable;
      try {
        body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body as Readable;
      } catch (err) {
        if (isNotFound(err)) throw new Error(`No stored file ${sha256} for this inspection.`);
        throw err;
      }
      await openSealedTo(body, key, sha256, destination);
    },

    async deleteAll(): Promise<void> {
      // Puts still in progress first, so none completes after the listing below.
      let page: ListMultipartUploadsCommandOutput | undefined;
      do {
        page = await client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: incomingPrefix,
            KeyMarker: page?.NextKeyMarker,
            UploadIdMarker: page?.NextUploadIdMarker,
          }),
        );
        for (const u of page.Uploads ?? [])
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
          );
      } while (page.IsTruncated);
      for (const prefix of [filesPrefix, incomingPrefix]) {
        for await (const keys of keysUnder(prefix)) {
          const { Errors } = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          if (Errors && Errors.length > 0)
            throw new Error(
              `Could not delete ${Errors.length} stored file(s): ${Errors[0]?.Code ?? 'error'}.`,
            );
        }
      }
    },
  };
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey')
  );
}

/** Wrapped data keys in the bucket: `<prefix>/.keys/<inspection id>`. */
export function createS3KeyRecords(options: {
  client: S3Client;
  bucket: string;
  prefix: string;
}): KeyRecords {
  const { client, bucket } = options;
  const base = `${options.prefix}/.keys/`;
  const objectKey = (id: string) => base + safeSegment(id);
  return {
    async get(id) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(id) }));
        return await out.Body?.transformToString('utf8');
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(id, record) {
      try {
        // Written only if absent: two processes making the first key of an inspection agree on one.
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: objectKey(id), Body: record, IfNoneMatch: '*' }),
        );
        return true;
      } catch (err) {
        const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
        if (status === 412 || status === 409) return false;
        throw err;
      }
    },
    async replace(id, record) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey(id), Body: record }));
    },
    async remove(id) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(id) }));
    },
    async list() {
      const ids: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: base, ContinuationToken }),
        );
        for (const o of page.Contents ?? []) if (o.Key) ids.push(o.Key.slice(base.length));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return ids;
    },
  };
}
