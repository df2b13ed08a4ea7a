// `unknown-builder`: a Builder (per arch) other than "", "classic", "buildkit", "oci-import".
import { entryFinding, type Finding, genericText, type LintRule } from './types.js';

export const KNOWN_BUILDERS: ReadonlySet<string> = new Set(['', 'classic', 'buildkit', 'oci-import']);

export const unknownBuilderRule: LintRule = {
  id: 'unknown-builder',
  needsGit: false,
  async check(target) {
    const findings: Finding[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      for (const arch of entry.Architectures) {
        const builder = entry.ArchBuilder(arch);
        if (KNOWN_BUILDERS.has(builder)) continue;
        const key = entry.Values.has(`${arch}-Builder`) ? `${arch}-Builder` : 'Builder';
        findings.push(entryFinding('unknown-builder', target, entry, arch, target.fieldLine(entry, key),
          `unknown Builder ${JSON.stringify(builder)} (expected "", "classic", "buildkit" or "oci-import")`));
      }
    }
    return findings;
  },
  text: (findings) => genericText("Unknown 'Builder' values detected:", findings),
};
