// `bashbrew parents` (ancestors, progenitors): the FROMs of a repo, level by level (spec §6.5).
import { ManifestNotFoundError, TagNotFoundError } from '../../manifest/errors.js';
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { RepoLoader } from '../repos.js';

/** A FROM to look up next, with the chain that led to it (to stop on a FROM cycle). */
interface Lookup {
  name: string;
  chain: readonly string[];
}

export default async function parents(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  if (ctx.args.length < 1) throw new Error('need at least one repo');
  const uniq = flags.bool('uniq');
  const applyConstraints = flags.bool('apply-constraints');
  const archFilter = flags.bool('arch-filter');
  const depth = flags.int('depth');
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  const seen = new Set<string>();

  for (const arg of ctx.args) {
    let lookup: Lookup[] = [{ name: arg, chain: [] }];
    // the arches of the starting repo's entries: ancestors are only followed for those (so a
    // Linux-only image does not report Windows ancestors reached through a shared tag)
    const lookupArches = new Set<string>();
    for (let d = depth; lookup.length > 0 && (depth === 0 || d > 0); d--) {
      const next = new Map<string, Lookup>();
      for (const item of lookup) {
        let r;
        try {
          r = await loader.loadRaw(item.name);
        } catch (err) {
          // an ancestor outside the library (e.g. mcr.microsoft.com/...) ends the walk there
          if (d !== depth && (err instanceof ManifestNotFoundError || err instanceof TagNotFoundError)) continue;
          throw wrap(`failed fetching repo ${goQuote(item.name)}`, err);
        }
        for (const entry of r.Entries()) {
          if (applyConstraints && r.SkipConstraints(entry)) continue;
          if (archFilter && !entry.HasArchitecture(globals.arch)) continue;
          if (d === depth) {
            for (const a of !applyConstraints && !archFilter ? entry.Architectures : [globals.arch]) lookupArches.add(a);
          }
          const arches = [...lookupArches].filter((a) => entry.HasArchitecture(a));
          const pending = arches.map((a) => {
            const p = git.entryGit.archDockerFroms(r.RepoName, a, entry);
            p.catch(() => undefined); // handled below, in order
            return { arch: a, froms: p };
          });
          const entryFroms = new Set<string>();
          for (const { arch, froms } of pending) {
            try {
              for (const f of await froms) if (f !== 'scratch') entryFroms.add(f);
            } catch (err) {
              throw wrap(`failed fetching/scraping FROM for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())}, arch ${goQuote(arch)})`, err);
            }
          }
          const chain = [...item.chain, item.name];
          for (const from of entryFroms) {
            if (depth === 0 && chain.includes(from)) {
              // without a depth limit the reference walks such a cycle forever; say where it is instead
              throw new Error(`FROM cycle detected: ${[...chain, from].map((x) => goQuote(x)).join(' -> ')}`);
            }
            if (!next.has(from)) next.set(from, { name: from, chain });
            if (uniq) {
              if (seen.has(from)) continue;
              seen.add(from);
            }
            out.out(from + '\n');
          }
        }
      }
      lookup = [...next.values()];
    }
  }
}
