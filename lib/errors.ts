// Errors shared by every layer. The CLI prints a MultiError the way urfave/cli v1 does: one
// line per part (nested multi errors flattened), no "error:" prefix (spec §8).

/** cli.NewMultiError: a context line plus the cause(s). */
export class MultiError extends Error {
  constructor(readonly parts: readonly unknown[]) {
    super(parts.map((p) => (p instanceof Error ? p.message : String(p))).join('\n'));
  }
}

/** A context line in front of a cause. */
export function wrap(context: string, cause: unknown): MultiError {
  return new MultiError([new Error(context), cause]);
}

/** A failed external process: its exit code becomes bashbrew's (spec §8). */
export class ProcessExitError extends Error {
  constructor(readonly exitCode: number, message = `exit status ${exitCode}`) {
    super(message);
  }
}
