// The scrubbed context tar (spec §4.6.2): byte-identical with the reference (the SHA-256s the
// reference printed for the graph cases), and its errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type TestCache, expected, newCache, request, sha } from './util.js';

let t: TestCache;

before(() => {
  t = newCache();
});

after(async () => {
  await t.done();
});

// Each reference case, and the repository, GitFetch, commit and Directory its library entry
// names for that architecture (graph-cases/library*/).
const CASES: [caseId: string, repo: string, gitFetch: string, label: string, dir: string][] = [
  ['ctx-sha-osbase-trixie-arm64v8', 'osbase', 'refs/heads/dist-arm64v8', 'a1', 'trixie'],
  ['ctx-sha-osbase-slim-i386', 'osbase', 'refs/heads/dist-i386', 'i1', 'bookworm/slim'],
  ['ctx-sha-winapp-linux-i386', 'osbase', 'refs/heads/dist-i386', 'i1', 'bookworm/slim'],
  ['ctx-sha-osbase-sid-riscv64', 'osbase', 'refs/heads/main', 'o3', 'sid/riscv64'],
  ['ctx-sha-webapp-apache', 'webapp', 'refs/heads/main', 'w1', 'apache'],
  ['ctx-sha-tools-2.0', 'tools', 'refs/tags/v2.0', 'rel', 'release'],
  ['ctx-sha-sidecar-feature', 'sidecar', 'refs/heads/main', 'f1', 'ok'],
  ['ctx-sha-multi-root', 'multi', 'refs/heads/main', 'm1', '.'],
  ['ctx-sha-links-cli', 'sidecar', 'refs/heads/main', 's1', 'cli'],
  // `context` without --sha256: the .out file holds the SHA-256 of the tar printed
  ['ctx-raw-osbase-bookworm', 'osbase', 'refs/heads/main', 'o3', 'bookworm'],
  ['ctx-raw-osbase-trixie-arm64v8', 'osbase', 'refs/heads/dist-arm64v8', 'a1', 'trixie'],
  ['ctx-raw-osbase-slim-i386', 'osbase', 'refs/heads/dist-i386', 'i1', 'bookworm/slim'],
  ['ctx-raw-osbase-sid-riscv64', 'osbase', 'refs/heads/main', 'o3', 'sid/riscv64'],
  ['ctx-raw-webapp-apache', 'webapp', 'refs/heads/main', 'w1', 'apache'],
  ['ctx-raw-winapp-linux', 'winapp', 'refs/heads/main', 'h1', 'linux'],
  ['ctx-raw-links-cli', 'sidecar', 'refs/heads/main', 's1', 'cli'],
];

for (const [caseId, repo, gitFetch, label, dir] of CASES) {
  test(`scrubbed tar equals the reference's: ${caseId}`, async () => {
    const commit = await t.cache.fetch(request(repo, gitFetch, sha(repo, label)));
    const tar = await t.cache.scrubbedTar(commit, dir);
    const want = expected(`${caseId}.out`).trim();
    assert.equal(createHash('sha256').update(tar).digest('hex'), want);
    assert.equal(await t.cache.scrubbedTarSha256(commit, dir), want);
  });
}

test('scrubbed tar: ArchGitChecksum of both links entries (tpl-checksum-edge)', async () => {
  const s1 = await t.cache.fetch(request('sidecar', 'refs/heads/main', sha('sidecar', 's1')));
  const lines = expected('tpl-checksum-edge.out').trim().split('\n');
  assert.deepEqual(lines, [
    `links:cli amd64 ${await t.cache.scrubbedTarSha256(s1, 'cli')}`,
    `links:ok amd64 ${await t.cache.scrubbedTarSha256(s1, 'ok')}`,
  ]);
});

test('scrubbed tar: a directory that does not exist reads like the reference (ctx-err-nodir)', async () => {
  const o3 = await t.cache.fetch(request('osbase', 'refs/heads/main', sha('osbase', 'o3')));
  const want = expected('ctx-err-nodir.err').trim().replace(/^error: /, '');
  await assert.rejects(t.cache.scrubbedTar(o3, 'bullseye'), { message: want });
  await assert.rejects(t.cache.scrubbedTar(o3, 'bullseye/deeper'), { message: 'Tree(".").FindEntry("bullseye/deeper"): directory not found' });
  await assert.rejects(t.cache.scrubbedTar(o3, 'bookworm/Dockerfile'), { message: '"bookworm/Dockerfile" is not a directory' });
  await assert.rejects(t.cache.scrubbedTar(o3, 'bookworm/Dockerfile/x'), { message: 'Tree(".").FindEntry("bookworm/Dockerfile/x"): object not found' });
  await assert.rejects(t.cache.scrubbedTar(o3, 'trixie/'), { message: 'sub trixie/: invalid argument' });
  await assert.rejects(t.cache.scrubbedTar(o3, '../x'), { message: 'sub ../x: invalid argument' });
  await assert.rejects(t.cache.scrubbedTar('0123456789abcdef0123456789abcdef01234567', '.'), { message: 'object not found' });
});

test('scrubbed tar: what it holds (names, modes, links, submodule, no end-of-archive blocks)', async () => {
  const w1 = await t.cache.fetch(request('webapp', 'refs/heads/main', sha('webapp', 'w1')));
  const tar = await t.cache.scrubbedTar(w1, 'apache');
  assert.equal(tar.length % 512, 0);
  assert.ok(!tar.subarray(-512).equals(Buffer.alloc(512)), 'ends with an empty block');
  const listing = execFileSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' }).trim().split('\n');
  const entries = listing.map((l) => {
    const m = /^(\S+) 0\/0 +(\d+) 1970-01-01 00:00 (.*)$/.exec(l);
    assert.ok(m !== null, l);
    return `${m[1]} ${m[2]} ${m[3]}`;
  });
  // entries sorted by byte-wise name ("conf" < "conf files" < "conf-default" < "conf.d-readme"),
  // unlike git's tree order, which sorts a directory as "conf/" (after "conf.d-readme")
  const names = entries.map((e) => e.split(' ').slice(2).join(' '));
  assert.deepEqual(names.filter((n) => n.startsWith('conf')), ['conf/', 'conf/site.conf', 'conf files/', 'conf files/my site.conf', 'conf-default', 'conf.d-readme']);
  assert.ok(entries.includes('-rw-rw-r-- 390 Dockerfile'));
  assert.ok(entries.includes('-rwxrwxr-x 49 docker-entrypoint.sh'));
  assert.ok(entries.includes('lrwxrwxrwx 0 Dockerfile.link -> Dockerfile'));
  assert.ok(entries.includes('lrwxrwxrwx 0 latest.log -> /var/log/apache2/access.log'));
  assert.ok(entries.includes('lrwxrwxrwx 0 missing -> ../does-not-exist'));
  assert.ok(entries.includes('drwxrwxr-x 0 vendor/plugin/'), 'a submodule is an empty directory');
  assert.ok(entries.includes('-rw-rw-r-- 13 ünïcödé.txt'));
  assert.ok(entries.includes(`-rw-rw-r-- 10 ${'x'.repeat(120)}.txt`));
  assert.ok(names.includes('a/very/deeply/nested/directory/structure/that/goes/on/and/on/for/quite/a/while/until/it/is/long/file.txt'));
  // the chunks are the tar
  const chunks: Buffer[] = [];
  for await (const c of t.cache.scrubbedTarChunks(w1, 'apache')) chunks.push(c);
  assert.ok(Buffer.concat(chunks).equals(tar));
});

/** A throw-away repository with the given files (symlinks as { link }), committed at a fixed date. */
function makeRepo(files: Record<string, string | { link: string } | { exec: string }>): { url: string; commit: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bashbrew-tar-test-'));
  const env = {
    ...process.env, GIT_DIR: undefined, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@t',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  };
  const g = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'core.symlinks=true', ...args], { env, encoding: 'utf8' }).trim();
  g('init', '-q');
  for (const [path, content] of Object.entries(files)) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof content === 'string') writeFileSync(p, content);
    else if ('link' in content) symlinkSync(content.link, p);
    else {
      writeFileSync(p, content.exec);
      chmodSync(p, 0o755);
    }
  }
  g('add', '-A');
  g('commit', '-q', '-m', 'test');
  return { url: `file://${dir}`, commit: g('rev-parse', 'HEAD'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('scrubbed tar: symlinked directories, links leaving the repository, PAX headers', async () => {
  const longTarget = 'target/' + 'y'.repeat(120);
  const repo = makeRepo({
    'real/dir/file': 'content\n',
    'real/dir/run.sh': { exec: '#!/bin/sh\n' },
    'link-dir': { link: 'real/dir' },
    'up': { link: '../outside' },
    'abs': { link: '/etc' },
    'ctx/long-link': { link: longTarget },
    'ctx/ünï-link': { link: 'tärget' },
    [`ctx/${'n'.repeat(100)}`]: 'exactly one hundred\n',
    [`ctx/${'d'.repeat(60)}/${'e'.repeat(60)}/f`]: 'split into prefix and name\n',
  });
  try {
    const commit = await t.cache.fetch({ gitRepo: repo.url, gitFetch: 'refs/heads/master', gitCommit: repo.commit, pinTag: 'amd64/tar/test' });
    // gitfs.Sub follows a symlinked Directory
    assert.ok((await t.cache.scrubbedTar(commit, 'link-dir')).equals(await t.cache.scrubbedTar(commit, 'real/dir')));
    await assert.rejects(t.cache.scrubbedTar(commit, 'up'), { message: 'unsupported: "up" is a relative symlink outside the tree ("../outside")' });
    await assert.rejects(t.cache.scrubbedTar(commit, 'abs'), { message: 'unsupported: "abs" is an absolute symlink ("/etc")' });
    const listing = execFileSync('tar', ['-tvf', '-'], { input: await t.cache.scrubbedTar(commit, 'ctx'), encoding: 'utf8' });
    assert.match(listing, new RegExp(`lrwxrwxrwx 0/0 +0 1970-01-01 00:00 long-link -> ${longTarget}\n`));
    assert.match(listing, /lrwxrwxrwx 0\/0 +0 1970-01-01 00:00 ünï-link -> tärget\n/);
    assert.match(listing, new RegExp(` ${'n'.repeat(100)}\n`));
    assert.match(listing, new RegExp(` ${'d'.repeat(60)}/${'e'.repeat(60)}/f\n`));
    const root = execFileSync('tar', ['-tf', '-'], { input: await t.cache.scrubbedTar(commit, '.'), encoding: 'utf8' }).split('\n');
    assert.deepEqual(root.slice(0, 4), ['abs', 'ctx/', `ctx/${'d'.repeat(60)}/`, `ctx/${'d'.repeat(60)}/${'e'.repeat(60)}/`]);
  } finally {
    repo.cleanup();
  }
});
