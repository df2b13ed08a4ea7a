// `from-constraints` (L4, naughty-constraints.sh, spec ecosystem §1.6): an entry's Constraints must
// be exactly the union, over its arches and FROMs, of the constraints those bases imply: an
// official parent's Constraints, or the Windows flavour (and version) of a Microsoft base image.
import { compareBytes } from '../manifest/entry.js';
import { type Manifest } from '../manifest/manifest.js';
import { officialEntry } from './official-entry.js';
import { entryFinding, type Finding, type LintRule } from './types.js';
import { skipCause } from './warnings.js';


/** The constraint a Microsoft base implies (naughty-constraints.sh), or an error for an unknown one. */
export function windowsConstraint(from: string): string | { error: string } {
  const colon = from.lastIndexOf(':');
  const repo = colon < 0 ? from : from.slice(0, colon);
  const tag = colon < 0 ? 'latest' : from.slice(colon + 1);
  let flavour: string;
  if (repo === 'mcr.microsoft.com/windows/nanoserver' || repo === 'microsoft/nanoserver') flavour = 'nanoserver';
  else if (repo === 'mcr.microsoft.com/windows/servercore' || repo === 'microsoft/windowsservercore') flavour = 'windowsservercore';
  else return { error: `unknown Windows image: ${from}` };
  return tag === 'latest' ? flavour : `${flavour}-${tag}`;
}

const sortedUnique = (list: Iterable<string>): string[] => [...new Set(list)].sort(compareBytes);

export const fromConstraintsRule: LintRule = {
  id: 'from-constraints',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    const cache = new Map<string, Manifest | null>();
    for (const entry of target.manifest?.Entries ?? []) {
      const expected: string[] = [];
      let lastFrom = '';
      let skipped = false;
      for (const arch of entry.Architectures) {
        let froms: string[];
        try {
          froms = await ctx.git().entryGit.archDockerFroms(target.repo, arch, entry);
        } catch (err) {
          ctx.warn(`from-constraints: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: ${skipCause(err)}`);
          skipped = true;
          break;
        }
        for (const from of froms) {
          lastFrom = from;
          const parent = officialEntry(ctx.library, cache, from);
          if (parent !== null && parent.Constraints.length > 0) expected.push(...parent.Constraints);
          else if (from.includes('microsoft')) {
            const c = windowsConstraint(from);
            if (typeof c === 'string') expected.push(c);
            else findings.push(entryFinding('from-constraints', target, entry, arch, entry.source?.line ?? null, c.error));
          }
        }
      }
      if (skipped) continue;
      const want = sortedUnique(expected);
      const have = sortedUnique(entry.Constraints);
      const missing = want.filter((c) => !have.includes(c));
      const extra = have.filter((c) => !want.includes(c));
      const line = target.fieldLine(entry, 'Constraints');
      for (const [kind, list] of [['missing', missing], ['extra', extra]] as const) {
        if (list.length === 0) continue;
        const f = entryFinding('from-constraints', target, entry, null, line,
          `${target.repo}:${entry.Tags[0]} -- ${kind} constraints (FROM ${lastFrom}):`);
        f.details = list;
        findings.push(f);
      }
    }
    return findings;
  },
  // naughty-constraints.sh: no "Read ..." line
  text: (findings) => "Invalid 'FROM' + 'Constraints' combinations detected:\n\n" +
    findings.map((f) => ` - ${f.message}` + (f.details ?? []).map((c) => `\n   - ${c}`).join('')).join('\n'),
};
