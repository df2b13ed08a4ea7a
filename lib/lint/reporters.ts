// The three output formats of `bashbrew lint`: text (official-images CI wording), json, github.
import { type Finding, type LintRule } from './types.js';

export type Format = 'text' | 'json' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'github'];

/** Sections in rule order, each: blank line, the rule's section, blank line (naughty.sh layout). */
export function textReport(rules: readonly LintRule[], findings: readonly Finding[]): string {
  // rules sharing a section (commit-fetchable and commit-ancestor: "Unpleasant commits") print one
  let out = '';
  const done = new Set<LintRule['text']>();
  for (const rule of rules) {
    if (done.has(rule.text)) continue;
    done.add(rule.text);
    const ids = new Set(rules.filter((r) => r.text === rule.text).map((r) => r.id));
    const mine = findings.filter((f) => ids.has(f.rule));
    if (mine.length > 0) out += '\n' + rule.text(mine) + '\n\n';
  }
  return out;
}

export function jsonReport(findings: readonly Finding[]): string {
  const plain = findings.map((f) => ({ rule: f.rule, severity: f.severity, repo: f.repo, tag: f.tag, arch: f.arch,
    file: f.file, line: f.line, message: f.message }));
  return JSON.stringify(plain, null, 2) + '\n';
}

// GitHub workflow-command escaping (actions/toolkit's escapeData / escapeProperty)
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubReport(findings: readonly Finding[]): string {
  let out = '';
  for (const f of findings) {
    const props = [`file=${escapeProperty(f.file)}`];
    if (f.line !== null) props.push(`line=${f.line}`);
    props.push(`title=${escapeProperty(f.rule)}`);
    const message = [f.message, ...(f.details ?? []).map((d) => `- ${d}`)].join('\n');
    out += `::${f.severity} ${props.join(',')}::${escapeData(message)}\n`;
  }
  return out;
}
