// `bashbrew children` (offspring, descendants, progeny): what is built FROM a repo or tag,
// level by level, over the whole library (spec §6.4).
import { goQuote, joinPath } from '../../manifest/gostr.js';
import { type Repo } from '../../manifest/repo.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { OrderedSetMap } from '../ordered-set.js';
import { entrySelection, gatherRepos, RepoLoader } from '../repos.js';

export default async function children(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const args = ctx.args;
  if (args.length < 1) throw new Error('need at least one argument');
  const allRepos = gatherRepos(ctx, true, [], 'failed gathering ALL repos list');
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  const applyConstraints = flags.bool('apply-constraints');
  const archFilter = flags.bool('arch-filter');

  const repos: Repo[] = [];
  for (const arg of allRepos) repos.push(await loader.load(arg));

  // pass 1: every namespaced tag → the first tag of the first entry listing it (first writer wins,
  // so shared tags belong to the first entry with them, normally the Linux one), and its arches
  const canonical = new Map<string, string>();
  const arches = new OrderedSetMap<string>();
  for (const r of repos) {
    const { selected, arches: entryArches } = entrySelection(ctx, r, applyConstraints, archFilter);
    for (const entry of r.Entries()) {
      if (!selected(entry, true)) continue;
      const tags = r.Tags(globals.namespace, false, entry);
      for (const tag of tags) if (!canonical.has(tag)) canonical.set(tag, tags[0]!);
      for (const a of entryArches(entry)) arches.add(tags[0]!, a);
    }
  }

  // pass 2: FROM → children; every lookup of the library starts at once (bounded by the git layer)
  const kids = new OrderedSetMap<string>();
  const repoTags = new OrderedSetMap<string>();
  const lookups = repos.map((r) => {
    const { selected, arches: entryArches } = entrySelection(ctx, r, applyConstraints, archFilter);
    return r.Entries().map((entry) => (selected(entry, false) ? entryArches(entry) : []).map((arch) => {
      const froms = git.entryGit.archDockerFroms(r.RepoName, arch, entry);
      froms.catch(() => undefined); // handled below, in order
      return { arch, froms };
    }));
  });
  for (const [ri, r] of repos.entries()) {
    const nsRepo = joinPath(globals.namespace, r.RepoName);
    const { selected } = entrySelection(ctx, r, applyConstraints, archFilter);
    for (const [ei, entry] of r.Entries().entries()) {
      if (!selected(entry, true)) continue;
      const tag = nsRepo + ':' + entry.Tags[0]!;
      repoTags.add(nsRepo, tag);
      for (const { arch, froms } of lookups[ri]![ei]!) {
        let list: string[];
        try {
          list = await froms;
        } catch (err) {
          throw wrap(`failed fetching/scraping FROM for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())}, arch ${goQuote(arch)})`, err);
        }
        for (let from of list) {
          const canon = canonical.get(from);
          if (canon !== undefined) from = canon;
          else arches.add(from, arch); // an image outside the library: remember where it is used
          kids.add(from, tag);
          const colon = from.indexOf(':');
          if (colon >= 0) repoTags.add(from.slice(0, colon), from);
        }
      }
    }
  }

  const uniq = flags.bool('uniq');
  const depth = flags.int('depth');
  const seen = new Set<string>();
  for (const arg of args) {
    let tags: string[] = [];
    const nsArg = joinPath(globals.namespace, arg);
    if (kids.has(arg)) tags = [arg];
    else if (canonical.has(arg)) tags = [canonical.get(arg)!];
    else if (repoTags.has(nsArg)) tags = repoTags.list(nsArg);
    else if (repoTags.has(arg)) tags = repoTags.list(arg);
    if (tags.length < 1) throw new Error(`failed to resolve argument as repo or tag ${goQuote(arg)}`);

    for (const start of tags) {
      const supported = arches.list(start);
      if (globals.debug) out.err(`DEBUG: relevant architectures of ${goQuote(start)}: ${supported.join(', ')}\n`);
      if (depth === -1) {
        out.out(start + '\n');
        continue;
      }
      let lookup: { tag: string; chain: readonly string[] }[] = [{ tag: start, chain: [] }];
      for (let d = depth; lookup.length > 0 && (depth === 0 || d > 0); d--) {
        const next: typeof lookup = [];
        for (const { tag, chain } of lookup) {
          for (const kid of kids.list(tag)) {
            if (!arches.list(kid).some((a) => supported.includes(a))) continue;
            const kidChain = [...chain, tag];
            if (depth === 0 && kidChain.includes(kid)) {
              // without a depth limit the reference walks such a cycle forever; say where it is instead
              throw new Error(`FROM cycle detected: ${[...kidChain, kid].map((x) => goQuote(x)).join(' -> ')}`);
            }
            next.push({ tag: kid, chain: kidChain });
            if (uniq) {
              if (seen.has(kid)) continue;
              seen.add(kid);
            }
            out.out(kid + '\n');
          }
        }
        lookup = next;
      }
    }
  }
}
