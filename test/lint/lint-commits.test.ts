// `bashbrew lint --rule commit-fetchable --rule commit-ancestor` (L5a, L5b) over a real git repo
// with a branch that is not merged (issue 6).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commitTree, initBare, libraryFile, setRef } from '../helpers/git-repos.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

test('commit rules: an unfetchable GitFetch, a commit not on its GitFetch ref; clean entries pass', () => {
  const dir = tempDir('bashbrew-lint-commits-');
  const git = initBare(join(dir, 'foo.git'));
  const c1 = commitTree(git, { Dockerfile: 'FROM scratch\n' }, { time: 1700000000 });
  const c2 = commitTree(git, { Dockerfile: 'FROM scratch\nCOPY a /\n', a: 'a' }, { parents: [c1], time: 1700000100 });
  const c3 = commitTree(git, { Dockerfile: 'FROM scratch\nCOPY b /\n', b: 'b' }, { parents: [c1], time: 1700000200 });
  setRef(git, 'refs/heads/main', c2);
  setRef(git, 'refs/heads/pr', c3);
  mkdirSync(join(dir, 'library'));
  writeFileSync(join(dir, 'library', 'foo'), libraryFile(`file://${git}`, [
    `Tags: old\nGitCommit: ${c1}`,
    `Tags: tip\nGitCommit: ${c2}`,
    `Tags: pr-only\nGitCommit: ${c3}`,
    `Tags: pr-ok\nGitCommit: ${c3}\nGitFetch: refs/heads/pr`,
    `Tags: typo\nGitCommit: ${c2}\nGitFetch: refs/heads/mian`,
  ], { GitFetch: 'refs/heads/main' }));
  const run = (format: string) => bashbrew(['--library', join(dir, 'library'), 'lint', '--format', format,
    '--rule', 'commit-fetchable', '--rule', 'commit-ancestor', 'foo'], {}, dir);
  const r = run('json');
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { rule: string; tag: string; line: number; message: string }[];
  assert.deepEqual(findings.map((f) => [f.rule, f.tag, f.line, f.message]), [
    ['commit-fetchable', 'typo', 20, 'unable to to fetch specified GitFetch: refs/heads/mian'],
    ['commit-ancestor', 'pr-only', 12, 'is not in the specified ref GitFetch: refs/heads/main'],
  ]);
  assert.match(r.stderr, /warning: commit-ancestor: skipped foo:typo \[amd64\]/);
  const text = run('text');
  assert.equal(text.stdout, '\nUnpleasant commits detected:\n\n - foo:\n' +
    `   - commit ${c2}:\n     - unable to to fetch specified GitFetch: refs/heads/mian\n` +
    `   - commit ${c3}:\n     - is not in the specified ref GitFetch: refs/heads/main\n\n`);
});

test('large-tarball: history commits that modify a binary *.tar* over 2 MiB; adding one is fine', () => {
  const dir = tempDir('bashbrew-lint-tarball-');
  const git = initBare(join(dir, 'img.git'));
  const blob = (seed: number, size: number) => {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = (i * seed + (i >> 10)) & 0xff; // has NULs: binary
    return b;
  };
  const big1 = blob(7, 3 * 1024 * 1024 + 5);
  const big2 = blob(13, 4 * 1024 * 1024);
  const c1 = commitTree(git, { Dockerfile: 'FROM scratch\nADD rootfs.tar.xz /\n', 'rootfs.tar.xz': big1, 'small.tar': blob(3, 1000) }, { time: 1700000000 });
  const c2 = commitTree(git, { Dockerfile: 'FROM scratch\nADD rootfs.tar.xz /\n', 'rootfs.tar.xz': big2, 'small.tar': blob(5, 1000) }, { parents: [c1], time: 1700000100 });
  const c3 = commitTree(git, { Dockerfile: 'FROM scratch\nADD rootfs.tar.xz /\n', 'rootfs.tar.xz': big2, 'small.tar': blob(5, 1000), 'README': 'x' }, { parents: [c2], time: 1700000200 });
  setRef(git, 'refs/heads/main', c3);
  mkdirSync(join(dir, 'library'));
  writeFileSync(join(dir, 'library', 'img'), libraryFile(`file://${git}`, [`Tags: new\nGitCommit: ${c3}`], { GitFetch: 'refs/heads/main' }));
  writeFileSync(join(dir, 'library', 'first'), libraryFile(`file://${git}`, [`Tags: first\nGitCommit: ${c1}`], { GitFetch: 'refs/heads/main' }));
  const run = (format: string, repo: string) => bashbrew(['--library', join(dir, 'library'), 'lint', '--format', format, '--rule', 'large-tarball', repo], {}, dir);
  const r = run('json', 'img');
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { rule: string; tag: string; line: number; message: string }[];
  assert.deepEqual(findings.map((f) => [f.rule, f.tag, f.line, f.message]), [
    ['large-tarball', 'new', 6, `modified binary file (larger than 2MB): rootfs.tar.xz (4MB) (commit ${c2}, in history of ${c3})`],
  ]);
  const text = run('text', 'img');
  assert.equal(text.stdout, `\nUnpleasant commits detected:\n\n - img:\n   - commit ${c2} (in history of ${c3}):\n` +
    '     - modified binary file (larger than 2MB): rootfs.tar.xz (4MB)\n\n');
  // the commit that only adds the tarball is clean
  const clean = run('json', 'first');
  assert.deepEqual(JSON.parse(clean.stdout), []);
  assert.equal(clean.code, 0);
});
