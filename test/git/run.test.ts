// The git runner (argument arrays, the cache's environment, the reference's failure format) and
// tag-name normalisation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalisePinTag } from '../../lib/git/cache.js';
import { GitCommandError, debugLine, gitEnv, isLockContention, runGit } from '../../lib/git/run.js';
import { newCache } from './util.js';

test('a failing git command reads like the reference\'s external-command errors', async () => {
  const t = newCache();
  try {
    const gitDir = await t.cache.ensureInit();
    const err = await runGit({ gitDir, debug: false, log: () => {} }, ['rev-parse', '--verify', 'no such thing']).catch((e: unknown) => e);
    assert.ok(err instanceof GitCommandError);
    assert.equal(err.message, 'exit status 128\ncommand: git ["rev-parse" "--verify" "no such thing"]\nfatal: Needed a single revision\n');
  } finally {
    await t.done();
  }
});

test('arguments go to git as they are (no shell)', async () => {
  const t = newCache();
  try {
    const gitDir = await t.cache.ensureInit();
    const ctx = { gitDir, debug: false, log: () => {} };
    await runGit(ctx, ['config', 'bashbrew.odd', '$(touch /tmp/pwned) `x` "q" \'s\' ; | & *']);
    assert.equal((await runGit(ctx, ['config', '--get', 'bashbrew.odd'])).toString(), '$(touch /tmp/pwned) `x` "q" \'s\' ; | & *\n');
  } finally {
    await t.done();
  }
});

test('debug lines are Go %q lists; a URL\'s password is not shown', () => {
  assert.equal(debugLine(['archive', '--format=tar', 'abc:dir/']), '$ git ["archive" "--format=tar" "abc:dir/"]');
  assert.equal(debugLine(['x\ty', 'ü"\\']), '$ git ["x\\ty" "ü\\"\\\\"]');
  assert.equal(debugLine(['fetch', 'https://user:secret@example.com/r.git']), '$ git ["fetch" "https://user:***@example.com/r.git"]');
});

test('the environment: no prompts, C locale, GIT_DIR of the cache, inherited repository variables dropped', () => {
  const saved = { ...process.env };
  try {
    process.env.GIT_WORK_TREE = '/somewhere';
    process.env.GIT_INDEX_FILE = '/somewhere/index';
    process.env.GIT_CONFIG_COUNT = '1';
    const env = gitEnv('/cache/git');
    assert.equal(env.GIT_DIR, '/cache/git');
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.LC_ALL, 'C');
    assert.equal(env.GIT_WORK_TREE, undefined);
    assert.equal(env.GIT_INDEX_FILE, undefined);
    assert.equal(env.GIT_CONFIG_COUNT, '1'); // config through the environment (CI credentials) stays
    assert.equal(gitEnv(null).GIT_DIR, undefined);
  } finally {
    process.env = saved;
  }
});

test('lock contention is recognised (and only lock contention)', () => {
  assert.ok(isLockContention("fatal: Unable to create '/c/git/shallow.lock': File exists.\n\nAnother git process seems to be running"));
  assert.ok(isLockContention("error: cannot lock ref 'refs/tags/a': Unable to create '/c/git/refs/tags/a.lock': File exists."));
  assert.ok(isLockContention('fatal: shallow file has changed since we read it'));
  assert.ok(isLockContention('error: could not lock config file config: File exists'));
  assert.ok(!isLockContention("error: cannot lock ref 'refs/tags/a/b': 'refs/tags/a' exists; cannot create 'refs/tags/a/b'"));
  assert.ok(!isLockContention('fatal: remote error: upload-pack: not our ref 0123'));
});

test('normalisePinTag (gitNormalizeForTagUsage)', () => {
  assert.equal(normalisePinTag('amd64/hello-world/latest'), 'amd64/hello-world/latest');
  assert.equal(normalisePinTag('arm64v8/tianon/foo/1.0'), 'arm64v8/tianon/foo/1.0');
  assert.equal(normalisePinTag('https://github.com/foo/bar.git\nrefs/heads/main\nFETCH_HEAD'), 'https-/github.com/foo/bar.git-refs/heads/main-FETCH_HEAD');
  assert.equal(normalisePinTag('a/.hidden/b'), 'a-hidden/b');
  assert.equal(normalisePinTag('a/b.lock/c.lock'), 'a/b-c-');
  assert.equal(normalisePinTag('a..b...c'), 'a-b-c');
  assert.equal(normalisePinTag('/lead/trail/.'), '-lead/trail-');
  assert.equal(normalisePinTag('.x'), '-x');
  assert.equal(normalisePinTag('a//b///c'), 'a/b/c');
  assert.equal(normalisePinTag('a b\tc:d~e^f?g*h[i\\j'), 'a-b-c-d-e-f-g-h-i-j');
  assert.equal(normalisePinTag('ünï/cödé'), '-n-/c-d-');
  assert.equal(normalisePinTag('amd64/x/@{u}'), 'amd64/x/-u-');
});
