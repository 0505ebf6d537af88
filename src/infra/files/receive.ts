import type { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { FileTooLargeError, type StoredFile } from '.';
import { checkContent, ContentRefusedError } from './content';
import { IntakeRaceError, type Intake } from './intake';

/**
 * One uploaded file into a submission's intake: its content checked against its extension (./content.ts)
 * and no more than `maxBytes` read into the store, as it arrives. A file refused for either is not kept.
 * The upload's stream is read to its end whatever happens and never destroyed: it is one part of a
 * multipart request, and destroying it would leave the rest of the request (later files, fields) unread.
 */
export type Received =
  | { stored: StoredFile }
  | { refused: 'too-large'; maxBytes: number }
  | { refused: 'content' | 'race'; message: string };

export async function receiveFile(
  intake: Intake,
  file: Readable,
  options: { extension: string; name: string; maxBytes: number },
): Promise<Received> {
  const check: Transform = checkContent(options.extension, options.name);
  // The check may refuse the file before the store has begun to read it (the store first makes its folder,
  // unwraps the inspection's key): its error is kept here, and the put then fails on the destroyed stream.
  let refusal: unknown;
  check.on('error', (err) => {
    refusal ??= err;
  });
  const forward = (err: Error) => check.destroy(err); // a broken request fails the put
  file.once('error', forward);
  file.pipe(check);
  try {
    return { stored: await intake.put(check, { maxBytes: options.maxBytes }) };
  } catch (thrown) {
    const err = refusal instanceof ContentRefusedError ? refusal : thrown;
    if (err instanceof FileTooLargeError) return { refused: 'too-large', maxBytes: err.maxBytes };
    if (err instanceof ContentRefusedError) return { refused: 'content', message: err.message };
    if (err instanceof IntakeRaceError) return { refused: 'race', message: err.message };
    throw err;
  } finally {
    file.off('error', forward);
    file.unpipe(check);
    await drain(file);
  }
}

/** Read the rest of a stream that will not be kept. */
export async function drain(file: Readable): Promise<void> {
  if (file.readableEnded || file.destroyed) return;
  file.resume();
  await finished(file).catch(() => undefined); // a client that went away: nothing more to read
}
