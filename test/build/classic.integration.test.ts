// `bashbrew build` / `bashbrew tag` against a real Docker daemon with the classic builder: real git
// repositories (file:// URLs, fixed dates), library files in a temp dir, the real bin/bashbrew.
// Run through `node scripts/with-docker.mjs` (see test/helpers/docker.ts).
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { contextTar, docker, dockerOk, ensureBusyboxBase, imageInspect, requireDocker } from '../helpers/docker.js';
import { cacheTagOf, daemonPlatform, Fixture, mustInspect, ok, parseSteps } from '../helpers/build-fixture.js';

// ---------------------------------------------------------------------------------------------

/** A FROM scratch image (COPY a file) in directory `img` of a repo `name`. */
function scratchRepo(fx: Fixture, name: string, tags = '1.0, latest'): { url: string; commit: string } {
  const repo = fx.repo(name, {
    'img/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
    'img/hello.txt': `hello from ${name} ${fx.id}\n`,
  });
  fx.library(name, repo.url, [`Tags: ${tags}\nArchitectures: ${fx.archList}\nGitCommit: ${repo.commit}\nDirectory: img`]);
  return repo;
}

/** `base` (FROM scratch) and `app` (FROM NS/base:1.0, in another repo of the same library). */
function parentChild(fx: Fixture): { base: { url: string; commit: string }; app: { url: string; commit: string } } {
  const base = scratchRepo(fx, 'base');
  const app = fx.repo('app', {
    Dockerfile: `FROM ${fx.ns}/base:1.0\nCOPY app.txt /app.txt\n`,
    'app.txt': `app ${fx.id}\n`,
  });
  fx.library('app', app.url, [`Tags: 2.0, latest\nArchitectures: ${fx.archList}\nGitCommit: ${app.commit}`]);
  return { base, app };
}

test('classic FROM scratch: "Building" line, image and cache tags, the §5 hash, the daemon platform', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const { url, commit } = scratchRepo(fx, 'hello');
  const cacheTag = cacheTagOf([url, commit, 'img', 'Dockerfile', 'scratch']);

  // DOCKER_DEFAULT_PLATFORM only because the FROM is scratch
  const [step] = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'hello']));
  assert.ok(step);
  assert.deepEqual(step.env, { DOCKER_BUILDKIT: '0', DOCKER_DEFAULT_PLATFORM: fx.platform });
  assert.equal(step.cacheTag, cacheTag);

  const r = fx.run(['--arch', fx.arch, 'build', 'hello']);
  ok(r, 'build');
  assert.equal(r.stdout, `Building ${cacheTag} (hello:1.0)\n`);
  assert.equal(r.stderr, '');

  const cached = mustInspect(cacheTag);
  for (const ref of [`${fx.ns}/hello:1.0`, `${fx.ns}/hello:latest`]) assert.equal(mustInspect(ref).Id, cached.Id, ref);
  assert.equal(cached.Os, 'linux');
  assert.equal(cached.Architecture, daemonPlatform().goArch);
  // the build context was the directory: the file is at /hello.txt
  const cid = dockerOk(['create', `${fx.ns}/hello:1.0`, '/nothing']).trim();
  t.after(() => docker(['rm', '-f', cid]));
  const tar = docker(['cp', `${cid}:/hello.txt`, '-']);
  assert.equal(tar.code, 0, tar.stderr);
  assert.match(tar.stdout, new RegExp(`hello from hello ${fx.id}`));
});

test('a child FROM another entry is built after it, and its hash has the parent image id', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const { base, app } = parentChild(fx);
  const baseTag = cacheTagOf([base.url, base.commit, 'img', 'Dockerfile', 'scratch']);

  // the child is named first: the build order still puts the parent first
  const r = fx.run(['--arch', fx.arch, 'build', 'app', 'base']);
  ok(r, 'build');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  assert.equal(lines[0], `Building ${baseTag} (base:1.0)`);
  const baseId = mustInspect(`${fx.ns}/base:1.0`).Id;
  assert.match(baseId, /^sha256:[0-9a-f]{64}$/);
  const appTag = cacheTagOf([app.url, app.commit, '.', 'Dockerfile', baseId]);
  assert.equal(lines[1], `Building ${appTag} (app:2.0)`);

  const appInfo = mustInspect(appTag);
  assert.equal(mustInspect(`${fx.ns}/app:2.0`).Id, appInfo.Id);
  assert.equal(mustInspect(`${fx.ns}/app:latest`).Id, appInfo.Id);
  assert.notEqual(appInfo.Id, baseId);
});

test('second run: "Using" for every entry; a deleted tag is re-tagged', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  parentChild(fx);
  const first = fx.run(['--arch', fx.arch, 'build', 'base', 'app']);
  ok(first, 'first build');
  const tags = [...first.stdout.matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)].map((m) => m[0]);
  assert.equal(tags.length, 2, first.stdout);
  const expected = `Using ${tags[0]} (base:1.0)\nUsing ${tags[1]} (app:2.0)\n`;

  const second = fx.run(['--arch', fx.arch, 'build', 'base', 'app']);
  ok(second, 'second build');
  assert.equal(second.stdout, expected);
  assert.doesNotMatch(second.stdout, /Building/);

  const baseId = mustInspect(`${fx.ns}/base:latest`).Id;
  const appId = mustInspect(`${fx.ns}/app:2.0`).Id;
  dockerOk(['rmi', `${fx.ns}/base:latest`]);
  dockerOk(['rmi', `${fx.ns}/app:2.0`]);
  assert.equal(imageInspect(`${fx.ns}/base:latest`), null);

  const third = fx.run(['--arch', fx.arch, 'build', 'base', 'app']);
  ok(third, 'third build');
  assert.equal(third.stdout, expected);
  assert.equal(mustInspect(`${fx.ns}/base:latest`).Id, baseId);
  assert.equal(mustInspect(`${fx.ns}/app:2.0`).Id, appId);
  // the cache tags still point at the same images
  assert.equal(mustInspect(tags[0]!).Id, baseId);
  assert.equal(mustInspect(tags[1]!).Id, appId);
});

test('--dry-run prints the same lines and builds/tags nothing; --dry-run --json prints the plan', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const busyboxId = mustInspect(busybox).Id;
  const hello = scratchRepo(fx, 'hello');
  const bb = fx.repo('bb', { 'sub dir/Dockerfile.bb': `FROM ${busybox}\nCOPY x /x\n`, 'sub dir/x': fx.id });
  fx.library('bb', bb.url, [`Tags: 7\nSharedTags: seven\nArchitectures: ${fx.archList}\nGitCommit: ${bb.commit}\nDirectory: sub dir\nFile: Dockerfile.bb`]);
  const helloTag = cacheTagOf([hello.url, hello.commit, 'img', 'Dockerfile', 'scratch']);
  const bbTag = cacheTagOf([bb.url, bb.commit, 'sub dir', 'Dockerfile.bb', busyboxId]);
  const building = `Building ${helloTag} (hello:1.0)\nBuilding ${bbTag} (bb:7)\n`;

  const dry = fx.run(['--arch', fx.arch, 'build', '--dry-run', 'hello', 'bb']);
  ok(dry, 'dry run');
  assert.equal(dry.stdout, building);
  for (const ref of [helloTag, bbTag, `${fx.ns}/hello:1.0`, `${fx.ns}/hello:latest`, `${fx.ns}/bb:7`, `${fx.ns}/bb:seven`]) {
    assert.equal(imageInspect(ref), null, `${ref} must not exist after --dry-run`);
  }

  const steps = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'hello', 'bb']));
  assert.deepEqual(steps, [
    {
      repo: 'hello', identifier: 'hello:1.0', arch: fx.arch, builder: 'classic', action: 'build', cacheTag: helloTag,
      tags: [`${fx.ns}/hello:1.0`, `${fx.ns}/hello:latest`], parents: [{ from: 'scratch', id: 'scratch' }],
      context: `${hello.commit}:img`, file: 'Dockerfile', platform: fx.platform,
      argv: ['docker', 'build', '--tag', helloTag, '--tag', `${fx.ns}/hello:1.0`, '--tag', `${fx.ns}/hello:latest`,
        '--file', 'Dockerfile', '--rm', '--force-rm', '-'],
      env: { DOCKER_BUILDKIT: '0', DOCKER_DEFAULT_PLATFORM: fx.platform },
    },
    {
      repo: 'bb', identifier: 'bb:7', arch: fx.arch, builder: 'classic', action: 'build', cacheTag: bbTag,
      tags: [`${fx.ns}/bb:7`, `${fx.ns}/bb:seven`], parents: [{ from: busybox, id: busyboxId }],
      context: `${bb.commit}:sub dir`, file: 'Dockerfile.bb', platform: null,
      argv: ['docker', 'build', '--tag', bbTag, '--tag', `${fx.ns}/bb:7`, '--tag', `${fx.ns}/bb:seven`,
        '--file', 'Dockerfile.bb', '--rm', '--force-rm', '-'],
      // no DOCKER_DEFAULT_PLATFORM: no FROM is scratch
      env: { DOCKER_BUILDKIT: '0' },
    },
  ]);

  // the real build prints exactly what the dry run printed
  const real = fx.run(['--arch', fx.arch, 'build', 'hello', 'bb']);
  ok(real, 'build');
  assert.equal(real.stdout, building);
  assert.ok(imageInspect(`${fx.ns}/bb:seven`), 'SharedTags are tagged locally');

  // cached, one tag gone: the dry run says "Using" and does not re-tag
  dockerOk(['rmi', `${fx.ns}/hello:latest`]);
  const dryHit = fx.run(['--arch', fx.arch, 'build', '--dry-run', 'hello', 'bb']);
  ok(dryHit, 'dry run (cached)');
  assert.equal(dryHit.stdout, `Using ${helloTag} (hello:1.0)\nUsing ${bbTag} (bb:7)\n`);
  assert.equal(imageInspect(`${fx.ns}/hello:latest`), null, '--dry-run must not re-tag');
  const hitSteps = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'hello']));
  assert.equal(hitSteps.length, 1);
  assert.equal(hitSteps[0]!.action, 'use');
  assert.deepEqual(hitSteps[0]!.argv, ['docker', 'build', '--tag', `${fx.ns}/hello:1.0`, '--tag', `${fx.ns}/hello:latest`,
    '--rm', '--force-rm', '-']);
  assert.equal(imageInspect(`${fx.ns}/hello:latest`), null);
});

test('a failing RUN: docker\'s exit code, "failed building" with the build output, nothing tagged', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const dockerfile = `FROM ${busybox}\nRUN echo about-to-fail-${fx.id} && false\n`;
  const { url, commit } = fx.repo('broken', { Dockerfile: dockerfile });
  fx.library('broken', url, [`Tags: 1.0, latest\nArchitectures: ${fx.archList}\nGitCommit: ${commit}`]);
  const cacheTag = cacheTagOf([url, commit, '.', 'Dockerfile', mustInspect(busybox).Id]);

  // what docker itself exits with for this Dockerfile
  const direct = docker(['build', '--rm', '--force-rm', '-'], { input: contextTar({ Dockerfile: dockerfile }), classic: true });
  assert.notEqual(direct.code, 0);

  const r = fx.run(['--arch', fx.arch, 'build', 'broken']);
  assert.equal(r.code, direct.code, `exit code: bashbrew ${r.code}, docker ${direct.code}\n${r.stderr}`);
  assert.equal(r.stdout, `Building ${cacheTag} (broken:1.0)\n`);
  assert.match(r.stderr, /^failed building "broken" \(tags "1\.0, latest"\)$/m);
  assert.match(r.stderr, new RegExp(`^exit status ${direct.code}$`, 'm'));
  assert.match(r.stderr, new RegExp(`about-to-fail-${fx.id}`), 'the build output is shown');
  assert.match(r.stderr, /returned a non-zero code/);
  for (const ref of [cacheTag, `${fx.ns}/broken:1.0`, `${fx.ns}/broken:latest`]) {
    assert.equal(imageInspect(ref), null, `${ref} must not exist after a failed build`);
  }
});

test('Directory and File names with shell metacharacters are plain arguments', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const pwned = `/tmp/pwned-${fx.id}`;
  t.after(() => rmSync(pwned, { force: true }));
  const dir = `dir $(touch ${pwned}) ; x 'q' "d" \`touch ${pwned}\` & |`;
  const file = `Docker file;$(touch ${pwned})\`touch ${pwned}\`'"$HOME`;
  const { url, commit } = fx.repo('meta', {
    [`${dir}/${file}`]: 'FROM scratch\nCOPY ["a b;c.txt", "/out.txt"]\n',
    [`${dir}/a b;c.txt`]: `meta ${fx.id}\n`,
  });
  fx.library('meta', url, [`Tags: 1.0\nArchitectures: ${fx.archList}\nGitCommit: ${commit}\nDirectory: ${dir}\nFile: ${file}`]);
  const cacheTag = cacheTagOf([url, commit, dir, file, 'scratch']);

  const [step] = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'meta']));
  assert.equal(step?.context, `${commit}:${dir}`);
  assert.equal(step.file, file);
  assert.deepEqual(step.argv?.slice(-5), ['--file', file, '--rm', '--force-rm', '-']);

  const r = fx.run(['--arch', fx.arch, 'build', 'meta']);
  ok(r, 'build');
  assert.equal(r.stdout, `Building ${cacheTag} (meta:1.0)\n`);
  assert.ok(imageInspect(`${fx.ns}/meta:1.0`));
  const cid = dockerOk(['create', `${fx.ns}/meta:1.0`, '/nothing']).trim();
  t.after(() => docker(['rm', '-f', cid]));
  assert.match(dockerOk(['cp', `${cid}:/out.txt`, '-']), new RegExp(`meta ${fx.id}`));
  assert.equal(existsSync(pwned), false, `${pwned} exists: something ran a shell`);
});

test('the arch check on a cache hit: an amd64 image is not reused for arm64v8', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const { url, commit } = scratchRepo(fx, 'multi');
  const cacheTag = cacheTagOf([url, commit, 'img', 'Dockerfile', 'scratch']);

  const amd = fx.run(['--arch', 'amd64', 'build', 'multi']);
  ok(amd, 'build --arch amd64');
  assert.equal(amd.stdout, `Building ${cacheTag} (multi:1.0)\n`);
  const amdInfo = mustInspect(cacheTag);
  assert.equal(`${amdInfo.Os}/${amdInfo.Architecture}`, 'linux/amd64');

  // same commit and directory: the same hash, but the cached image is amd64
  const arm = fx.run(['--arch', 'arm64v8', 'build', 'multi']);
  if (arm.code !== 0 && /platform|exec format|no match|not supported/i.test(arm.stderr)) {
    t.skip(`the daemon cannot build FROM scratch for linux/arm64/v8: ${arm.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return;
  }
  ok(arm, 'build --arch arm64v8');
  assert.equal(arm.stdout, `Building ${cacheTag} (multi:1.0)\n`, 'an image of another arch must not be reused');
  const armInfo = mustInspect(cacheTag);
  assert.equal(`${armInfo.Os}/${armInfo.Architecture}`, 'linux/arm64');
  assert.notEqual(armInfo.Id, amdInfo.Id);
  assert.equal(mustInspect(`${fx.ns}/multi:1.0`).Id, armInfo.Id);

  // and now arm64v8 is the cached one: a hit for arm64v8
  const again = fx.run(['--arch', 'arm64v8', 'build', 'multi']);
  ok(again, 'build --arch arm64v8 again');
  assert.equal(again.stdout, `Using ${cacheTag} (multi:1.0)\n`);

  // a cache hit re-tags an image of another platform than the daemon's
  dockerOk(['rmi', `${fx.ns}/multi:1.0`, `${fx.ns}/multi:latest`]);
  const retag = fx.run(['--arch', 'arm64v8', 'build', 'multi']);
  ok(retag, 're-tag for arm64v8');
  assert.equal(retag.stdout, `Using ${cacheTag} (multi:1.0)\n`);
  assert.equal(mustInspect(`${fx.ns}/multi:1.0`).Id, armInfo.Id);
  assert.equal(mustInspect(`${fx.ns}/multi:latest`).Id, armInfo.Id);
});

test('tag --target-namespace: "Tagging" lines and the tags; --dry-run tags nothing; the flag is required', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const id = mustInspect(busybox).Id;
  const other = `bbother-${fx.id}`;
  const dry = `bbdry-${fx.id}`;
  fx.namespaces.add(other);
  fx.namespaces.add(dry);
  const { url, commit } = fx.repo('tagme', { Dockerfile: `FROM ${busybox}\n` });
  fx.library('tagme', url, [
    `Tags: 1.0, 1\nSharedTags: shared\nArchitectures: ${fx.archList}\nGitCommit: ${commit}`,
    `Tags: only-arm\nArchitectures: arm64v8\nGitCommit: ${commit}`,
  ]);
  for (const t2 of ['1.0', '1', 'shared']) dockerOk(['tag', busybox, `${fx.ns}/tagme:${t2}`]);

  const r = fx.run(['--arch', 'amd64', 'tag', '--target-namespace', other, 'tagme']);
  ok(r, 'tag');
  assert.equal(r.stdout, `Tagging ${other}/tagme:1.0\nTagging ${other}/tagme:1\nTagging ${other}/tagme:shared\n`);
  for (const t2 of ['1.0', '1', 'shared']) assert.equal(mustInspect(`${other}/tagme:${t2}`).Id, id);

  const d = fx.run(['--arch', 'amd64', 'tag', '--dry-run', '--uniq', '--target-namespace', dry, 'tagme']);
  ok(d, 'tag --dry-run');
  assert.equal(d.stdout, `Tagging ${dry}/tagme:1.0\n`);
  assert.equal(imageInspect(`${dry}/tagme:1.0`), null);

  const missing = fx.run(['tag', 'tagme']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, 'error: "--target-namespace" is a required flag for "tag"\n');

  // a source tag that does not exist: docker's failure, non-zero
  dockerOk(['rmi', `${fx.ns}/tagme:1`]);
  const broken = fx.run(['--arch', 'amd64', 'tag', '--target-namespace', `${other}-2`, 'tagme']);
  fx.namespaces.add(`${other}-2`);
  assert.notEqual(broken.code, 0);
  assert.equal(broken.stdout, `Tagging ${other}-2/tagme:1.0\nTagging ${other}-2/tagme:1\n`, 'stops at the failure');
  assert.match(broken.stderr, new RegExp(`^failed tagging "${fx.ns}/tagme:1" as "${other}-2/tagme:1"$`, 'm'));
  assert.match(broken.stderr, new RegExp(`^command: docker tag "${fx.ns}/tagme:1" "${other}-2/tagme:1"$`, 'm'));
});

test('--keep-going builds what it can and reports every failure; without it the first failure stops', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const { url, commit } = fx.repo('kg', {
    'bad1/Dockerfile': `FROM ${busybox}\nRUN echo bad-one-${fx.id} && false\n`,
    'good/Dockerfile': 'FROM scratch\nCOPY f /f\n',
    'good/f': fx.id,
    'bad2/Dockerfile': `FROM ${busybox}\nRUN echo bad-two-${fx.id} && exit 3\n`,
    'child/Dockerfile': `FROM ${fx.ns}/kg:bad1\nCOPY f /f\n`,
    'child/f': fx.id,
  });
  const entry = (tag: string) => `Tags: ${tag}\nArchitectures: ${fx.archList}\nGitCommit: ${commit}\nDirectory: ${tag}`;
  fx.library('kg', url, [entry('bad1'), entry('good'), entry('bad2'), entry('child')]);

  const stop = fx.run(['--arch', fx.arch, 'build', 'kg']);
  assert.notEqual(stop.code, 0);
  assert.match(stop.stdout, /^Building bashbrew\/cache:[0-9a-f]{64} \(kg:bad1\)\n$/, 'nothing after the first failure');
  assert.match(stop.stderr, /^failed building "kg" \(tags "bad1"\)$/m);
  assert.equal(imageInspect(`${fx.ns}/kg:good`), null);

  const kg = fx.run(['--arch', fx.arch, 'build', '--keep-going', 'kg']);
  assert.notEqual(kg.code, 0, kg.stderr);
  const lines = kg.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/[0-9a-f]{64}/, 'H')), [
    'Building bashbrew/cache:H (kg:bad1)', 'Building bashbrew/cache:H (kg:good)', 'Building bashbrew/cache:H (kg:bad2)',
  ]);
  assert.ok(imageInspect(`${fx.ns}/kg:good`), 'the independent entry is built');
  assert.match(kg.stderr, /^failed building "kg" \(tags "bad1"\)$/m);
  assert.match(kg.stderr, /^failed building "kg" \(tags "bad2"\)$/m);
  assert.match(kg.stderr, new RegExp(`bad-one-${fx.id}`));
  assert.match(kg.stderr, new RegExp(`bad-two-${fx.id}`));
  assert.equal(imageInspect(`${fx.ns}/kg:bad1`), null);
  assert.equal(imageInspect(`${fx.ns}/kg:bad2`), null);
  // a child of a failed entry is not attempted, and says why
  assert.match(kg.stderr, /^skipping "kg:child" \(it is built FROM "kg:bad1", which did not build\)$/m);
  assert.equal(imageInspect(`${fx.ns}/kg:child`), null);
});

test('a parent that is not local: the pull is announced, then "failed calculating \\"cache hash\\"" (no build)', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const parent = `${fx.ns}/not-here:1`;
  const { url, commit } = fx.repo('orphan', { Dockerfile: `FROM ${parent}\nCOPY x /x\n`, x: fx.id });
  fx.library('orphan', url, [`Tags: 1.0, latest\nArchitectures: ${fx.archList}\nGitCommit: ${commit}`]);

  // --dry-run announces the pull (and does not pull), then fails at the hash as the reference does
  const dry = fx.run(['--arch', fx.arch, 'build', '--dry-run', 'orphan']);
  assert.equal(dry.code, 1);
  assert.equal(dry.stdout, `Pulling ${parent} (orphan:1.0)\n`);
  assert.match(dry.stderr, /^failed calculating "cache hash" for "orphan" \(tags "1\.0, latest"\)$/m);
  assert.ok(dry.stderr.includes(`command: docker inspect -f "{{.Id}}" ["inspect" "-f" "{{.Id}}" "${parent}"]`), dry.stderr);

  const never = fx.run(['--arch', fx.arch, 'build', '--pull', 'never', '--uniq', 'orphan']);
  assert.equal(never.code, 1);
  assert.equal(never.stdout, '');
  assert.match(never.stderr, /^failed calculating "cache hash" for "orphan" \(tags "1\.0, latest"\)$/m);
  assert.equal(imageInspect(`${fx.ns}/orphan:1.0`), null);

  const bad = fx.run(['--arch', fx.arch, 'build', '--pull', 'sometimes', 'orphan']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: invalid value for --pull: "sometimes"\n');
});

test('--uniq builds and tags only the first tag of each entry', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const { url, commit } = scratchRepo(fx, 'uniq', '3.1, 3, latest');
  const cacheTag = cacheTagOf([url, commit, 'img', 'Dockerfile', 'scratch']);
  const [step] = parseSteps(fx.run(['--arch', fx.arch, 'build', '--uniq', '--dry-run', '--json', 'uniq']));
  assert.deepEqual(step?.tags, [`${fx.ns}/uniq:3.1`]);
  const r = fx.run(['--arch', fx.arch, 'build', '--uniq', 'uniq']);
  ok(r, 'build --uniq');
  assert.equal(r.stdout, `Building ${cacheTag} (uniq:3.1)\n`);
  assert.equal(mustInspect(`${fx.ns}/uniq:3.1`).Id, mustInspect(cacheTag).Id);
  assert.equal(imageInspect(`${fx.ns}/uniq:3`), null);
  assert.equal(imageInspect(`${fx.ns}/uniq:latest`), null);
});
