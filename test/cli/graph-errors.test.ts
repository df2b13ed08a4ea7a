// Bad input for the graph commands (fetch, from, parents, children, list --build-order, context):
// a clear error naming the repo and tags (or repo:tag), the arch and what was tried; exit 1;
// nothing on stdout for the failing entry; no stack trace; and a cache that still works
// afterwards (a good entry fetches, no temporary refs, no stale locks). Repositories are made
// here with fixed dates (test/helpers/git-repos.ts), so commit ids are stable.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempDir } from '../helpers/run-cli.js';
import { bashbrewTimed, commitTree, gitRun, initBare, libraryFile, setRef } from '../helpers/git-repos.js';

const ARCH = 'amd64';
const NOWHERE = 'deadbeef'.repeat(5);
const UNREACHABLE = '1234567890'.repeat(4);
const TEMP_REF = /refs\/remotes\/temp[0-9A-Za-z]+\/temp/g;
const STACK = /\n\s+at .*\.(m?js|ts):\d+/;

const roots: string[] = [];
let repoUrl = '';
/** The commit with the small test directories. */
let small = '';
/** The commit with the large Dockerfiles (a root commit of its own, on refs/heads/big). */
let big = '';
/** 20 MB of ordinary lines: its FROMs, in order. */
const bigFroms: string[] = [];

function bigDockerfile(): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 20 * 1024 * 1024; i++) {
    let line: string;
    if (i % 5000 === 0) {
      const n = i / 5000;
      line = n % 2 === 0 ? `FROM debian:bookworm-${n} AS stage${n}\n` : `COPY --from=stage${n - 1} /a /b\n`;
      bigFroms.push(n % 2 === 0 ? `debian:bookworm-${n}` : `debian:bookworm-${n - 1}`);
    } else {
      line = `RUN echo "line ${i}" && true ${'-'.repeat(40)} \\\n    && : \n`;
    }
    parts.push(line);
    size += line.length;
  }
  return parts.join('');
}

before(() => {
  const base = tempDir('bashbrew-graph-errors-');
  roots.push(base);
  const gitDir = initBare(join(base, 'repo.git'));
  repoUrl = `file://${gitDir}`;
  small = commitTree(gitDir, {
    'good/Dockerfile': 'FROM busybox:1.36\n',
    'good/hello.txt': 'hello\n',
    'link/Dockerfile': { symlink: '../../outside/Dockerfile' },
    'abslink/Dockerfile': { symlink: '/etc/passwd' },
    'inlink/Dockerfile': { symlink: '../good/Dockerfile' },
    'nofrom/Dockerfile': 'FROM busybox\nRUN true\nFROM\n',
    'fromcont/Dockerfile': 'FROM busybox\nFROM \\\n',
    'copyneg/Dockerfile': 'FROM busybox AS one\nFROM debian\nCOPY --from=-1 /x /y\n',
    'mountneg/Dockerfile': 'FROM busybox\nRUN --mount=type=bind,from=-1,target=/x true\n',
    'a/Dockerfile': 'FROM cycb:latest\n',
    'b/Dockerfile': 'FROM cyca:latest\n',
  }, { message: 'small' });
  setRef(gitDir, 'refs/heads/main', small);
  big = commitTree(gitDir, {
    'big/Dockerfile': bigDockerfile(),
    'long/Dockerfile': `FROM busybox\nRUN echo ${'y'.repeat(70 * 1024)}\nFROM debian\n`,
    // the longest line Go's bufio.Scanner takes: 65535 bytes before the "\n"
    'edge/Dockerfile': `FROM busybox\nRUN ${'z'.repeat(65535 - 4)}\nFROM debian\n`,
    'edge1/Dockerfile': `FROM busybox\nRUN ${'z'.repeat(65536 - 4)}\nFROM debian\n`,
    // a Latin-1 (not UTF-8) line of 30000 bytes, and a FROM with a non-UTF-8 byte
    'latin1/Dockerfile': Buffer.concat([Buffer.from('FROM busybox\nRUN echo '), Buffer.alloc(30000, 0xe9), Buffer.from('\nFROM debian\n')]),
    'latin1from/Dockerfile': Buffer.concat([Buffer.from('FROM caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
  }, { message: 'big', time: 1700003600 });
  setRef(gitDir, 'refs/heads/big', big);
});

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Library files (name → entries), each with the global paragraph; "good" is always there. */
function library(files: Record<string, string[]>, gitRepo = repoUrl): string {
  const lib = tempDir('bashbrew-graph-errors-lib-');
  roots.push(lib);
  const all: Record<string, string[]> = { good: [`Tags: latest\nGitCommit: ${small}\nDirectory: good`], ...files };
  for (const [name, entries] of Object.entries(all)) {
    writeFileSync(join(lib, name), libraryFile(gitRepo, entries, { GitFetch: 'refs/heads/main' }));
  }
  return lib;
}

function newCache(): string {
  const dir = tempDir('bashbrew-graph-errors-cache-');
  roots.push(dir);
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(args: string[], lib: string, cache: string, timeoutMs = 60_000): Run {
  const r = bashbrewTimed(args, { BASHBREW_LIBRARY: lib, BASHBREW_CACHE: cache }, timeoutMs);
  assert.ok(!r.timedOut, `bashbrew ${args.join(' ')} did not end within ${timeoutMs} ms (stdout so far: ${r.stdout.slice(0, 500)})`);
  return r;
}

/** stderr with the random temporary ref names replaced by TEMP. */
function stableStderr(r: Run): string {
  return r.stderr.replace(TEMP_REF, 'refs/remotes/TEMP');
}

/**
 * Exit 1, `stdout` exactly (default: nothing), no stack trace, and stderr exactly these lines
 * (strings) or matching them (regular expressions, anchored per line).
 */
function assertFailure(r: Run, lines: (string | RegExp)[], stdout = ''): void {
  const where = `stderr:\n${r.stderr}`;
  assert.equal(r.code, 1, where);
  assert.equal(r.stdout, stdout, where);
  assert.doesNotMatch(r.stderr, STACK, 'stack trace on stderr');
  const got = stableStderr(r).split('\n');
  assert.equal(got.pop(), '', `stderr must end in a newline: ${where}`);
  assert.equal(got.length, lines.length, where);
  lines.forEach((want, i) => {
    if (typeof want === 'string') assert.equal(got[i], want, where);
    else assert.match(got[i]!, new RegExp(`^(?:${want.source})$`), where);
  });
}

/** The cache: a good entry fetches into it, no temporary refs, no locks left behind. */
function assertCacheUsable(lib: string, cache: string): void {
  const r = run(['--debug', 'fetch', 'good'], lib, cache);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^DEBUG: fetched ${small} \\("good:latest", "amd64"\\)$`, 'm'));
  const gitDir = join(cache, 'git');
  assert.equal(gitRun(gitDir, ['cat-file', '-t', small]).trim(), 'commit');
  assert.equal(gitRun(gitDir, ['for-each-ref', 'refs/remotes']), '', 'temporary refs left behind');
  const remotes = join(gitDir, 'refs', 'remotes');
  assert.deepEqual(existsSync(remotes) ? readdirSync(remotes) : [], [], 'temporary ref directories left behind');
  const locks = (readdirSync(gitDir, { recursive: true }) as string[]).filter((p) => p.endsWith('.lock'));
  assert.deepEqual(locks, [], 'lock files left behind');
  const from = run(['from', 'good'], lib, cache);
  assert.equal(from.code, 0, from.stderr);
  assert.equal(from.stdout, 'good:latest: busybox:1.36\n');
}

/** `failed fetching Git repo for arch "amd64" from entry "…"` for one entry of the library. */
function entryLine(gitRepo: string, tags: string, commit: string, dir: string): string {
  return `failed fetching Git repo for arch "${ARCH}" from entry "Maintainers: Test (@test)\\nTags: ${tags}\\n` +
    `Architectures: ${ARCH}\\nGitRepo: ${gitRepo}\\nGitFetch: refs/heads/main\\nGitCommit: ${commit}\\n` +
    `Directory: ${dir}\\nFile: Dockerfile"`;
}

const scraping = (repo: string, tags: string, arch = ARCH) => `failed fetching/scraping FROM for "${repo}" (tags "${tags}", arch "${arch}")`;
const fetching = (repo: string, tags: string, arch = ARCH) => `failed fetching git repo for "${repo}" (tags "${tags}" on arch "${arch}")`;

test('an unreachable repository, with a commit not in the cache', () => {
  const gitRepo = 'file:///nonexistent/repo.git';
  const lib = library({ unreach: [`Tags: 1.0, 1\nGitRepo: ${gitRepo}\nGitCommit: ${UNREACHABLE}\nDirectory: good`] });
  const cache = newCache();
  const tried = [
    `failed fetching "${UNREACHABLE}:refs/remotes/TEMP": repository not found`,
    'failed fetching "refs/heads/main:refs/remotes/TEMP": repository not found',
  ];
  const entry = entryLine(gitRepo, '1.0, 1', UNREACHABLE, 'good');
  assertFailure(run(['fetch', 'unreach'], lib, cache), [fetching('unreach', '1.0, 1'), ...tried]);
  assertFailure(run(['from', 'unreach'], lib, cache), [scraping('unreach', '1.0, 1'), entry, ...tried]);
  assertFailure(run(['parents', 'unreach:1'], lib, cache), [scraping('unreach', '1.0, 1'), entry, ...tried]);
  assertFailure(run(['children', 'good'], lib, cache), [scraping('unreach', '1.0, 1'), entry, ...tried]);
  assertFailure(run(['list', '--build-order', 'unreach', 'good'], lib, cache), ['failed sorting repo list', entry, ...tried]);
  assertFailure(run(['context', '--sha256', 'unreach:1.0'], lib, cache),
    [`error: failed fetching "unreach:1.0": ${tried[0]}`, tried[1]!]);
  assertCacheUsable(lib, cache);

  // once the commit is in the cache, the repository is not needed at all
  const known = library({ unreach: [`Tags: 1.0\nGitRepo: ${gitRepo}\nGitCommit: ${small}\nDirectory: good`] });
  const r = run(['--debug', 'from', 'unreach'], known, cache);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'unreach:1.0: busybox:1.36\n');
  assert.doesNotMatch(r.stderr, /\$ git \["fetch"/);
});

test('a commit that exists nowhere (a valid id, not in the repository)', () => {
  const lib = library({ nowhere: [`Tags: 2.0\nGitCommit: ${NOWHERE}\nDirectory: good`] });
  const cache = newCache();
  const tried = [
    `failed fetching "${NOWHERE}:refs/remotes/TEMP": server does not support exact SHA1 refspec`,
    `failed finding Git commit "${NOWHERE}" after fetching "refs/heads/main:refs/remotes/TEMP": object not found`,
  ];
  const entry = entryLine(repoUrl, '2.0', NOWHERE, 'good');
  assertFailure(run(['fetch', 'nowhere'], lib, cache), [fetching('nowhere', '2.0'), ...tried]);
  assertFailure(run(['from', 'nowhere:2.0'], lib, cache), [scraping('nowhere', '2.0'), entry, ...tried]);
  assertFailure(run(['parents', 'nowhere'], lib, cache), [scraping('nowhere', '2.0'), entry, ...tried]);
  assertFailure(run(['children', 'good'], lib, cache), [scraping('nowhere', '2.0'), entry, ...tried]);
  assertFailure(run(['list', '--build-order', 'good', 'nowhere'], lib, cache), ['failed sorting repo list', entry, ...tried]);
  assertCacheUsable(lib, cache);
});

test('an id of an object that is no commit (a tree, a blob)', () => {
  const gitDir = repoUrl.slice('file://'.length);
  const tree = gitRun(gitDir, ['rev-parse', `${small}^{tree}`]).trim();
  const blob = gitRun(gitDir, ['rev-parse', `${small}:good/Dockerfile`]).trim();
  const lib = library({ notcommit: [`Tags: tree\nGitCommit: ${tree}\nDirectory: good`, `Tags: blob\nGitCommit: ${blob}\nDirectory: good`] });
  const cache = newCache();
  for (const [tag, id] of [['tree', tree], ['blob', blob]] as const) {
    // the object comes (by id), but it names no commit; nor does anything on main
    const tried = [
      `failed finding Git commit "${id}" after fetching "${id}:refs/remotes/TEMP": object not found`,
      `failed finding Git commit "${id}" after fetching "refs/heads/main:refs/remotes/TEMP": object not found`,
    ];
    assertFailure(run(['fetch', `notcommit:${tag}`], lib, cache), [fetching('notcommit', tag), ...tried]);
    assertFailure(run(['from', `notcommit:${tag}`], lib, cache), [scraping('notcommit', tag), entryLine(repoUrl, tag, id, 'good'), ...tried]);
  }
  assert.equal(gitRun(join(cache, 'git'), ['for-each-ref']), '', 'no pin, no temporary ref');
  assertCacheUsable(lib, cache);
});

test('a Directory missing at the commit', () => {
  const lib = library({ nodir: [`Tags: x, y\nGitCommit: ${small}\nDirectory: missing`] });
  const cache = newCache();
  const cause = [`failed "git show" for "missing/Dockerfile" from commit "${small}"`, 'file not found'];
  assertFailure(run(['from', 'nodir'], lib, cache), [scraping('nodir', 'x, y'), ...cause]);
  assertFailure(run(['parents', 'nodir:y'], lib, cache), [scraping('nodir', 'x, y'), ...cause]);
  assertFailure(run(['children', 'good'], lib, cache), [scraping('nodir', 'x, y'), ...cause]);
  // (like the reference, `list --build-order` and `context` say neither repo, tag nor arch here)
  assertFailure(run(['list', '--build-order', 'good', 'nodir'], lib, cache), ['failed sorting repo list', ...cause]);
  assertFailure(run(['context', '--sha256', 'nodir:x'], lib, cache), ['error: Tree(".").FindEntry("missing"): entry not found']);
  // fetching needs no Directory: the commit is there
  const fetched = run(['fetch', 'nodir'], lib, cache);
  assert.equal(fetched.code, 0, fetched.stderr);
  assertCacheUsable(lib, cache);
});

test('a File missing at the commit', () => {
  const lib = library({ nofile: [`Tags: x\nGitCommit: ${small}\nDirectory: good\nFile: Dockerfile.missing`] });
  const cache = newCache();
  const cause = [`failed "git show" for "good/Dockerfile.missing" from commit "${small}"`, 'file not found'];
  assertFailure(run(['from', 'nofile'], lib, cache), [scraping('nofile', 'x'), ...cause]);
  assertFailure(run(['parents', 'nofile:x'], lib, cache), [scraping('nofile', 'x'), ...cause]);
  assertFailure(run(['children', 'busybox:1.36'], lib, cache), [scraping('nofile', 'x'), ...cause]);
  // the build context is the directory: it is there
  const context = run(['context', '--sha256', 'nofile:x'], lib, cache);
  assert.equal(context.code, 0, context.stderr);
  assert.match(context.stdout, /^[0-9a-f]{64}\n$/);
  assertCacheUsable(lib, cache);
});

test('only one arch of an entry is broken: the error names that arch, and nothing is printed for the entry', () => {
  const lib = library({
    multi: [
      `Tags: ok\nArchitectures: amd64, arm64v8\nGitCommit: ${small}\nDirectory: good`,
      `Tags: half\nArchitectures: amd64, arm64v8\nGitCommit: ${small}\nDirectory: good\narm64v8-Directory: missing`,
    ],
  });
  const cache = newCache();
  const cause = [`failed "git show" for "missing/Dockerfile" from commit "${small}"`, 'file not found'];
  assertFailure(run(['from', 'multi'], lib, cache), [scraping('multi', 'half', 'arm64v8'), ...cause], 'multi:ok: busybox:1.36\n');
  // only amd64 looked at: fine
  const amd64 = run(['--arch', 'amd64', 'from', '--apply-constraints', 'multi:half'], lib, cache);
  assert.equal(amd64.code, 0, amd64.stderr);
  assert.equal(amd64.stdout, 'multi:half: busybox:1.36\n');
  assertCacheUsable(lib, cache);
});

test('a symlinked Dockerfile pointing outside the repository', () => {
  const lib = library({
    symlink: [
      `Tags: rel\nGitCommit: ${small}\nDirectory: link`,
      `Tags: abs\nGitCommit: ${small}\nDirectory: abslink`,
      `Tags: inside\nGitCommit: ${small}\nDirectory: inlink`,
    ],
  });
  const cache = newCache();
  const outside = (dir: string) => [
    `failed "git show" for "${dir}/Dockerfile" from commit "${small}"`,
    new RegExp(`"${dir}/Dockerfile" is a symlink pointing outside the repository \\(".*"\\)`),
  ];
  assertFailure(run(['from', 'symlink:rel'], lib, cache), [scraping('symlink', 'rel'), ...outside('link')]);
  assertFailure(run(['from', 'symlink:abs'], lib, cache), [scraping('symlink', 'abs'), ...outside('abslink')]);
  assertFailure(run(['parents', 'symlink:rel'], lib, cache), [scraping('symlink', 'rel'), ...outside('link')]);
  // a link that stays inside the repository is followed
  const inside = run(['from', 'symlink:inside'], lib, cache);
  assert.equal(inside.code, 0, inside.stderr);
  assert.equal(inside.stdout, 'symlink:inside: busybox:1.36\n');
  // `from symlink`: the first entry fails before anything is printed
  assertFailure(run(['from', 'symlink'], lib, cache), [scraping('symlink', 'rel'), ...outside('link')]);
  assertCacheUsable(lib, cache);
});

test('a 20 MB Dockerfile of ordinary lines: from prints its FROMs, quickly', () => {
  const lib = library({ big: [`Tags: big\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: big`] });
  const cache = newCache();
  const r = run(['from', 'big'], lib, cache);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const want = [...new Set(bigFroms)];
  assert.ok(want.length > 20);
  assert.equal(r.stdout, `big:big: ${want.join(' ')}\n`);
  assert.ok(r.ms < 10_000, `from took ${r.ms} ms`);
  // the same file again, now from the cache, for the other graph commands
  const parents = run(['parents', 'big'], lib, cache);
  assert.equal(parents.code, 0, parents.stderr);
  assert.equal(parents.stdout, want.map((f) => f + '\n').join(''));
  assert.ok(parents.ms < 10_000, `parents took ${parents.ms} ms`);
  assertCacheUsable(lib, cache);
});

test('a Dockerfile line longer than 64 KiB: bufio.Scanner: token too long, with repo, tags and arch', () => {
  const lib = library({
    long: [
      `Tags: edge\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: edge`,
      `Tags: long, l\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: long`,
      `Tags: edge1\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: edge1`,
    ],
  });
  const cache = newCache();
  const cause = (dir: string) => [`failed parsing Dockerfile metadata for "${dir}/Dockerfile" from commit "${big}"`, 'bufio.Scanner: token too long'];
  // 65535 bytes is still a line; the entry before the broken one is printed, the broken one not
  assertFailure(run(['from', 'long'], lib, cache), [scraping('long', 'long, l'), ...cause('long')],
    'long:edge: busybox:latest debian:latest\n');
  assertFailure(run(['from', 'long:edge1'], lib, cache), [scraping('long', 'edge1'), ...cause('edge1')]);
  assertFailure(run(['parents', 'long:l'], lib, cache), [scraping('long', 'long, l'), ...cause('long')]);
  assertFailure(run(['children', 'good'], lib, cache), [scraping('long', 'long, l'), ...cause('long')]);
  // (like the reference, `list --build-order` names only the repo argument here)
  assertFailure(run(['list', '--build-order', 'long'], lib, cache), ['failed sorting entries list for "long"', ...cause('long')]);
  assertCacheUsable(lib, cache);
});

test('a FROM cycle: list --build-order fails, parents and children stop (unless given a --depth)', () => {
  const lib = library({
    cyca: [`Tags: latest\nGitCommit: ${small}\nDirectory: a`],
    cycb: [`Tags: latest\nGitCommit: ${small}\nDirectory: b`],
  });
  const cache = newCache();
  assertFailure(run(['list', '--build-order', 'cyca', 'cycb'], lib, cache), ['failed sorting repo list', 'Cycle detected :(']);
  assertFailure(run(['list', '--build-order', '--all'], lib, cache), ['failed sorting repo list', 'Cycle detected :(']);

  // with a depth, the reference's walk: terminates normally
  const walk = 'cycb:latest\ncyca:latest\ncycb:latest\n';
  for (const command of ['parents', 'children']) {
    const r = run([command, '--depth', '3', 'cyca'], lib, cache, 20_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, walk);
    assert.equal(r.stderr, '');
  }

  // without one, the reference never ends; here: exit 1 naming the cycle, after the levels before it
  for (const args of [['parents', 'cyca'], ['parents', 'cyca:latest'], ['parents', '--uniq', 'cyca'], ['children', 'cyca'], ['children', '--uniq', 'cycb:latest']]) {
    const r = run(args, lib, cache, 20_000);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, STACK);
    assert.match(r.stderr, /^error: FROM cycle detected: "[^"]+"(?: -> "[^"]+")+\n$/, args.join(' '));
    assert.match(r.stderr, /"cyca:latest" -> "cycb:latest"|"cycb:latest" -> "cyca:latest"/);
    // what came out before is a (finite) part of the walk, each parent at most twice
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length <= 3, `${args.join(' ')} printed ${lines.length} lines`);
    for (const line of lines) assert.match(line, /^cyc[ab]:latest$/);
  }
  assertCacheUsable(lib, cache);
});

test('a FROM without an image, a COPY --from=-1 and a RUN --mount from=-1: clear errors, no crash', () => {
  const lib = library({
    broken: [
      `Tags: nofrom\nGitCommit: ${small}\nDirectory: nofrom`,
      `Tags: fromcont\nGitCommit: ${small}\nDirectory: fromcont`,
      `Tags: copyneg\nGitCommit: ${small}\nDirectory: copyneg`,
      `Tags: mountneg\nGitCommit: ${small}\nDirectory: mountneg`,
    ],
  });
  const cache = newCache();
  const parsing = (dir: string) => `failed parsing Dockerfile metadata for "${dir}/Dockerfile" from commit "${small}"`;
  const cases: [string, string][] = [
    ['nofrom', 'FROM instruction without an image on line 3'],
    ['fromcont', 'FROM instruction without an image on line 2'],
    ['copyneg', 'invalid stage index -1 in COPY --from on line 3'],
    ['mountneg', 'invalid stage index -1 in RUN --mount on line 2'],
  ];
  for (const [tag, reason] of cases) {
    assertFailure(run(['from', `broken:${tag}`], lib, cache), [scraping('broken', tag), parsing(tag), reason]);
  }
  assertFailure(run(['parents', 'broken:copyneg'], lib, cache), [scraping('broken', 'copyneg'), parsing('copyneg'), cases[2]![1]]);
  assertFailure(run(['children', 'good'], lib, cache), [scraping('broken', 'nofrom'), parsing('nofrom'), cases[0]![1]]);
  assertFailure(run(['list', '--build-order', 'good', 'broken'], lib, cache), ['failed sorting repo list', parsing('nofrom'), cases[0]![1]]);
  // the template view of the same Dockerfile: an error naming it, not a crash
  const cat = run(['cat', '--format', '{{ .ArchLastStageFrom arch .TagEntry }}', 'broken:copyneg'], lib, cache);
  assert.equal(cat.code, 1, cat.stderr);
  assert.equal(cat.stdout, '');
  assert.doesNotMatch(cat.stderr, STACK);
  assert.match(cat.stderr, /failed executing template for repo "broken:copyneg"/);
  assert.match(cat.stderr, /copyneg\/Dockerfile/);
  assert.match(cat.stderr, /invalid stage index -1 in COPY --from on line 3/);
  assertCacheUsable(lib, cache);
});

// Go's scanner counts bytes of the file, so the Dockerfile is parsed from its bytes.
test('a 30000-byte line of Latin-1 text is no "token too long" (Go counts bytes)', () => {
  const lib = library({ latin1: [`Tags: x\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: latin1`] });
  const r = run(['from', 'latin1'], lib, newCache());
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'latin1:x: busybox:latest debian:latest\n');
});

test('a FROM with a non-UTF-8 byte is printed byte for byte, as the reference does', () => {
  const lib = library({ latin1: [`Tags: x\nGitFetch: refs/heads/big\nGitCommit: ${big}\nDirectory: latin1from`] });
  const r = bashbrewTimed(['from', 'latin1'], { BASHBREW_LIBRARY: lib, BASHBREW_CACHE: newCache() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdoutBytes, Buffer.concat([Buffer.from('latin1:x: caf'), Buffer.from([0xe9]), Buffer.from(':latest\n')]));
});
