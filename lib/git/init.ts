// Creating the cache repository (spec §4.2): a bare repository at <cache>/git with gc.auto=0, so
// that commits only our pins (or nothing, after a temp ref is gone) keep alive are never pruned.
// Two bashbrew processes may start on an empty cache at once: the repository is made in a
// private directory and renamed into place, so the other process sees either nothing or a
// complete repository, never half of one.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GitCommandError, type GitRunContext, runGit, runGitRaw, runGitRetrying } from './run.js';

export interface InitContext {
  debug: boolean;
  log: (line: string) => void;
  lockTimeoutMs: number;
}

/** Does `dir` hold a (bare) repository? */
export function isRepository(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) && existsSync(join(dir, 'refs'));
}

export async function initBareRepository(gitDir: string, opts: InitContext): Promise<void> {
  const parent = dirname(gitDir);
  await mkdir(parent, { recursive: true });
  if (!isRepository(gitDir)) {
    const tmp = await mkdtemp(join(parent, `.${basename(gitDir)}.init-`));
    try {
      await gitInit(tmp, parent, opts);
      await runGit({ gitDir: tmp, debug: opts.debug, log: opts.log }, ['config', 'gc.auto', '0']);
      try {
        // replaces a missing or empty directory atomically; fails when someone else won
        await rename(tmp, gitDir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    // a non-empty directory that is not a repository: initialise it in place, as go-git's
    // PlainInit would
    if (!isRepository(gitDir)) await gitInit(gitDir, parent, opts);
  }
  await ensureGcDisabled(gitDir, opts);
}

async function gitInit(dir: string, cwd: string, opts: InitContext): Promise<void> {
  // no templates: no sample hooks or description file, like go-git
  await runGit({ gitDir: null, cwd, debug: opts.debug, log: opts.log }, ['init', '--bare', '--quiet', '--template=', dir]);
}

// The reference writes gc.auto=0 on every start; an existing cache (maybe made by the reference,
// or by an older bashbrew) gets it too. Only written when different, to keep the config lock
// out of the way of concurrent starts.
async function ensureGcDisabled(gitDir: string, opts: InitContext): Promise<void> {
  const ctx: GitRunContext = { gitDir, debug: opts.debug, log: opts.log };
  const current = await runGitRaw(ctx, ['config', '--get', 'gc.auto']);
  if (current.code === 0 && current.stdout.toString('utf8').trim() === '0') return;
  const args = ['config', 'gc.auto', '0'];
  const result = await runGitRetrying(ctx, args, { timeoutMs: opts.lockTimeoutMs });
  if (result.code !== 0) throw new GitCommandError(args, result);
}
