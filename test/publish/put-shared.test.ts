// `bashbrew put-shared` (spec §3.5, §7.2) against a real registry (Debian's docker-registry): the index of the
// per-arch images under the arch namespaces is put under each tag and SharedTag group of the target repo, only
// after every manifest it lists is in the target repo; up-to-date tags are skipped; faults never leave an index
// pointing at a missing manifest.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { type Descriptor, MEDIA_TYPES, RegistryClient } from '../../lib/registry/client.js';
import { parseReference } from '../../lib/registry/reference.js';
import { libraryFile } from '../helpers/git-repos.js';
import { registryAvailable, startRegistry, type Registry } from '../helpers/registry.js';
import { bashbrewAsync } from '../helpers/run-cli-async.js';
import { tempDir, type CliResult } from '../helpers/run-cli.js';
import { sha256, startFaultProxy, uploadImage, uploadIndex } from '../registry/helpers.js';

const ATTESTATION = 'attestation-manifest';

interface Setup {
  registry: Registry;
  client: RegistryClient;
  lib: string;
  amd64: Descriptor;
  arm64: Descriptor;
  attestation: Descriptor;
  /** bashbrew --library LIB --arch-namespace … ARGS, against `host` (the registry's, or a proxy's). */
  run(args: string[], host?: string, env?: Record<string, string>): Promise<CliResult>;
}

function ok(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/**
 * amd64: a single manifest at HOST/amd64/hello:1.0; arm64v8: an index (image + attestation manifest, as buildx
 * writes) at HOST/arm64v8/hello:1.0. The library's one entry has Tags 1.0, latest and SharedTags shared, stable.
 */
async function setup(t: TestContext, entries?: string[]): Promise<Setup | null> {
  if (!registryAvailable()) {
    t.skip('docker-registry is not installed (apt-get install docker-registry)');
    return null;
  }
  const registry = await startRegistry();
  t.after(() => registry.stop());
  const client = new RegistryClient({ env: {} });
  const host = registry.host;
  const amd64 = await uploadImage(client, `${host}/amd64/hello`, { architecture: 'amd64', os: 'linux' }, '1.0');
  const arm64Image = await uploadImage(client, `${host}/arm64v8/hello`, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  const attRef = parseReference(`${host}/arm64v8/hello`);
  const statement = await client.putBlob(attRef, Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}'), 'application/vnd.in-toto+json');
  const attConfig = await client.putBlob(attRef, Buffer.from('{"architecture":"unknown","os":"unknown"}'), MEDIA_TYPES.ociConfig);
  const attBody = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: attConfig, layers: [statement] }));
  const attestation: Descriptor = {
    ...(await client.putManifest(attRef, sha256(attBody), MEDIA_TYPES.ociManifest, attBody)),
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: { 'vnd.docker.reference.digest': arm64Image.digest, 'vnd.docker.reference.type': ATTESTATION },
  };
  const arm64 = { ...arm64Image, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } };
  await uploadIndex(client, `${host}/arm64v8/hello`, '1.0', [arm64, attestation]);

  const dir = tempDir('bbtest-put-shared-');
  const lib = join(dir, 'library');
  mkdirSync(lib);
  writeFileSync(join(lib, 'hello'), libraryFile('https://example.invalid/hello.git', entries ?? [
    'Tags: 1.0, latest\nSharedTags: shared, stable\nArchitectures: amd64, arm64v8\nGitCommit: 0123456789012345678901234567890123456789',
  ]));
  const run = (args: string[], target = host, env: Record<string, string> = {}) => bashbrewAsync(['--library', lib,
    '--arch-namespace', `amd64=${target}/amd64`, '--arch-namespace', `arm64v8=${target}/arm64v8`, ...args], env, dir);
  return { registry, client, lib, amd64, arm64, attestation, run };
}

async function indexAt(client: RegistryClient, image: string): Promise<{ desc: Descriptor; manifests: Descriptor[] } | null> {
  try {
    const { desc, body } = await client.getManifest(parseReference(image));
    return { desc, manifests: (JSON.parse(body.toString('utf8')) as { manifests: Descriptor[] }).manifests };
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

test('put-shared: one index per tag group, members copied into the target repo first, attestations kept', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const host = s.registry.host;
  const target = `${host}/library`;

  const r = await s.run(['put-shared', '--target-namespace', target, 'hello']);
  ok(r, 'put-shared');
  assert.equal(r.stdout, `Putting ${target}/hello:1.0\nPutting ${target}/hello:shared\n`);
  assert.equal(r.stderr, `warning: expected 1 image for "${host}/arm64v8/hello:1.0"; got 2\n`.repeat(2));

  const want = [s.amd64.digest, s.arm64.digest, s.attestation.digest];
  for (const tag of ['1.0', 'latest', 'shared', 'stable']) {
    const index = await indexAt(s.client, `${target}/hello:${tag}`);
    assert.ok(index, `${tag} should exist`);
    assert.equal(index.desc.mediaType, MEDIA_TYPES.ociIndex);
    assert.deepEqual(index.manifests.map((m) => m.digest), want, tag);
    assert.deepEqual(index.manifests[0]!.platform, { architecture: 'amd64', os: 'linux' });
    assert.deepEqual(index.manifests[1]!.platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
    assert.equal(index.manifests[2]!.annotations?.['vnd.docker.reference.type'], ATTESTATION);
  }
  // every manifest the index lists (and their blobs) now lives in the target repo itself
  const targetRef = parseReference(`${target}/hello`);
  for (const d of want) {
    const { body } = await s.client.getManifest(targetRef, d);
    const manifest = JSON.parse(body.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
    for (const blob of [manifest.config, ...manifest.layers]) assert.ok(await s.client.hasBlob(targetRef, blob.digest), `${blob.digest} of ${d}`);
  }

  // nothing changed: every tag is up to date, nothing is put
  const again = await s.run(['put-shared', '--target-namespace', target, 'hello']);
  ok(again, 'second put-shared');
  assert.equal(again.stdout, '');
  assert.equal(again.stderr, `warning: expected 1 image for "${host}/arm64v8/hello:1.0"; got 2\n` +
    `skipping ${target}/hello:1.0 (3 remote digests up-to-date)\nskipping ${target}/hello:latest (3 remote digests up-to-date)\n` +
    `warning: expected 1 image for "${host}/arm64v8/hello:1.0"; got 2\n` +
    `skipping ${target}/hello:shared (3 remote digests up-to-date)\nskipping ${target}/hello:stable (3 remote digests up-to-date)\n`);

  // --force puts them all again (the same index)
  const forced = await s.run(['put-shared', '--force', '--target-namespace', target, 'hello']);
  ok(forced, 'put-shared --force');
  assert.equal(forced.stdout, `Putting ${target}/hello:1.0\nPutting ${target}/hello:shared\n`);
  assert.deepEqual((await indexAt(s.client, `${target}/hello:latest`))!.manifests.map((m) => m.digest), want);
});

test('put-shared --dry-run prints what it would put and puts nothing; a changed arch image re-puts only what changed', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const target = `${s.registry.host}/library`;
  const dry = await s.run(['put-shared', '--dry-run', '--target-namespace', target, 'hello']);
  ok(dry, 'dry run');
  assert.equal(dry.stdout, `Putting ${target}/hello:1.0\nPutting ${target}/hello:shared\n`);
  assert.equal(await indexAt(s.client, `${target}/hello:1.0`), null);

  ok(await s.run(['put-shared', '--target-namespace', target, 'hello']), 'put-shared');
  // a new amd64 image: every group that lists amd64 is out of date
  const amd64 = await uploadImage(s.client, `${s.registry.host}/amd64/hello`, { architecture: 'amd64', os: 'linux', 'os.features': ['new'] }, '1.0');
  const r = await s.run(['put-shared', '--target-namespace', target, 'hello:1.0']);
  ok(r, 'put-shared hello:1.0');
  // a single tag was asked for: SharedTags are left alone
  assert.equal(r.stdout, `Putting ${target}/hello:1.0\n`);
  assert.match(r.stderr, /^warning: a single tag was requested -- skipping SharedTags\n/);
  assert.equal((await indexAt(s.client, `${target}/hello:latest`))!.manifests[0]!.digest, amd64.digest);
  assert.equal((await indexAt(s.client, `${target}/hello:shared`))!.manifests[0]!.digest, s.amd64.digest);
});

test('put-shared: missing arch namespace and missing arch images are skipped with warnings; nothing to push', async (t) => {
  const s = await setup(t, [
    'Tags: 1.0\nArchitectures: amd64, arm64v8, s390x\nGitCommit: 0123456789012345678901234567890123456789',
    'Tags: 2.0\nArchitectures: amd64\nGitCommit: 0123456789012345678901234567890123456789',
  ]);
  if (s === null) return;
  const host = s.registry.host;
  const target = `${host}/library`;
  const r = await s.run(['put-shared', '--target-namespace', target, 'hello']);
  ok(r, 'put-shared');
  assert.equal(r.stdout, `Putting ${target}/hello:1.0\n`);
  assert.equal(r.stderr, [
    `warning: expected 1 image for "${host}/arm64v8/hello:1.0"; got 2`,
    'warning: no arch-namespace specified for "s390x"; skipping ("hello:1.0")',
    // hello:2.0 was never pushed for amd64: left out of the index (manifest-tool's --ignore-missing)
    `warning: expected 1 image for "${host}/amd64/hello:2.0"; got 0`,
    `warning: no images expected to push for "${target}/hello:2.0"`,
    // nothing expected and nothing there: the reference counts that as up to date
    `skipping ${target}/hello:2.0 (0 remote digests up-to-date)`,
    '',
  ].join('\n'));
  assert.equal((await indexAt(s.client, `${target}/hello:1.0`))!.manifests.length, 3);
  assert.equal(await indexAt(s.client, `${target}/hello:2.0`), null);

  // no arch namespaces at all: nothing to push for any group
  const none = await bashbrewAsync(['--library', s.lib, 'put-shared', '--target-namespace', target, 'hello']);
  ok(none, 'no arch namespaces');
  assert.equal(none.stdout, '');
  assert.match(none.stderr, new RegExp(`skipping ${target}/hello:1\\.0 \\(nothing to push\\)\n`));
  assert.match(none.stderr, new RegExp(`skipping ${target}/hello:2\\.0 \\(nothing to push\\)\n$`));
});

test('put-shared --single-arch: only --arch, under the target namespace (e.g. amd64/hello)', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const target = `${s.registry.host}/single`;
  const r = await s.run(['--arch', 'arm64v8', 'put-shared', '--single-arch', '--target-namespace', target, 'hello']);
  ok(r, 'single-arch');
  // --single-arch has no per-entry groups: the SharedTag group only
  assert.equal(r.stdout, `Putting ${target}/hello:shared\n`);
  assert.deepEqual((await indexAt(s.client, `${target}/hello:stable`))!.manifests.map((m) => m.digest), [s.arm64.digest, s.attestation.digest]);
  assert.equal(await indexAt(s.client, `${target}/hello:1.0`), null);
});

test('put-shared needs a target namespace', async () => {
  const r = await bashbrewAsync(['put-shared', 'hello']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: either "--target-namespace" or "--namespace" is a required flag for "put-shared"\n');
});

test('put-shared across registries: arch images on one registry, the index on another (blobs copied, not mounted)', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const other = await startRegistry();
  t.after(() => other.stop());
  const target = `${other.host}/library`;
  const r = await s.run(['put-shared', '--target-namespace', target, 'hello']);
  ok(r, 'put-shared');
  const index = await indexAt(s.client, `${target}/hello:shared`);
  assert.deepEqual(index!.manifests.map((m) => m.digest), [s.amd64.digest, s.arm64.digest, s.attestation.digest]);
  const targetRef = parseReference(`${target}/hello`);
  for (const d of index!.manifests) {
    const { body } = await s.client.getManifest(targetRef, d.digest);
    const manifest = JSON.parse(body.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
    for (const blob of [manifest.config, ...manifest.layers]) {
      assert.equal(sha256(await s.client.getBlob(targetRef, blob.digest, blob.size)), blob.digest);
    }
  }
});

test('put-shared through faults: transient 500s are retried; a manifest that cannot be copied means no index at all', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const proxy = await startFaultProxy(s.registry.host);
  t.after(() => proxy.close());
  const target = `${proxy.host}/library`;
  const fast = { BASHBREW_REGISTRY_RETRIES: '2', BASHBREW_REGISTRY_BACKOFF_MS: '20' };

  // transient: two requests for manifests of the target repo fail once each
  for (let i = 0; i < 2; i++) proxy.inject(/\/v2\/library\/hello\/manifests\//, { kind: 'status', status: 500 });
  ok(await s.run(['put-shared', '--target-namespace', target, 'hello:1.0'], proxy.host, fast), 'transient faults');
  assert.equal((await indexAt(s.client, `${s.registry.host}/library/hello:1.0`))!.manifests.length, 3);

  // persistent: the arm64 image manifest can never be put into the new repo → no tag points at anything
  for (let i = 0; i < 20; i++) proxy.inject(new RegExp(`/v2/broken/hello/manifests/${s.arm64.digest}`), { kind: 'status', status: 503 });
  const r = await s.run(['put-shared', '--target-namespace', `${proxy.host}/broken`, 'hello'], proxy.host, fast);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`warning: failed putting ${proxy.host}/broken/hello:1\\.0, skipping \\(collecting errors\\)\n`));
  assert.match(r.stderr, new RegExp(`failed putting groups:\n- ${proxy.host}/broken/hello:1\\.0: .*503`));
  for (const tag of ['1.0', 'latest', 'shared', 'stable']) {
    assert.equal(await indexAt(s.client, `${s.registry.host}/broken/hello:${tag}`), null, tag);
  }
});
