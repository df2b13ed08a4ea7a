// How command failures reach the user, as urfave/cli v1 prints them (spec §8):
// a plain error → "error: MESSAGE", exit 1; a multi error → one line per part, no prefix;
// an exit error → its message, with its own exit code.

/** cli.NewMultiError: a context line plus the cause(s), printed one per line without "error:". */
export class MultiError extends Error {
  constructor(readonly parts: readonly unknown[]) {
    super(parts.map((p) => (p instanceof Error ? p.message : String(p))).join('\n'));
  }
}

/** cli.NewExitError: message and exit code (e.g. "No help topic for 'x'", 3). */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** A usage error already explained on stdout; stderr still gets "error: ...". */
export class UsageError extends Error {}

export function wrap(context: string, cause: unknown): MultiError {
  return new MultiError([new Error(context), cause]);
}
