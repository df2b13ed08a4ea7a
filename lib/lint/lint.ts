// Runs the selected rules over library files (issue 6).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { goQuote } from '../manifest/gostr.js';
import { type Entry } from '../manifest/entry.js';
import { ManifestError } from '../manifest/errors.js';
import { lexParagraphs } from '../manifest/paragraphs.js';
import { parseManifest } from '../manifest/parse.js';
import { type Manifest } from '../manifest/manifest.js';
import { type Finding, type LintRule, type LintTarget, type RuleContext } from './types.js';

/** Reads and parses one library file into a target (never throws for a bad file). */
export function loadTarget(path: string, repo: string, displayFile: string): LintTarget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const message = code === 'ENOENT' ? `unable to find a manifest named ${goQuote(repo)} (in ${goQuote(dirname(path))} or as a remote URL)`
      : `cannot read library file (${code})`;
    return { repo, file: displayFile, manifest: null, parseError: { message, line: null },
      fieldLine: () => null };
  }
  let manifest: Manifest | null = null;
  let parseError: LintTarget['parseError'] = null;
  try {
    manifest = parseManifest(text, displayFile);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    parseError = { message: err.message, line: err.line };
  }
  // field lines: the paragraph starting at the entry's line (lexed again only when asked)
  let keyLines: Map<number, Map<string, number>> | null = null;
  const fieldLine = (entry: Entry, key: string): number | null => {
    const line = entry.source?.line ?? null;
    if (line === null) return null;
    if (keyLines === null) {
      keyLines = new Map();
      for (const p of lexParagraphs(text).paragraphs) keyLines.set(p.line, p.keyLines);
    }
    return keyLines.get(line)?.get(key) ?? line;
  };
  return { repo, file: displayFile, manifest, parseError, fieldLine };
}

export async function lintTargets(targets: readonly LintTarget[], rules: readonly LintRule[], ctx: RuleContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const target of targets) {
      if (rule.needsGit && target.manifest === null) continue;
      findings.push(...await rule.check(target, ctx));
    }
  }
  return findings;
}
