// `buildkit-syntax`: the Dockerfile uses BuildKit-only syntax but the entry's effective builder
// for that arch is classic (Builder empty or "classic").
import { dockerfileFeatures } from './dockerfile-features.js';
import { readDockerfile } from './dockerfile-source.js';
import { entryFinding, type Finding, genericText, type LintRule } from './types.js';

const WHAT = {
  syntax: 'a "# syntax=" directive',
  heredoc: 'a heredoc',
  'run-mount': 'RUN --mount',
  'run-network': 'RUN --network',
  'run-security': 'RUN --security',
  'copy-chmod': 'COPY/ADD --chmod',
  'copy-link': 'COPY/ADD --link',
} as const;

export const buildkitSyntaxRule: LintRule = {
  id: 'buildkit-syntax',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const arch of entry.Architectures) {
        const builder = entry.ArchBuilder(arch);
        if (builder !== '' && builder !== 'classic') continue;
        const read = await readDockerfile(ctx.git(), target.repo, arch, entry);
        if (!read.ok) {
          ctx.warn(`buildkit-syntax: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: ${read.message}`);
          continue;
        }
        const key = entry.Values.has(`${arch}-Builder`) ? `${arch}-Builder` : 'Builder';
        for (const f of dockerfileFeatures(read.text)) {
          findings.push(entryFinding('buildkit-syntax', target, entry, arch, target.fieldLine(entry, key),
            `${read.path}:${f.line} uses ${WHAT[f.kind]} (${f.value}), which needs BuildKit, but the builder is classic`));
        }
      }
    }
    return findings;
  },
  text: (findings) => genericText("BuildKit syntax with the classic 'Builder' detected:", findings),
};
