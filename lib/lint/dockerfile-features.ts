// The BuildKit-only features of a Dockerfile that `buildkit-syntax` and `buildkit-forbidden` look
// for: a `# syntax=` directive, heredocs, RUN --mount/--network/--security, COPY/ADD --chmod/--link.

export interface DockerfileFeature {
  kind: 'syntax' | 'heredoc' | 'run-mount' | 'run-network' | 'run-security' | 'copy-chmod' | 'copy-link';
  /** 1-based line in the Dockerfile. */
  line: number;
  /** The directive value or the flag as written (e.g. `--mount=type=cache,target=/x`). */
  value: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/** Splits an instruction's arguments into leading `--flags` (the rest is ignored). */
function leadingFlags(args: string): string[] {
  const flags: string[] = [];
  for (const word of args.trim().split(/\s+/)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

export function dockerfileFeatures(text: string): DockerfileFeature[] {
  const lines = text.split(/\r?\n/);
  const features: DockerfileFeature[] = [];
  let i = 0;
  // parser directives: only at the very top, before any other line (comments, blanks, instructions)
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (m === null) break;
    if (m[1]!.toLowerCase() === 'syntax') features.push({ kind: 'syntax', line: i + 1, value: m[2]! });
  }
  while (i < lines.length) {
    const start = i;
    const first = lines[i]!.trim();
    i++;
    if (first === '' || first.startsWith('#')) continue;
    // join continuation lines (comment and blank lines inside are skipped)
    let logical = first;
    while (logical.endsWith('\\') && i < lines.length) {
      logical = logical.slice(0, -1);
      const next = lines[i]!.trim();
      i++;
      if (next === '' || next.startsWith('#')) {
        logical += '\\';
        continue;
      }
      logical += ' ' + next;
    }
    const sp = logical.search(/\s/);
    const instruction = (sp < 0 ? logical : logical.slice(0, sp)).toUpperCase();
    const args = sp < 0 ? '' : logical.slice(sp + 1);
    const line = start + 1;
    if (instruction === 'RUN') {
      for (const flag of leadingFlags(args)) {
        if (flag.startsWith('--mount')) features.push({ kind: 'run-mount', line, value: flag });
        else if (flag.startsWith('--network')) features.push({ kind: 'run-network', line, value: flag });
        else if (flag.startsWith('--security')) features.push({ kind: 'run-security', line, value: flag });
      }
    } else if (instruction === 'COPY' || instruction === 'ADD') {
      for (const flag of leadingFlags(args)) {
        if (flag.startsWith('--chmod')) features.push({ kind: 'copy-chmod', line, value: flag });
        else if (flag === '--link' || flag.startsWith('--link=')) features.push({ kind: 'copy-link', line, value: flag });
      }
    }
    if (instruction === 'RUN' || instruction === 'COPY' || instruction === 'ADD') {
      const terminators: { word: string; strip: boolean }[] = [];
      for (const m of args.matchAll(HEREDOC)) terminators.push({ word: m[3]!, strip: m[1] === '-' });
      if (terminators.length > 0) features.push({ kind: 'heredoc', line, value: `<<${terminators[0]!.word}` });
      // skip each heredoc body up to its terminator line
      for (const t of terminators) {
        while (i < lines.length) {
          const l = lines[i]!;
          i++;
          if ((t.strip ? l.replace(/^\t+/, '') : l) === t.word) break;
        }
      }
    }
  }
  return features;
}

/** The options of a `--mount=...` flag (`type` defaults to `bind`, as in BuildKit). */
export function mountOptions(flag: string): Map<string, string> {
  const opts = new Map<string, string>();
  const value = flag.slice(flag.indexOf('=') + 1);
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) opts.set(part.toLowerCase(), 'true');
    else opts.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  if (!opts.has('type')) opts.set('type', 'bind');
  return opts;
}

/** `--network=host` → "host" (the value of a `--name=value` flag). */
export function flagValue(flag: string): string {
  const eq = flag.indexOf('=');
  return eq < 0 ? '' : flag.slice(eq + 1);
}
