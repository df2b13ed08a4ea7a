// `shared-tags` (L2): across the entries listing a SharedTag, each non-Windows architecture may
// appear only once (naughty-sharedtags.sh, spec ecosystem §1.4).
import { compareBytes, type Entry } from '../manifest/entry.js';
import { entryFinding, type Finding, type LintRule } from './types.js';

interface Group {
  sharedTags: string[];
  entries: Entry[];
  arches: string[];
}

export const sharedTagsRule: LintRule = {
  id: 'shared-tags',
  needsGit: false,
  async check(target) {
    const manifest = target.manifest;
    if (manifest === null) return [];
    // 1–2: per shared tag, the arches of its entries concatenated in entry order
    const byTag = new Map<string, { entries: Entry[]; arches: string[] }>();
    for (const entry of manifest.Entries) {
      for (const st of entry.SharedTags) {
        let g = byTag.get(st);
        if (g === undefined) byTag.set(st, g = { entries: [], arches: [] });
        g.entries.push(entry);
        g.arches.push(...entry.Architectures);
      }
    }
    // 3: shared tags with identical arch arrays merge (first group's entries kept)
    const groups = new Map<string, Group>();
    for (const [st, g] of byTag) {
      const key = JSON.stringify(g.arches);
      const existing = groups.get(key);
      if (existing !== undefined) existing.sharedTags.push(st);
      else groups.set(key, { sharedTags: [st], entries: g.entries, arches: g.arches });
    }
    // 4–5: non-Windows arches occurring more than once, one line per occurrence, sorted
    const findings: Finding[] = [];
    for (const g of groups.values()) {
      const counts = new Map<string, number>();
      for (const a of g.arches) if (a !== 'windows-amd64') counts.set(a, (counts.get(a) ?? 0) + 1);
      const dups = g.arches.filter((a) => (counts.get(a) ?? 0) > 1).sort(compareBytes);
      if (dups.length === 0) continue;
      // the line: the SharedTags of the first entry that repeats an arch of an earlier one
      const seen = new Set<string>();
      let culprit = g.entries[0]!;
      for (const e of g.entries) {
        if (e.Architectures.some((a) => a !== 'windows-amd64' && seen.has(a))) {
          culprit = e;
          break;
        }
        for (const a of e.Architectures) seen.add(a);
      }
      const tags = g.sharedTags.map((t) => `${target.repo}:${t}`).join(', ');
      const firsts = g.entries.map((e) => `${target.repo}:${e.Tags[0]}`).join(', ');
      const f = entryFinding('shared-tags', target, culprit, null, target.fieldLine(culprit, 'SharedTags'),
        `${tags}: (duplicate architectures in SharedTags; ${firsts})`);
      f.tag = g.sharedTags[0]!;
      f.details = dups;
      findings.push(f);
    }
    return findings;
  },
  text: (findings) => "Invalid 'SharedTags' combinations detected:\n\n" +
    findings.map((f) => ` - ${f.message}\n` + (f.details ?? []).map((a) => `   - ${a}\n`).join('')).join('\n') +
    '\nRead https://github.com/docker-library/faq#whats-the-difference-between-shared-and-simple-tags for more details.',
};
