// `bashbrew fetch` against a real `git daemon` on 127.0.0.1 (git:// transport, spec §4.2): the
// pinned commit is no branch tip, so only a fetch by id finds it at once. Served twice, from
// identical repositories: once refusing ids a protocol-v0 client did not see advertised (the
// default), once with uploadpack.allowReachableSHA1InWant. Which path a fetch took is read from
// the `--debug` echo of each git command and from the daemon's own log of its connections.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempDir } from '../helpers/run-cli.js';
import {
  type GitDaemon, bashbrewTimed, commitTree, debugGitCommands, fixedGitEnv, gitRun, initBare, libraryFile, setRef,
  startGitDaemon,
} from '../helpers/git-repos.js';

/** Forces the client (git under bashbrew) to protocol v0, where wants are checked against refs. */
const PROTOCOL_V0: Record<string, string> = {
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'protocol.version',
  GIT_CONFIG_VALUE_0: '0',
};

const TEMP_REF = /^\+?(.+):refs\/remotes\/temp[0-9A-Za-z]+\/temp$/;
const COMMITS = 5;
/** Index of the pinned commit: two commits behind the tip of main. */
const PINNED = 2;

interface Served {
  daemon: GitDaemon;
  /** git://127.0.0.1:PORT/repo.git */
  url: string;
}

const roots: string[] = [];
let history: string[] = [];
let strict: Served;
let allowing: Served;

/** Five commits on main, each changing img/Dockerfile; the same ids every time. */
function buildRepository(gitDir: string): string[] {
  initBare(gitDir);
  const ids: string[] = [];
  for (let i = 0; i < COMMITS; i++) {
    ids.push(commitTree(gitDir, { 'img/Dockerfile': `FROM busybox:1.${i}\n`, 'img/hello.txt': `hello ${i}\n` }, {
      parents: ids.length > 0 ? [ids[ids.length - 1]!] : [],
      time: 1700000000 + i * 3600,
      message: `commit ${i}`,
    }));
  }
  setRef(gitDir, 'refs/heads/main', ids[ids.length - 1]!);
  return ids;
}

async function serve(allowReachableSHA1InWant: boolean): Promise<Served> {
  const base = tempDir('bashbrew-daemon-');
  roots.push(base);
  const gitDir = join(base, 'serve', 'repo.git');
  const ids = buildRepository(gitDir);
  if (history.length === 0) history = ids;
  assert.deepEqual(ids, history, 'both served repositories must hold the same commits');
  if (allowReachableSHA1InWant) gitRun(gitDir, ['config', 'uploadpack.allowReachableSHA1InWant', 'true']);
  const cwd = join(base, 'cwd');
  initBare(join(cwd, 'unused.git')); // makes the directory; the daemon only needs to start there
  const daemon = await startGitDaemon(join(base, 'serve'), cwd);
  return { daemon, url: `${daemon.url}repo.git` };
}

before(async () => {
  strict = await serve(false);
  allowing = await serve(true);
});

after(async () => {
  await Promise.all([strict?.daemon.stop(), allowing?.daemon.stop()]);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function pinned(): string {
  return history[PINNED]!;
}

/** A library with repo "repo": one entry pinned to `commit`, GitFetch refs/heads/main. */
function library(url: string, commit: string, tag = 'pinned'): string {
  const lib = tempDir('bashbrew-daemon-lib-');
  roots.push(lib);
  writeFileSync(join(lib, 'repo'), libraryFile(url, [`Tags: ${tag}\nGitCommit: ${commit}\nDirectory: img`], { GitFetch: 'refs/heads/main' }));
  return lib;
}

function newCache(): string {
  const dir = tempDir('bashbrew-daemon-cache-');
  roots.push(dir);
  return dir;
}

/** An empty bare repository for plain git commands. */
function scratchRepository(): string {
  return initBare(join(newCache(), 'scratch.git'));
}

/** The fetch commands of a --debug run: [refspec source, depth argument or "full"]. */
function fetchesOf(stderr: string): [string, string][] {
  return debugGitCommands(stderr, 'fetch').map((args) => {
    const refspec = args[args.length - 1]!;
    const m = TEMP_REF.exec(refspec);
    assert.ok(m !== null, `fetch into something else than a temporary ref: ${refspec}`);
    const depth = args.find((a) => a.startsWith('--depth='));
    return [m[1]!, depth ?? 'full'];
  });
}

function cacheGit(cache: string, ...args: string[]): string {
  return gitRun(join(cache, 'git'), args).trim();
}

/** The refs of the cache: `REF COMMIT` lines. */
function cacheRefs(cache: string): string[] {
  return cacheGit(cache, 'for-each-ref', '--format=%(refname) %(objectname)').split('\n').filter((l) => l !== '');
}

function assertNoTemporaryRefs(cache: string): void {
  assert.equal(cacheGit(cache, 'for-each-ref', 'refs/remotes'), '', 'temporary refs left behind');
  const remotes = join(cache, 'git', 'refs', 'remotes');
  assert.deepEqual(existsSync(remotes) ? readdirSync(remotes) : [], [], 'temporary ref directories left behind');
}

/** The upload-pack requests the daemon served since `from` (an offset in its log). */
function requests(log: string, from = 0): { count: number; v2: number } {
  const part = log.slice(from);
  return {
    count: (part.match(/Request upload-pack for '\/repo\.git'/g) ?? []).length,
    v2: (part.match(/Extended attribute "protocol": version=2/g) ?? []).length,
  };
}

test('the served repository: the pinned commit is no branch tip, and v0 wants of it need allowReachableSHA1InWant', async () => {
  // what the server advertises: main (and HEAD) at the last commit only
  const advertised = gitRun(scratchRepository(), ['ls-remote', strict.url]).trim().split('\n').sort();
  assert.deepEqual(advertised, [`${history[COMMITS - 1]}\tHEAD`, `${history[COMMITS - 1]}\trefs/heads/main`]);
  assert.ok(!advertised.some((l) => l.startsWith(pinned())));

  // plain git, protocol v0, wanting the pinned id: the strict server refuses, the other serves it
  const attempt = (url: string) => {
    const dir = scratchRepository();
    try {
      gitRun(dir, ['fetch', '--depth=1', url, `+${pinned()}:refs/tags/probe`], { env: { ...fixedGitEnv(), ...PROTOCOL_V0 } });
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };
  assert.match(attempt(strict.url), /does not allow request for unadvertised object|not our ref/);
  assert.equal(attempt(allowing.url), 'ok');
  // (let the daemons' logs of these connections arrive before the next test counts requests)
  await Promise.all([strict.daemon.settledLog(), allowing.daemon.settledLog()]);
});

for (const which of ['strict', 'allowing'] as const) {
  test(`(a) default protocol, ${which} server: the non-tip commit is fetched by id, shallowly, at once`, async () => {
    const served = which === 'strict' ? strict : allowing;
    const cache = newCache();
    const logStart = (await served.daemon.settledLog()).length;
    const r = bashbrewTimed(['--debug', 'fetch', 'repo'], { BASHBREW_LIBRARY: library(served.url, pinned()), BASHBREW_CACHE: cache });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(fetchesOf(r.stderr), [[pinned(), '--depth=1']], r.stderr);
    assert.match(r.stderr, new RegExp(`^DEBUG: fetched ${pinned()} \\("repo:pinned", "amd64"\\)$`, 'm'));

    assert.equal(cacheGit(cache, 'cat-file', '-t', pinned()), 'commit');
    assert.deepEqual(cacheRefs(cache), [`refs/tags/amd64/repo/pinned ${pinned()}`]);
    assert.equal(cacheGit(cache, 'rev-parse', '--is-shallow-repository'), 'true');
    assert.equal(cacheGit(cache, 'rev-list', '--count', pinned()), '1');
    // nothing of the commits after it came along
    for (const later of history.slice(PINNED + 1)) assert.throws(() => cacheGit(cache, 'cat-file', '-e', later));
    assert.equal(cacheGit(cache, 'show', `${pinned()}:img/Dockerfile`), `FROM busybox:1.${PINNED}`);
    assertNoTemporaryRefs(cache);

    const served1 = requests(await served.daemon.settledLog(), logStart);
    assert.deepEqual(served1, { count: 1, v2: 1 }, 'one protocol-v2 request');
  });
}

test('(b) protocol v0, strict server: the id is refused, the GitFetch ref (deepened) finds the commit', async () => {
  const cache = newCache();
  const lib = library(strict.url, pinned());
  const logStart = (await strict.daemon.settledLog()).length;
  const r = bashbrewTimed(['--debug', 'fetch', 'repo'], { BASHBREW_LIBRARY: lib, BASHBREW_CACHE: cache, ...PROTOCOL_V0 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  // by id (refused), then main at depth 1 (the tip only: not yet), then depth 100 (found)
  assert.deepEqual(fetchesOf(r.stderr), [
    [pinned(), '--depth=1'],
    ['refs/heads/main', '--depth=1'],
    ['refs/heads/main', '--depth=100'],
  ], r.stderr);
  assert.match(r.stderr, new RegExp(`^DEBUG: fetched ${pinned()} \\("repo:pinned", "amd64"\\)$`, 'm'));
  assert.doesNotMatch(r.stderr, /^failed/m);

  assert.equal(cacheGit(cache, 'cat-file', '-t', pinned()), 'commit');
  assert.equal(cacheGit(cache, 'show', `${pinned()}:img/Dockerfile`), `FROM busybox:1.${PINNED}`);
  assert.deepEqual(cacheRefs(cache), [`refs/tags/amd64/repo/pinned ${pinned()}`]);
  assert.equal(cacheGit(cache, 'rev-parse', 'refs/tags/amd64/repo/pinned'), pinned());
  assertNoTemporaryRefs(cache);

  const log = await strict.daemon.settledLog();
  assert.deepEqual(requests(log, logStart), { count: 3, v2: 0 }, 'three protocol-v0 requests');

  // the commit is in the cache now: another run needs the server no more
  const logAgain = log.length;
  const again = bashbrewTimed(['--debug', 'from', 'repo'], { BASHBREW_LIBRARY: lib, BASHBREW_CACHE: cache, ...PROTOCOL_V0 });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `repo:pinned: busybox:1.${PINNED}\n`);
  assert.deepEqual(debugGitCommands(again.stderr, 'fetch'), []);
  assert.equal(requests(await strict.daemon.settledLog(), logAgain).count, 0);
});

test('(c) protocol v0, server with allowReachableSHA1InWant: the id is fetched at once, shallowly', async () => {
  const cache = newCache();
  const logStart = (await allowing.daemon.settledLog()).length;
  const r = bashbrewTimed(['--debug', 'fetch', 'repo'], { BASHBREW_LIBRARY: library(allowing.url, pinned()), BASHBREW_CACHE: cache, ...PROTOCOL_V0 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(fetchesOf(r.stderr), [[pinned(), '--depth=1']], r.stderr);
  assert.equal(cacheGit(cache, 'cat-file', '-t', pinned()), 'commit');
  assert.deepEqual(cacheRefs(cache), [`refs/tags/amd64/repo/pinned ${pinned()}`]);
  assert.equal(cacheGit(cache, 'rev-parse', '--is-shallow-repository'), 'true');
  assert.equal(cacheGit(cache, 'rev-list', '--count', pinned()), '1');
  assertNoTemporaryRefs(cache);
  assert.deepEqual(requests(await allowing.daemon.settledLog(), logStart), { count: 1, v2: 0 }, 'one protocol-v0 request');
});

test('protocol v0, strict server, a commit that exists nowhere: every attempt in the error, cache still usable', async () => {
  const cache = newCache();
  const gone = 'c0ffee'.repeat(6) + 'c0ff';
  const r = bashbrewTimed(['--debug', 'fetch', 'repo'], { BASHBREW_LIBRARY: library(strict.url, gone, 'gone'), BASHBREW_CACHE: cache, ...PROTOCOL_V0 });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  // by id, then main ever deeper, down to its whole history
  assert.deepEqual(fetchesOf(r.stderr), [
    [gone, '--depth=1'],
    ['refs/heads/main', '--depth=1'],
    ['refs/heads/main', '--depth=100'],
    ['refs/heads/main', 'full'],
  ], r.stderr);
  const errors = r.stderr.split('\n').filter((l) => !l.startsWith('$ git ') && l !== '')
    .map((l) => l.replace(/temp[0-9A-Za-z]+\/temp/g, 'TEMP'));
  assert.deepEqual(errors, [
    'failed fetching git repo for "repo" (tags "gone" on arch "amd64")',
    `failed fetching "${gone}:refs/remotes/TEMP": server does not support exact SHA1 refspec`,
    `failed finding Git commit "${gone}" after fetching "refs/heads/main:refs/remotes/TEMP": object not found`,
  ]);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\.(m?js|ts):\d+/, 'stack trace on stderr');
  assertNoTemporaryRefs(cache);
  assert.deepEqual(cacheRefs(cache), []);

  // the same cache still works for a good entry (the failed full fetch of main brought its
  // commits along, so this one is found without the network and, like the reference, not pinned)
  const ok = bashbrewTimed(['--debug', 'from', 'repo'], { BASHBREW_LIBRARY: library(strict.url, pinned()), BASHBREW_CACHE: cache, ...PROTOCOL_V0 });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `repo:pinned: busybox:1.${PINNED}\n`);
  assert.equal(cacheGit(cache, 'cat-file', '-t', pinned()), 'commit');
  assertNoTemporaryRefs(cache);
});
