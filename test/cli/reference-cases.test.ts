// The reference's recorded command lines (../shared/spec/reference-cases): identical stdout, exit
// code and stderr, through the real `bin/bashbrew`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { binPath, specDir } from '../helpers/paths.js';

test('every reference case matches the reference tool byte for byte', { timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, [join(specDir, 'run-cases.mjs'), binPath, 'reference-cases', '--verbose'],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  const summary = run.stdout.split('\n').filter((l) => /^\S+: \d+\/\d+$|passed, \d+ failed/.test(l)).join('\n');
  assert.equal(run.status, 0, `reference cases failed:\n${run.stdout.slice(-20000)}${run.stderr}`);
  assert.match(summary, / 0 failed/);
});
