// `oci-layout`: for `Builder: oci-import` entries (per arch), the OCI layout at the commit:
// `oci-layout`, the index/descriptor, the manifest and config blobs (what the build validates,
// lib/oci/layout.ts), plus every layer blob's digest, which the build only checks while importing.
import { describeFile, blobPath, OciLayoutError, readOciImage } from '../oci/layout.js';
import { digester, parseDigest } from '../oci/digest.js';
import { type GitCache } from '../git/cache.js';
import { entryFinding, type Finding, genericText, type LintRule } from './types.js';

async function blobDigest(git: GitCache, commit: string, path: string, like: string): Promise<string> {
  const parsed = parseDigest(like);
  const hash = digester(parsed);
  const { stream } = await git.openBlob(commit, path);
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return `${parsed.algorithm}:${hash.digest('hex')}`;
}

export const ociLayoutRule: LintRule = {
  id: 'oci-layout',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const arch of entry.Architectures) {
        if (entry.ArchBuilder(arch) !== 'oci-import') continue;
        const git = ctx.git();
        let commit: string;
        try {
          commit = await git.entryGit.fetchCommit(target.repo, arch, entry);
        } catch (err) {
          ctx.warn(`oci-layout: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: cannot fetch commit ${entry.ArchGitCommit(arch)}: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
        const dir = entry.ArchDirectory(arch);
        const file = entry.ArchFile(arch);
        const line = target.fieldLine(entry, entry.Values.has(`${arch}-Directory`) ? `${arch}-Directory` : 'Directory');
        const problems: string[] = [];
        try {
          const image = await readOciImage(git.git, commit, dir, file);
          for (const layer of image.layers) {
            const actual = await blobDigest(git.git, commit, blobPath(dir, layer.digest), layer.digest);
            if (actual !== layer.digest) {
              problems.push(`blob ${describeFile(layer.digest, dir, commit)} has digest ${actual}`);
            }
          }
        } catch (err) {
          if (!(err instanceof OciLayoutError)) throw err;
          problems.push(err.message);
        }
        for (const p of problems) findings.push(entryFinding('oci-layout', target, entry, arch, line, p));
      }
    }
    return findings;
  },
  text: (findings) => genericText('Invalid OCI image layouts (Builder: oci-import) detected:', findings),
};
