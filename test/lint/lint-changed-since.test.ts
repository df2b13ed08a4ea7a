// `bashbrew lint --changed-since REF`: only the library files changed since REF (deleted ones
// skipped), as the official-images CI picks them (issue 6).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixedGitEnv } from '../helpers/git-repos.js';
import { corpusDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: { ...process.env, ...fixedGitEnv() }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('--changed-since: modified and added files are linted, deleted and unchanged ones are not', () => {
  const dir = tempDir('bashbrew-lint-changed-');
  const lib = join(dir, 'library');
  mkdirSync(lib);
  const caddy = readFileSync(join(corpusDir, 'caddy'), 'utf8');
  const bad = caddy.replace('2-alpine, alpine\n', '2-alpine, latest-alpine\n');
  writeFileSync(join(lib, 'caddy'), caddy);
  writeFileSync(join(lib, 'untouched'), bad); // naughty, but not changed: not linted
  writeFileSync(join(lib, 'gone'), caddy);
  git(dir, ['init', '-q', '-b', 'master']);
  git(dir, ['add', '.']);
  git(dir, ['commit', '-q', '-m', 'base']);
  git(dir, ['checkout', '-q', '-b', 'pr']);
  const run = (extra: string[] = []) =>
    bashbrew(['--library', lib, 'lint', '--format', 'json', '--rule', 'latest-tag', '--changed-since', 'master', ...extra], {}, dir);

  const none = bashbrew(['--library', lib, 'lint', '--changed-since', 'master'], {}, dir);
  assert.equal(none.code, 0);
  assert.equal(none.stderr, 'No library/ changes detected, skipping.\n');

  writeFileSync(join(lib, 'caddy'), bad);
  writeFileSync(join(lib, 'added'), bad);
  rmSync(join(lib, 'gone'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'pr']);
  const r = run();
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { repo: string; file: string }[];
  assert.deepEqual(findings.map((f) => [f.repo, f.file]), [['added', 'library/added'], ['caddy', 'library/caddy']]);

  assert.equal(bashbrew(['--library', lib, 'lint', '--changed-since', 'no-such-ref'], {}, dir).code, 2);
});
