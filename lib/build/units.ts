// The build units of a command line (spec §3.2, §6): the repos in build order, each repo's
// entries in build order, without the entries the constraints skip. `bashbrew build` runs these;
// the CI generators (lib/ci) render them as jobs: one planner, several renderers.
import { wrap } from '../errors.js';
import { type OrderContext, sortedEntries } from '../graph/build-order.js';
import { type Entry } from '../manifest/entry.js';
import { goQuote } from '../manifest/gostr.js';
import { type Repo } from '../manifest/repo.js';

/** Where repos come from (the CLI's RepoLoader is one). */
export interface UnitSource {
  /** The repo of an argument, or a `failed fetching repo "ARG"` error. */
  load(arg: string): Promise<Repo>;
  /** The arguments in build order (spec §6.1), or a `failed sorting repo list` error. */
  sortRepos(args: string[], applyConstraints: boolean): Promise<string[]>;
}

export interface PlanOptions {
  /**
   * Apply Constraints and Architectures for `order.arch` (what `build` does): the order ignores
   * and the result leaves out skipped entries (reported once each by Repo.SkipConstraints).
   * Without it every entry is a unit, in the order of `list --build-order`.
   */
  applyConstraints: boolean;
  order: OrderContext;
  /** false: the arguments are already in build order (the caller sorted them). Default true. */
  sortRepos?: boolean;
}

export interface PlannedUnit {
  /** The repo argument the unit came from (as given, or a library path with --all). */
  arg: string;
  repo: Repo;
  entry: Entry;
}

/** The units of `args`, in build order. */
export async function planUnits(source: UnitSource, args: string[], opts: PlanOptions): Promise<PlannedUnit[]> {
  const repos = opts.sortRepos === false ? args : await source.sortRepos(args, opts.applyConstraints);
  const units: PlannedUnit[] = [];
  for (const arg of repos) {
    const repo = await source.load(arg);
    let entries: Entry[];
    try {
      entries = await sortedEntries(repo, opts.applyConstraints, opts.order);
    } catch (err) {
      throw wrap(`failed sorting entries list for ${goQuote(arg)}`, err);
    }
    for (const entry of entries) {
      if (opts.applyConstraints && repo.SkipConstraints(entry)) continue;
      units.push({ arg, repo, entry });
    }
  }
  return units;
}
