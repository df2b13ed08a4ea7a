// Shallow by default: a fetch brings the pinned commit and not its history (longhist has 330
// commits); deepen() completes the history on demand.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { git, newCache, request, sha, withGitConfigEnv } from './util.js';

function objectBytes(gitDir: string): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else total += st.size;
    }
  };
  walk(join(gitDir, 'objects'));
  return total;
}

test('a fetch is shallow: one commit of longhist, not 250', async () => {
  const t = newCache();
  try {
    const c250 = sha('longhist', 'c250');
    await t.cache.fetch(request('longhist', 'refs/heads/main', c250, 'amd64/longhist/1.250'));
    const gitDir = t.cache.gitDir;
    assert.equal(git(gitDir, 'rev-parse', '--is-shallow-repository').trim(), 'true');
    assert.equal(git(gitDir, 'rev-list', '--count', c250).trim(), '1');
    assert.equal(git(gitDir, 'rev-list', '--all', '--count').trim(), '1');
    // the tree is complete, so reading works as with a full clone
    assert.equal((await t.cache.readFile(c250, 'VERSION'))?.toString(), '1.250\n');
  } finally {
    await t.done();
  }
});

test('several shallow fetches of one repository: each commit alone', async () => {
  const t = newCache();
  try {
    for (const label of ['c100', 'c250', 'c330']) {
      await t.cache.fetch(request('longhist', 'refs/heads/main', sha('longhist', label), `amd64/longhist/${label}`));
    }
    assert.equal(git(t.cache.gitDir, 'rev-list', '--all', '--count').trim(), '3');
    assert.equal(git(t.cache.gitDir, 'fsck', '--connectivity-only', '--no-dangling').trim(), '');
  } finally {
    await t.done();
  }
});

test('deepen() fetches the complete history of one commit, and only when it is cut off', async () => {
  const t = newCache(undefined, true);
  try {
    const c250 = sha('longhist', 'c250');
    const c330 = sha('longhist', 'c330');
    await t.cache.fetch(request('longhist', 'refs/heads/main', c250, 'amd64/longhist/1.250'));
    await t.cache.fetch(request('longhist', 'refs/heads/main', c330, 'amd64/longhist/1.330'));
    const small = objectBytes(t.cache.gitDir);
    await t.cache.deepen(c250);
    const gitDir = t.cache.gitDir;
    assert.equal(git(gitDir, 'rev-list', '--count', c250).trim(), '250');
    // (the server lifts c330's boundary too: the protocol deepens every boundary it can reach)
    assert.equal(git(gitDir, 'rev-parse', '--is-shallow-repository').trim(), 'false');
    assert.ok(objectBytes(gitDir) > small);
    const fetches = t.logs.filter((l) => l.includes('"fetch"')).length;
    await t.cache.deepen(c250); // complete already: nothing to do
    assert.equal(t.logs.filter((l) => l.includes('"fetch"')).length, fetches);
    assert.equal(git(gitDir, 'fsck', '--connectivity-only', '--no-dangling').trim(), '');
    for (const ref of git(gitDir, 'for-each-ref', '--format=%(refname)').trim().split('\n')) assert.match(ref, /^refs\/tags\//);
  } finally {
    await t.done();
  }
});

test('deepen() by the GitFetch ref when the server refuses ids', async () => {
  const restore = withGitConfigEnv({ 'protocol.version': '0' });
  const t = newCache();
  try {
    const o3 = sha('osbase', 'o3');
    await t.cache.fetch(request('osbase', 'refs/heads/main', o3));
    assert.equal(git(t.cache.gitDir, 'rev-list', '--count', o3).trim(), '1');
    await t.cache.deepen(o3);
    assert.equal(git(t.cache.gitDir, 'rev-list', '--count', o3).trim(), '3');
  } finally {
    restore();
    await t.done();
  }
});

test('deepen() needs to know where a commit came from', async () => {
  const t = newCache();
  try {
    await assert.rejects(t.cache.deepen(sha('osbase', 'o3')), /don't know where Git commit/);
    // ... unless told
    await t.cache.fetch({ ...request('osbase', 'refs/heads/main', sha('osbase', 'o3')) });
    const fresh = newCache(t.dir);
    await fresh.cache.deepen(sha('osbase', 'o3'), { gitRepo: 'file:///tmp/bars-git/osbase.git', gitFetch: 'refs/heads/main' });
    assert.equal(git(t.cache.gitDir, 'rev-list', '--count', sha('osbase', 'o3')).trim(), '3');
    await fresh.cache.close();
  } finally {
    await t.done();
  }
});
