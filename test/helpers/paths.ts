// Where the shared spec and corpus live (beside the repository, see DEVELOPERS.md).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from build/test/..., compiled). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const specDir = resolve(process.env.BASHBREW_SPEC_DIR ?? join(repoRoot, '../shared/spec'));
export const corpusDir = resolve(process.env.BASHBREW_CORPUS_DIR ?? join(repoRoot, '../shared/corpus/official-images/library'));
export const binPath = join(repoRoot, 'bin/bashbrew');

if (!existsSync(specDir)) {
  throw new Error(`the shared spec is missing at ${specDir} (set BASHBREW_SPEC_DIR)`);
}
