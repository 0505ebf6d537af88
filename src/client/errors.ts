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
