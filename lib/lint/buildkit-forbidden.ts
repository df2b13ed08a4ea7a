// `buildkit-forbidden`: BuildKit features the official-images review refuses (bashbrew PR #43):
// RUN --security=insecure, RUN --network=host, RUN --mount=type=bind without from= (a bind of the
// host context), and a `# syntax=` frontend other than $BASHBREW_BUILDKIT_SYNTAX.
import { dockerfileFeatures, flagValue, mountOptions } from './dockerfile-features.js';
import { readDockerfile } from './dockerfile-source.js';
import { entryFinding, type Finding, genericText, type LintRule } from './types.js';

export const buildkitForbiddenRule: LintRule = {
  id: 'buildkit-forbidden',
  needsGit: true,
  async check(target, ctx) {
    const configured = (ctx.env.BASHBREW_BUILDKIT_SYNTAX ?? '').trim();
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const arch of entry.Architectures) {
        if (entry.ArchBuilder(arch) === 'oci-import') continue;
        const read = await readDockerfile(ctx.git(), target.repo, arch, entry);
        if (!read.ok) {
          ctx.warn(`buildkit-forbidden: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: ${read.message}`);
          continue;
        }
        for (const f of dockerfileFeatures(read.text)) {
          let why: string | null = null;
          if (f.kind === 'run-security' && flagValue(f.value) === 'insecure') why = 'RUN --security=insecure is not accepted';
          else if (f.kind === 'run-network' && flagValue(f.value) === 'host') why = 'RUN --network=host is not accepted';
          else if (f.kind === 'run-mount') {
            const opts = mountOptions(f.value);
            if (opts.get('type') === 'bind' && !opts.has('from')) why = 'RUN --mount=type=bind without from= (a bind of the build context) is not accepted';
          } else if (f.kind === 'syntax' && configured !== '' && f.value !== configured) {
            why = `"# syntax=${f.value}" pins a frontend other than the configured ${configured}`;
          }
          if (why === null) continue;
          findings.push(entryFinding('buildkit-forbidden', target, entry, arch, entry.source?.line ?? null,
            `${read.path}:${f.line}: ${why} (${f.value})`));
        }
      }
    }
    return findings;
  },
  text: (findings) => genericText('Forbidden BuildKit features detected:', findings),
};
