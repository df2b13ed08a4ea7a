// The docker build context (spec §4.6.1): git's own tar of COMMIT:DIR/, streamed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { type TestCache, newCache, request, sha } from './util.js';

let t: TestCache;
let w1: string;
let m1: string;

before(async () => {
  t = newCache(undefined, true);
  w1 = await t.cache.fetch(request('webapp', 'refs/heads/main', sha('webapp', 'w1')));
  m1 = await t.cache.fetch(request('multi', 'refs/heads/main', sha('multi', 'm1')));
});

after(async () => {
  await t.done();
});

async function collect(stream: Readable): Promise<{ data: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { data: Buffer.concat(chunks), chunks: chunks.length };
}

test('archive: the Directory\'s contents as git archive makes them, echoed in debug', async () => {
  t.logs.length = 0;
  const stream = t.cache.archive(w1, 'apache');
  assert.ok(stream instanceof Readable);
  const { data } = await collect(stream);
  const exit = await stream.exit;
  assert.equal(exit.code, 0);
  assert.deepEqual(t.logs, [`$ git ["archive" "--format=tar" "${w1}:apache/"]`]);
  const direct = execFileSync('git', ['archive', '--format=tar', `${w1}:apache/`], { env: { ...process.env, GIT_DIR: t.cache.gitDir }, maxBuffer: 1 << 26 });
  // git stamps the archive of a tree (COMMIT:DIR/) with the current time, so compare everything
  // but the mtime fields (12 bytes at offset 136 of each header) and the header checksums
  assert.equal(data.length, direct.length);
  const listing = (tar: Buffer) => execFileSync('tar', ['-tvf', '-', '--numeric-owner'], { input: tar, encoding: 'utf8' })
    .split('\n').map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d/, 'TIME'));
  assert.deepEqual(listing(data), listing(direct));
  const names = execFileSync('tar', ['-tf', '-'], { input: data, encoding: 'utf8' }).trim().split('\n');
  assert.ok(names.includes('Dockerfile'));
  assert.ok(names.includes('docker-entrypoint.sh'));
  assert.ok(!names.some((n) => n.startsWith('apache/')), 'the context root is the Directory');
});

test('archive: Directory "." is the whole tree (COMMIT:)', async () => {
  t.logs.length = 0;
  const stream = t.cache.archive(m1, '.');
  const names = execFileSync('tar', ['-tf', '-'], { input: (await collect(stream)).data, encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(t.logs, [`$ git ["archive" "--format=tar" "${m1}:"]`]);
  assert.ok(names.includes('Dockerfile'));
  assert.ok(names.includes('alt/Dockerfile.alt'));
});

test('archive: streamed, not buffered (git waits for the reader)', async () => {
  // a context larger than a pipe buffer: git cannot finish until the stream is read
  const { execFileSync: run } = await import('node:child_process');
  const env = { ...process.env, GIT_DIR: t.cache.gitDir, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' };
  const blob = run('git', ['hash-object', '-w', '--stdin'], { input: Buffer.alloc(4 << 20, 'z'), env }).toString().trim();
  const tree = run('git', ['mktree'], { input: `100644 blob ${blob}\tbig\n`, env }).toString().trim();
  const commit = run('git', ['commit-tree', tree, '-m', 'big'], { env }).toString().trim();
  const stream = t.cache.archive(commit, '.');
  let exited = false;
  void stream.exit.then(() => { exited = true; });
  await new Promise((resolve) => stream.once('readable', resolve));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(exited, false, 'git finished before its output was read: buffered somewhere');
  const { data } = await collect(stream);
  assert.equal((await stream.exit).code, 0);
  assert.ok(data.length > 4 << 20);
});

test('archive: a missing directory ends the stream empty; git\'s failure is in exit, not thrown', async () => {
  const stream = t.cache.archive(w1, 'nope');
  const { data } = await collect(stream);
  assert.equal(data.length, 0);
  const exit = await stream.exit;
  assert.equal(exit.code, 128);
  assert.match(exit.stderr, /not a valid object name|not a tree object/);
});
