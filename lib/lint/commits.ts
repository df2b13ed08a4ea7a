// `commit-fetchable` (L5a) and `commit-ancestor` (L5b) of naughty-commits.sh (spec ecosystem
// §1.7): the GitFetch ref can be fetched, and GitCommit is an ancestor of its tip. The ref is
// fetched once per (GitRepo, GitFetch), shallow, into a lint-private ref of the cache; only
// commit-ancestor deepens (the commit's and the tip's history: the walk from the tip must be able
// to reach the commit).
import { UNREACHABLE } from './dockerfile-source.js';
import { createHash } from 'node:crypto';
import { type GitContext } from '../cli/git-context.js';
import { secureGitRepo } from '../git/fetch.js';
import { runGitRaw } from '../git/run.js';
import { type Entry } from '../manifest/entry.js';
import { entryFinding, type Finding, type LintRule, type LintTarget, type RuleContext } from './types.js';

type TipResult = { ok: true; tip: string } | { ok: false; stderr: string };
const tips = new WeakMap<RuleContext, Map<string, Promise<TipResult>>>();

/** Fetches GitFetch of GitRepo (once per run) and returns the tip commit. */
function fetchTip(ctx: RuleContext, git: GitContext, gitRepo: string, gitFetch: string): Promise<TipResult> {
  let byKey = tips.get(ctx);
  if (byKey === undefined) tips.set(ctx, byKey = new Map());
  const key = `${gitRepo}\n${gitFetch}`;
  let pending = byKey.get(key);
  if (pending === undefined) {
    pending = (async (): Promise<TipResult> => {
      const gitDir = await git.git.ensureInit();
      const run = { gitDir, debug: false, log: (line: string) => ctx.warn(line) };
      const ref = `refs/bashbrew-lint/${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
      const url = secureGitRepo(gitRepo, (line) => ctx.warn(line));
      // shallow: whether the ref can be fetched needs its tip only (commit-ancestor deepens it when it must)
      const fetched = await runGitRaw(run, ['fetch', '--quiet', '--no-tags', '--depth', '1', '--end-of-options', url, `+${gitFetch}:${ref}`]);
      if (fetched.code !== 0) return { ok: false, stderr: fetched.stderr.trim() };
      const tip = await runGitRaw(run, ['rev-parse', '--verify', `${ref}^{commit}`]);
      // the id is all later checks need (gc.auto=0 keeps the objects): leave only the reference's
      // refs/tags pins in the cache
      await runGitRaw(run, ['update-ref', '-d', ref]);
      if (tip.code !== 0) return { ok: false, stderr: tip.stderr.trim() };
      return { ok: true, tip: tip.stdout.toString('utf8').trim() };
    })();
    byKey.set(key, pending);
  }
  return pending;
}

/** The unique (entry, arch) triples of GitRepo/GitFetch/GitCommit, with the first entry that uses each. */
function triples(target: LintTarget): { entry: Entry; arch: string; gitRepo: string; gitFetch: string; gitCommit: string }[] {
  const seen = new Set<string>();
  const list: ReturnType<typeof triples> = [];
  for (const entry of target.manifest?.Entries ?? []) {
    for (const arch of entry.Architectures) {
      const t = { entry, arch, gitRepo: entry.ArchGitRepo(arch), gitFetch: entry.ArchGitFetch(arch), gitCommit: entry.ArchGitCommit(arch) };
      const key = `${t.gitRepo}\n${t.gitFetch}\n${t.gitCommit}`;
      if (seen.has(key)) continue;
      seen.add(key);
      list.push(t);
    }
  }
  return list;
}

function fieldFor(target: LintTarget, entry: Entry, arch: string, field: string): number | null {
  return target.fieldLine(entry, entry.Values.has(`${arch}-${field}`) ? `${arch}-${field}` : field);
}

/** naughty-commits.sh's block: per repo, per commit, the reasons. */
function commitsText(findings: Finding[]): string {
  const byRepo = new Map<string, Map<string, string[]>>();
  for (const f of findings) {
    let commits = byRepo.get(f.repo);
    if (commits === undefined) byRepo.set(f.repo, commits = new Map());
    const commit = f.commit ?? '';
    commits.set(commit, [...(commits.get(commit) ?? []), f.textMessage ?? f.message]);
  }
  const blocks: string[] = [];
  for (const [repo, commits] of byRepo) {
    let block = ` - ${repo}:`;
    for (const [commit, reasons] of commits) {
      block += `\n   - commit ${commit}:` + reasons.map((r) => `\n     - ${r}`).join('');
    }
    blocks.push(block);
  }
  return 'Unpleasant commits detected:\n\n' + blocks.join('\n\n');
}

export const commitFetchableRule: LintRule = {
  id: 'commit-fetchable',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    for (const t of triples(target)) {
      const tip = await fetchTip(ctx, ctx.git(), t.gitRepo, t.gitFetch);
      if (tip.ok) continue;
      if (UNREACHABLE.test(tip.stderr)) {
        // the repository could not be reached from here: not a violation
        ctx.warn(`commit-fetchable: skipped ${target.repo}:${t.entry.Tags[0]} [${t.arch}]: ${tip.stderr.split('\n')[0]}`);
        continue;
      }
      const f = entryFinding('commit-fetchable', target, t.entry, t.arch, fieldFor(target, t.entry, t.arch, 'GitFetch'),
        `unable to to fetch specified GitFetch: ${t.gitFetch}`);
      f.commit = t.gitCommit;
      findings.push(f);
    }
    return findings;
  },
  text: commitsText,
};

export const commitAncestorRule: LintRule = {
  id: 'commit-ancestor',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    const git = ctx.git();
    for (const t of triples(target)) {
      const tip = await fetchTip(ctx, git, t.gitRepo, t.gitFetch);
      if (!tip.ok) {
        ctx.warn(`commit-ancestor: skipped ${target.repo}:${t.entry.Tags[0]} [${t.arch}]: cannot fetch ${t.gitFetch} from ${t.gitRepo}`);
        continue;
      }
      let commit: string;
      try {
        commit = await git.entryGit.fetchCommit(target.repo, t.arch, t.entry);
        await git.git.deepen(commit, { gitRepo: t.gitRepo, gitFetch: t.gitFetch });
        // the walk from the tip must reach the commit: the tip's whole history (a no-op when it is already there)
        await git.git.deepen(tip.tip, { gitRepo: t.gitRepo, gitFetch: t.gitFetch });
      } catch (err) {
        ctx.warn(`commit-ancestor: skipped ${target.repo}:${t.entry.Tags[0]} [${t.arch}]: cannot fetch commit ${t.gitCommit}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        continue;
      }
      const run = { gitDir: git.git.gitDir, debug: false, log: (line: string) => ctx.warn(line) };
      const res = await runGitRaw(run, ['merge-base', '--is-ancestor', commit, tip.tip]);
      if (res.code === 0) continue;
      if (res.code !== 1) {
        ctx.warn(`commit-ancestor: skipped ${target.repo}:${t.entry.Tags[0]} [${t.arch}]: git merge-base failed: ${res.stderr.trim()}`);
        continue;
      }
      const f = entryFinding('commit-ancestor', target, t.entry, t.arch, fieldFor(target, t.entry, t.arch, 'GitCommit'),
        `is not in the specified ref GitFetch: ${t.gitFetch}`);
      f.commit = commit;
      findings.push(f);
    }
    return findings;
  },
  text: commitsText,
};

const MiB = 1024 * 1024;
const seenPerTarget = new WeakMap<LintTarget, Set<string>>();

/** L5c for one top commit: the binary `*.tar*` files larger than 2 MiB its history modified or deleted. */
async function largeTarballs(git: GitContext, ctx: RuleContext, target: LintTarget, top: string): Promise<{ commit: string; reason: string }[]> {
  let seen = seenPerTarget.get(target);
  if (seen === undefined) seenPerTarget.set(target, seen = new Set());
  const run = { gitDir: git.git.gitDir, debug: false, log: (line: string) => ctx.warn(line) };
  const log = await runGitRaw(run, ['log', '--diff-filter=DMT', '--format=format:%H', top, '--', '**.tar**']);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const out: { commit: string; reason: string }[] = [];
  for (const commit of log.stdout.toString('utf8').split('\n').filter((l) => l !== '')) {
    if (seen.has(commit)) break;
    seen.add(commit);
    const numstat = await runGitRaw(run, ['diff-tree', '-r', '--root', '--no-commit-id', '--numstat', commit, '--', '**.tar**']);
    for (const line of numstat.stdout.toString('utf8').split('\n')) {
      const m = /^-\t-\t(.+)$/.exec(line);
      if (m === null) continue;
      const path = m[1]!;
      const ls = await runGitRaw(run, ['ls-tree', '--long', commit, '--', path]);
      const size = Number(/^\S+ \S+ \S+\s+(\d+)\t/.exec(ls.stdout.toString('utf8'))?.[1] ?? '0');
      const mb = Math.floor(size / MiB);
      if (mb > 2) out.push({ commit, reason: `modified binary file (larger than 2MB): ${path} (${mb}MB)` });
    }
  }
  return out;
}

export const largeTarballRule: LintRule = {
  id: 'large-tarball',
  needsGit: true,
  async check(target, ctx) {
    const findings: Finding[] = [];
    const git = ctx.git();
    for (const t of triples(target)) {
      let commit: string;
      let found: { commit: string; reason: string }[];
      try {
        commit = await git.entryGit.fetchCommit(target.repo, t.arch, t.entry);
        await git.git.deepen(commit, { gitRepo: t.gitRepo, gitFetch: t.gitFetch });
        found = await largeTarballs(git, ctx, target, commit);
      } catch (err) {
        ctx.warn(`large-tarball: skipped ${target.repo}:${t.entry.Tags[0]} [${t.arch}]: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        continue;
      }
      for (const { commit: c, reason } of found) {
        const f = entryFinding('large-tarball', target, t.entry, t.arch, fieldFor(target, t.entry, t.arch, 'GitCommit'),
          c === commit ? reason : `${reason} (commit ${c}, in history of ${commit})`);
        f.commit = c === commit ? c : `${c} (in history of ${commit})`;
        f.textMessage = reason;
        findings.push(f);
      }
    }
    return findings;
  },
  text: commitsText,
};
