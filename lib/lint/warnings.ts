// `bashbrew lint`'s warnings (checks that could not run), as printed on stderr. Without network every git-needing
// rule skips every (entry, arch) of every repo for the same reason: ~48k lines for the official library, which
// bury anything else. So skips of one rule are grouped by cause: the first few of a group are printed, then one
// line counts the rest. The cause is compared with the parts that vary per repo and entry (URL paths, commit ids,
// refs) blanked out, so "github.com cannot be resolved" is one group while a different error text, or a
// different host, starts its own group and is shown: each distinct problem stays visible. `--debug` prints all.
import { MultiError } from '../errors.js';

/** Lines shown per (rule, cause) before the rest are counted. */
export const SKIPS_SHOWN_PER_CAUSE = 3;

/** `RULE: skipped REPO:TAG [ARCH]: CAUSE`, as the rules write their skips. */
const SKIP = /^([a-z0-9-]+): skipped ([^\s[]+) \[([^\]]+)\]: (.*)$/s;

/** A warning on one line: a multi-line message (git's stderr, one line per fetch attempt) joined with "; ". */
export function oneLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('; ');
}

/**
 * Why a Dockerfile's FROMs could not be read, without the reference's context line: `failed fetching Git repo for
 * arch "A" from entry "<the whole entry, Go-quoted>"` repeats, at length, the entry and arch the warning already
 * names, and hides the cause (git's error) on its following lines.
 */
export function skipCause(err: unknown): string {
  if (err instanceof MultiError && err.parts.length > 1) {
    const first = err.parts[0];
    if (first instanceof Error && first.message.startsWith('failed fetching Git repo for arch ')) {
      return oneLine(new MultiError(err.parts.slice(1)).message);
    }
  }
  return oneLine(err instanceof Error ? err.message : String(err));
}

/** The cause with what differs between repos and entries of the same problem blanked out. */
export function causeKey(cause: string): string {
  return cause
    // a URL → its scheme and host: the same host failing the same way is one problem
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/\s'"]*)[^\s'"]*/gi, '$1/…')
    // GitFetch refs and bashbrew's temporary fetch refs
    .replace(/\brefs\/[^\s'":]+/g, 'refs/…')
    .replace(/\b[0-9a-f]{64}\b|\b[0-9a-f]{40}\b/g, '<commit>');
}

/**
 * The warnings to print (without the `warning: ` prefix), in their order, each on one line; the skips of one
 * (rule, cause) beyond the first `perCause` are left out, and one line counting them takes the place of the first
 * left out.
 */
export function summariseWarnings(warnings: readonly string[], perCause = SKIPS_SHOWN_PER_CAUSE): string[] {
  const out: (string | { key: string; rule: string })[] = [];
  const groups = new Map<string, { count: number; repos: Set<string> }>();
  for (const warning of warnings) {
    const line = oneLine(warning);
    const skip = SKIP.exec(line);
    if (skip === null) {
      out.push(line);
      continue;
    }
    const [, rule, img, , cause] = skip as unknown as [string, string, string, string, string];
    const key = `${rule}\n${causeKey(cause)}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, group = { count: 0, repos: new Set() });
    group.count++;
    if (group.count <= perCause) out.push(line);
    else {
      if (group.count === perCause + 1) out.push({ key, rule });
      group.repos.add(img.slice(0, img.includes(':') ? img.indexOf(':') : img.length));
    }
  }
  return out.map((item) => {
    if (typeof item === 'string') return item;
    const { count, repos } = groups.get(item.key)!;
    const more = count - perCause;
    return `${item.rule}: … and ${more} more skipped for the same cause (${repos.size} repo${repos.size === 1 ? '' : 's'}; ` +
      '--debug prints every line)';
  });
}
