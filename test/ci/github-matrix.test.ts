// `bashbrew ci github-matrix`: the reference generate.sh's JSON, byte for byte (spec §10).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { githubMatrix, type MatrixItem, osForConstraints, renderGithubMatrix } from '../../lib/ci/github-matrix.js';
import { jqJSON, shQuote } from '../../lib/ci/json.js';
import { ensureGitFixtures } from '../helpers/git-fixtures.js';
import { commitTree, gitRun, initBare, libraryFile, setRef } from '../helpers/git-repos.js';
import { repoRoot, specDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';
import { appFixture, exampleFixture } from './fixtures.js';

const TEST_LINES = 'if [ -s ./.test/config.sh ]; then set -- --config ~/oi/test/config.sh --config ./.test/config.sh \\"$@\\"; fi\\n~/oi/test/run.sh \\"$@\\"';

/** The worked example of spec §10 with its "…" written out: what generate.sh prints for it. */
const EXAMPLE = '{"fail-fast":false,"matrix":{"include":[{"name":"1.0, 1.0-onbuild","os":"ubuntu-latest",'
  + '"meta":{"entries":[{"name":"1.0","tags":["foo:1.0","foo:latest"],"directory":"1.0","file":"Dockerfile","builder":"","constraints":[],"froms":["debian:bookworm-slim"],"platform":"linux/amd64"},'
  + '{"name":"1.0-onbuild","tags":["foo:1.0-onbuild"],"directory":"1.0/onbuild","file":"Dockerfile","builder":"","constraints":[],"froms":["foo:1.0"],"platform":"linux/amd64"}],'
  + '"froms":["debian:bookworm-slim"],"dockerfiles":["1.0/Dockerfile","1.0/onbuild/Dockerfile"]},'
  + '"runs":{"build":"DOCKER_BUILDKIT=0 docker build --platform linux/amd64 --tag \'foo:1.0\' --tag \'foo:latest\' \'1.0\'\\nDOCKER_BUILDKIT=0 docker build --platform linux/amd64 --tag \'foo:1.0-onbuild\' \'1.0/onbuild\'",'
  + '"history":"docker history \'foo:1.0\'\\ndocker history \'foo:1.0-onbuild\'",'
  + `"test":"set -- 'foo:1.0'\\n${TEST_LINES}\\nset -- 'foo:1.0-onbuild'\\n${TEST_LINES}",`
  + '"prepare":"git clone --depth 1 https://github.com/docker-library/official-images.git -b master ~/oi\\n# https://github.com/docker-library/bashbrew/pull/43\\n'
  + '# create a dummy empty image/layer so we can --filter since= later to get a meaningful image list\\n{ echo FROM busybox:latest; echo RUN :; } | docker build --no-cache --tag image-list-marker -",'
  + '"pull":"docker pull \'debian:bookworm-slim\'","images":"docker image ls --filter since=image-list-marker"}}]}}\n';

test('the worked example of spec §10, byte for byte', () => {
  const f = exampleFixture();
  const r = bashbrew(['ci', 'github-matrix', 'foo'], { BASHBREW_LIBRARY: f.library('foo') });
  assert.equal(r.stderr, 'Processing foo:1.0 ...\nProcessing foo:1.0-onbuild ...\n');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, EXAMPLE);
  // the spec's pretty rendering of the same job is jq's layout of the same value
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(EXAMPLE));
});

/** A library holding only REPO's file, as generate.sh's temporary library does. */
function soloLibrary(from: string, repo: string): string {
  const lib = join(tempDir('bashbrew-ci-lib-'), 'library');
  mkdirSync(lib);
  copyFileSync(join(from, repo), join(lib, repo));
  return lib;
}

function golden(name: string): { out: string; err: string } {
  const dir = join(repoRoot, 'fixtures/ci');
  return { out: readFileSync(join(dir, `${name}.out`), 'utf8'), err: readFileSync(join(dir, `${name}.err`), 'utf8') };
}

test('fixture libraries: same stdout, stderr and exit code as generate.sh', async (t) => {
  const app = appFixture();
  const cases: [golden: string, library: string, repo: string, env: Record<string, string>, code: number][] = [
    ['app', app.library('app'), 'app', {}, 0],
    ['app.arm64v8', app.library('app'), 'app', { BASHBREW_ARCH: 'arm64v8' }, 0],
    ['app.ns', app.library('app'), 'app', { BASHBREW_NAMESPACE: 'ns' }, 0],
    ['twoparents', app.library('twoparents'), 'twoparents', {}, 1],
    ['my-app', app.library('my-app'), 'my-app', {}, 0],
  ];
  ensureGitFixtures();
  const graph = join(specDir, 'graph-cases/library');
  for (const repo of ['multi', 'osbase', 'runtime', 'tools', 'webapp', 'winapp']) cases.push([`graph-${repo}`, graph, repo, {}, 0]);
  cases.push(['graph-winapp.arm64v8', graph, 'winapp', { BASHBREW_ARCH: 'arm64v8' }, 0]);
  for (const [name, library, repo, env, code] of cases) {
    await t.test(name, () => {
      const want = golden(name);
      const r = bashbrew(['ci', 'github-matrix', repo], { BASHBREW_LIBRARY: soloLibrary(library, repo), ...env });
      assert.equal(r.stdout, want.out);
      assert.equal(r.stderr, want.err);
      assert.equal(r.code, code);
    });
  }
});

test('scripts/github-actions/generate.sh: the drop-in for the reference\'s script (as action.yml exports it)', () => {
  const app = appFixture();
  const work = tempDir();
  const run = spawnSync('bash', [join(repoRoot, 'scripts/github-actions/generate.sh')], {
    cwd: work,
    env: { PATH: `${join(repoRoot, 'bin')}:${process.env.PATH ?? ''}`, HOME: work, BASHBREW_CACHE: join(work, 'cache'),
      BASHBREW_CONFIG: join(work, 'config'), GITHUB_REPOSITORY: 'docker-library/app',
      GENERATE_STACKBREW_LIBRARY: `cat '${join(app.library('app'), 'app')}'` },
    encoding: 'utf8',
  });
  const want = golden('app');
  assert.equal(run.stdout, want.out);
  assert.equal(run.stderr, want.err);
  assert.equal(run.status, 0);
  const none = spawnSync('bash', [join(repoRoot, 'scripts/github-actions/generate.sh')], { cwd: work, env: { PATH: process.env.PATH ?? '', GITHUB_REPOSITORY: 'x/y' }, encoding: 'utf8' });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /generate-stackbrew-library\.sh/);
});

test('what the app fixture exercises is really in its golden', () => {
  const jobs = (JSON.parse(golden('app').out) as { matrix: { include: { name: string; os: string; runs: Record<string, string>; meta: { froms: string[] } }[] } }).matrix.include;
  const byName = new Map(jobs.map((j) => [j.name, j]));
  // a three-level same-repo chain folds into the job of its ultimate parent
  const chain = byName.get('1.0, 1.0-onbuild, 1.0-onbuild-extra')!;
  assert.deepEqual(chain.meta.froms, ['busybox:latest', 'debian:bookworm-slim', 'golang:1.22-bookworm']);
  assert.match(chain.runs.build!, /--file '1\.0\/onbuild\/extra\/Dockerfile\.extra' '1\.0\/onbuild\/extra'$/);
  assert.match(byName.get('bk, bk-child')!.runs.prepare!, /bashbrew-buildkit-env-setup\.sh/);
  assert.equal(byName.get('win-2022, win-2022-mixed')!.os, 'invalid-os-chain--windows-2022+ubuntu-latest');
  assert.equal(byName.get('win-2025, win-2025-nano')!.os, 'windows-2025');
  assert.equal(byName.get('arm')!.runs.pull, '');
  assert.match(byName.get('odd')!.runs.build!, / 'odd dir'\\''s'$/);
  assert.match(byName.get('oci')!.runs.build!, /^echo >&2 'error: unknown\/unsupported builder: oci-import'\nexit 1\n#/);
  assert.equal(byName.get('ltsc')!.os, 'windows-2022');
});

test('commits only on the branch being tested: the checkout\'s HEAD is fetched into the cache', () => {
  const root = tempDir('bashbrew-ci-pr-');
  const upstream = initBare(join(root, 'upstream.git'));
  const base = commitTree(upstream, { '1/Dockerfile': 'FROM debian:bookworm\n' });
  setRef(upstream, 'refs/heads/main', base);
  // the pull request's checkout: one commit more, which upstream does not have
  const checkout = join(root, 'checkout');
  gitRun(root, ['init', '--quiet', '-b', 'pr', checkout], { env: { GIT_DIR: join(checkout, '.git') } });
  const dotGit = join(checkout, '.git');
  const pr = commitTree(dotGit, { '1/Dockerfile': 'FROM debian:trixie\n' }, { parents: [] });
  setRef(dotGit, 'refs/heads/pr', pr);
  const lib = join(root, 'library');
  mkdirSync(lib);
  writeFileSync(join(lib, 'pr'), libraryFile(`file://${upstream}`, [`Tags: 1\nDirectory: 1\nGitCommit: ${pr}`], { GitFetch: 'refs/heads/main' }));

  const cache = join(root, 'cache');
  const ok = bashbrew(['ci', 'github-matrix', 'pr'], { BASHBREW_LIBRARY: lib, BASHBREW_CACHE: cache }, checkout);
  assert.equal(ok.code, 0, ok.stderr);
  const job = (JSON.parse(ok.stdout) as { matrix: { include: { meta: { froms: string[] } }[] } }).matrix.include[0]!;
  assert.deepEqual(job.meta.froms, ['debian:trixie']);

  const elsewhere = bashbrew(['ci', 'github-matrix', 'pr'], { BASHBREW_LIBRARY: lib }, tempDir());
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stderr, /^failed fetching git repo for "pr" \(tags "1" on arch "amd64"\)\n/);
  assert.match(elsewhere.stderr, /\nfetching the HEAD of ".*" into the git cache \(for commits only on the branch being tested\) failed too\n/);
});

test('a library that does not load is reported as such, without the fallback', () => {
  const r = bashbrew(['ci', 'github-matrix', 'nope'], { BASHBREW_LIBRARY: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^failed fetching repo "nope"\n/);
  assert.doesNotMatch(r.stderr, /HEAD/);
});

test('os from Constraints: jq contains() is a substring test', () => {
  assert.equal(osForConstraints([]), 'ubuntu-latest');
  assert.equal(osForConstraints(['!aufs']), 'ubuntu-latest');
  assert.equal(osForConstraints(['!aufs', 'foo']), 'invalid-or-unknown');
  assert.equal(osForConstraints(['nanoserver-ltsc2022', 'windowsservercore-ltsc2022']), 'windows-2022');
  assert.equal(osForConstraints(['windowsservercore-ltsc2025']), 'windows-2025');
  assert.equal(osForConstraints(['!windowsservercore-ltsc2022']), 'windows-2022');
  assert.equal(osForConstraints(['windowsservercore-ltsc2022', 'nanoserver-ltsc2025']), 'windows-2025');
});

test('jq text: compact and pretty layouts, escapes, @sh', () => {
  const v = { a: '\u007f\u0001\t\b\f\r\n"\\/é😀', b: [], c: {}, d: [1, true, null], e: { f: ['x'] } };
  assert.equal(jqJSON(v), '{"a":"\\u007f\\u0001\\t\\b\\f\\r\\n\\"\\\\/é😀","b":[],"c":{},"d":[1,true,null],"e":{"f":["x"]}}');
  assert.equal(jqJSON(v, 2), '{\n  "a": "\\u007f\\u0001\\t\\b\\f\\r\\n\\"\\\\/é😀",\n  "b": [],\n  "c": {},\n  "d": [\n    1,\n    true,\n    null\n  ],\n  "e": {\n    "f": [\n      "x"\n    ]\n  }\n}');
  assert.equal(shQuote("it's"), "'it'\\''s'");
  assert.equal(shQuote(''), "''");
});

test('pretty output (stdout a terminal) is jq\'s layout of the same value', () => {
  const item = (tag: string, chainTo: string | null, froms: string[]): MatrixItem => ({
    tag: `r:${tag}`, chainTo,
    meta: { name: tag, tags: [`r:${tag}`], directory: tag, file: 'Dockerfile', builder: '', constraints: [], froms, platform: 'linux/amd64' },
  });
  const items = [item('a', null, ['debian']), item('b', 'r:a', ['r:a'])];
  const compact = renderGithubMatrix(items);
  const pretty = renderGithubMatrix(items, { pretty: true });
  assert.equal(pretty, JSON.stringify(JSON.parse(compact), null, 2) + '\n');
  assert.throws(() => githubMatrix([item('b', 'r:a', ['r:a'])]), /"r:b" is built FROM "r:a", which has no job of its own/);
});
