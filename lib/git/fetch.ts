// fetchGitRepo (spec §4.2), with one improvement: transfers are shallow. The reference fetches
// the whole history of every branch it needs; a build needs one commit. So each refspec is
// fetched with --depth 1 first, deepened (--depth 100, then everything) only while the commit
// is still missing, which only happens for a GitFetch refspec on a server that refuses
// fetch-by-SHA and whose branch has moved on since the pin. Everything the user sees (which
// refspecs are tried, in which order, the failure texts, the pins) is the reference's.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { goQuote } from '../manifest/gostr.js';
import { type ObjectSource } from './gitfs.js';
import { normalisePinTag } from './refname.js';
import { GitCommandError, type GitResult, type GitRunContext, exitStatusText, runGit, runGitRetrying } from './run.js';

/** What the cache hands to the fetch algorithm. */
export interface FetchContext {
  gitDir: string;
  run: GitRunContext;
  objects: ObjectSource;
  log: (line: string) => void;
  lockTimeoutMs: number;
  /** Runs a transfer; at most one at a time per process (see GitCache). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface FetchRequest {
  gitRepo: string;
  gitFetch: string;
  gitCommit: string;
  /** e.g. "amd64/hello-world/latest" (path.Join'ed, not yet normalised). */
  pinTag: string;
}

/** Every refspec failed; one line per attempt, in the reference's words. */
export class GitFetchError extends Error {
  constructor(readonly failures: string[]) {
    super(failures.join('\n'));
    this.name = 'GitFetchError';
  }
}

const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** git's "no depth limit" (what --unshallow sends). */
const INFINITE_DEPTH = 2147483647;
/** N commits from the tip, or everything (the reference's fetch). */
type Depth = number | 'full';

/**
 * The GitHub git:// URLs the reference upgrades: `warning: insecure protocol git:// detected: URL`
 * is printed and https:// used instead. Returns the URL to use.
 */
export function secureGitRepo(gitRepo: string, log: (line: string) => void): string {
  if (!gitRepo.startsWith('git://github.com/')) return gitRepo;
  log(`warning: insecure protocol git:// detected: ${gitRepo}`);
  return gitRepo.replace('git://', 'https://');
}

/** Makes sure the request's commit is in the cache; returns its full id. */
export async function fetchCommit(ctx: FetchContext, req: FetchRequest): Promise<string> {
  const { gitFetch, gitCommit } = req;

  // (1) already here (a full id of an existing commit): no network at all
  if (FULL_COMMIT.test(gitCommit) && (await resolveCommit(ctx, gitCommit)) !== null) return gitCommit;

  let refspecs: string[];
  let target: string; // what names the commit once fetched
  let tempDir: string | null = null;
  if (gitCommit === 'FETCH_HEAD') {
    // legacy: the fetched ref is kept as a tag named after the fetch key
    const localRef = 'refs/tags/' + normalisePinTag(`${req.gitRepo}\n${gitFetch}\n${gitCommit}`);
    const existing = await resolveCommit(ctx, localRef);
    if (existing !== null) return existing;
    refspecs = [`${gitFetch}:${localRef}`];
    // (the reference looks up FETCH_HEAD here, which go-git never writes, so its first fetch of
    // such an entry always fails; the ref just fetched is what was meant)
    target = localRef;
  } else {
    // (2) a private temp ref, in a directory of its own so it can be removed whatever happens
    const refBase = join(ctx.gitDir, 'refs', 'remotes');
    await mkdir(refBase, { recursive: true });
    tempDir = await mkdtemp(join(refBase, 'temp'));
    const tempRef = `refs/remotes/${basename(tempDir)}/temp`;
    refspecs = [`${gitCommit}:${tempRef}`, `${gitFetch}:${tempRef}`];
    target = gitCommit;
  }

  try {
    // (3) only on the network path, like the reference
    const url = secureGitRepo(req.gitRepo, ctx.log);

    // (4) first success wins; (5) all failed: every failure
    const failures: string[] = [];
    let commit: string | null = null;
    for (const refspec of refspecs) {
      const outcome = await fetchRefspec(ctx, url, refspec, target, gitCommit);
      if ('commit' in outcome) {
        commit = outcome.commit;
        break;
      }
      failures.push(outcome.failure);
    }
    if (commit === null) throw new GitFetchError(failures);

    // (6) the pin keeps the commit reachable once the temp ref is gone
    await pin(ctx, normalisePinTag(req.pinTag), commit);
    return commit;
  } finally {
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
  }
}

type Outcome = { commit: string } | { failure: string };

/** One refspec of the reference, fetched as shallowly as finds the commit. */
async function fetchRefspec(ctx: FetchContext, url: string, refspec: string, target: string, gitCommit: string): Promise<Outcome> {
  const src = refspec.slice(0, refspec.lastIndexOf(':'));
  // a fetch by id brings that very object: going deeper cannot change whether it is a commit
  const depths: Depth[] = FULL_COMMIT.test(src) ? [1] : [1, 100, 'full'];
  for (let i = 0; i < depths.length; i++) {
    let depth = depths[i]!;
    let result = await transfer(ctx, url, refspec, depth);
    if (result.code !== 0 && depth !== 'full' && SHALLOW_UNSUPPORTED.test(result.stderr)) {
      // e.g. the dumb HTTP transport: no shallow fetches at all, so fetch what the reference would
      depth = 'full';
      result = await transfer(ctx, url, refspec, depth);
    }
    if (result.code !== 0) return { failure: `failed fetching ${goQuote(refspec)}: ${describeFetchFailure(result)}` };
    const commit = await resolveCommit(ctx, target);
    if (commit !== null) return { commit };
    if (depth === 'full') break;
  }
  const why = FULL_COMMIT.test(gitCommit) ? 'object not found' : 'reference not found';
  return { failure: `failed finding Git commit ${goQuote(gitCommit)} after fetching ${goQuote(refspec)}: ${why}` };
}

const SHALLOW_UNSUPPORTED = /does not support shallow|shallow capabilit|does not support --depth/i;

/** One `git fetch` of one refspec (forced: the destination is always our own ref). */
async function transfer(ctx: FetchContext, url: string, refspec: string, depth: Depth): Promise<GitResult> {
  const args = ['fetch', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no'];
  if (typeof depth === 'number') args.push(`--depth=${depth}`);
  // "everything": a plain fetch, unless earlier shallow fetches left boundaries to dig through
  else if (await isShallowRepository(ctx)) args.push(`--depth=${INFINITE_DEPTH}`);
  args.push('--end-of-options', url, '+' + refspec);
  return ctx.exclusive(() => runGitRetrying(ctx.run, args, { timeoutMs: ctx.lockTimeoutMs }));
}

/**
 * The reason part of `failed fetching "REFSPEC": REASON`. Where the reference (go-git) has its
 * own words for a situation, they are used, so the texts stay the same; otherwise git's own.
 */
export function describeFetchFailure(result: Pick<GitResult, 'code' | 'signal' | 'stderr'>): string {
  const text = result.stderr;
  if (/not our ref|does not allow request for unadvertised object/i.test(text)) return 'server does not support exact SHA1 refspec';
  if (/does not appear to be a git repository|repository '[^']*' not found|repository not found/i.test(text)) return 'repository not found';
  const missingRef = /couldn't find remote ref (.+)$/m.exec(text);
  if (missingRef !== null) return `couldn't find remote ref ${goQuote(missingRef[1]!.trim())}`;
  if (/could not read (?:Username|Password)|terminal prompts disabled|Authentication failed/i.test(text)) return 'authentication required';
  const fatal = /^(?:fatal|error): (.+)$/m.exec(text);
  if (fatal !== null) return fatal[1]!.trim();
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? exitStatusText(result);
}

/** The commit a name stands for (a full id must exist and be a commit), or null. */
export async function resolveCommit(ctx: Pick<FetchContext, 'objects'>, name: string): Promise<string | null> {
  const reply = await ctx.objects.get(FULL_COMMIT.test(name) ? name : `${name}^{commit}`);
  return reply.kind === 'object' && reply.type === 'commit' ? reply.oid : null;
}

/** A lightweight tag, replacing any tag of that name. */
async function pin(ctx: FetchContext, tag: string, commit: string): Promise<void> {
  const args = ['update-ref', '--no-deref', `refs/tags/${tag}`, commit];
  const result = await runGitRetrying(ctx.run, args, { timeoutMs: ctx.lockTimeoutMs });
  if (result.code !== 0) throw new GitCommandError(args, result);
}

/** The commits at which the cache's history is cut off (empty when it is complete). */
export async function shallowCommits(gitDir: string): Promise<Set<string>> {
  try {
    return new Set((await readFile(join(gitDir, 'shallow'), 'latin1')).split('\n').filter((l) => l !== ''));
  } catch {
    return new Set();
  }
}

async function isShallowRepository(ctx: FetchContext): Promise<boolean> {
  return (await shallowCommits(ctx.gitDir)).size > 0;
}

/** Is the history behind `commit` cut off somewhere in the cache? */
export async function hasShallowHistory(ctx: FetchContext, commit: string): Promise<boolean> {
  const boundaries = await shallowCommits(ctx.gitDir);
  if (boundaries.size === 0) return false;
  if (boundaries.has(commit)) return true;
  const revs = (await runGit(ctx.run, ['rev-list', '--end-of-options', commit])).toString('latin1').split('\n');
  return revs.some((rev) => boundaries.has(rev));
}

/** Where a commit came from, to fetch more of its history later. */
export interface CommitSource {
  gitRepo: string;
  gitFetch: string;
}

/**
 * Fetches the complete history of a commit that was fetched shallowly: by id first, else its
 * GitFetch ref. A no-op when its history is complete already. (The server lifts every shallow
 * boundary it can reach from its refs, so other commits from that repository may come out
 * complete as well: git's protocol has no way to deepen just one of them.)
 */
export async function deepenCommit(ctx: FetchContext, commit: string, source: CommitSource): Promise<void> {
  if (!(await hasShallowHistory(ctx, commit))) return;
  const refBase = join(ctx.gitDir, 'refs', 'remotes');
  await mkdir(refBase, { recursive: true });
  const tempDir = await mkdtemp(join(refBase, 'temp'));
  const tempRef = `refs/remotes/${basename(tempDir)}/temp`;
  const failures: string[] = [];
  try {
    const url = secureGitRepo(source.gitRepo, ctx.log);
    for (const refspec of [`${commit}:${tempRef}`, `${source.gitFetch}:${tempRef}`]) {
      const result = await transfer(ctx, url, refspec, 'full');
      if (result.code !== 0) {
        failures.push(`failed fetching ${goQuote(refspec)}: ${describeFetchFailure(result)}`);
        continue;
      }
      if (!(await hasShallowHistory(ctx, commit))) return;
      failures.push(`failed deepening Git commit ${goQuote(commit)} after fetching ${goQuote(refspec)}: history still incomplete`);
    }
    throw new GitFetchError(failures);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
