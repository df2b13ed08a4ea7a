// The registry client and `bashbrew remote arches` against a real registry (Debian's docker-registry).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bashbrewArch } from '../../lib/registry/arches.js';
import { type Descriptor, DigestMismatchError, MEDIA_TYPES, RegistryClient } from '../../lib/registry/client.js';
import { dockerConfigCredentials } from '../../lib/registry/credentials.js';
import { formatReference, isInsecureHost, parseReference, registryBaseURL } from '../../lib/registry/reference.js';
import { daemonArch, docker, dockerOk, ensureBusyboxBase, removeImages, requireDocker } from '../helpers/docker.js';
import { type Registry, registryAvailable, startRegistry } from '../helpers/registry.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';
import { sha256, startFaultProxy, uploadImage, uploadIndex } from './helpers.js';

const anonymous = () => undefined;

describe('references', () => {
  test('normalising', () => {
    const cases: [string, string][] = [
      ['debian', 'docker.io/library/debian:latest'],
      ['debian:bookworm', 'docker.io/library/debian:bookworm'],
      ['tianon/true', 'docker.io/tianon/true:latest'],
      ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
      ['localhost:5000/foo', 'localhost:5000/foo:latest'],
      ['127.0.0.1:5000/a/b:c', '127.0.0.1:5000/a/b:c'],
      [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    ];
    for (const [input, want] of cases) assert.equal(formatReference(parseReference(input)), want, input);
    assert.throws(() => parseReference('UPPER'), /invalid reference format/);
    assert.throws(() => parseReference('x:bad tag'), /invalid reference format/);
  });

  test('schemes and hosts', () => {
    assert.equal(registryBaseURL('docker.io'), 'https://registry-1.docker.io');
    assert.equal(registryBaseURL('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(registryBaseURL('127.1.2.3'), 'http://127.1.2.3');
    assert.equal(registryBaseURL('localhost:5000'), 'http://localhost:5000');
    assert.equal(registryBaseURL('ghcr.io'), 'https://ghcr.io');
    assert.equal(isInsecureHost('128.0.0.1:80'), false);
  });

  test('platform → bashbrew arch', () => {
    assert.equal(bashbrewArch({ os: 'linux', architecture: 'arm64' }), 'arm64v8');
    assert.equal(bashbrewArch({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'arm64v8');
    assert.equal(bashbrewArch({ os: 'linux', architecture: 'arm', variant: 'v6' }), 'arm32v6');
    assert.equal(bashbrewArch({ os: 'linux', architecture: 'arm' }), 'arm32v7');
    assert.equal(bashbrewArch({ os: 'linux', architecture: '386' }), 'i386');
    assert.equal(bashbrewArch({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }), 'windows-amd64');
    assert.equal(bashbrewArch({ os: 'unknown', architecture: 'unknown' }), undefined);
  });

  test('docker config credentials', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: {
      'example.com:5000': { auth: Buffer.from('u:p:q').toString('base64') },
      'https://index.docker.io/v1/': { auth: Buffer.from('hub:secret').toString('base64') },
    } }));
    const lookup = dockerConfigCredentials({ DOCKER_CONFIG: dir });
    assert.deepEqual(lookup('example.com:5000'), { username: 'u', password: 'p:q' });
    assert.deepEqual(lookup('docker.io'), { username: 'hub', password: 'secret' });
    assert.equal(lookup('other.example'), undefined);
  });
});

describe('real registry', { skip: !registryAvailable() && 'docker-registry is not installed' }, () => {
  let registry: Registry;
  let client: RegistryClient;
  let index: Descriptor;
  const members: Record<string, Descriptor> = {};

  before(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ credentials: anonymous, backoffMs: 20 });
    const repo = `${registry.host}/library/multi`;
    members.amd64 = await uploadImage(client, repo, { os: 'linux', architecture: 'amd64' });
    members.arm64 = await uploadImage(client, repo, { os: 'linux', architecture: 'arm64' });
    members.arm32v7 = await uploadImage(client, repo, { os: 'linux', architecture: 'arm', variant: 'v7' });
    members.s390x = await uploadImage(client, repo, { os: 'linux', architecture: 's390x' });
    const attestation = await uploadImage(client, repo, { os: 'unknown', architecture: 'unknown' });
    index = await uploadIndex(client, repo, '1.0', [
      { ...members.amd64, platform: { architecture: 'amd64', os: 'linux' }, annotations: { 'z.note': '<a&b>', 'a.first': 'x' } },
      { ...members.arm64, platform: { architecture: 'arm64', os: 'linux' } },
      { ...members.arm32v7, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
      // no platform in the descriptor: read from the config blob
      members.s390x,
      { ...attestation, platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': members.amd64.digest } },
    ]);
    await uploadImage(client, `${registry.host}/single`, { os: 'linux', architecture: 'ppc64le' }, 'latest');
  });
  after(() => registry.stop());

  test('manifests, blobs and HEAD', async () => {
    const ref = parseReference(`${registry.host}/library/multi:1.0`);
    const got = await client.getManifest(ref);
    assert.equal(got.desc.digest, index.digest);
    assert.equal(got.desc.mediaType, MEDIA_TYPES.ociIndex);
    assert.equal(got.desc.size, index.size);
    const head = await client.headManifest(ref);
    assert.equal(head?.digest, index.digest);
    assert.equal(await client.headManifest(parseReference(`${registry.host}/library/multi:nope`)), null);
    const blob = Buffer.from('a blob');
    const desc = await client.putBlob(ref, blob);
    assert.equal(await client.hasBlob(ref, desc.digest), true);
    assert.deepEqual(await client.getBlob(ref, desc.digest, blob.length), blob);
    assert.equal(await client.hasBlob(ref, sha256(Buffer.from('nope'))), false);
  });

  test('remote arches (text)', () => {
    const r = bashbrew(['remote', 'arches', `${registry.host}/library/multi:1.0`, `${registry.host}/single`]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, [
      `${registry.host}/library/multi:1.0 -> ${index.digest}`,
      `  amd64 -> ${members.amd64!.digest}`,
      `  arm32v7 -> ${members.arm32v7!.digest}`,
      `  arm64v8 -> ${members.arm64!.digest}`,
      `  s390x -> ${members.s390x!.digest}`,
      `${registry.host}/single:latest -> ${r.stdout.split('\n')[5]!.split(' -> ')[1]}`,
      `  ppc64le -> ${r.stdout.split('\n')[5]!.split(' -> ')[1]}`,
      '',
    ].join('\n'));
  });

  test('remote arches --json', () => {
    const r = bashbrew(['remote', 'arches', '--json', `${registry.host}/library/multi@${index.digest}`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const parsed = JSON.parse(lines[0]!) as { ref: string; desc: Descriptor; arches: Record<string, Descriptor[]> };
    assert.equal(parsed.ref, `${registry.host}/library/multi@${index.digest}`);
    assert.deepEqual(parsed.desc, { mediaType: MEDIA_TYPES.ociIndex, digest: index.digest, size: index.size });
    assert.deepEqual(Object.keys(parsed.arches), ['amd64', 'arm32v7', 'arm64v8', 's390x']);
    assert.deepEqual(parsed.arches.arm64v8, [{ ...members.arm64, platform: { architecture: 'arm64', os: 'linux' } }]);
    assert.deepEqual(parsed.arches.s390x, [{ ...members.s390x, platform: { architecture: 's390x', os: 'linux' } }]);
    assert.deepEqual(parsed.arches.amd64![0]!.annotations, { 'a.first': 'x', 'z.note': '<a&b>' });
    assert.ok(lines[0]!.includes('"annotations":{"a.first":"x","z.note":"\\u003ca\\u0026b\\u003e"}'), lines[0]);
    // Go's field order
    assert.match(lines[0]!, /^\{"ref":"[^"]+","desc":\{"mediaType":"[^"]+","digest":"sha256:[0-9a-f]{64}","size":\d+\},"arches":\{"amd64":\[\{"mediaType"/);
  });

  test('DOCKERHUB_PUBLIC_PROXY serves docker.io reads', () => {
    const r = bashbrew(['remote', 'arches', 'multi:1.0'], { DOCKERHUB_PUBLIC_PROXY: `${registry.url}/` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `docker.io/library/multi:1.0 -> ${index.digest}`);
  });

  test('remote arches errors', () => {
    let r = bashbrew(['remote', 'arches']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: expected at least one argument\n');
    r = bashbrew(['remote', 'arches', `${registry.host}/library/multi:nope`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: failed to resolve ${registry.host}/library/multi:nope: .*not found \\(HTTP 404\\)`));
  });

  test('docker push, then remote arches', async (t) => {
    if (!requireDocker(t)) return;
    const base = ensureBusyboxBase();
    const target = `${registry.host}/pushed/busybox:1`;
    dockerOk(['tag', base, target]);
    t.after(() => removeImages(target));
    const push = docker(['push', target], { timeoutMs: 300_000 });
    assert.equal(push.code, 0, push.stderr);
    const r = bashbrew(['remote', 'arches', target]);
    assert.equal(r.code, 0, r.stderr);
    const arch = bashbrewArch({ os: 'linux', architecture: daemonArch() });
    assert.match(r.stdout, new RegExp(`^${target} -> sha256:[0-9a-f]{64}\\n  ${arch} -> sha256:[0-9a-f]{64}\\n`));
  });

  describe('faults (loopback proxy)', () => {
    test('a 500, then a 429 with Retry-After, then success', async () => {
      const proxy = await startFaultProxy(registry.host);
      try {
        const ref = parseReference(`${proxy.host}/library/multi:1.0`);
        proxy.inject(/\/manifests\//, { kind: 'status', status: 500 });
        proxy.inject(/\/manifests\//, { kind: 'status', status: 429, retryAfter: '1' });
        const started = Date.now();
        const got = await client.getManifest(ref);
        assert.equal(got.desc.digest, index.digest);
        assert.ok(Date.now() - started >= 900, 'Retry-After was honoured');
        assert.equal(proxy.seen.filter((s) => s.includes('/manifests/')).length, 3);
      } finally {
        await proxy.close();
      }
    });

    test('a dropped connection is retried', async () => {
      const proxy = await startFaultProxy(registry.host);
      try {
        const ref = parseReference(`${proxy.host}/library/multi:1.0`);
        const config = await configOf(client, ref, members.amd64!);
        proxy.inject(/\/blobs\//, { kind: 'drop' });
        const got = await client.getBlob(ref, config.digest, config.size);
        assert.equal(got.length, config.size);
        assert.equal(proxy.seen.filter((s) => s.includes('/blobs/')).length, 2);
      } finally {
        await proxy.close();
      }
    });

    test('bounded retries end in a clear error', async () => {
      const proxy = await startFaultProxy(registry.host);
      try {
        const ref = parseReference(`${proxy.host}/library/multi:1.0`);
        for (let i = 0; i < 10; i++) proxy.inject(/\/manifests\//, { kind: 'status', status: 503 });
        const quick = new RegistryClient({ credentials: anonymous, retries: 2, backoffMs: 10 });
        await assert.rejects(quick.getManifest(ref), /GET http:\/\/127\.0\.0\.1:\d+\/v2\/library\/multi\/manifests\/1\.0: giving up after 3 attempts: HTTP 503/);
      } finally {
        await proxy.close();
      }
    });

    test('bearer token auth (WWW-Authenticate realm/service/scope)', async () => {
      const proxy = await startFaultProxy(registry.host, { user: 'hub', password: 'pw' });
      try {
        const ref = parseReference(`${proxy.host}/library/multi:1.0`);
        const withCreds = new RegistryClient({ credentials: () => ({ username: 'hub', password: 'pw' }) });
        assert.equal((await withCreds.getManifest(ref)).desc.digest, index.digest);
        assert.equal((await withCreds.getManifest(ref)).desc.digest, index.digest);
        // one token fetch for both reads
        assert.equal(proxy.seen.filter((s) => s.startsWith('GET /token?')).length, 1);
        await assert.rejects(new RegistryClient({ credentials: anonymous }).getManifest(ref), /fetching a token from .*: HTTP 401/);
      } finally {
        await proxy.close();
      }
    });

    test('a wrong-digest body is rejected', async () => {
      const proxy = await startFaultProxy(registry.host);
      try {
        const ref = parseReference(`${proxy.host}/library/multi:1.0`);
        proxy.inject(/\/manifests\//, { kind: 'corrupt' });
        await assert.rejects(client.getManifest(ref, index.digest), (err: unknown) => {
          assert.ok(err instanceof DigestMismatchError);
          assert.match(err.message, new RegExp(`digest mismatch: expected ${index.digest}, got sha256:`));
          return true;
        });
        // by tag: checked against Docker-Content-Digest
        proxy.inject(/\/manifests\//, { kind: 'corrupt' });
        await assert.rejects(client.getManifest(ref), /digest mismatch/);
        const blobDigest = (await configOf(client, ref, members.amd64!)).digest;
        proxy.inject(/\/blobs\//, { kind: 'corrupt' });
        await assert.rejects(client.getBlob(ref, blobDigest), /blob .* digest mismatch/);
      } finally {
        await proxy.close();
      }
    });
  });
});

async function configOf(client: RegistryClient, ref: ReturnType<typeof parseReference>, manifest: Descriptor): Promise<Descriptor> {
  const { body } = await client.getManifest(ref, manifest.digest, manifest);
  return (JSON.parse(body.toString('utf8')) as { config: Descriptor }).config;
}

describe('basic auth (htpasswd)', { skip: !registryAvailable() && 'docker-registry is not installed' }, () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry({ htpasswd: { user: 'brew', password: 's3cret' } });
  });
  after(() => registry.stop());

  test('credentials from DOCKER_CONFIG; refused without them', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docker'));
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: {
      [registry.host]: { auth: Buffer.from('brew:s3cret').toString('base64') } } }));
    const env = { DOCKER_CONFIG: join(dir, 'docker') };
    const client = new RegistryClient({ env });
    const desc = await uploadImage(client, `${registry.host}/private/img`, { os: 'linux', architecture: 'riscv64' }, 'v1');
    let r = bashbrew(['remote', 'arches', `${registry.host}/private/img:v1`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${registry.host}/private/img:v1 -> ${desc.digest}\n  riscv64 -> ${desc.digest}\n`);
    r = bashbrew(['remote', 'arches', `${registry.host}/private/img:v1`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: failed to resolve .*: unauthorized \(HTTP 401\)/);
    // a credential helper (credHelpers[host]) instead of auths
    const helperDir = tempDir();
    writeFileSync(join(helperDir, 'docker-credential-fake'),
      `#!/bin/sh\nread server\n[ "$server" = "${registry.host}" ] || exit 1\necho '{"ServerURL":"${registry.host}","Username":"brew","Secret":"s3cret"}'\n`, { mode: 0o755 });
    writeFileSync(join(helperDir, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'fake' } }));
    const helperEnv = { DOCKER_CONFIG: helperDir, PATH: `${helperDir}:${process.env.PATH ?? ''}` };
    r = bashbrew(['remote', 'arches', `${registry.host}/private/img:v1`], helperEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${registry.host}/private/img:v1 -> ${desc.digest}\n  riscv64 -> ${desc.digest}\n`);
    const anon = new RegistryClient({ credentials: anonymous });
    await assert.rejects(anon.headManifest(parseReference(`${registry.host}/private/img:v1`)), /unauthorized/);
  });
});
