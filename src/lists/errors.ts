export type UnreadableReason =
  | 'not-a-workbook'
  | 'empty'
  | 'password-protected'
  | 'no-header'
  /** Macros, links to other files, embedded objects: a list is values only. */
  | 'active-content'
  /** Over one of the limits in ./limits.ts (a ListLimitError). */
  | 'over-limit';

/** The file cannot be read as a list at all (the CLI's exit status 2). The message says which and why. */
export class UnreadableListError extends Error {
  constructor(
    readonly reason: UnreadableReason,
    message: string,
  ) {
    super(message);
    this.name = 'UnreadableListError';
  }
}
