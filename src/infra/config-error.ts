/**
 * A setting that is missing, malformed or names a file that cannot be used: one line for a person, naming the
 * variable or file and what is wrong, never a secret's value. Processes print its message and exit 1 without a
 * stack trace.
 */
export class ConfigurationError extends Error {
  constructor(problem: string) {
    super(`Configuration error: ${problem}`);
    this.name = 'ConfigurationError';
  }
}
