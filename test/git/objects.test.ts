// Reading from the cache through the one cat-file process: files (gitShow, spec §4.3) and commit
// times (ArchGitTime).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestCache, expected, newCache, request, sha } from './util.js';
import { parseWhen } from '../../lib/git/objects.js';

let t: TestCache;

before(async () => {
  t = newCache(undefined, true);
  const fetches = [
    request('webapp', 'refs/heads/main', sha('webapp', 'w1')),
    request('sidecar', 'refs/heads/main', sha('sidecar', 's1')),
    request('osbase', 'refs/heads/main', sha('osbase', 'o3')),
    request('osbase', 'refs/heads/dist-i386', sha('osbase', 'i1')),
    request('runtime', 'refs/heads/main', sha('runtime', 'r3')),
    request('multi', 'refs/heads/main', sha('multi', 'm1')),
  ];
  for (const r of fetches) await t.cache.fetch(r);
});

after(async () => {
  await t.done();
});

test('readFile: a Dockerfile at a commit', async () => {
  const df = await t.cache.readFile(sha('osbase', 'o3'), 'bookworm/Dockerfile');
  assert.equal(df?.toString(), 'FROM scratch\nADD rootfs.tar.xz /\nCMD ["bash"]\n');
  const riscv = await t.cache.readFile(sha('osbase', 'o3'), 'sid/riscv64/Dockerfile.riscv64');
  assert.match(riscv!.toString(), /^# riscv64 is only built from sid\nFROM scratch/);
});

test('readFile: a symlinked Dockerfile is followed inside the repository', async () => {
  // links:cli — cli/Dockerfile -> ../ok/Dockerfile
  const s1 = sha('sidecar', 's1');
  assert.equal((await t.cache.readFile(s1, 'cli/Dockerfile'))?.toString(), 'FROM osbase:bookworm\nRUN echo main\n');
  // webapp: apache/Dockerfile.link -> Dockerfile
  const w1 = sha('webapp', 'w1');
  assert.deepEqual(await t.cache.readFile(w1, 'apache/Dockerfile.link'), await t.cache.readFile(w1, 'apache/Dockerfile'));
});

test('readFile without following symlinks reads like go-git\'s Tree.File (the link\'s text)', async () => {
  const s1 = sha('sidecar', 's1');
  const w1 = sha('webapp', 'w1');
  const raw = { followSymlinks: false };
  assert.equal((await t.cache.readFile(s1, 'cli/Dockerfile', raw))?.toString(), '../ok/Dockerfile');
  assert.equal((await t.cache.readFile(s1, 'ok/Dockerfile', raw))?.toString(), 'FROM osbase:bookworm\nRUN echo main\n');
  assert.equal((await t.cache.readFile(w1, 'apache/ünïcödé.txt', raw))?.toString(), 'unicode name\n');
  for (const path of ['apache/nope', 'apache', 'apache/vendor/plugin', 'nope/Dockerfile', 'apache/Dockerfile/x']) {
    assert.equal(await t.cache.readFile(w1, path, raw), null, path);
  }
  await assert.rejects(t.cache.readFile('0123456789abcdef0123456789abcdef01234567', 'Dockerfile', raw), /^Error: object not found$/);
});

test('readFile: missing files, directories, submodules and links to nowhere are no file (null); links out of the repository are an error', async () => {
  const w1 = sha('webapp', 'w1');
  const o3 = sha('osbase', 'o3');
  assert.equal(await t.cache.readFile(o3, 'bullseye/Dockerfile'), null); // broken:nodir
  assert.equal(await t.cache.readFile(o3, 'bookworm/Dockerfile.missing'), null); // broken:nofile
  assert.equal(await t.cache.readFile(o3, 'sid/riscv64/Dockerfile'), null); // broken:archdir
  assert.equal(await t.cache.readFile(o3, 'bookworm'), null);
  assert.equal(await t.cache.readFile(w1, 'apache/vendor/plugin'), null);
  assert.equal(await t.cache.readFile(w1, 'apache/missing'), null); // -> ../does-not-exist
  await assert.rejects(t.cache.readFile(w1, 'apache/latest.log'), /is a symlink pointing outside the repository \("\/var\/log\/apache2\/access.log"\)/);
  assert.equal(await t.cache.readFile(w1, 'apache/Dockerfile/x'), null);
  assert.equal(await t.cache.readFile(w1, 'a\nb'), null);
});

test('readFile: names with spaces and non-ASCII characters', async () => {
  const w1 = sha('webapp', 'w1');
  assert.equal((await t.cache.readFile(w1, 'apache/conf files/my site.conf'))?.toString(), '<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n');
  assert.equal((await t.cache.readFile(w1, 'apache/ünïcödé.txt'))?.toString(), 'unicode name\n');
  assert.equal((await t.cache.readFile(w1, 'apache/empty'))?.length, 0);
});

test('readFile: a commit that is not in the cache is an error', async () => {
  await assert.rejects(t.cache.readFile('0123456789abcdef0123456789abcdef01234567', 'Dockerfile'), /^Error: object not found$/);
});

test('readFile: many reads in parallel share one cat-file process', async () => {
  const o3 = sha('osbase', 'o3');
  const paths = ['bookworm/Dockerfile', 'trixie/Dockerfile', 'nope', 'sid/Dockerfile', 'README.md', 'bookworm/slim/rootfs.tar.xz'];
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.cache.readFile(o3, paths[i % paths.length]!)));
  results.forEach((r, i) => assert.equal(r === null, paths[i % paths.length] === 'nope'));
  assert.equal(results[4]?.toString().split('\n')[0], '# osbase');
  assert.equal(t.logs.filter((l) => l.includes('"cat-file"')).length, 1);
});

test('readFile: large blobs arrive whole', async () => {
  // a blob much larger than a pipe buffer, written into the cache directly
  const { execFileSync } = await import('node:child_process');
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'abcdefghij');
  const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { input: big, env: { ...process.env, GIT_DIR: t.cache.gitDir } }).toString().trim();
  const tree = execFileSync('git', ['mktree'], { input: `100644 blob ${blob}\tbig\n`, env: { ...process.env, GIT_DIR: t.cache.gitDir } }).toString().trim();
  const commit = execFileSync('git', ['commit-tree', tree, '-m', 'big'], {
    env: { ...process.env, GIT_DIR: t.cache.gitDir, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' },
  }).toString().trim();
  const [a, b] = await Promise.all([t.cache.readFile(commit, 'big'), t.cache.readFile(sha('osbase', 'o3'), 'README.md')]);
  assert.ok(a?.equals(big));
  assert.match(b!.toString(), /^# osbase/);
});

test('commitTime: the later of author and committer time', async () => {
  // i1: author 2023-05-05T05:05:05+05:30, committer 2023-05-01T00:00:00+05:30
  assert.equal(await t.cache.commitTime(sha('osbase', 'i1')), Date.parse('2023-05-05T05:05:05+05:30') / 1000);
  // r3: author 2024-01-15T09:30:00+01:00, committer 2024-01-16T10:00:00+01:00
  assert.equal(await t.cache.commitTime(sha('runtime', 'r3')), Date.parse('2024-01-16T10:00:00+01:00') / 1000);
  await assert.rejects(t.cache.commitTime('0123456789abcdef0123456789abcdef01234567'), /object not found/);
});

test('commitWhen: seconds and zone agree with the reference\'s ArchGitTime output', async () => {
  // tpl-gittime-all: "osbase:bookworm i386 2023-05-05 05:05:05 +0530 +0530" etc.
  const lines = expected('tpl-gittime-all.out').split('\n');
  const cases: [string, string, string][] = [
    ['osbase:bookworm i386 ', 'osbase', 'i1'],
    ['osbase:bookworm amd64 ', 'osbase', 'o3'],
    ['runtime:3.12.2-bookworm amd64 ', 'runtime', 'r3'],
    ['webapp:6.4-apache amd64 ', 'webapp', 'w1'],
    ['multi:1.0 amd64 ', 'multi', 'm1'],
  ];
  for (const [prefix, repo, label] of cases) {
    const line = lines.find((l) => l.startsWith(prefix))!;
    const [, date, time, zone] = /^\S+ \S+ (\S+) (\S+) ([+-]\d{4}) /.exec(line)!;
    const when = await t.cache.commitWhen(sha(repo, label));
    assert.equal(when.seconds, Date.parse(`${date}T${time}${zone.slice(0, 3)}:${zone.slice(3)}`) / 1000, line);
    const sign = when.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(when.offsetMinutes);
    assert.equal(`${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`, zone, line);
  }
});

test('commit signatures are read the way go-git reads them', () => {
  assert.deepEqual(parseWhen('A U Thor <a@b> 1700000000 +0530'), { seconds: 1700000000, offsetMinutes: 330, zone: '+0530' });
  assert.deepEqual(parseWhen('A U Thor <a@b> 1700000000 -0700'), { seconds: 1700000000, offsetMinutes: -420, zone: '-0700' });
  // go-git negates the minutes only when the hours are negative: "-0030" reads as +00:30
  assert.deepEqual(parseWhen('A <a@b> 1 -0030'), { seconds: 1, offsetMinutes: 30, zone: '-0030' });
  assert.deepEqual(parseWhen('Name <with> <a@b> 5 +0000'), { seconds: 5, offsetMinutes: 0, zone: '+0000' });
  assert.equal(parseWhen('no time <a@b>').seconds, -62135596800);
});
