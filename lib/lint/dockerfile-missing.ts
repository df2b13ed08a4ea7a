// `dockerfile-missing` (R1/R2): the commit cannot be fetched, or Directory/File does not exist at
// it, for some arch of an entry (oci-import entries are skipped, as `bashbrew from` does).
import { readDockerfile } from './dockerfile-source.js';
import { entryFinding, type Finding, genericText, type LintRule } from './types.js';

export const dockerfileMissingRule: LintRule = {
  id: 'dockerfile-missing',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const arch of entry.Architectures) {
        if (entry.ArchBuilder(arch) === 'oci-import') continue;
        const read = await readDockerfile(ctx.git(), target.repo, arch, entry);
        if (read.ok) continue;
        if (read.reason === 'unreachable') {
          // not a violation: the repository could not be reached from here (say so, as the other git rules do)
          ctx.warn(`dockerfile-missing: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: ${read.message.split('\n')[0]}`);
          continue;
        }
        const key = read.reason === 'fetch' ? 'GitCommit' : 'Directory';
        const archKey = `${arch}-${key}`;
        findings.push(entryFinding('dockerfile-missing', target, entry, arch,
          target.fieldLine(entry, entry.Values.has(archKey) ? archKey : key), read.message));
      }
    }
    return findings;
  },
  text: (findings) => genericText('Unresolvable Dockerfiles detected:', findings),
};
