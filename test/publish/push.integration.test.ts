// `bashbrew push` (spec §3.4, §7.1) against a real registry (Debian's docker-registry on 127.0.0.1):
//
// * the docker path (a classic build, `bashbrew tag --target-namespace`, `docker push`; needs dockerd): dry-run,
//   push, skip when the remote image is the local one, --force, --uniq, SharedTags never pushed, the errors;
// * the OCI store path (no Docker): an image (index + attestation manifest) kept under $BASHBREW_CACHE/oci/<arch>
//   by its cache tag is pushed with its digests unchanged; skip/partial-skip by digest, counted through a loopback
//   proxy (an up-to-date tag or existing layers send no blob upload at all);
// * the oci-import path: the layout in git pushed as it is;
// * a failure mid-push (persistent 500s on blob uploads): exit 1, and the tag is not written.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { canonicalName, OciStore } from '../../lib/build/oci-store.js';
import { type Descriptor, RegistryClient, RegistryError } from '../../lib/registry/client.js';
import { parseReference } from '../../lib/registry/reference.js';
import { cacheTagOf, Fixture, mustInspect, ok } from '../helpers/build-fixture.js';
import { contextTar, requireDocker } from '../helpers/docker.js';
import { bareRepoWithCommit, libraryFile, type TreeEntry } from '../helpers/git-repos.js';
import { type Registry, registryAvailable, startRegistry } from '../helpers/registry.js';
import { bashbrewAsync } from '../helpers/run-cli-async.js';
import { bashbrew, type CliResult, tempDir } from '../helpers/run-cli.js';
import { layoutFiles, makeImage, under } from '../oci/util.js';
import { startFaultProxy, uploadImage } from '../registry/helpers.js';

const noRegistry = !registryAvailable() && 'docker-registry is not installed (apt-get install docker-registry)';

const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MT_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const MT_INTOTO = 'application/vnd.in-toto+json';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Registry look-ups of the checks: anonymous, no retries. */
const client = new RegistryClient({ credentials: () => undefined, retries: 0 });

/** The manifest under `ref` (repo:tag or repo@digest), or null when the registry has none. */
async function remote(ref: string): Promise<{ desc: Descriptor; body: Buffer } | null> {
  try {
    return await client.getManifest(parseReference(ref));
  } catch (err) {
    if (err instanceof RegistryError && err.status === 404) return null;
    throw err;
  }
}

function configDigest(body: Buffer): string {
  return (JSON.parse(body.toString('utf8')) as { config: { digest: string } }).config.digest;
}

function expectCode(r: CliResult, code: number, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** Requests that upload (or start uploading) a blob. */
const uploads = (seen: string[]) => seen.filter((s) => s.includes('/blobs/uploads/'));

// ---------------------------------------------------------------------------------------------
// a library and git repositories without Docker (the OCI store and oci-import paths)

class Lib {
  readonly dir = tempDir('bbtest-push-');
  readonly lib = join(this.dir, 'library');
  readonly cache = join(this.dir, 'cache');
  readonly arch = 'amd64';

  constructor() {
    mkdirSync(this.lib);
  }

  repo(name: string, files: Record<string, TreeEntry>): { url: string; commit: string } {
    return bareRepoWithCommit(this.dir, name, files);
  }

  library(name: string, url: string, entries: string[]): void {
    writeFileSync(join(this.lib, name), libraryFile(url, entries, { GitFetch: 'refs/heads/main' }));
  }

  /** bashbrew --arch amd64 --library LIB ARGS, not blocking this process (the fault proxy lives here). */
  run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const env: Record<string, string> = { BASHBREW_CACHE: this.cache, ...extraEnv };
    if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST;
    return bashbrewAsync(['--arch', this.arch, '--library', this.lib, ...args], env, this.dir, 60_000);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface StoredImage {
  /** The index buildx would have built (what the cache tag names). */
  index: Descriptor & { body: Buffer };
  manifest: Descriptor & { body: Buffer };
  attestation: Descriptor & { body: Buffer };
  inToto: Descriptor & { body: Buffer };
  layer: Descriptor;
  config: Descriptor;
}

/**
 * Puts into the OCI store of `lib` what a buildx build with BUILDX_BUILDER would have left there for `cacheTag`:
 * an index holding the image manifest for amd64 and its attestation manifest (one in-toto layer), imported from
 * an OCI layout tarball and recorded under the cache tag, as lib/build/runner.ts does.
 */
async function storeImage(lib: Lib, cacheTag: string, seed: string): Promise<StoredImage> {
  const files: Record<string, Buffer> = {};
  const put = (mediaType: string, b: Buffer) => {
    files[`blobs/sha256/${sha(b).slice(7)}`] = b;
    return { mediaType, digest: sha(b), size: b.length, body: b };
  };
  const desc = ({ mediaType, digest, size }: Descriptor) => ({ mediaType, digest, size });
  const layerTar = contextTar({ hello: `hello from ${seed}\n` });
  const layer = put(MT_LAYER, layerTar);
  const config = put(MT_CONFIG, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const manifest = put(MT_MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_MANIFEST,
    config: desc(config), layers: [desc(layer)] })));
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document',
    subject: [{ name: 'pkg:docker/x', digest: { sha256: manifest.digest.slice(7) } }], predicate: { seed } }));
  const inToto = put(MT_INTOTO, statement);
  const attConfig = put(MT_CONFIG, Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {},
    rootfs: { type: 'layers', diff_ids: [inToto.digest] } })));
  const attestation = put(MT_MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_MANIFEST, config: desc(attConfig),
    layers: [{ ...desc(inToto), annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }] })));
  const index = put(MT_INDEX, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [
    { ...desc(manifest), platform: { architecture: 'amd64', os: 'linux' } },
    { ...desc(attestation), platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': manifest.digest } },
  ] })));
  files['oci-layout'] = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
  files['index.json'] = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [
    { ...desc(index), annotations: { 'io.containerd.image.name': canonicalName(cacheTag), 'org.opencontainers.image.ref.name': cacheTag.split(':')[1]! } },
  ] }));
  const store = new OciStore(join(lib.cache, 'oci', lib.arch));
  const imported = await store.importTarball(Readable.from([contextTar(files)]));
  const recorded = await store.record([cacheTag], imported);
  assert.equal(recorded.digest, index.digest);
  return { index, manifest, attestation, inToto, layer: desc(layer), config: desc(config) };
}

/** A buildkit entry FROM scratch (`Tags: 1.0, latest`, `SharedTags: shared`) and its cache tag (spec §5). */
function buildkitEntry(lib: Lib, name: string): string {
  const { url, commit } = lib.repo(name, { Dockerfile: 'FROM scratch\nCOPY hello.txt /\n', 'hello.txt': `${name}\n` });
  lib.library(name, url, [`Tags: 1.0, latest\nSharedTags: shared\nArchitectures: amd64\nGitCommit: ${commit}\nBuilder: buildkit`]);
  return cacheTagOf([url, commit, '.', 'Dockerfile', 'buildkit', 'scratch']);
}

// ---------------------------------------------------------------------------------------------

describe('push against a real registry', { skip: noRegistry }, () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry?.stop());

  test('docker path: --dry-run, push, skip when the remote image is the local one, --force, --uniq, SharedTags, errors', async (t) => {
    if (!requireDocker(t)) return;
    const fx = new Fixture(t);
    const repo = fx.repo('hello', {
      'img/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'img/hello.txt': `hello from ${fx.id}\n`,
    });
    fx.library('hello', repo.url, [`Tags: 1.0, latest\nSharedTags: shared\nArchitectures: ${fx.archList}\nGitCommit: ${repo.commit}\nDirectory: img`]);
    ok(fx.run(['--arch', fx.arch, 'build', 'hello']), 'build');
    const ns = `${registry.host}/x`;
    fx.namespaces.add(ns);
    fx.namespaces.add(`${registry.host}/u`);
    const tagged = fx.run(['--arch', fx.arch, 'tag', '--target-namespace', ns, 'hello']);
    ok(tagged, 'tag');
    assert.equal(tagged.stdout, `Tagging ${ns}/hello:1.0\nTagging ${ns}/hello:latest\nTagging ${ns}/hello:shared\n`);
    const localId = mustInspect(`${ns}/hello:1.0`).Id;
    const push = (...args: string[]) => fx.run(['--arch', fx.arch, 'push', '--target-namespace', ns, ...args, 'hello']);
    const pushing = `Pushing ${ns}/hello:1.0\nPushing ${ns}/hello:latest\n`;

    // --dry-run: the lines, nothing pushed
    const dry = push('--dry-run');
    ok(dry, 'push --dry-run');
    assert.equal(dry.stdout, pushing);
    assert.equal(dry.stderr, '');
    for (const tag of ['1.0', 'latest']) assert.equal(await remote(`${ns}/hello:${tag}`), null, `dry-run pushed ${tag}`);

    const first = push();
    ok(first, 'push');
    assert.equal(first.stdout, pushing);
    assert.equal(first.stderr, '');
    const pushed = await remote(`${ns}/hello:1.0`);
    assert.ok(pushed, '1.0 pushed');
    assert.equal((await remote(`${ns}/hello:latest`))?.desc.digest, pushed.desc.digest);
    // the classic store: docker's image ID is the config digest (the containerd store: the manifest's or index's)
    assert.ok([configDigest(pushed.body), pushed.desc.digest].includes(localId),
      `local ${localId} vs remote manifest ${pushed.desc.digest}, config ${configDigest(pushed.body)}`);
    if (pushed.desc.mediaType.includes('manifest.v') && !pushed.desc.mediaType.includes('list')) assert.equal(configDigest(pushed.body), localId);
    assert.equal(await remote(`${ns}/hello:shared`), null, 'SharedTags are never pushed');

    // again: the remote image is the local one
    const second = push();
    ok(second, 'second push');
    assert.equal(second.stdout, '');
    assert.equal(second.stderr, `skipping ${ns}/hello:1.0 (remote image matches local)\nskipping ${ns}/hello:latest (remote image matches local)\n`);

    const forced = push('--force');
    ok(forced, 'push --force');
    assert.equal(forced.stdout, pushing);
    assert.equal(forced.stderr, '');
    assert.equal((await remote(`${ns}/hello:1.0`))?.desc.digest, pushed.desc.digest);

    // --uniq: the first tag only
    const uns = `${registry.host}/u`;
    ok(fx.run(['--arch', fx.arch, 'tag', '--target-namespace', uns, 'hello']), 'tag u');
    const uniq = fx.run(['--arch', fx.arch, 'push', '--uniq', '--target-namespace', uns, 'hello']);
    ok(uniq, 'push --uniq');
    assert.equal(uniq.stdout, `Pushing ${uns}/hello:1.0\n`);
    assert.ok(await remote(`${uns}/hello:1.0`));
    assert.equal(await remote(`${uns}/hello:latest`), null);

    // no local image under the target namespace
    const mns = `${registry.host}/missing`;
    const missing = fx.run(['--arch', fx.arch, 'push', '--target-namespace', mns, 'hello']);
    expectCode(missing, 1, 'push of a missing image');
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, new RegExp(`^failed looking up local image ID for "${mns}/hello:1\\.0"$`, 'm'));
    assert.equal(await remote(`${mns}/hello:1.0`), null);

    // neither --target-namespace nor --namespace
    const none = bashbrew(['--library', fx.lib, 'push', 'hello'], fx.env(), fx.dir);
    expectCode(none, 1, 'push without a namespace');
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, 'error: either "--target-namespace" or "--namespace" is a required flag for "push"\n');
  });

  test('OCI store path: the stored index (attestations intact) pushed as it is; skip and partial skip by digest', async (t) => {
    const lib = new Lib();
    t.after(() => lib.cleanup());
    const proxy = await startFaultProxy(registry.host);
    t.after(() => proxy.close());
    const cacheTag = buildkitEntry(lib, 'pushoci');
    const img = await storeImage(lib, cacheTag, 'store path');
    const ns = `${proxy.host}/x`; // through the proxy, which counts what is sent
    const direct = `${registry.host}/x/pushoci`;

    const dry = await lib.run(['push', '--dry-run', '--target-namespace', ns, 'pushoci']);
    expectCode(dry, 0, 'push --dry-run');
    assert.equal(dry.stdout, `Pushing ${img.index.digest} to ${ns}/pushoci:1.0, ${ns}/pushoci:latest\n`);
    assert.equal(dry.stderr, '');
    assert.deepEqual(uploads(proxy.seen), []);
    for (const tag of ['1.0', 'latest']) assert.equal(await remote(`${direct}:${tag}`), null, `dry-run pushed ${tag}`);

    const first = await lib.run(['push', '--target-namespace', ns, 'pushoci']);
    expectCode(first, 0, 'push');
    assert.equal(first.stdout, `Pushing ${img.index.digest} to ${ns}/pushoci:1.0, ${ns}/pushoci:latest\n`);
    assert.equal(first.stderr, '');
    for (const tag of ['1.0', 'latest']) {
      const got = await remote(`${direct}:${tag}`);
      assert.equal(got?.desc.digest, img.index.digest, tag);
      assert.ok(got.body.equals(img.index.body), `${tag}: the index bytes unchanged`);
    }
    assert.equal(await remote(`${direct}:shared`), null, 'SharedTags are never pushed');
    for (const m of [img.manifest, img.attestation]) {
      const got = await remote(`${direct}@${m.digest}`);
      assert.ok(got?.body.equals(m.body), `manifest ${m.digest}`);
    }
    const ref = parseReference(direct);
    assert.ok((await client.getBlob(ref, img.inToto.digest, img.inToto.size)).equals(img.inToto.body), 'the in-toto statement');
    for (const b of [img.layer, img.config]) assert.ok(await client.hasBlob(ref, b.digest), b.digest);

    // again (with --force, which does not bypass the comparison here): nothing to do, nothing uploaded
    proxy.seen.length = 0;
    const second = await lib.run(['push', '--force', '--target-namespace', ns, 'pushoci']);
    expectCode(second, 0, 'second push');
    assert.equal(second.stdout, '');
    assert.equal(second.stderr, 'skipping pushoci:1.0 (remote tags all up-to-date)\n');
    assert.deepEqual(uploads(proxy.seen), []);
    assert.deepEqual(proxy.seen.filter((s) => !s.startsWith('GET ') && !s.startsWith('HEAD ')), [], 'reads only');

    // another image under one tag: only that tag is written, and no layer bytes travel (the repo has them all)
    const other = await uploadImage(client, direct, { architecture: 'amd64', os: 'linux' }, 'latest');
    assert.notEqual(other.digest, img.index.digest);
    proxy.seen.length = 0;
    const partial = await lib.run(['push', '--target-namespace', ns, 'pushoci']);
    expectCode(partial, 0, 'partial push');
    assert.equal(partial.stderr, `partially skipping pushoci:1.0 (remote tags up-to-date: ${ns}/pushoci:1.0)\n`);
    assert.equal(partial.stdout, `Pushing ${img.index.digest} to ${ns}/pushoci:latest\n`);
    assert.deepEqual(uploads(proxy.seen), [], 'no blob upload started');
    const writes = proxy.seen.filter((s) => !s.startsWith('GET ') && !s.startsWith('HEAD '));
    assert.deepEqual(writes, ['PUT /v2/x/pushoci/manifests/latest'], 'only the tag is written');
    assert.equal((await remote(`${direct}:latest`))?.desc.digest, img.index.digest);
    assert.equal((await remote(`${direct}:1.0`))?.desc.digest, img.index.digest);

    // a look-up that fails otherwise than "not found" stops the push (it is not taken for "needs an update")
    proxy.inject(/\/manifests\/latest$/, { kind: 'status', status: 403 });
    proxy.seen.length = 0;
    const denied = await lib.run(['push', '--target-namespace', ns, 'pushoci']);
    expectCode(denied, 1, 'push with a denied look-up');
    assert.equal(denied.stdout, '');
    assert.match(denied.stderr, /^failed looking up tags for "pushoci" \(tags "1\.0, latest"\)$/m);
    assert.match(denied.stderr, /HTTP 403/);
    assert.deepEqual(proxy.seen.filter((s) => s.startsWith('PUT ') || s.startsWith('POST ')), []);
  });

  test('oci-import path: the layout\'s manifest pushed with its digest unchanged', async (t) => {
    const lib = new Lib();
    t.after(() => lib.cleanup());
    const image = makeImage({ architecture: 'amd64', hello: Buffer.from('pushed from an OCI layout in git\n') });
    const { url, commit } = lib.repo('ocimp', under('oci', layoutFiles(image)));
    lib.library('ocimp', url, [`Tags: 1.0, latest\nArchitectures: amd64\nGitCommit: ${commit}\nBuilder: oci-import\nDirectory: oci\nFile: index.json`]);
    const ns = `${registry.host}/x`;
    const digest = image.manifestDescriptor.digest;

    const r = await lib.run(['push', '--target-namespace', ns, 'ocimp']);
    expectCode(r, 0, 'push');
    assert.equal(r.stdout, `Pushing ${digest} to ${ns}/ocimp:1.0, ${ns}/ocimp:latest\n`);
    assert.equal(r.stderr, '');
    for (const tag of ['1.0', 'latest']) {
      const got = await remote(`${ns}/ocimp:${tag}`);
      assert.equal(got?.desc.digest, digest, tag);
      assert.ok(got.body.equals(image.manifestBytes), `${tag}: the layout's manifest bytes`);
    }
    const ref = parseReference(`${ns}/ocimp`);
    assert.ok((await client.getBlob(ref, image.layerDescriptor.digest, image.layerDescriptor.size)).equals(image.layerBlob));
    assert.ok((await client.getBlob(ref, image.configDescriptor.digest, image.configDescriptor.size)).equals(image.configBytes));

    const again = await lib.run(['push', '--target-namespace', ns, 'ocimp']);
    expectCode(again, 0, 'second push');
    assert.equal(again.stdout, '');
    assert.equal(again.stderr, 'skipping ocimp:1.0 (remote tags all up-to-date)\n');
  });

  test('transient faults mid-push (a connection dropped inside a blob, a 429 with Retry-After, a 500): retried, pushed whole', async (t) => {
    const lib = new Lib();
    t.after(() => lib.cleanup());
    const proxy = await startFaultProxy(registry.host);
    t.after(() => proxy.close());
    const cacheTag = buildkitEntry(lib, 'pushflaky');
    const img = await storeImage(lib, cacheTag, 'flaky push');
    proxy.inject(/\/blobs\/uploads\//, { kind: 'drop', afterBytes: 8 }, { method: 'PUT' });
    proxy.inject(/\/manifests\/latest$/, { kind: 'status', status: 429, retryAfter: '0' }, { method: 'PUT' });
    proxy.inject(/\/manifests\/sha256:/, { kind: 'status', status: 500 }, { method: 'PUT' });
    const ns = `${proxy.host}/flaky`;

    const r = await lib.run(['push', '--target-namespace', ns, 'pushflaky'], { BASHBREW_REGISTRY_BACKOFF_MS: '20' });
    expectCode(r, 0, 'push through transient faults');
    assert.equal(proxy.pending(), 0, 'every fault was hit');
    assert.equal(r.stdout, `Pushing ${img.index.digest} to ${ns}/pushflaky:1.0, ${ns}/pushflaky:latest\n`);
    for (const tag of ['1.0', 'latest']) assert.equal((await remote(`${registry.host}/flaky/pushflaky:${tag}`))?.desc.digest, img.index.digest, tag);
    // every blob the index reaches arrived whole (the registry verified each digest on commit; read back here too)
    const ref = parseReference(`${registry.host}/flaky/pushflaky`);
    const index = JSON.parse((await client.getManifest(ref, img.index.digest)).body.toString('utf8')) as { manifests: Descriptor[] };
    for (const m of index.manifests) {
      const manifest = JSON.parse((await client.getManifest(ref, m.digest)).body.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
      for (const b of [manifest.config, ...manifest.layers]) assert.ok(await client.getBlob(ref, b.digest, b.size));
    }
  });

  test('a failure mid-push (persistent 500s on blob uploads): exit 1, "failed pushing", no tag written', async (t) => {
    const lib = new Lib();
    t.after(() => lib.cleanup());
    const proxy = await startFaultProxy(registry.host);
    t.after(() => proxy.close());
    const cacheTag = buildkitEntry(lib, 'pushfail');
    const img = await storeImage(lib, cacheTag, 'failing push');
    for (let i = 0; i < 500; i++) proxy.inject(/\/blobs\/uploads\//, { kind: 'status', status: 500 });
    const ns = `${proxy.host}/fail`;

    // a short retry policy: the point is what is left behind, not how long it tries
    const r = await lib.run(['push', '--target-namespace', ns, 'pushfail'], { BASHBREW_REGISTRY_RETRIES: '2', BASHBREW_REGISTRY_BACKOFF_MS: '20' });
    expectCode(r, 1, 'push through failing uploads');
    assert.equal(r.stdout, `Pushing ${img.index.digest} to ${ns}/pushfail:1.0, ${ns}/pushfail:latest\n`);
    assert.match(r.stderr, /^failed pushing "pushfail:1\.0"$/m);
    assert.match(r.stderr, /HTTP 500/);
    assert.ok(uploads(proxy.seen).length > 0, 'uploads were tried');
    assert.deepEqual(proxy.seen.filter((s) => /^PUT .*\/manifests\//.test(s)), [], 'no manifest written');
    for (const tag of ['1.0', 'latest']) assert.equal(await remote(`${registry.host}/fail/pushfail:${tag}`), null, `${tag} must not exist`);
    t.diagnostic(`${uploads(proxy.seen).length} upload requests refused`);
  });
});
