// Turning repo arguments into Repo objects, shared by the commands (spec §2).
import { readdirSync } from 'node:fs';
import { compareBytes, type Entry } from '../manifest/entry.js';
import { goQuote } from '../manifest/gostr.js';
import { fetchManifest } from '../manifest/fetch.js';
import { ManifestCache } from '../manifest/parse-cache.js';
import { type ConstraintContext, Repo } from '../manifest/repo.js';
import { type CommandContext } from './app.js';
import { wrap } from './errors.js';
import { type GitContext } from './git-context.js';
import { sortRepoObjects } from '../graph/build-order.js';

/** The repo list: every file of the library with --all (sorted, dotfiles too), then the arguments. */
export function gatherRepos(ctx: CommandContext, all: boolean, args: readonly string[] = ctx.args,
  failure = 'failed gathering repo list'): string[] {
  const list: string[] = [];
  try {
    if (all) {
      const names = readdirSync(ctx.globals.library).sort(compareBytes);
      // the library path is absolute and clean (resolved at start-up): joining is concatenation
      const prefix = ctx.globals.library === '/' ? '/' : ctx.globals.library + '/';
      for (const name of names) list.push(prefix + name);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory'
      : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw wrap(failure, new Error(`open ${ctx.globals.library}: ${reason}`));
  }
  list.push(...args);
  if (list.length < 1) {
    throw wrap(failure, new Error('need at least one repo (either explicitly or via "--all")'));
  }
  return list;
}

/** Loads repos once per argument string per process, as the reference's repoCache does. */
export class RepoLoader {
  private readonly repos = new Map<string, Promise<Repo>>();
  readonly constraintContext: ConstraintContext;
  private readonly parseCache: ManifestCache;

  constructor(private readonly ctx: CommandContext, readonly git: GitContext | null = null) {
    this.parseCache = new ManifestCache(ctx.env.BASHBREW_PARSE_CACHE === '0' ? null : ctx.globals.cache);
    ctx.defer(() => this.parseCache.flush());
    this.constraintContext = {
      git: git?.templateGit() ?? null,
      arch: ctx.globals.arch,
      constraints: ctx.globals.constraints,
      exclusiveConstraints: ctx.globals.exclusiveConstraints,
      onSkip: (message) => ctx.out.err(message + '\n'),
      reported: new Set(),
    };
  }

  /** The repo (the same object for the same argument), or the error of loading it. */
  loadRaw(arg: string): Promise<Repo> {
    let pending = this.repos.get(arg);
    if (pending === undefined) {
      pending = fetchManifest(this.ctx.globals.library, arg, this.parseCache).then((m) => new Repo(m, this.constraintContext));
      this.repos.set(arg, pending);
    }
    return pending;
  }

  /** The repo, or a multi error `failed fetching repo "ARG"` + the cause. */
  async load(arg: string): Promise<Repo> {
    try {
      return await this.loadRaw(arg);
    } catch (err) {
      throw wrap(`failed fetching repo ${goQuote(arg)}`, err);
    }
  }

  /** Every repo, in argument order, before anything is done with any (a bad file late in the list stops all). */
  async loadAll(args: readonly string[]): Promise<Repo[]> {
    const repos: Repo[] = [];
    for (const arg of args) repos.push(await this.load(arg));
    return repos;
  }

  /**
   * sortRepos (spec §6.1): the arguments in build order (duplicates dropped), or unchanged with
   * --no-sort or a single argument. Errors: `failed sorting repo list` + the cause.
   */
  async sortRepos(args: string[], applyConstraints: boolean): Promise<string[]> {
    try {
      const repos: Repo[] = [];
      const argOf = new Map<Repo, string>();
      for (const arg of args) {
        const r = await this.loadRaw(arg);
        if (argOf.has(r)) continue;
        repos.push(r);
        argOf.set(r, arg);
      }
      if (this.ctx.globals.noSort || args.length <= 1) return args;
      const sorted = await sortRepoObjects(repos, applyConstraints, this.requireGit().order);
      return sorted.map((r) => argOf.get(r)!);
    } catch (err) {
      throw wrap('failed sorting repo list', err);
    }
  }

  requireGit(): GitContext {
    if (this.git === null) throw new Error('internal: this command was not given git access');
    return this.git;
  }
}

/**
 * The --apply-constraints / --arch-filter selection of entries, and the arches to look at. Commands
 * start their git work for every selected entry up front (pure check), then walk the entries in
 * order with `report` set, which prints the "skipping" lines where the reference prints them.
 */
export function entrySelection(ctx: CommandContext, r: Repo, applyConstraints: boolean, archFilter: boolean): {
  selected: (e: Entry, report: boolean) => boolean;
  arches: (e: Entry) => string[];
} {
  const arch = ctx.globals.arch;
  return {
    selected: (e, report) =>
      !(applyConstraints && (report ? r.SkipConstraints(e) : r.skipReason(e) !== null)) &&
      !(archFilter && !e.HasArchitecture(arch)),
    arches: (e) => (applyConstraints || archFilter ? [arch] : e.Architectures),
  };
}

/**
 * Starts `lookup` for every selected entry and arch of a repo at once (the git layer bounds the
 * work), then yields the selected entries in order — printing the "skipping" lines where the
 * reference prints them — each with its lookups; failures are the caller's to report, in order.
 */
export function* entryLookups<T>(ctx: CommandContext, r: Repo, applyConstraints: boolean, archFilter: boolean,
  lookup: (entry: Entry, arch: string) => Promise<T>): Generator<{ entry: Entry; lookups: { arch: string; result: Promise<T> }[] }> {
  const { selected, arches } = entrySelection(ctx, r, applyConstraints, archFilter);
  const entries = r.Entries();
  const started = entries.map((entry) => (selected(entry, false) ? arches(entry) : []).map((arch) => {
    const result = lookup(entry, arch);
    result.catch(() => undefined); // reported by the caller, in order
    return { arch, result };
  }));
  for (const [i, entry] of entries.entries()) {
    if (selected(entry, true)) yield { entry, lookups: started[i]! };
  }
}

/** push / put-shared: --target-namespace, else --namespace; neither is the reference's error. */
export function publishNamespace(ctx: CommandContext, command: string): string {
  const namespace = ctx.flags.string('target-namespace') || ctx.globals.namespace;
  if (namespace === '') throw new Error(`either "--target-namespace" or "--namespace" is a required flag for ${goQuote(command)}`);
  return namespace;
}
