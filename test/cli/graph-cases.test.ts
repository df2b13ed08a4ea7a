// The reference's recorded git and graph command lines (../shared/spec/graph-cases) over the
// deterministic fixture repositories: identical stdout and exit code, stderr where stable, and the
// cache layout (bare, gc.auto=0, only pin refs) where marked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureGitFixtures } from '../helpers/git-fixtures.js';
import { binPath, specDir } from '../helpers/paths.js';

test('every graph case matches the reference tool', { timeout: 900_000 }, () => {
  ensureGitFixtures();
  const run = spawnSync(process.execPath, [join(specDir, 'run-cases.mjs'), binPath, 'graph-cases', '--verbose'],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, `graph cases failed:\n${run.stdout.slice(-30000)}${run.stderr}`);
});
