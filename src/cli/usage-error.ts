/**
 * A command line that cannot work as given (a missing option commander cannot express, a bad
 * URL). Renders as one `error:` line and exits 2, like commander's own usage errors.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
