// `--changed-since REF`: the library files that differ between REF and HEAD in the git repo holding
// the library directory (`git diff --no-renames --diff-filter=d REF...HEAD`, deleted files skipped),
// as the official-images CI (naughty.sh) picks them.
import { spawnSync } from 'node:child_process';

export class ChangedSinceError extends Error {}

/** Names of the changed files directly in `library` (sorted, as git prints them). */
export function changedLibraryFiles(library: string, ref: string): string[] {
  const run = spawnSync('git', ['-C', library, 'diff', '--no-renames', '--diff-filter=d', '--name-only', '--relative',
    '-z', `${ref}...HEAD`, '--', '.'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.error !== undefined) throw new ChangedSinceError(`git: ${run.error.message}`);
  if (run.status !== 0) throw new ChangedSinceError(`git diff ${ref}...HEAD failed: ${run.stderr.trim()}`);
  return run.stdout.split('\0').filter((p) => p !== '' && !p.includes('/'));
}
