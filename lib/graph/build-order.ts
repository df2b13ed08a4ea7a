// Build order of repos and of the entries of a repo (spec §6.1–§6.3): a node per Repo, an edge
// from the repo that owns a FROM to each repo whose tags are built FROM it, then topsort.
import { type Entry } from '../manifest/entry.js';
import { type Repo } from '../manifest/repo.js';
import { TopSortGraph } from './topsort.js';

export interface OrderContext {
  arch: string;
  namespace: string;
  noSort: boolean;
  /** The FROMs of an entry for one arch (fetching git as needed). */
  froms(repo: Repo, arch: string, entry: Entry): Promise<string[]>;
}

/** FROMs of an entry over the relevant arches, de-duplicated, first seen first. */
async function entryFroms(ctx: OrderContext, r: Repo, entry: Entry, applyConstraints: boolean): Promise<string[]> {
  const arches = applyConstraints ? [ctx.arch] : entry.Architectures;
  const seen = new Set<string>();
  for (const arch of arches) for (const from of await ctx.froms(r, arch, entry)) seen.add(from);
  return [...seen];
}

/** sortRepoObjects: Repos in build order; ties keep input order. Throws CycleError. */
export async function sortRepoObjects(rs: Repo[], applyConstraints: boolean, ctx: OrderContext): Promise<Repo[]> {
  if (ctx.noSort || rs.length <= 1) return rs;
  const graph = new TopSortGraph<Repo>();
  const canonicalNodes = new Map<string, string>();
  const canonicalRepos = new Map<string, Repo>();
  for (const r of rs) {
    const node = r.Identifier();
    for (const entry of r.Entries()) {
      for (const tag of [...r.Tags('', false, entry), ...r.Tags(ctx.namespace, false, entry)]) {
        // an alias already owned by a tag-specific repo is never taken over
        if (canonicalRepos.get(tag)?.TagName) continue;
        canonicalNodes.set(tag, node);
        canonicalRepos.set(tag, r);
      }
    }
    graph.addNode(node, r);
  }
  for (const r of rs) {
    for (const entry of r.Entries()) {
      if (applyConstraints && r.SkipConstraints(entry)) continue;
      for (const from of await entryFroms(ctx, r, entry, applyConstraints)) {
        const fromNode = canonicalNodes.get(from);
        if (fromNode === undefined) continue;
        for (const tag of r.Tags(ctx.namespace, false, entry)) {
          const tagNode = canonicalNodes.get(tag);
          if (tagNode !== undefined && tagNode !== fromNode) graph.addEdge(fromNode, tagNode);
        }
      }
    }
  }
  return graph.sort();
}

/** Repo.SortedEntries: the repo's (selected) entries in build order. */
export async function sortedEntries(r: Repo, applyConstraints: boolean, ctx: OrderContext): Promise<Entry[]> {
  const entries = r.Entries();
  if (ctx.noSort || entries.length <= 1) return entries;
  const sorted = await sortRepoObjects(entries.map((e) => r.EntryRepo(e)), applyConstraints, ctx);
  return sorted.flatMap((er) => er.TagEntries);
}
