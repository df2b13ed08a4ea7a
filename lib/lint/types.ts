// The data model of `bashbrew lint`: findings, rules and what a rule is given (issue 6).
import { type GitContext } from '../cli/git-context.js';
import { type Entry } from '../manifest/entry.js';
import { type Manifest } from '../manifest/manifest.js';

export type Severity = 'error' | 'warning';

/** One finding; the JSON reporter prints exactly these keys, in this order. */
export interface Finding {
  rule: string;
  severity: Severity;
  repo: string;
  tag: string | null;
  arch: string | null;
  /** Path of the library file. */
  file: string;
  /** Line in the library file of the entry (or field) concerned. */
  line: number | null;
  message: string;
  /** Extra lines for the text reporter (e.g. the duplicated architectures); not in the JSON. */
  details?: string[];
  /** The commit concerned (commit rules; grouped by in the text reporter); not in the JSON. */
  commit?: string;
  /** The message as the text reporter prints it, when it differs (not in the JSON). */
  textMessage?: string;
}

/** One library file as the rules see it. */
export interface LintTarget {
  repo: string;
  /** The file as reported (relative to the working directory when inside it). */
  file: string;
  /** The parsed file, or null when it did not parse (the `parse` rule reports why). */
  manifest: Manifest | null;
  parseError: { message: string; line: number | null } | null;
  /** Line of a field's key line in an entry's paragraph (falls back to the entry's line). */
  fieldLine: (entry: Entry, key: string) => number | null;
}

export interface RuleContext {
  /** Git access (created on first use). */
  git: () => GitContext;
  /** Reports a rule that could not run (e.g. a repo that cannot be fetched), as a warning line. */
  warn: (message: string) => void;
  env: NodeJS.ProcessEnv;
  /** The library directory (other repos' files, e.g. the official parents of a FROM). */
  library: string;
  /** The official-images `.external-pins/` directory (external FROMs must be pinned there). */
  externalPins: string;
}

export interface LintRule {
  id: string;
  /** Whether the rule needs the network / git. */
  needsGit: boolean;
  check: (target: LintTarget, ctx: RuleContext) => Promise<Finding[]>;
  /**
   * The text-format section for this rule's findings (official-images CI wording where CI has the
   * check), without the leading/trailing blank lines.
   */
  text: (findings: Finding[]) => string;
}

/** A finding about an entry (tag = its first tag). */
export function entryFinding(rule: string, target: LintTarget, entry: Entry | null, arch: string | null,
  line: number | null, message: string, severity: Severity = 'error'): Finding {
  return { rule, severity, repo: target.repo, tag: entry?.Tags[0] ?? null, arch, file: target.file, line, message };
}

/** The generic text section: a header, then " - repo:tag [arch] (file:line): message". */
export function genericText(header: string, findings: Finding[]): string {
  const lines = [header, ''];
  for (const f of findings) {
    const who = f.tag !== null ? `${f.repo}:${f.tag}` : f.repo;
    const arch = f.arch !== null ? ` [${f.arch}]` : '';
    const where = f.line !== null ? `${f.file}:${f.line}` : f.file;
    lines.push(` - ${who}${arch} (${where}): ${f.message}`);
    for (const d of f.details ?? []) lines.push(`   - ${d}`);
  }
  return lines.join('\n');
}
