// `from-architectures` (L3, naughty-from.sh, spec ecosystem §1.5): every base of an entry must
// exist for each architecture the entry lists: an official image whose entry lists the arch,
// `scratch` (not on Windows), or an external image pinned in `.external-pins/` whose pinned image
// (`REF@DIGEST`, asked of its registry as `bashbrew remote arches` does) has a manifest for the arch.
// riscv64 builds cannot use Ubuntu 25.10+ (RVA23).
//
// Differences from the CI script, all deliberate:
// - a registry that cannot be queried (offline, refused, 5xx, no credentials) leaves the pinned base
//   unchecked with a warning; the CI counts it as "no arches", i.e. a violation on an outage;
// - a malformed pin (not one `sha256:` digest) or a pinned image its registry does not have is a
//   finding, as in the CI, but its message says why (the CI prints no reason);
// - each distinct pinned image is queried once per run, the queries running concurrently (bounded)
//   while the Dockerfiles are still being read.
import { type Entry } from '../manifest/entry.js';
import { type Manifest } from '../manifest/manifest.js';
import { describePinContent, type Pin, pinnedArches, readPin } from './external-pins.js';
import { officialEntry } from './official-entry.js';
import { entryFinding, type Finding, type LintRule } from './types.js';
import { skipCause } from './warnings.js';

export { pinFileName } from './external-pins.js';

const RISCV_FOOTER = 'DOI cannot support riscv64 on Ubuntu 25.10+ since it uses RVA23 and hardware does not exist yet';
const riscvFindings = new WeakSet<Finding>();

const UBUNTU_OK = new Set(['ubuntu:22.04', 'ubuntu:24.04', 'ubuntu:25.04']);
const UBUNTU_OK_PREFIXES = ['ubuntu:jammy', 'ubuntu:noble', 'ubuntu:plucky'];

/** The verdict on one (arch, FROM); `reason` explains a naughty pinned base (absent for the CI's own cases). */
interface Verdict {
  naughty: boolean;
  riscv?: boolean;
  reason?: string;
}

export const fromArchitecturesRule: LintRule = {
  id: 'from-architectures',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    const cache = new Map<string, Manifest | null>();
    const pins = new Map<string, Pin>();
    const pinOf = (from: string): Pin => {
      let pin = pins.get(from);
      if (pin === undefined) pins.set(from, pin = readPin(ctx.externalPins, from));
      return pin;
    };

    // Pass 1: the FROMs of every (entry, arch), from git. A pinned external FROM's registry lookup is
    // started as soon as it is seen (not awaited), so the lookups overlap each other and the git work.
    const plans: { entry: Entry; arches: { arch: string; froms: string[] }[] }[] = [];
    for (const entry of target.manifest?.Entries ?? []) {
      const arches: { arch: string; froms: string[] }[] = [];
      for (const arch of entry.Architectures) {
        let froms: string[];
        try {
          froms = [...new Set(await ctx.git().entryGit.archDockerFroms(target.repo, arch, entry))];
        } catch (err) {
          ctx.warn(`from-architectures: skipped ${target.repo}:${entry.Tags[0]} [${arch}]: ${skipCause(err)}`);
          continue;
        }
        for (const from of froms) {
          if (from === 'scratch' || !from.includes('/')) continue;
          const pin = pinOf(from);
          if (pin.kind === 'pinned') void pinnedArches(ctx, from, pin.digest);
        }
        arches.push({ arch, froms });
      }
      plans.push({ entry, arches });
    }

    const judge = async (from: string, arch: string): Promise<Verdict> => {
      if (arch === 'riscv64' && from.startsWith('ubuntu:')) {
        const ubuntu = officialEntry(ctx.library, cache, from);
        const normal = ubuntu !== null ? `ubuntu:${ubuntu.Tags[0]}` : from;
        if (!UBUNTU_OK.has(normal) && !UBUNTU_OK_PREFIXES.some((p) => normal.startsWith(p))) return { naughty: true, riscv: true };
      }
      if (from === 'scratch') return { naughty: arch.startsWith('windows-') };
      if (from.includes('/')) {
        const pin = pinOf(from);
        // unpinned: not allowed, and the CI gives no reason either
        if (pin.kind === 'missing') return { naughty: true };
        if (pin.kind === 'malformed') {
          return { naughty: true, reason: `malformed pin ${pin.file}: ${describePinContent(pin.content)} is not a sha256:<64 hex> digest` };
        }
        const found = await pinnedArches(ctx, from, pin.digest);
        // unknown (the lookup warned): not a violation, nor evidence that the entry is "completely unsupported"
        if (found.kind === 'unchecked') return { naughty: false };
        if (found.kind === 'broken') return { naughty: true, reason: `pin ${pin.file} (${pin.digest}): ${found.reason}` };
        return { naughty: !found.arches.has(arch) };
      }
      const parent = officialEntry(ctx.library, cache, from);
      return { naughty: parent === null || !parent.HasArchitecture(arch) };
    };

    // Pass 2: the verdicts, in the CI's discovery order.
    for (const { entry, arches } of plans) {
      const img = `${target.repo}:${entry.Tags[0]}`;
      // per naughty FROM: its arches, whether riscv64/Ubuntu hit, why (pins)
      const perFrom = new Map<string, { bad: string[]; riscv: boolean; reason: string | undefined }>();
      // as the CI's hasNice: "completely unsupported" means no (arch, FROM) of the whole entry was fine
      let anyFine = false;
      for (const { arch, froms } of arches) {
        for (const from of froms) {
          const verdict = await judge(from, arch);
          if (!verdict.naughty) {
            anyFine = true;
            continue;
          }
          let state = perFrom.get(from);
          if (state === undefined) perFrom.set(from, state = { bad: [], riscv: false, reason: undefined });
          state.bad.push(arch);
          if (verdict.riscv === true) state.riscv = true;
          state.reason ??= verdict.reason;
        }
      }
      for (const [from, state] of perFrom) {
        let message = anyFine ? `${img} (FROM ${from}) [${state.bad.join(', ')}]` : `${img} (FROM ${from}) -- completely unsupported base!`;
        if (state.reason !== undefined) message += ` (${state.reason})`;
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
