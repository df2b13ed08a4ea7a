// How command failures reach the user, as urfave/cli v1 prints them (spec §8):
// a plain error → "error: MESSAGE", exit 1; a multi error → one line per part, no prefix;
// an exit error → its message, with its own exit code.

export { MultiError, wrap } from '../errors.js';

/** cli.NewExitError: message and exit code (e.g. "No help topic for 'x'", 3). */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** A usage error already explained on stdout; stderr still gets "error: ...". */
export class UsageError extends Error {}
