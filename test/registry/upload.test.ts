// Streamed (chunked) blob uploads, cross-repository mounts, copies between registries, recovery from faults, and
// HTTPS with a private CA: against a real registry (Debian's docker-registry), faults from the loopback proxy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CertificateError, type Descriptor, DigestMismatchError, MEDIA_TYPES, RegistryClient } from '../../lib/registry/client.js';
import { parseReference } from '../../lib/registry/reference.js';
import { rangeOffset } from '../../lib/registry/upload.js';
import { type Registry, registryAvailable, startRegistry } from '../helpers/registry.js';
import { bashbrew } from '../helpers/run-cli.js';
import { type FaultProxy, sha256, startFaultProxy } from './helpers.js';

const anonymous = () => undefined;
const KiB = 1024;
const CHUNK = 64 * KiB;

/** A blob source that records where it was opened, and hands out its bytes in small pieces (as a file would). */
function source(data: Buffer): { open: (start: number) => Readable; opens: number[] } {
  const opens: number[] = [];
  return {
    opens,
    open: (start) => {
      opens.push(start);
      return Readable.from((function* () {
        for (let i = start; i < data.length; i += 16 * KiB) yield data.subarray(i, Math.min(i + 16 * KiB, data.length));
      })());
    },
  };
}

const blobOf = (data: Buffer): Descriptor => ({ mediaType: 'application/octet-stream', digest: sha256(data), size: data.length });
const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'bashbrew-certs-empty-'));

test('Range header → offset', () => {
  assert.equal(rangeOffset('0-65535', 65536), 65536);
  assert.equal(rangeOffset('bytes=0-9', 10), 10);
  // distribution says 0-0 for an empty upload (and for one byte)
  assert.equal(rangeOffset('0-0', 0), 0);
  assert.equal(rangeOffset('0-0', 1), 1);
  assert.equal(rangeOffset('0-0', 65536), 0);
  assert.equal(rangeOffset(null, 5), undefined);
  assert.equal(rangeOffset('5-9', 10), undefined);
});

describe('streamed uploads', { skip: !registryAvailable() && 'docker-registry is not installed' }, () => {
  let registry: Registry;
  let proxy: FaultProxy;
  /** Quick retries, 64 KiB chunks; through the proxy unless said otherwise. */
  let client: RegistryClient;
  const ref = (repo: string) => parseReference(`${proxy.host}/${repo}`);
  const direct = (repo: string) => parseReference(`${registry.host}/${repo}`);
  const count = (method: string, path: RegExp) => proxy.requests.filter((r) => r.method === method && path.test(r.path));

  before(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.host);
    client = new RegistryClient({ credentials: anonymous, backoffMs: 10, chunkSize: CHUNK });
  });
  after(async () => {
    client.close();
    await proxy.close();
    await registry.stop();
  });

  test('chunked upload (64 KiB chunks, 300 KiB) reads back byte-identical; a second upload sends nothing', async () => {
    const data = randomBytes(300 * KiB);
    const desc = blobOf(data);
    const src = source(data);
    const before = { ...client.stats };
    const requestsBefore = proxy.requests.length;
    assert.equal(await client.uploadBlob(ref('chunked/a'), desc, src.open), 'uploaded');
    assert.equal(client.stats.requestBodyBytes - before.requestBodyBytes, data.length);
    assert.deepEqual(src.opens, [0]);
    const patches = proxy.requests.slice(requestsBefore).filter((r) => r.method === 'PATCH');
    assert.deepEqual(patches.map((p) => p.bodyBytes), [CHUNK, CHUNK, CHUNK, CHUNK, 300 * KiB - 4 * CHUNK]);
    assert.deepEqual(await client.getBlob(direct('chunked/a'), desc.digest, desc.size), data);

    const again = { ...client.stats };
    assert.equal(await client.uploadBlob(ref('chunked/a'), desc, src.open), 'exists');
    assert.equal(client.stats.requestBodyBytes, again.requestBodyBytes);
    assert.equal(client.stats.requests - again.requests, 1, 'one HEAD');
    assert.deepEqual(src.opens, [0], 'the source was not even opened');
  });

  test('a blob of at most one chunk goes in one PUT; putBlob still works', async () => {
    const data = randomBytes(10 * KiB);
    const requestsBefore = proxy.requests.length;
    assert.equal(await client.uploadBlob(ref('small/a'), blobOf(data), source(data).open), 'uploaded');
    const methods = proxy.requests.slice(requestsBefore).map((r) => r.method);
    assert.deepEqual(methods, ['HEAD', 'POST', 'PUT']);
    assert.deepEqual(await client.getBlob(direct('small/a'), sha256(data)), data);
    const desc = await client.putBlob(ref('small/a'), Buffer.from('{}'), MEDIA_TYPES.ociConfig);
    assert.deepEqual(desc, { mediaType: MEDIA_TYPES.ociConfig, digest: sha256(Buffer.from('{}')), size: 2 });
  });

  test('a wrong digest or size is refused, the upload cancelled, nothing committed', async () => {
    const data = randomBytes(300 * KiB);
    const wrong = { ...blobOf(data), digest: sha256(Buffer.from('something else')) };
    const requestsBefore = proxy.requests.length;
    await assert.rejects(client.uploadBlob(ref('wrong/a'), wrong, source(data).open), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError, String(err));
      assert.match(err.message, new RegExp(`^uploading blob ${wrong.digest} to 127\\.0\\.0\\.1:\\d+/wrong/a: digest mismatch: the source's ${data.length} bytes are ${sha256(data)}`));
      return true;
    });
    const seen = proxy.requests.slice(requestsBefore);
    assert.equal(seen.filter((r) => r.method === 'PUT').length, 0, 'never committed');
    assert.equal(seen.filter((r) => r.method === 'DELETE' && /\/blobs\/uploads\//.test(r.path)).length, 1, 'session cancelled');
    assert.equal(await client.hasBlob(direct('wrong/a'), wrong.digest), false);
    assert.equal(await client.hasBlob(direct('wrong/a'), sha256(data)), false);

    // too short, too long
    await assert.rejects(client.uploadBlob(ref('wrong/a'), { ...blobOf(data), size: data.length + 1 }, source(data).open),
      /size mismatch: the source ended after 307200 of 307201 bytes/);
    await assert.rejects(client.uploadBlob(ref('wrong/a'), { digest: sha256(data.subarray(1)), size: data.length - 1 }, source(data).open),
      /size mismatch: the source has more than the expected 307199 bytes/);
    // one-chunk blobs are checked before anything is sent
    const small = randomBytes(100);
    const posts = count('POST', /wrong\/b/).length;
    await assert.rejects(client.uploadBlob(ref('wrong/b'), { digest: sha256(Buffer.from('x')), size: 100 }, source(small).open), DigestMismatchError);
    assert.equal(count('POST', /wrong\/b/).length, posts);
    assert.equal(await client.hasBlob(direct('wrong/a'), sha256(data.subarray(1))), false);
  });

  test('mount: zero body bytes, one token for both repositories; then exists', async () => {
    const data = randomBytes(100 * KiB);
    const desc = blobOf(data);
    await client.uploadBlob(direct('a/x'), desc, source(data).open);
    // through a token-auth front: the mount's token must cover b/y (push) and a/x (pull)
    const hub = await startFaultProxy(registry.host, { user: 'hub', password: 'pw' });
    try {
      const authed = new RegistryClient({ credentials: () => ({ username: 'hub', password: 'pw' }), backoffMs: 10 });
      const from = parseReference(`${hub.host}/a/x`);
      const to = parseReference(`${hub.host}/b/y`);
      assert.equal(await authed.copyBlob(from, to, desc), 'mounted');
      assert.equal(authed.stats.requestBodyBytes, 0);
      const tokens = hub.requests.filter((r) => r.path.startsWith('/token?')).map((r) => r.scopes);
      assert.ok(tokens.some((scopes) => JSON.stringify(scopes) === JSON.stringify(['repository:b/y:pull,push', 'repository:a/x:pull'])), JSON.stringify(tokens));
      assert.equal(await authed.copyBlob(from, to, desc), 'exists');
      assert.equal(authed.stats.requestBodyBytes, 0);
      assert.deepEqual(await client.getBlob(direct('b/y'), desc.digest, desc.size), data);
      // a blob the source repository does not have: the registry starts an upload instead, which is cancelled
      const missing = sha256(Buffer.from('not there'));
      assert.equal(await authed.mountBlob(parseReference(`${hub.host}/b/z`), missing, from), false);
      assert.equal(hub.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/v2/b/z/blobs/uploads/')).length, 1);
      authed.close();
    } finally {
      await hub.close();
    }
  });

  test('copy between registries: streamed, verified, resumed with a Range request', async () => {
    const data = randomBytes(200 * KiB);
    const desc = blobOf(data);
    await client.uploadBlob(direct('src/blob'), desc, source(data).open);
    // the same registry under two names is two registries to the client: no mount, a streamed copy
    const targetProxy = await startFaultProxy(registry.host);
    const target = new RegistryClient({ credentials: anonymous, backoffMs: 10, chunkSize: CHUNK });
    try {
      const from = parseReference(`${proxy.host}/src/blob`);
      const to = parseReference(`${targetProxy.host}/dst/blob`);
      // the target fails the second chunk: the source is read again from 64 KiB on, and that GET is dropped once
      targetProxy.inject(/\/blobs\/uploads\//, { kind: 'status', status: 503 }, { method: 'PATCH', nth: 2 });
      proxy.inject(/\/v2\/src\/blob\/blobs\/sha256:/, { kind: 'drop' }, { method: 'GET', nth: 2 });
      const requestsBefore = proxy.requests.length;
      assert.equal(await target.copyBlob(from, to, desc), 'copied');
      const gets = proxy.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && r.path.includes('/src/blob/blobs/'));
      assert.deepEqual(gets.map((r) => r.range), [undefined, `bytes=${CHUNK}-`, `bytes=${CHUNK}-`]);
      assert.equal(target.stats.requestBodyBytes, data.length + CHUNK, 'the failed chunk was sent twice, nothing else');
      assert.deepEqual(await client.getBlob(direct('dst/blob'), desc.digest, desc.size), data);
      assert.equal(await target.copyBlob(from, to, desc), 'exists');

      // the source dies in the middle of the second chunk: the half-sent chunk is abandoned and the copy recovers
      proxy.inject(/\/v2\/src\/blob\/blobs\/sha256:/, { kind: 'cut', afterBytes: 100 * KiB }, { method: 'GET' });
      const to2 = parseReference(`${targetProxy.host}/dst/blob2`);
      const sourceBefore = proxy.requests.length;
      assert.equal(await target.copyBlob(from, to2, desc), 'copied');
      // whether any of the half-sent chunk reached the registry is a matter of timing: if some did, distribution
      // drops the session (a new one, the source read from 0); if none did, the upload resumes at the chunk (a
      // Range read). Either way one more source read and the blob arrives whole.
      const reads = proxy.requests.slice(sourceBefore).map((r) => [r.method, r.range]);
      const posts = targetProxy.requests.filter((r) => r.method === 'POST' && r.path.includes('/dst/blob2/')).length;
      if (posts === 2) assert.deepEqual(reads, [['GET', undefined], ['GET', undefined]]);
      else assert.deepEqual([posts, reads], [1, [['GET', undefined], ['GET', `bytes=${CHUNK}-`]]]);
      assert.deepEqual(await client.getBlob(direct('dst/blob2'), desc.digest, desc.size), data);
    } finally {
      target.close();
      await targetProxy.close();
    }
  });

  test('blob GETs follow redirects; credentials are not sent to another origin', async () => {
    const data = randomBytes(10 * KiB);
    await client.uploadBlob(direct('redirected/a'), blobOf(data), source(data).open);
    const hub = await startFaultProxy(registry.host, { user: 'hub', password: 'pw' });
    const storage = await startFaultProxy(registry.host);
    try {
      const authed = new RegistryClient({ credentials: () => ({ username: 'hub', password: 'pw' }), backoffMs: 10 });
      hub.inject(/\/blobs\/sha256:/, { kind: 'redirect', to: `http://${storage.host}` }, { method: 'GET' });
      assert.deepEqual(await authed.getBlob(parseReference(`${hub.host}/redirected/a`), sha256(data), data.length), data);
      assert.deepEqual(storage.requests.map((r) => [r.method, r.path, r.authorized]), [['GET', `/v2/redirected/a/blobs/${sha256(data)}`, false]]);
      authed.close();
    } finally {
      await hub.close();
      await storage.close();
    }
  });

  describe('faults', () => {
    test('a 500 on a PATCH: resumed at the offset the registry reports', async () => {
      const data = randomBytes(300 * KiB);
      const src = source(data);
      proxy.inject(/\/v2\/faults\/a\/blobs\/uploads\//, { kind: 'status', status: 500 }, { method: 'PATCH', nth: 2 });
      assert.equal(await client.uploadBlob(ref('faults/a'), blobOf(data), src.open), 'uploaded');
      assert.deepEqual(src.opens, [0, CHUNK], 'the source is re-opened at the registry\'s offset');
      assert.deepEqual(await client.getBlob(direct('faults/a'), sha256(data), data.length), data);
      assert.equal(count('GET', /\/v2\/faults\/a\/blobs\/uploads\//).length, 1, 'one status request');
      assert.equal(count('POST', /\/v2\/faults\/a\//).length, 1, 'one session');
    });

    test('a connection dropped mid-chunk: resumed (or restarted when the registry kept part of it)', async () => {
      const data = randomBytes(300 * KiB);
      // dropped before the registry saw any of the chunk: its session is intact, the upload resumes
      let src = source(data);
      proxy.inject(/\/v2\/faults\/b\/blobs\/uploads\//, { kind: 'drop' }, { method: 'PATCH', nth: 3 });
      assert.equal(await client.uploadBlob(ref('faults/b'), blobOf(data), src.open), 'uploaded');
      assert.deepEqual(src.opens, [0, 2 * CHUNK]);
      assert.deepEqual(await client.getBlob(direct('faults/b'), sha256(data), data.length), data);
      // dropped after 10000 bytes of the chunk reached the registry: distribution then refuses the session
      // (BLOB_UPLOAD_INVALID), so the upload starts again from scratch
      const other = randomBytes(300 * KiB);
      src = source(other);
      proxy.inject(/\/v2\/faults\/c\/blobs\/uploads\//, { kind: 'drop', afterBytes: 10_000 }, { method: 'PATCH', nth: 2 });
      assert.equal(await client.uploadBlob(ref('faults/c'), blobOf(other), src.open), 'uploaded');
      assert.equal(src.opens[0], 0);
      assert.equal(src.opens.at(-1), 0, `restarted: ${JSON.stringify(src.opens)}`);
      assert.equal(count('POST', /\/v2\/faults\/c\//).length, 2, 'two sessions');
      assert.deepEqual(await client.getBlob(direct('faults/c'), sha256(other), other.length), other);
    });

    test('persistent failure: a clear error after bounded retries, the upload cancelled, no blob', async () => {
      const data = randomBytes(300 * KiB);
      const quick = new RegistryClient({ credentials: anonymous, retries: 2, backoffMs: 5, chunkSize: CHUNK });
      for (let i = 0; i < 10; i++) proxy.inject(/\/v2\/faults\/d\/blobs\/uploads\//, { kind: 'status', status: 500 }, { method: 'PATCH' });
      try {
        const digest = sha256(data);
        await assert.rejects(quick.uploadBlob(ref('faults/d'), blobOf(data), source(data).open),
          new RegExp(`^Error: uploading blob ${digest} to 127\\.0\\.0\\.1:\\d+/faults/d: giving up after 3 attempts at bytes 0-65535: PATCH: unexpected status \\(HTTP 500\\)$`));
        assert.equal(count('PATCH', /\/v2\/faults\/d\//).length, 3);
        assert.equal(count('DELETE', /\/v2\/faults\/d\/blobs\/uploads\//).length, 1, 'session cancelled');
        assert.equal(await client.hasBlob(direct('faults/d'), digest), false);
      } finally {
        proxy.clear();
        quick.close();
      }
      // a registry that keeps losing the session: bounded restarts
      const lossy = new RegistryClient({ credentials: anonymous, retries: 1, backoffMs: 5, chunkSize: CHUNK });
      for (let i = 0; i < 10; i++) proxy.inject(/\/v2\/faults\/e\/blobs\/uploads\/./, { kind: 'status', status: 404 }, { method: 'PATCH' });
      try {
        await assert.rejects(lossy.uploadBlob(ref('faults/e'), blobOf(data), source(data).open),
          /uploading blob sha256:[0-9a-f]{64} to 127\.0\.0\.1:\d+\/faults\/e: giving up after 2 upload sessions: the registry lost the last one/);
        assert.equal(count('POST', /\/v2\/faults\/e\//).length, 2);
      } finally {
        proxy.clear();
        lossy.close();
      }
    });
  });
});

describe('HTTPS with a private CA (certs.d) and basic auth', { skip: !registryAvailable() && 'docker-registry is not installed' }, () => {
  let registry: Registry;
  const user = { username: 'brew', password: 's3cret' };
  before(async () => {
    registry = await startRegistry({ tls: true, htpasswd: { user: user.username, password: user.password } });
  });
  after(() => registry.stop());

  test('push (chunked blob, config, manifest) and read back over https', async () => {
    assert.match(registry.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new RegistryClient({ credentials: () => user, certsDir: registry.certsDir, chunkSize: CHUNK, backoffMs: 10 });
    const ref = parseReference(`${registry.host}/secure/img:1`);
    const layer = randomBytes(200 * KiB);
    const layerDesc = { ...blobOf(layer), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
    assert.equal(await client.uploadBlob(ref, layerDesc, source(layer).open), 'uploaded');
    const config = await client.putBlob(ref, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDesc.digest] } })), MEDIA_TYPES.ociConfig);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers: [layerDesc] }));
    const put = await client.putManifest(ref, '1', MEDIA_TYPES.ociManifest, manifest);
    assert.notEqual(await client.headManifest(ref, put.digest), null);
    const got = await client.getManifest(ref);
    assert.equal(got.desc.digest, put.digest);
    assert.deepEqual(await client.getBlob(ref, layerDesc.digest, layerDesc.size), layer);
    client.close();

    // the same through the CLI: BASHBREW_REGISTRY_CERTS_D and credentials from DOCKER_CONFIG
    const docker = mkdtempSync(join(tmpdir(), 'bashbrew-docker-config-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(docker, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('brew:s3cret').toString('base64') } } }));
    const r = bashbrew(['remote', 'arches', `${registry.host}/secure/img:1`], { BASHBREW_REGISTRY_CERTS_D: registry.certsDir!, DOCKER_CONFIG: docker });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `${registry.host}/secure/img:1 -> ${put.digest}\n  amd64 -> ${put.digest}\n`);
  });

  test('without the CA: a clear certificate error, not retried', async () => {
    const dir = emptyDir();
    const client = new RegistryClient({ credentials: () => user, certsDir: dir, backoffMs: 1000 });
    const started = Date.now();
    await assert.rejects(client.headManifest(parseReference(`${registry.host}/secure/img:1`)), (err: unknown) => {
      assert.ok(err instanceof CertificateError, String(err));
      assert.match(err.message, new RegExp(`^https://${registry.host.replace(/\./g, '\\.')}: the registry's TLS certificate is not trusted \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\\); ` +
        `to trust a private CA, put its certificate in ${dir}/${registry.host.replace(/\./g, '\\.')}/ca\\.crt`));
      return true;
    });
    assert.ok(Date.now() - started < 1000, 'no retries with backoff');
    assert.equal(client.stats.requests, 1);
    client.close();
  });
});
