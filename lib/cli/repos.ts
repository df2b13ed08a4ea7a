// Turning repo arguments into Repo objects, shared by the commands (spec §2).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareBytes } from '../manifest/entry.js';
import { goQuote } from '../manifest/gostr.js';
import { fetchManifest } from '../manifest/fetch.js';
import { ManifestCache } from '../manifest/parse-cache.js';
import { type ConstraintContext, Repo } from '../manifest/repo.js';
import { type CommandContext } from './app.js';
import { wrap } from './errors.js';

/** The repo list: every file of the library with --all (sorted, dotfiles too), then the arguments. */
export function gatherRepos(ctx: CommandContext, all: boolean): string[] {
  const list: string[] = [];
  try {
    if (all) {
      const names = readdirSync(ctx.globals.library).sort(compareBytes);
      for (const name of names) list.push(join(ctx.globals.library, name));
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory'
      : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw wrap('failed gathering repo list', new Error(`open ${ctx.globals.library}: ${reason}`));
  }
  list.push(...ctx.args);
  if (list.length < 1) {
    throw wrap('failed gathering repo list', new Error('need at least one repo (either explicitly or via "--all")'));
  }
  return list;
}

/** Loads repos once per argument string per process, as the reference's repoCache does. */
export class RepoLoader {
  private readonly repos = new Map<string, Promise<Repo>>();
  readonly constraintContext: ConstraintContext;
  private readonly parseCache: ManifestCache;

  constructor(private readonly ctx: CommandContext) {
    this.parseCache = new ManifestCache(ctx.env.BASHBREW_PARSE_CACHE === '0' ? null : ctx.globals.cache);
    ctx.defer(() => this.parseCache.flush());
    this.constraintContext = {
      arch: ctx.globals.arch,
      constraints: ctx.globals.constraints,
      exclusiveConstraints: ctx.globals.exclusiveConstraints,
      onSkip: (message) => ctx.out.err(message + '\n'),
      reported: new Set(),
    };
  }

  /** The repo, or a multi error `failed fetching repo "ARG"` + the cause. */
  async load(arg: string): Promise<Repo> {
    let pending = this.repos.get(arg);
    if (pending === undefined) {
      pending = fetchManifest(this.ctx.globals.library, arg, this.parseCache).then((m) => new Repo(m, this.constraintContext));
      this.repos.set(arg, pending);
    }
    try {
      return await pending;
    } catch (err) {
      throw wrap(`failed fetching repo ${goQuote(arg)}`, err);
    }
  }
}

/** Until the git layer lands, ordering by FROM is refused rather than silently wrong. */
export function refuseBuildOrder(ctx: CommandContext): void {
  if (ctx.flags.bool('build-order') && !ctx.globals.noSort) {
    throw new Error('--build-order needs the git layer (Dockerfile FROM lookups), which bashbrew-ts does not have yet');
  }
}
