// Reading an entry's Dockerfile for one arch through the git cache (R1/R2 of spec ecosystem §1.2).
import { type GitContext } from '../cli/git-context.js';
import { type Entry } from '../manifest/entry.js';
import { joinPath } from '../manifest/gostr.js';

export type DockerfileRead =
  | { ok: true; commit: string; path: string; text: string }
  | { ok: false; reason: 'unreachable' | 'fetch' | 'missing'; path: string; message: string };

/** git's words for a repository it could not reach at all (as opposed to a commit it did not find). */
export const UNREACHABLE = /unable to access|could not resolve host|connection refused|could not connect|network is unreachable|timed out|repository not found|does not appear to be a git repository/i;

function flatten(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The Dockerfile of `entry` for `arch` at its commit (fetched shallowly if needed). */
export async function readDockerfile(git: GitContext, repo: string, arch: string, entry: Entry): Promise<DockerfileRead> {
  const path = joinPath(entry.ArchDirectory(arch), entry.ArchFile(arch));
  let commit: string;
  try {
    commit = await git.entryGit.fetchCommit(repo, arch, entry);
  } catch (err) {
    const message = `cannot fetch commit ${entry.ArchGitCommit(arch)} from ${entry.ArchGitRepo(arch)}: ${flatten(err)}`;
    // every attempt failed before reaching the repository: the network, not the entry, is at fault
    const attempts = flatten(err).split('\n').filter((l) => l.startsWith('failed'));
    const unreachable = attempts.length > 0 && attempts.every((l) => UNREACHABLE.test(l));
    return { ok: false, reason: unreachable ? 'unreachable' : 'fetch', path, message };
  }
  const content = await git.git.readFile(commit, path);
  if (content === null) {
    return { ok: false, reason: 'missing', path, message: `${path} does not exist at commit ${commit}` };
  }
  return { ok: true, commit, path, text: content.toString('utf8') };
}
