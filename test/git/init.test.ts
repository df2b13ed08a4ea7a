// The cache repository: bare, gc.auto=0, created once, safe when several processes start at once.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { git, newCache, tempCacheDir } from './util.js';

const CACHE_MODULE = new URL('../../lib/git/cache.js', import.meta.url).href;

function assertCacheRepo(gitDir: string): void {
  assert.equal(git(gitDir, 'rev-parse', '--is-bare-repository').trim(), 'true');
  assert.equal(git(gitDir, 'config', '--get', 'gc.auto').trim(), '0');
  assert.equal(git(gitDir, 'for-each-ref').trim(), '');
}

test('ensureInit creates a bare repository with gc.auto=0 under <cache>/git', async () => {
  const parent = tempCacheDir();
  const t = newCache(join(parent, 'not', 'yet', 'there'));
  try {
    const gitDir = await t.cache.ensureInit();
    assert.equal(gitDir, join(t.dir, 'git'));
    assert.equal(t.cache.gitDir, gitDir);
    assertCacheRepo(gitDir);
    // nothing left over from the private directory it was made in
    assert.deepEqual(readdirSync(t.dir), ['git']);
  } finally {
    await t.done();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('ensureInit is idempotent and keeps what the repository holds', async () => {
  const t = newCache();
  try {
    const gitDir = await t.cache.ensureInit();
    git(gitDir, 'config', 'bashbrew.test', 'kept');
    const again = newCache(t.dir);
    assert.equal(await again.cache.ensureInit(), gitDir);
    assert.equal(await again.cache.ensureInit(), gitDir);
    await again.cache.close();
    assert.equal(git(gitDir, 'config', '--get', 'bashbrew.test').trim(), 'kept');
    assertCacheRepo(gitDir);
  } finally {
    await t.done();
  }
});

test('ensureInit turns gc.auto off in an existing cache (one the reference or an older version made)', async () => {
  const dir = tempCacheDir();
  const gitDir = join(dir, 'git');
  execFileSync('git', ['init', '--bare', '--quiet', gitDir], { env: { ...process.env, GIT_DIR: undefined } });
  const t = newCache(dir);
  try {
    await t.cache.ensureInit();
    assertCacheRepo(gitDir);
  } finally {
    await t.done();
  }
});

test('ensureInit makes a repository of an empty or a non-empty plain directory', async () => {
  for (const content of [false, true]) {
    const dir = tempCacheDir();
    mkdirSync(join(dir, 'git'));
    if (content) writeFileSync(join(dir, 'git', 'stray-file'), 'x');
    const t = newCache(dir);
    try {
      await t.cache.ensureInit();
      assertCacheRepo(join(dir, 'git'));
    } finally {
      await t.done();
    }
  }
});

test('concurrent ensureInit calls in one process share the work', async () => {
  const t = newCache(undefined, true);
  try {
    const dirs = await Promise.all([t.cache.ensureInit(), t.cache.ensureInit(), t.cache.ensureInit()]);
    assert.deepEqual(new Set(dirs), new Set([t.cache.gitDir]));
    assert.equal(t.logs.filter((l) => l.includes('"init"')).length, 1);
  } finally {
    await t.done();
  }
});

test('eight processes initialising one cache at once all succeed and leave one sound repository', async () => {
  const dir = tempCacheDir();
  try {
    const script = `
      const { GitCache } = await import(${JSON.stringify(CACHE_MODULE)});
      const c = new GitCache({ cacheDir: ${JSON.stringify(dir)}, debug: false, log: () => {} });
      console.log(await c.ensureInit());
      await c.close();`;
    const runs = Array.from({ length: 8 }, () => new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('close', (code) => resolve({ code, out }));
    }));
    for (const r of await Promise.all(runs)) {
      assert.equal(r.code, 0, r.out);
      assert.equal(r.out.trim(), join(dir, 'git'));
    }
    assertCacheRepo(join(dir, 'git'));
    assert.deepEqual(readdirSync(dir), ['git']);
    assert.ok(!existsSync(join(dir, 'git', 'config.lock')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
