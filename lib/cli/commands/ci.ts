// `bashbrew ci github-matrix` and `bashbrew ci buildkite` (bashbrew-ts extensions): CI pipelines
// from the same unit plan `bashbrew build` uses (lib/build/units.ts), rendered by lib/ci.
import { isAbsolute, relative } from 'node:path';
import { isSupportedArch, SUPPORTED_ARCHES } from '../../architecture.js';
import { planUnits } from '../../build/units.js';
import { renderBuildkite, type BuildkiteArchPlan, type BuildkiteOptions } from '../../ci/buildkite.js';
import { renderGithubMatrix } from '../../ci/github-matrix.js';
import { buildkiteArchPlan, type CiSource, matrixItems } from '../../ci/plan.js';
import { runGit } from '../../git/run.js';
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { MultiError, wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { Output } from '../output.js';
import { gatherRepos, RepoLoader } from '../repos.js';

/** Output that drops stderr (for the first, silent fetch attempt). */
class QuietOutput extends Output {
  override err(): void {}
}

/** `bashbrew fetch REPO...`: every commit of every entry and arch of the repos. */
async function fetchAll(ctx: CommandContext, repos: readonly string[]): Promise<void> {
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  for (const arg of repos) {
    const r = await loader.load(arg);
    const fetches = r.Entries().flatMap((entry) => entry.Architectures.map((arch) => {
      const commit = git.entryGit.fetchCommit(r.RepoName, arch, entry);
      commit.catch(() => undefined); // handled below, in order
      return { entry, arch, commit };
    }));
    for (const { entry, arch, commit } of fetches) {
      try {
        await commit;
      } catch (err) {
        throw wrap(`failed fetching git repo for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())} on arch ${goQuote(arch)})`, err);
      }
    }
  }
}

/**
 * Makes sure the repos' commits are in the git cache. When they cannot be fetched they may only
 * exist on the branch being tested (a pull request): then the HEAD of the checkout in the
 * current directory is fetched into the cache and the fetch tried again, as generate.sh does.
 */
async function fetchWithFallback(ctx: CommandContext, repos: readonly string[]): Promise<void> {
  let fetchError: unknown;
  try {
    await fetchAll({ ...ctx, out: new QuietOutput() }, repos);
    return;
  } catch (err) {
    // a library that does not load is not a fetch problem: say so now
    if (err instanceof MultiError && err.parts[0] instanceof Error && err.parts[0].message.startsWith('failed fetching repo ')) throw err;
    fetchError = err;
  }
  const git = new GitContext(ctx);
  const gitDir = await git.git.ensureInit();
  try {
    await runGit({ gitDir, debug: ctx.globals.debug, log: (line) => ctx.out.err(line + '\n') },
      ['fetch', '--quiet', '--update-shallow', ctx.cwd, 'HEAD']);
  } catch (err) {
    throw new MultiError([fetchError,
      wrap(`fetching the HEAD of ${goQuote(ctx.cwd)} into the git cache (for commits only on the branch being tested) failed too`, err)]);
  }
  await fetchAll(ctx, repos);
}

function source(ctx: CommandContext, git: GitContext, loader: RepoLoader): CiSource {
  return {
    namespace: ctx.globals.namespace,
    arch: ctx.globals.arch,
    load: (name) => loader.loadRaw(name),
    froms: (repo, arch, entry) => git.entryGit.archDockerFroms(repo.RepoName, arch, entry),
  };
}

/** `ci github-matrix`: the strategy JSON of the reference's scripts/github-actions/generate.sh. */
export async function githubMatrix(ctx: CommandContext): Promise<void> {
  const repos = gatherRepos(ctx, ctx.flags.bool('all'));
  await fetchWithFallback(ctx, repos);
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  // `list --build-order --uniq`: no constraints (Windows entries get Windows runners)
  const units = await planUnits(loader, repos, { applyConstraints: false, order: git.order });
  const items = await matrixItems(units, { ...source(ctx, git, loader), progress: (tag) => ctx.out.err(`Processing ${tag} ...\n`) });
  ctx.out.out(renderGithubMatrix(items, { pretty: ctx.stdoutIsTTY }));
}

function arches(ctx: CommandContext): string[] {
  const list = ctx.flags.string('arches').split(/[\s,]+/).filter((a) => a !== '');
  if (list.length === 0) return [ctx.globals.arch];
  if (list.length === 1 && list[0] === 'all') return [...SUPPORTED_ARCHES.keys()];
  for (const a of list) if (!isSupportedArch(a)) throw new Error(`invalid architecture: ${goQuote(a)}`);
  return [...new Set(list)];
}

/** The library as the agents see it: relative to the checkout when it lies inside the current directory. */
function agentLibrary(ctx: CommandContext): string {
  const given = ctx.flags.string('agent-library');
  if (given !== '') return given;
  const rel = relative(ctx.cwd, ctx.globals.library);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? ctx.globals.library : rel;
}

/** `ci buildkite`: a Buildkite pipeline building the units of every arch on agents. */
export async function buildkite(ctx: CommandContext): Promise<void> {
  const { flags, globals } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const archList = arches(ctx);
  const kubernetes = flags.bool('kubernetes');
  const image = flags.string('image');
  if (kubernetes && image === '') throw new Error('--kubernetes needs --image (an image with bashbrew, git and the docker CLI)');
  const dockerHost = flags.string('docker-host');

  await fetchWithFallback(ctx, repos);
  const plans: BuildkiteArchPlan[] = [];
  for (const arch of archList) {
    // exactly what `bashbrew --arch ARCH build REPO...` would build, in its order
    const archCtx: CommandContext = { ...ctx, globals: { ...globals, arch } };
    const git = new GitContext(archCtx);
    const loader = new RepoLoader(archCtx, git);
    loader.constraintContext.onSkip = () => undefined; // entries of other arches are no news here
    const units = await planUnits(loader, repos, { applyConstraints: true, order: git.order });
    if (units.length > 0) plans.push(await buildkiteArchPlan(arch, units, source(archCtx, git, loader)));
  }

  const globalArgs: string[] = [];
  if (globals.namespace !== '') globalArgs.push('--namespace', globals.namespace);
  for (const c of globals.constraints) if (c !== '') globalArgs.push('--constraint', c);
  if (globals.exclusiveConstraints) globalArgs.push('--exclusive-constraints');
  const putSharedArgs: string[] = [];
  if (globals.namespace !== '') putSharedArgs.push('--namespace', globals.namespace);
  for (const [a, ns] of globals.archNamespaces) putSharedArgs.push('--arch-namespace', `${a}=${ns}`);
  const queueTemplate = flags.string('queue-template');
  const env: Record<string, string> = { BASHBREW_LIBRARY: agentLibrary(ctx) };
  if (dockerHost !== '') env.DOCKER_HOST = dockerHost;
  const opts: BuildkiteOptions = {
    queueTemplate,
    globalArgs,
    env,
    kubernetes: kubernetes ? { image, dockerSocket: dockerHost !== '' ? '' : flags.string('docker-socket'), cacheVolume: flags.string('cache-volume') } : null,
    publish: flags.bool('publish')
      ? { queue: flags.string('publish-queue') || queueTemplate.replace(/\{arch\}/g, globals.arch), putSharedArgs }
      : null,
  };
  ctx.out.out(renderBuildkite(plans, opts));
}
