// `latest-tag` (L1): no tag other than exactly `latest` may contain "latest" (spec ecosystem §1.3).
import { entryFinding, type Finding, type LintRule } from './types.js';

export function badLatest(tag: string): boolean {
  return tag !== 'latest' && tag.includes('latest');
}

export const latestTagRule: LintRule = {
  id: 'latest-tag',
  needsGit: false,
  async check(target) {
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const [field, tags] of [['Tags', entry.Tags], ['SharedTags', entry.SharedTags]] as const) {
        for (const tag of tags) {
          if (!badLatest(tag)) continue;
          const f = entryFinding('latest-tag', target, entry, null, target.fieldLine(entry, field),
            `incorrectly formatted 'latest' tag: ${target.repo}:${tag}`);
          f.tag = tag;
          findings.push(f);
        }
      }
    }
    return findings;
  },
  // naughty.sh: the header, then the tags on one line (no blank line in between)
  text: (findings) => "Incorrectly formatted 'latest' tags detected:\n" +
    '  ' + findings.map((f) => `${f.repo}:${f.tag}`).join(' ') + '\n\n' +
    'Read https://github.com/docker-library/official-images#tags-and-aliases for more details.',
};
