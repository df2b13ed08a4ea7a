// `from-architectures` (L3, naughty-from.sh, spec ecosystem §1.5): every base of an entry must
// exist for each architecture the entry lists: an official image whose entry lists the arch,
// `scratch` (not on Windows), or an external image pinned in `.external-pins/`. riscv64 builds
// cannot use Ubuntu 25.10+ (RVA23).
//
// Difference from the CI script: the arches of a pinned external image come from the registry
// (`bashbrew remote arches`), whose client (lib/registry) is not wired in here yet, so a pinned
// external base is not checked further (a warning says so); an unpinned one is a finding, as in the CI.
import { readFileSync } from 'node:fs';
import { type Manifest } from '../manifest/manifest.js';
import { officialEntry } from './official-entry.js';
import { entryFinding, type Finding, type LintRule } from './types.js';

const RISCV_FOOTER = 'DOI cannot support riscv64 on Ubuntu 25.10+ since it uses RVA23 and hardware does not exist yet';
const riscvFindings = new WeakSet<Finding>();


/** The pin file of an external reference: its first ':' replaced by '___'. */
export function pinFileName(ref: string): string {
  return ref.replace(':', '___');
}

const UBUNTU_OK = new Set(['ubuntu:22.04', 'ubuntu:24.04', 'ubuntu:25.04']);
const UBUNTU_OK_PREFIXES = ['ubuntu:jammy', 'ubuntu:noble', 'ubuntu:plucky'];

export const fromArchitecturesRule: LintRule = {
  id: 'from-architectures',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    const cache = new Map<string, Manifest | null>();
    const pinsDir = ctx.externalPins;
    for (const entry of target.manifest?.Entries ?? []) {
      const img = `${target.repo}:${entry.Tags[0]}`;
      // per FROM: the naughty arches, whether any arch was fine, and whether riscv64/Ubuntu hit
      const perFrom = new Map<string, { bad: string[]; fine: boolean; riscv: boolean }>();
      for (const arch of entry.Architectures) {
        let froms: string[];
        try {
          froms = await ctx.git().entryGit.archDockerFroms(target.repo, arch, entry);
        } catch (err) {
          ctx.warn(`from-architectures: skipped ${img} [${arch}]: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
          continue;
        }
        for (const from of new Set(froms)) {
          let state = perFrom.get(from);
          if (state === undefined) perFrom.set(from, state = { bad: [], fine: false, riscv: false });
          let naughty = false;
          if (arch === 'riscv64' && from.startsWith('ubuntu:')) {
            const ubuntu = officialEntry(ctx.library, cache, from);
            const normal = ubuntu !== null ? `ubuntu:${ubuntu.Tags[0]}` : from;
            if (!UBUNTU_OK.has(normal) && !UBUNTU_OK_PREFIXES.some((p) => normal.startsWith(p))) {
              naughty = true;
              state.riscv = true;
            }
          }
          if (!naughty) {
            if (from === 'scratch') naughty = arch.startsWith('windows-');
            else if (from.includes('/')) {
              let pin = '';
              try {
                pin = readFileSync(`${pinsDir}/${pinFileName(from)}`, 'utf8').trim();
              } catch {
                pin = '';
              }
              if (pin === '') naughty = true;
              else ctx.warn(`from-architectures: the architectures of the pinned external image ${from} are not checked (not wired to the registry client yet)`);
            } else {
              const parent = officialEntry(ctx.library, cache, from);
              naughty = parent === null || !parent.HasArchitecture(arch);
            }
          }
          if (naughty) state.bad.push(arch);
          else state.fine = true;
        }
      }
      for (const [from, state] of perFrom) {
        if (state.bad.length === 0) continue;
        const message = state.fine ? `${img} (FROM ${from}) [${state.bad.join(', ')}]` : `${img} (FROM ${from}) -- completely unsupported base!`;
        const f = entryFinding('from-architectures', target, entry, state.bad.length === 1 ? state.bad[0]! : null,
          target.fieldLine(entry, 'Architectures'), message);
        f.details = state.bad;
        if (state.riscv) riscvFindings.add(f);
        findings.push(f);
      }
    }
    return findings;
  },
  text: (findings) => "Invalid 'FROM' + 'Architectures' combinations detected:\n\n" +
    findings.map((f) => ` - ${f.message}`).join('\n') +
    (findings.some((f) => riscvFindings.has(f)) ? `\n - ${RISCV_FOOTER}` : '') +
    '\n\nRead https://github.com/docker-library/official-images#multiple-architectures for more details.',
};
