// `bashbrew build` with the buildkit and oci-import builders against a real Docker daemon: real git
// repositories (file:// URLs, fixed dates), library files in a temp dir, the real bin/bashbrew.
// Run through `node scripts/with-docker.mjs` (see test/helpers/docker.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildxAvailable, contextTar, docker, dockerOk, ensureBusyboxBase, imageInspect, requireDocker } from '../helpers/docker.js';
import { type TreeEntry } from '../helpers/git-repos.js';
import { bashbrew } from '../helpers/run-cli.js';
import { cacheTagOf, Fixture, mustInspect, ok, parseSteps, sha256 } from '../helpers/build-fixture.js';

// ---------------------------------------------------------------------------------------------
// buildkit

test('buildkit: no BUILDKIT_SYNTAX build-arg when the variable is empty; RUN works; cache hit next time', (t) => {
  if (!requireDocker(t)) return;
  if (!buildxAvailable()) {
    t.skip('docker buildx is not installed');
    return;
  }
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const busyboxId = mustInspect(busybox).Id;
  const { url, commit } = fx.repo('bk', { 'v1/Dockerfile': `FROM ${busybox}\nRUN echo hi-${fx.id} > /x\n` });
  fx.library('bk', url, [`Tags: 1.0, latest\nArchitectures: ${fx.archList}\nGitCommit: ${commit}\nDirectory: v1\nBuilder: buildkit`]);
  const cacheTag = cacheTagOf([url, commit, 'v1', 'Dockerfile', 'buildkit', busyboxId]);

  const [step] = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'bk']));
  assert.ok(step);
  assert.equal(step.builder, 'buildkit');
  assert.equal(step.cacheTag, cacheTag);
  assert.deepEqual(step.argv, ['docker', 'buildx', 'build', '--progress', 'plain',
    '--tag', cacheTag, '--tag', `${fx.ns}/bk:1.0`, '--tag', `${fx.ns}/bk:latest`, '--file', 'Dockerfile', '-']);
  assert.deepEqual(step.env, {});

  const r = fx.run(['--arch', fx.arch, 'build', 'bk']);
  ok(r, 'build');
  assert.equal(r.stdout, `Building ${cacheTag} (bk:1.0)\n`);
  const info = mustInspect(cacheTag);
  assert.equal(mustInspect(`${fx.ns}/bk:1.0`).Id, info.Id);
  assert.equal(mustInspect(`${fx.ns}/bk:latest`).Id, info.Id);
  const run = docker(['run', '--rm', `${fx.ns}/bk:1.0`, 'cat', '/x']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `hi-${fx.id}\n`);

  const again = fx.run(['--arch', fx.arch, 'build', 'bk']);
  ok(again, 'second build');
  assert.equal(again.stdout, `Using ${cacheTag} (bk:1.0)\n`);
});

test('buildkit: BASHBREW_BUILDKIT_SYNTAX unset is a clear error, nothing is built', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const { url, commit } = fx.repo('bk', { Dockerfile: `FROM ${busybox}\nRUN echo nope > /x\n` });
  fx.library('bk', url, [`Tags: 1.0\nArchitectures: ${fx.archList}\nGitCommit: ${commit}\nBuilder: buildkit`]);
  const env = fx.env();
  delete env.BASHBREW_BUILDKIT_SYNTAX;
  const r = bashbrew(['--library', fx.lib, '--namespace', fx.ns, '--arch', fx.arch, 'build', 'bk'], env, fx.dir);
  for (const m of r.stdout.matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)) fx.cacheTags.add(m[0]);
  assert.notEqual(r.code, 0);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^failed building "bk" \(tags "1\.0"\)$/m);
  assert.match(r.stderr, /^missing "BASHBREW_BUILDKIT_SYNTAX"$/m);
  assert.match(r.stdout, /^Building bashbrew\/cache:[0-9a-f]{64} \(bk:1\.0\)\n$/);
  assert.equal(imageInspect(`${fx.ns}/bk:1.0`), null);

  // as the reference, a dry run does not check the environment (it runs no builder)
  const dry = bashbrew(['--library', fx.lib, '--namespace', fx.ns, '--arch', fx.arch, 'build', '--dry-run', 'bk'], env, fx.dir);
  ok(dry, 'build --dry-run without BASHBREW_BUILDKIT_SYNTAX');
  assert.equal(dry.stdout, r.stdout);

  // a set value is passed through as the reference does
  const [step] = parseSteps(fx.run(['--arch', fx.arch, 'build', '--dry-run', '--json', 'bk'], { BASHBREW_BUILDKIT_SYNTAX: 'example/syntax:1' }));
  assert.deepEqual(step?.argv?.slice(0, 7), ['docker', 'buildx', 'build', '--progress', 'plain', '--build-arg', 'BUILDKIT_SYNTAX=example/syntax:1']);
});

// ---------------------------------------------------------------------------------------------
// oci-import

interface OciLayout {
  files: Record<string, TreeEntry>;
  manifestDigest: string;
  layerDigest: string;
  layerBlob: Buffer;
}

/** A one-layer linux/amd64 image as an OCI layout under `dir/` (index.json, oci-layout, blobs). */
function ociLayout(dir: string, content: string): OciLayout {
  const tar = contextTar({ 'hello.txt': content });
  const layer = gzipSync(tar);
  const digest = (b: Buffer) => 'sha256:' + sha256(b);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] },
    rootfs: { type: 'layers', diff_ids: [digest(tar)] },
    history: [{ created_by: 'bashbrew test' }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
  }));
  const index = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': '1.0' } }],
  });
  const blob = (b: Buffer) => `${dir}/blobs/sha256/${sha256(b)}`;
  return {
    files: {
      [`${dir}/oci-layout`]: '{"imageLayoutVersion":"1.0.0"}',
      [`${dir}/index.json`]: index,
      [blob(config)]: config,
      [blob(manifest)]: manifest,
      [blob(layer)]: layer,
    },
    manifestDigest: digest(manifest),
    layerDigest: digest(layer),
    layerBlob: layer,
  };
}

test('oci-import: the layout in git is loaded into Docker with its tags; a rerun uses the cache', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const layout = ociLayout('bookworm/oci', `oci ${fx.id}\n`);
  const { url, commit } = fx.repo('base', layout.files);
  fx.library('base', url, [`Tags: 1.0, latest\nArchitectures: amd64\nGitCommit: ${commit}\nDirectory: bookworm/oci\nBuilder: oci-import\nFile: index.json`]);
  const cacheTag = cacheTagOf([url, commit, 'bookworm/oci', 'index.json', 'oci-import', 'scratch']);

  const r = fx.run(['--arch', 'amd64', 'build', 'base']);
  ok(r, 'build');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `Building ${cacheTag} (base:1.0)`);
  assert.equal(lines[1], `Importing base:1.0 (${layout.manifestDigest}) into Docker`);
  assert.ok(lines.slice(2).some((l) => l.includes(`${fx.ns}/base:1.0`)), `docker load's output passes through:\n${r.stdout}`);

  const info = mustInspect(`${fx.ns}/base:1.0`);
  assert.equal(mustInspect(`${fx.ns}/base:latest`).Id, info.Id);
  assert.equal(`${info.Os}/${info.Architecture}`, 'linux/amd64');
  const cid = dockerOk(['create', `${fx.ns}/base:1.0`]).trim();
  t.after(() => docker(['rm', '-f', cid]));
  assert.match(dockerOk(['cp', `${cid}:/hello.txt`, '-']), new RegExp(`oci ${fx.id}`));

  const again = fx.run(['--arch', 'amd64', 'build', 'base']);
  ok(again, 'second build');
  assert.equal(again.stdout, `Using ${cacheTag} (base:1.0)\n`);
});

test('oci-import: a corrupt layer blob is a clear error naming the blob, and nothing is tagged', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const layout = ociLayout('oci', `corrupt ${fx.id}\n`);
  const bad = Buffer.from(layout.layerBlob);
  bad[bad.length - 5] = bad[bad.length - 5]! ^ 0xff; // same size, other digest
  const path = `oci/blobs/sha256/${layout.layerDigest.slice('sha256:'.length)}`;
  const { url, commit } = fx.repo('broken', { ...layout.files, [path]: bad });
  fx.library('broken', url, [`Tags: 1.0, latest\nArchitectures: amd64\nGitCommit: ${commit}\nDirectory: oci\nBuilder: oci-import\nFile: index.json`]);
  const cacheTag = cacheTagOf([url, commit, 'oci', 'index.json', 'oci-import', 'scratch']);

  const r = fx.run(['--arch', 'amd64', 'build', 'broken']);
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`^Building ${cacheTag} \\(broken:1\\.0\\)$`, 'm'));
  assert.match(r.stderr, /"broken" \(tags "1\.0, latest"\)/);
  assert.ok(r.stderr.includes(layout.layerDigest), `the error names the blob:\n${r.stderr}`);
  assert.match(r.stderr, /digest/);
  for (const ref of [cacheTag, `${fx.ns}/broken:1.0`, `${fx.ns}/broken:latest`]) {
    assert.equal(imageInspect(ref), null, `${ref} must not exist after a corrupt import`);
  }
});
