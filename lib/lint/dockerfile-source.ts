// Reading an entry's Dockerfile for one arch through the git cache (R1/R2 of spec ecosystem §1.2).
import { type GitContext } from '../cli/git-context.js';
import { type Entry } from '../manifest/entry.js';
import { joinPath } from '../manifest/gostr.js';

export type DockerfileRead =
  | { ok: true; commit: string; path: string; text: string }
  | { ok: false; reason: 'fetch' | 'missing'; path: string; message: string };

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
    return { ok: false, reason: 'fetch', path,
      message: `cannot fetch commit ${entry.ArchGitCommit(arch)} from ${entry.ArchGitRepo(arch)}: ${flatten(err)}` };
  }
  const content = await git.git.readFile(commit, path);
  if (content === null) {
    return { ok: false, reason: 'missing', path, message: `${path} does not exist at commit ${commit}` };
  }
  return { ok: true, commit, path, text: content.toString('utf8') };
}
