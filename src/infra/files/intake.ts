import type { Readable } from 'node:stream';
import type { FileStore, PutOptions, StoredFile } from '.';

/**
 * The files of one submission while it is received and decided: what it put into the inspection's store is
 * kept if the submission is accepted, and deleted if it is refused, unless something else refers to it.
 *
 * Files are content-addressed, so the same bytes sent twice are one stored file that two submissions may
 * share. A refused submission's file is deleted only when (a) the inspection's state names no file with its
 * hash (accepted submissions, answers, anything else the workflow keeps) and (b) no other intake of this
 * process holds it (a submission with the same bytes still being received or checked). An intake that puts a
 * file while a delete of the same hash is under way waits for it and then finds out whether the file is
 * still there (it fails with IntakeRaceError if not: its sender is asked to upload it again).
 *
 * (b) covers one process. Several web processes share the store but not these holds: two of them receiving the
 * same bytes for the same inspection within the same moments, one refused and one accepted, could lose the
 * accepted one's file. It takes an agency sending identical bytes twice at once through two servers.
 */
export interface Intake {
  /** Put a file of this submission (with the store's byte limit, if given). */
  put(source: Readable, options?: PutOptions): Promise<StoredFile>;
  /** Everything put so far, in order. */
  readonly stored: readonly StoredFile[];
  /**
   * The submission is settled: `accepted` keeps its files; `refused` deletes those nothing refers to and
   * returns their hashes; `unknown` (the outcome could not be learned) keeps them, since the workflow may
   * have recorded it.
   */
  settle(outcome: 'accepted' | 'refused' | 'unknown'): Promise<string[]>;
}

const noop = () => undefined;

export class IntakeRaceError extends Error {
  constructor() {
    super(
      'The file was removed while it was being received (a refused upload of the same file). Send it again.',
    );
    this.name = 'IntakeRaceError';
  }
}

export interface Intakes {
  /**
   * A fresh intake into `store` (the store of `inspectionId`); `references` says which of the hashes given
   * the inspection's state names, when a refusal needs to know.
   */
  open(
    inspectionId: string,
    store: FileStore,
    references: (hashes: string[]) => Promise<ReadonlySet<string>>,
  ): Intake;
  /** Hashes held by intakes not yet settled (for tests and logs). */
  held(): number;
}

/** One per process: the holds it keeps are what keep two intakes of one process from deleting each other's files. */
export function createIntakes(): Intakes {
  const holds = new Map<string, number>();
  const deleting = new Map<string, Promise<void>>();

  const hold = (key: string) => holds.set(key, (holds.get(key) ?? 0) + 1);
  const release = (key: string) => {
    const left = (holds.get(key) ?? 0) - 1;
    if (left > 0) holds.set(key, left);
    else holds.delete(key);
  };

  return {
    held: () => holds.size,
    open(inspectionId, store, references) {
      const stored: StoredFile[] = [];
      const keys: string[] = [];
      let settled = false;
      const keyOf = (sha256: string) => `${inspectionId}/${sha256}`;

      return {
        stored,
        async put(source, options) {
          if (settled) throw new Error('This intake is settled.');
          const file = await store.put(source, options);
          const key = keyOf(file.sha256);
          hold(key); // at once, in the tick the put ended: a delete that starts after this sees the hold
          keys.push(key);
          stored.push(file);
          const pending = deleting.get(key);
          if (pending) {
            await pending;
            if (!(await store.has(file.sha256))) throw new IntakeRaceError();
          }
          return file;
        },

        async settle(outcome) {
          if (settled) return [];
          settled = true;
          for (const key of keys) release(key);
          if (outcome !== 'refused' || stored.length === 0) return [];
          const candidates = [...new Set(stored.map((f) => f.sha256))].filter(
            (sha256) => !holds.has(keyOf(sha256)) && !deleting.has(keyOf(sha256)),
          );
          if (candidates.length === 0) return [];
          const referenced = await references(candidates);
          const deleted: string[] = [];
          for (const sha256 of candidates) {
            const key = keyOf(sha256);
            // Checked after the await: an intake that put the same bytes meanwhile holds them now.
            if (referenced.has(sha256) || holds.has(key) || deleting.has(key)) continue;
            // Marked in the same tick as the delete starts: a put of these bytes that ends from now on waits.
            const deletion = store.delete(sha256);
            deleting.set(key, deletion.then(noop, noop));
            try {
              await deletion;
            } finally {
              deleting.delete(key);
            }
            deleted.push(sha256);
          }
          return deleted;
        },
      };
    },
  };
}

/** This process's intakes: every caller in the process shares them, or their holds would mean nothing. */
export const processIntakes: Intakes = createIntakes();
