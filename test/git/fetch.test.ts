// Fetching (spec §4.2) against the fixture repositories: by id, by GitFetch where the server
// refuses ids, failure texts, pins, the git:// upgrade, memoisation and "already here".
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GitFetchError } from '../../lib/git/cache.js';
import { describeFetchFailure } from '../../lib/git/fetch.js';
import { expected, expectedPins, fixtureUrl, git, hasObject, newCache, refs, request, sha, withGitConfigEnv } from './util.js';

const TEMP = /refs\/remotes\/temp[0-9A-Za-z]+\/temp/g;

/** Go's protocol-v0 view of a server: ids are only wanted where the server allows it. */
function protocolV0(): () => void {
  return withGitConfigEnv({ 'protocol.version': '0' });
}

function assertOnlyTags(gitDir: string): void {
  for (const ref of refs(gitDir).keys()) assert.match(ref, /^refs\/tags\//);
  const remotes = join(gitDir, 'refs', 'remotes');
  assert.deepEqual(existsSync(remotes) ? readdirSync(remotes) : [], [], 'temporary refs left behind');
}

test('fetch by id brings the commit, pins it and leaves no temporary ref', async () => {
  const t = newCache();
  try {
    const a1 = sha('osbase', 'a1');
    const commit = await t.cache.fetch(request('osbase', 'refs/heads/dist-arm64v8', a1, 'arm64v8/osbase/bookworm'));
    assert.equal(commit, a1);
    const gitDir = t.cache.gitDir;
    assert.deepEqual([...refs(gitDir)], [['refs/tags/arm64v8/osbase/bookworm', a1]]);
    assertOnlyTags(gitDir);
    assert.equal(git(gitDir, 'rev-parse', '--is-bare-repository').trim(), 'true');
    assert.equal(git(gitDir, 'config', '--get', 'gc.auto').trim(), '0');
    assert.deepEqual(t.logs, []);
  } finally {
    await t.done();
  }
});

test('a commit already in the cache needs no network at all', async () => {
  const t = newCache();
  try {
    const r3 = sha('runtime', 'r3');
    await t.cache.fetch(request('runtime', 'refs/heads/main', r3));
    await t.cache.close();
    // a new process (a new GitCache) with a repository that does not exist: still found
    const again = newCache(t.dir, true);
    const commit = await again.cache.fetch({ gitRepo: '/nonexistent/repository.git', gitFetch: 'refs/heads/main', gitCommit: r3, pinTag: 'amd64/x/y' });
    assert.equal(commit, r3);
    assert.ok(!again.logs.some((l) => l.includes('"fetch"')), again.logs.join('\n'));
    // like the reference, nothing is pinned on this path
    assert.deepEqual([...refs(t.cache.gitDir).keys()], ['refs/tags/amd64/runtime/test']);
    await again.cache.close();
  } finally {
    await t.done();
  }
});

test('fetches are memoised per process by repo, fetch and commit', async () => {
  const t = newCache(undefined, true);
  try {
    const req = request('tools', 'refs/heads/main', sha('tools', 't3'));
    const [a, b] = await Promise.all([t.cache.fetch(req), t.cache.fetch({ ...req, pinTag: 'other/pin' })]);
    assert.equal(a, b);
    assert.equal(await t.cache.fetch(req), a);
    assert.equal(t.logs.filter((l) => l.includes('"fetch"')).length, 1);
  } finally {
    await t.done();
  }
});

test('a server refusing ids: the GitFetch ref is fetched and deepened until the commit is found', async () => {
  const restore = protocolV0();
  const t = newCache(undefined, true);
  try {
    // a1 is the parent of the dist-arm64v8 tip: not in a depth-1 fetch of the branch
    const a1 = sha('osbase', 'a1');
    assert.equal(await t.cache.fetch(request('osbase', 'refs/heads/dist-arm64v8', a1, 'arm64v8/osbase/bookworm')), a1);
    const fetches = t.logs.filter((l) => l.includes('"fetch"')).map((l) => l.replace(TEMP, 'TEMP'));
    assert.deepEqual(fetches.map((l) => /"--depth=\d+"/.exec(l)?.[0] ?? 'full').join(' '), '"--depth=1" "--depth=1" "--depth=100"');
    assert.match(fetches[0]!, new RegExp(`"\\+${a1}:TEMP"`));
    assert.match(fetches[1]!, /"\+refs\/heads\/dist-arm64v8:TEMP"/);
    assert.deepEqual([...refs(t.cache.gitDir)], [['refs/tags/arm64v8/osbase/bookworm', a1]]);
    assertOnlyTags(t.cache.gitDir);
  } finally {
    restore();
    await t.done();
  }
});

test('a server refusing ids, a commit deep in history: the whole branch in the end', async () => {
  const restore = protocolV0();
  const t = newCache(undefined, true);
  try {
    const c330 = sha('longhist', 'c330');
    const c100 = sha('longhist', 'c100');
    await t.cache.fetch(request('longhist', 'refs/heads/main', c330, 'amd64/longhist/1.330'));
    assert.equal(git(t.cache.gitDir, 'rev-list', '--count', c330).trim(), '1');
    assert.equal(await t.cache.fetch(request('longhist', 'refs/heads/main', c100, 'amd64/longhist/1.100')), c100);
    const last = t.logs.filter((l) => l.includes('"fetch"')).at(-1)!;
    assert.match(last, /"--depth=2147483647"/); // past the shallow boundary of the first fetch
    assert.equal(git(t.cache.gitDir, 'rev-list', '--count', c330).trim(), '330');
  } finally {
    restore();
    await t.done();
  }
});

test('a server allowing reachable ids (sidecar): a side-branch commit by id only', async () => {
  const restore = protocolV0();
  const t = newCache(undefined, true);
  try {
    const f1 = sha('sidecar', 'f1');
    assert.equal(await t.cache.fetch(request('sidecar', 'refs/heads/main', f1, 'amd64/sidecar/feature')), f1);
    assert.equal(t.logs.filter((l) => l.includes('"fetch"')).length, 1);
    assert.ok(!hasObject(t.cache.gitDir, sha('sidecar', 's2')), 'the main branch was not fetched');
  } finally {
    restore();
    await t.done();
  }
});

test('a commit only an annotated tag reaches (GitFetch refs/tags/v2.0)', async () => {
  const restore = protocolV0();
  const t = newCache();
  try {
    const rel = sha('tools', 'rel');
    assert.equal(await t.cache.fetch(request('tools', 'refs/tags/v2.0', rel, 'amd64/tools/2.0')), rel);
    assert.deepEqual([...refs(t.cache.gitDir)], [['refs/tags/amd64/tools/2.0', rel]]);
  } finally {
    restore();
    await t.done();
  }
});

test('a commit that exists nowhere: the reference\'s failure texts, no pin, no temp ref', async () => {
  const t = newCache();
  try {
    const nocommit = '0123456789abcdef0123456789abcdef01234567';
    await t.cache.fetch(request('osbase', 'refs/heads/main', sha('osbase', 'o3'), 'amd64/broken/good'));
    const err = await t.cache.fetch(request('osbase', 'refs/heads/main', nocommit, 'amd64/broken/nocommit')).then(
      () => assert.fail('fetched a commit that does not exist'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GitFetchError);
    const want = expected('fetch-err-broken-all.err').split('\n').slice(1, 3);
    assert.deepEqual(err.failures.map((f) => f.replace(TEMP, 'refs/remotes/temp{RANDOM}/temp')), want);
    assert.equal(err.message, err.failures.join('\n'));
    const pins = expectedPins('fetch-err-broken-all');
    assert.deepEqual(refs(t.cache.gitDir), pins);
    assertOnlyTags(t.cache.gitDir);
    // failures are not memoised
    await assert.rejects(t.cache.fetch(request('osbase', 'refs/heads/main', nocommit)), GitFetchError);
  } finally {
    await t.done();
  }
});

test('a repository that does not exist: "repository not found" for both refspecs', async () => {
  const t = newCache();
  try {
    const o3 = sha('osbase', 'o3');
    const err = await t.cache.fetch({ gitRepo: fixtureUrl('does-not-exist'), gitFetch: 'refs/heads/main', gitCommit: o3, pinTag: 'amd64/broken/norepo' }).then(
      () => assert.fail('fetched from nowhere'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GitFetchError);
    const want = expected('err-from-norepo.err').split('\n').slice(2, 4);
    assert.deepEqual(err.failures.map((f) => f.replace(TEMP, 'refs/remotes/temp{RANDOM}/temp')), want);
    assertOnlyTags(t.cache.gitDir);
  } finally {
    await t.done();
  }
});

test('a GitFetch ref the server does not have', async () => {
  const restore = protocolV0();
  const t = newCache();
  try {
    const err = await t.cache.fetch(request('osbase', 'refs/heads/nope', sha('osbase', 'a1'))).catch((e: unknown) => e);
    assert.ok(err instanceof GitFetchError);
    assert.deepEqual(err.failures.map((f) => f.replace(TEMP, 'TEMP')), [
      `failed fetching "${sha('osbase', 'a1')}:TEMP": server does not support exact SHA1 refspec`,
      'failed fetching "refs/heads/nope:TEMP": couldn\'t find remote ref "refs/heads/nope"',
    ]);
  } finally {
    restore();
    await t.done();
  }
});

test('pins: the refs `fetch` leaves match the reference\'s (fetch-env-arch-arm64v8-osbase, fetch-tag-winapp-linux)', async () => {
  // fetch --arch-filter osbase with arm64v8: three entries, one commit
  {
    const t = newCache();
    try {
      const a1 = sha('osbase', 'a1');
      for (const tag of ['bookworm', 'bookworm-slim', 'trixie']) {
        await t.cache.fetch(request('osbase', 'refs/heads/dist-arm64v8', a1, `arm64v8/osbase/${tag}`));
      }
      const pins = expectedPins('fetch-env-arch-arm64v8-osbase');
      for (const [ref, id] of refs(t.cache.gitDir)) assert.equal(pins.get(ref), id, ref);
      for (const id of pins.values()) assert.ok(hasObject(t.cache.gitDir, id));
    } finally {
      await t.done();
    }
  }
  // fetch winapp:linux: four arches, i386 from another repository
  {
    const t = newCache();
    try {
      const h1 = sha('winapp', 'h1');
      for (const arch of ['amd64', 'arm32v7', 'arm64v8']) {
        // one fetch (memoised after the first), like the reference
        assert.equal(await t.cache.fetch(request('winapp', 'refs/heads/main', h1, `${arch}/winapp/linux`)), h1);
      }
      await t.cache.fetch(request('osbase', 'refs/heads/dist-i386', sha('osbase', 'i1'), 'i386/winapp/linux'));
      assert.deepEqual(refs(t.cache.gitDir).get('refs/tags/i386/winapp/linux'), sha('osbase', 'i1'));
      const pins = expectedPins('fetch-tag-winapp-linux');
      for (const [ref, id] of refs(t.cache.gitDir)) assert.equal(pins.get(ref), id, ref);
      assertOnlyTags(t.cache.gitDir);
    } finally {
      await t.done();
    }
  }
});

test('a pin replaces an existing tag of the same name', async () => {
  const t = newCache();
  try {
    await t.cache.fetch(request('runtime', 'refs/heads/main', sha('runtime', 'r1'), 'amd64/runtime/3.12'));
    await t.cache.fetch(request('runtime', 'refs/heads/main', sha('runtime', 'r2'), 'amd64/runtime/3.12'));
    assert.equal(refs(t.cache.gitDir).get('refs/tags/amd64/runtime/3.12'), sha('runtime', 'r2'));
    // the pin name is normalised
    await t.cache.fetch(request('runtime', 'refs/heads/main', sha('runtime', 'r3'), 'amd64/my ns/runtime/3.12..x.lock'));
    assert.equal(refs(t.cache.gitDir).get('refs/tags/amd64/my-ns/runtime/3.12-x-'), sha('runtime', 'r3'));
  } finally {
    await t.done();
  }
});

test('git://github.com/ URLs: a warning, then https://', async () => {
  // https://github.com/bars/ is redirected to the fixtures, so success proves the rewrite
  const restore = withGitConfigEnv({ 'url.file:///tmp/bars-git/.insteadOf': 'https://github.com/bars/' });
  const t = newCache();
  try {
    const o1 = sha('osbase', 'o1');
    const req = { gitRepo: 'git://github.com/bars/osbase.git', gitFetch: 'refs/heads/main', gitCommit: o1, pinTag: 'amd64/osbase/old' };
    assert.equal(await t.cache.fetch(req), o1);
    assert.deepEqual(t.logs, ['warning: insecure protocol git:// detected: git://github.com/bars/osbase.git']);
    // only on the network path
    const again = newCache(t.dir);
    assert.equal(await again.cache.fetch(req), o1);
    assert.deepEqual(again.logs, []);
    await again.cache.close();
  } finally {
    restore();
    await t.done();
  }
});

test('GitCommit FETCH_HEAD (legacy): the fetched ref is kept as a tag named after the fetch key', async () => {
  const t = newCache();
  try {
    const req = { gitRepo: fixtureUrl('osbase'), gitFetch: 'refs/heads/dist-i386', gitCommit: 'FETCH_HEAD', pinTag: 'i386/osbase/legacy' };
    const i1 = sha('osbase', 'i1');
    assert.equal(await t.cache.fetch(req), i1);
    const all = refs(t.cache.gitDir);
    assert.equal(all.get('refs/tags/file-/tmp/bars-git/osbase.git-refs/heads/dist-i386-FETCH_HEAD'), i1);
    assert.equal(all.get('refs/tags/i386/osbase/legacy'), i1);
    const again = newCache(t.dir);
    assert.equal(await again.cache.fetch({ ...req, gitRepo: fixtureUrl('osbase') }), i1);
    await again.cache.close();
  } finally {
    await t.done();
  }
});

test('fetch errors keep the reference\'s wording where go-git has its own', () => {
  const r = (stderr: string) => describeFetchFailure({ code: 128, signal: null, stderr });
  assert.equal(r('fatal: remote error: upload-pack: not our ref 0123456789abcdef0123456789abcdef01234567\n'), 'server does not support exact SHA1 refspec');
  assert.equal(r('error: Server does not allow request for unadvertised object 0123\n'), 'server does not support exact SHA1 refspec');
  assert.equal(r("fatal: '/x.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure\n"), 'repository not found');
  assert.equal(r("remote: Repository not found.\nfatal: repository 'https://github.com/a/b/' not found\n"), 'repository not found');
  assert.equal(r('fatal: couldn\'t find remote ref refs/heads/nope\n'), 'couldn\'t find remote ref "refs/heads/nope"');
  assert.equal(r("fatal: could not read Username for 'https://github.com': terminal prompts disabled\n"), 'authentication required');
  assert.equal(r("fatal: unable to access 'https://x.invalid/': Could not resolve host: x.invalid\n"), "unable to access 'https://x.invalid/': Could not resolve host: x.invalid");
  assert.equal(r(''), 'exit status 128');
});

test('the cache holds only refs under refs/tags/ after many fetches', async () => {
  const t = newCache();
  try {
    const reqs = [
      request('webapp', 'refs/heads/main', sha('webapp', 'w1'), 'amd64/webapp/6.4-apache'),
      request('multi', 'refs/heads/main', sha('multi', 'm1'), 'amd64/multi/1.0'),
      request('sidecar', 'refs/heads/main', sha('sidecar', 'f2'), 'amd64/sidecar/feature-tip'),
      request('tools', 'refs/tags/v2.0', sha('tools', 'rel'), 'amd64/tools/2.0'),
      request('runtime', 'refs/heads/main', sha('runtime', 'r2'), 'amd64/runtime/3.13.0-trixie'),
    ];
    await Promise.all(reqs.map((r) => t.cache.fetch(r)));
    const pins = expectedPins('fetch-plain-all');
    const got = refs(t.cache.gitDir);
    assert.equal(got.size, reqs.length);
    for (const [ref, id] of got) assert.equal(pins.get(ref), id, ref);
    assertOnlyTags(t.cache.gitDir);
    assert.equal(git(t.cache.gitDir, 'fsck', '--connectivity-only', '--no-dangling').trim(), '');
  } finally {
    await t.done();
  }
});
