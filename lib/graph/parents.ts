// The `parents` walk (spec §6.5): the FROMs of a repo or repo:tag, level by level, each line as
// the reference prints it (before --uniq, which only filters the printing). Used by `parents`
// and by the CI generators (same-repo chaining of generate.sh).
import { wrap } from '../errors.js';
import { type Entry } from '../manifest/entry.js';
import { ManifestNotFoundError, TagNotFoundError } from '../manifest/errors.js';
import { goQuote } from '../manifest/gostr.js';
import { type Repo } from '../manifest/repo.js';

export interface ParentsOptions {
  /** Maximum number of levels (0: unlimited; a FROM cycle is then an error). */
  depth: number;
  applyConstraints: boolean;
  archFilter: boolean;
  /** The current architecture (--arch). */
  arch: string;
}

export interface ParentsSource {
  /** A repo by name (repo, repo:tag, path or URL); not-found errors are the manifest layer's. */
  load(name: string): Promise<Repo>;
  /** The FROMs of an entry for one arch (fetching git as needed). */
  froms(repo: Repo, arch: string, entry: Entry): Promise<string[]>;
}

/** A FROM to look up next, with the chain that led to it (to stop on a FROM cycle). */
interface Lookup {
  name: string;
  chain: readonly string[];
}

/**
 * The lines `bashbrew parents ARG` prints (without --uniq). `start`, when given, is the repo
 * of ARG (already loaded), used instead of loading ARG by name.
 */
export async function* walkParents(arg: string, opts: ParentsOptions, source: ParentsSource, start?: Repo): AsyncGenerator<string> {
  const { depth, applyConstraints, archFilter, arch: currentArch } = opts;
  let lookup: Lookup[] = [{ name: arg, chain: [] }];
  // the arches of the starting repo's entries: ancestors are only followed for those (so a
  // Linux-only image does not report Windows ancestors reached through a shared tag)
  const lookupArches = new Set<string>();
  for (let d = depth; lookup.length > 0 && (depth === 0 || d > 0); d--) {
    const next = new Map<string, Lookup>();
    for (const item of lookup) {
      let r: Repo;
      try {
        r = d === depth && start !== undefined ? start : await source.load(item.name);
      } catch (err) {
        // an ancestor outside the library (e.g. mcr.microsoft.com/...) ends the walk there
        if (d !== depth && (err instanceof ManifestNotFoundError || err instanceof TagNotFoundError)) continue;
        throw wrap(`failed fetching repo ${goQuote(item.name)}`, err);
      }
      for (const entry of r.Entries()) {
        if (applyConstraints && r.SkipConstraints(entry)) continue;
        if (archFilter && !entry.HasArchitecture(currentArch)) continue;
        if (d === depth) {
          for (const a of !applyConstraints && !archFilter ? entry.Architectures : [currentArch]) lookupArches.add(a);
        }
        const arches = [...lookupArches].filter((a) => entry.HasArchitecture(a));
        const pending = arches.map((a) => {
          const p = source.froms(r, a, entry);
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
          yield from;
        }
      }
    }
    lookup = [...next.values()];
  }
}
