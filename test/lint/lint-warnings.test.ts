// Skip warnings of `bashbrew lint`: repeats of one (rule, cause) counted after a few, distinct causes all shown,
// `--debug` prints every line; the FROM rules name git's error instead of the reference's entry dump (issue 6).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MultiError, wrap } from '../../lib/errors.js';
import { causeKey, skipCause, summariseWarnings } from '../../lib/lint/warnings.js';
import { freePort, libraryFile } from '../helpers/git-repos.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

const offline = (repo: string, host = 'github.com') =>
  `cannot fetch commit ${'a'.repeat(40)} from https://${host}/x/${repo}.git: failed fetching "${'a'.repeat(40)}:refs/remotes/temp${repo}/temp": ` +
  `unable to access 'https://${host}/x/${repo}.git/': Could not resolve host: ${host}`;

test('summariseWarnings: a few per (rule, cause), then a count in place of the next; other causes and warnings kept', () => {
  const warnings = [
    `dockerfile-missing: skipped a:1 [amd64]: ${offline('a')}`,
    `dockerfile-missing: skipped a:1 [arm64v8]: ${offline('a')}`,
    'something else\nwith a second line',
    `dockerfile-missing: skipped b:1 [amd64]: ${offline('b')}`,
    `dockerfile-missing: skipped c:1 [amd64]: ${offline('c')}`,
    `dockerfile-missing: skipped d:2 [amd64]: ${offline('d')}`,
    // another host: another problem, shown
    `dockerfile-missing: skipped e:1 [amd64]: ${offline('e', 'gitlab.example')}`,
    // same cause, another rule: its own group
    `buildkit-syntax: skipped a:1 [amd64]: ${offline('a')}`,
    // a different error text: shown
    `dockerfile-missing: skipped f:1 [amd64]: cannot fetch commit ${'b'.repeat(40)} from https://github.com/x/f.git: fatal: remote error: not our ref`,
  ];
  assert.deepEqual(summariseWarnings(warnings, 2), [
    `dockerfile-missing: skipped a:1 [amd64]: ${offline('a')}`,
    `dockerfile-missing: skipped a:1 [arm64v8]: ${offline('a')}`,
    'something else; with a second line',
    'dockerfile-missing: … and 3 more skipped for the same cause (3 repos; --debug prints every line)',
    `dockerfile-missing: skipped e:1 [amd64]: ${offline('e', 'gitlab.example')}`,
    `buildkit-syntax: skipped a:1 [amd64]: ${offline('a')}`,
    `dockerfile-missing: skipped f:1 [amd64]: cannot fetch commit ${'b'.repeat(40)} from https://github.com/x/f.git: fatal: remote error: not our ref`,
  ]);
  // refs (GitFetch and temporary ones), commits and URL paths do not make a new cause; hosts and error texts do
  assert.equal(causeKey(offline('a')), causeKey(offline('zz')));
  assert.equal(causeKey('cannot fetch refs/heads/8 from https://github.com/a/b.git'), causeKey('cannot fetch refs/tags/v1 from https://github.com/c/d'));
  assert.notEqual(causeKey(offline('a')), causeKey(offline('a', 'gitlab.example')));
});

test('skipCause: git\'s error instead of "failed fetching Git repo for arch … from entry <the whole entry>"', () => {
  const err = wrap('failed fetching Git repo for arch "amd64" from entry "Maintainers: x\\nTags: 1\\n…"',
    new MultiError([new Error('failed fetching "abc:refs/remotes/t/temp": Could not resolve host: github.com'), new Error('failed fetching "refs/heads/main:refs/remotes/t/temp": Could not resolve host: github.com')]));
  assert.equal(skipCause(err), 'failed fetching "abc:refs/remotes/t/temp": Could not resolve host: github.com; ' +
    'failed fetching "refs/heads/main:refs/remotes/t/temp": Could not resolve host: github.com');
  assert.equal(skipCause(new Error('plain\nerror')), 'plain; error');
});

test('lint: unreachable git repo: skips counted after three per rule, every one with --debug', async () => {
  const dir = tempDir('bashbrew-lint-warnings-');
  // nothing listens there: git fails fast with "connection refused"
  const url = `http://127.0.0.1:${await freePort()}/foo.git`;
  mkdirSync(join(dir, 'library'));
  writeFileSync(join(dir, 'library', 'foo'), libraryFile(url, ['1', '2', '3', '4', '5'].map((t) => `Tags: ${t}\nDirectory: ${t}`),
    { GitFetch: 'refs/heads/main', GitCommit: 'c'.repeat(40), Architectures: 'amd64, arm64v8' }));
  const run = (...globals: string[]) => bashbrew([...globals, '--library', join(dir, 'library'), 'lint', '--format', 'json',
    '--rule', 'dockerfile-missing,from-architectures', 'foo'], {}, dir);
  const warningLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: '));

  const r = run();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '[]\n');
  const lines = warningLines(r.stderr);
  assert.equal(lines.length, 8, r.stderr);
  for (const rule of ['dockerfile-missing', 'from-architectures']) {
    const own = lines.filter((l) => l.startsWith(`warning: ${rule}: `));
    assert.equal(own.length, 4);
    assert.match(own[0]!, new RegExp(`^warning: ${rule}: skipped foo:1 \\[amd64\\]: .*127\\.0\\.0\\.1`));
    assert.equal(own[3], `warning: ${rule}: … and 7 more skipped for the same cause (1 repo; --debug prints every line)`);
  }
  // the FROM rules say why, not the reference's dump of the whole entry
  assert.doesNotMatch(r.stderr, /from entry/);

  const all = warningLines(run('--debug').stderr);
  assert.equal(all.length, 20);
  assert.ok(!all.some((l) => l.includes('more skipped')));
});
