/**
 * A refusal (the workflow's, typed as it gave it, or the client's) or a problem a person can act on: the
 * CLI prints its message as one line, the web app shows it with the status of its type.
 */
export class JtaiError extends Error {
  override readonly name = 'JtaiError';
  constructor(
    message: string,
    readonly type: string = 'Error',
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

/** A contacts file that cannot be used: each problem names the line and field (see contacts.ts). */
export class ContactsError extends Error {
  constructor(readonly problems: string[]) {
    const more = problems.length - 1;
    super(more > 0 ? `${problems[0]} (and ${more} more problem${more === 1 ? '' : 's'})` : problems[0]);
    this.name = 'ContactsError';
  }
}

/** How a command ended, for what it put into the file store (see infra/files/intake.ts). */
export type Outcome = 'accepted' | 'refused' | 'unknown';

/**
 * A command that failed: refused (a JtaiError: the workflow's refusal, or the client's before anything was
 * sent) changes nothing; anything else (Temporal unreachable, a timeout, an inspection that could not be
 * read back) may have been recorded all the same.
 */
export function outcomeOfFailure(err: unknown): Outcome {
  return err instanceof JtaiError && err.type !== 'Unavailable' ? 'refused' : 'unknown';
}
