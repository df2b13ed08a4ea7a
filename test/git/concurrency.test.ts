// Two bashbrew processes fetching into one cache at the same time: both succeed, and the cache is
// sound afterwards (git's shallow.lock and ref locks are waited for, not failed on).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type FetchRequest } from '../../lib/git/cache.js';
import { git, hasObject, newCache, refs, request, sha, tempCacheDir } from './util.js';

const CACHE_MODULE = new URL('../../lib/git/cache.js', import.meta.url).href;

/** Runs fetches in a separate node process; resolves with its exit code and output. */
function fetchInProcess(cacheDir: string, reqs: FetchRequest[]): Promise<{ code: number | null; out: string }> {
  const script = `
    const { GitCache } = await import(${JSON.stringify(CACHE_MODULE)});
    const c = new GitCache({ cacheDir: ${JSON.stringify(cacheDir)}, debug: false, log: (l) => console.error(l) });
    for (const req of ${JSON.stringify(reqs)}) console.log(await c.fetch(req));
    await c.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (code) => resolve({ code, out }));
  });
}

function assertSound(gitDir: string, pins: Map<string, string>): void {
  assert.equal(git(gitDir, 'rev-parse', '--is-bare-repository').trim(), 'true');
  assert.equal(git(gitDir, 'config', '--get', 'gc.auto').trim(), '0');
  assert.deepEqual(refs(gitDir), pins);
  assert.deepEqual(existsSync(join(gitDir, 'refs', 'remotes')) ? readdirSync(join(gitDir, 'refs', 'remotes')) : [], []);
  assert.ok(!existsSync(join(gitDir, 'shallow.lock')));
  for (const id of pins.values()) assert.ok(hasObject(gitDir, id), id);
  assert.equal(git(gitDir, 'fsck', '--connectivity-only', '--no-dangling').trim(), '');
}

test('two processes fetching different commits into one (new) cache at once', async () => {
  const dir = tempCacheDir();
  const t = newCache(dir);
  try {
    for (let round = 0; round < 3; round++) {
      const labels = [['c100', 'c250'], ['c330', 'c100']][round % 2]!;
      const a = request('longhist', 'refs/heads/main', sha('longhist', labels[0]!), `amd64/longhist/${round}-a`);
      const b = request('osbase', 'refs/heads/dist-i386', sha('osbase', 'i1'), `i386/osbase/${round}-b`);
      const c = request('longhist', 'refs/heads/main', sha('longhist', labels[1]!), `arm64v8/longhist/${round}-c`);
      const d = request('tools', 'refs/tags/v2.0', sha('tools', 'rel'), `amd64/tools/${round}-d`);
      const [p1, p2] = await Promise.all([fetchInProcess(dir, [a, b]), fetchInProcess(dir, [c, d])]);
      assert.equal(p1.code, 0, p1.out);
      assert.equal(p2.code, 0, p2.out);
      assert.deepEqual(p1.out.trim().split('\n'), [a.gitCommit, b.gitCommit]);
      assert.deepEqual(p2.out.trim().split('\n'), [c.gitCommit, d.gitCommit]);
    }
    const gitDir = join(dir, 'git');
    // the first round made every pin; later rounds found the commits present (no pins, no network)
    const pins = new Map([
      ['refs/tags/amd64/longhist/0-a', sha('longhist', 'c100')],
      ['refs/tags/i386/osbase/0-b', sha('osbase', 'i1')],
      ['refs/tags/arm64v8/longhist/0-c', sha('longhist', 'c250')],
      ['refs/tags/amd64/tools/0-d', sha('tools', 'rel')],
      ['refs/tags/amd64/longhist/1-a', sha('longhist', 'c330')],
    ]);
    assertSound(gitDir, pins);
  } finally {
    await t.done();
  }
});

test('many processes fetching at once, some the same commit, some the same pin', async () => {
  const dir = tempCacheDir();
  const t = newCache(dir);
  try {
    const jobs = [
      [request('webapp', 'refs/heads/main', sha('webapp', 'w1'), 'amd64/webapp/latest')],
      [request('webapp', 'refs/heads/main', sha('webapp', 'w1'), 'amd64/webapp/latest')],
      [request('runtime', 'refs/heads/main', sha('runtime', 'r1'), 'amd64/runtime/a'), request('runtime', 'refs/heads/main', sha('runtime', 'r3'), 'amd64/runtime/b')],
      [request('runtime', 'refs/heads/main', sha('runtime', 'r2'), 'amd64/runtime/c')],
      [request('sidecar', 'refs/heads/main', sha('sidecar', 'f2'), 'amd64/sidecar/x')],
      [request('multi', 'refs/heads/main', sha('multi', 'm1'), 'amd64/multi/x')],
    ];
    const results = await Promise.all(jobs.map((reqs) => fetchInProcess(dir, reqs)));
    for (const r of results) assert.equal(r.code, 0, r.out);
    const gitDir = join(dir, 'git');
    const got = refs(gitDir);
    for (const [ref, id] of got) assert.ok(jobs.flat().some((r) => `refs/tags/${r.pinTag}` === ref && r.gitCommit === id), ref);
    for (const r of jobs.flat()) assert.ok(hasObject(gitDir, r.gitCommit));
    assertSound(gitDir, got);
  } finally {
    await t.done();
  }
});

test('in one process, parallel fetches are queued rather than fighting over the shallow lock', async () => {
  const t = newCache(undefined, true);
  try {
    const reqs = ['c100', 'c250', 'c330'].map((l) => request('longhist', 'refs/heads/main', sha('longhist', l), `amd64/longhist/${l}`));
    const got = await Promise.all(reqs.map((r) => t.cache.fetch(r)));
    assert.deepEqual(got, reqs.map((r) => r.gitCommit));
    assert.equal(t.logs.filter((l) => l.includes('"fetch"')).length, 3); // no retries
    assertSound(t.cache.gitDir, new Map(reqs.map((r) => [`refs/tags/${r.pinTag}`, r.gitCommit])));
  } finally {
    await t.done();
  }
});
