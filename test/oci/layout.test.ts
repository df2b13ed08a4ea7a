// readOciImage (spec §4.7.3) and GitCache.openBlob against real git repositories, no Docker.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dockerArchiveStream } from '../../lib/oci/docker-archive.js';
import { digestError } from '../../lib/oci/digest.js';
import { OciLayoutError, readOciImage } from '../../lib/oci/layout.js';
import { JSONDecodeError, DESCRIPTOR, IMAGE_LAYOUT, INDEX, decodeStrict } from '../../lib/oci/strict-json.js';
import { type TreeEntry } from '../helpers/git-repos.js';
import {
  MT_INDEX, MT_MANIFEST, blobFile, collect, digestOf, fixture, layoutFiles, makeImage, readTar, under,
} from './util.js';

const DIR = 'img';

/** Runs `fn` on a cache holding `files` under img/ (plus `extra` at the repository root). */
async function withLayout<T>(files: Record<string, TreeEntry>, fn: (f: Awaited<ReturnType<typeof fixture>>) => Promise<T>, extra: Record<string, TreeEntry> = {}): Promise<T> {
  const f = await fixture({ ...under(DIR, files), ...extra });
  try {
    return await fn(f);
  } finally {
    await f.cleanup();
  }
}

/** readOciImage must fail with an OciLayoutError whose message matches. */
async function rejects(files: Record<string, TreeEntry>, pattern: RegExp, file = 'index.json', extra: Record<string, TreeEntry> = {}): Promise<string> {
  return withLayout(files, async ({ cache, commit }) => {
    let caught: unknown = null;
    try {
      await readOciImage(cache, commit, DIR, file);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof OciLayoutError, `expected an OciLayoutError, got ${String(caught)}`);
    assert.match(caught.message, pattern);
    assert.ok(caught.message.includes(`(from directory "${DIR}" in commit "${commit}")`) || /invalid directory/.test(caught.message), caught.message);
    return caught.message;
  }, extra);
}

describe('readOciImage', () => {
  test('reads a valid layout (index.json)', async () => {
    const img = makeImage();
    await withLayout(layoutFiles(img), async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'index.json');
      // urls and annotations are dropped from the manifest descriptor; the platform stays
      assert.deepEqual(image.manifest, {
        mediaType: MT_MANIFEST, digest: img.manifestDescriptor.digest, size: img.manifestBytes.length,
        platform: { architecture: 'amd64', os: 'linux' },
      });
      assert.deepEqual(image.config, img.configDescriptor);
      assert.deepEqual(image.layers, [img.layerDescriptor]);
      assert.deepEqual(image.configJSON, { os: 'linux', architecture: 'amd64' });
    });
  });

  test('File other than index.json: a single descriptor file', async () => {
    const img = makeImage({ architecture: 'arm64' });
    const files = layoutFiles(img);
    delete files['index.json'];
    files['descriptor.json'] = JSON.stringify({ mediaType: MT_MANIFEST, digest: img.manifestDescriptor.digest, size: img.manifestDescriptor.size, urls: ['https://example.com/x'] });
    await withLayout(files, async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'descriptor.json');
      assert.deepEqual(image.manifest, { mediaType: MT_MANIFEST, digest: img.manifestDescriptor.digest, size: img.manifestDescriptor.size });
      assert.equal(image.configJSON.architecture, 'arm64');
      // index.json is not needed then
      await assert.rejects(readOciImage(cache, commit, DIR, 'index.json'), /failed reading "index.json" \(from directory "img" in commit "[0-9a-f]{40}"\): file does not exist/);
    });
  });

  test('a descriptor file in a sub directory of the layout, and the layout at the repository root', async () => {
    const img = makeImage();
    const files = layoutFiles(img);
    files['sub/desc.json'] = JSON.stringify(img.manifestDescriptor);
    const f = await fixture(files);
    try {
      const image = await readOciImage(f.cache, f.commit, '.', 'sub/desc.json');
      assert.equal(image.manifest.digest, img.manifestDescriptor.digest);
      await assert.rejects(readOciImage(f.cache, f.commit, '.', '../index.json'), /failed reading "..\/index.json" \(from directory "." in commit "[0-9a-f]+"\): open ..\/index.json: invalid argument/);
    } finally {
      await f.cleanup();
    }
  });

  test('sha512 digests', async () => {
    const img = makeImage({ algorithm: 'sha512' });
    await withLayout(layoutFiles(img), async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'index.json');
      assert.match(image.manifest.digest, /^sha512:[0-9a-f]{128}$/);
      assert.match(image.layers[0]!.digest, /^sha512:[0-9a-f]{128}$/);
    });
  });

  test('missing oci-layout', async () => {
    const files = layoutFiles(makeImage());
    delete files['oci-layout'];
    await rejects(files, /^failed reading "oci-layout" \(from directory "img" in commit "[0-9a-f]{40}"\): file does not exist$/);
  });

  test('missing directory', async () => {
    const files = layoutFiles(makeImage());
    await withLayout(files, async ({ cache, commit }) => {
      await assert.rejects(readOciImage(cache, commit, 'nope', 'index.json'), (err: Error) => {
        assert.ok(err instanceof OciLayoutError);
        assert.match(err.message, /^failed reading "oci-layout" \(from directory "nope" in commit "[0-9a-f]+"\): file does not exist$/);
        return true;
      });
      await assert.rejects(readOciImage(cache, commit, '../img', 'index.json'), /invalid directory "..\/img"/);
    });
  });

  test('unknown commit', async () => {
    await withLayout(layoutFiles(makeImage()), async ({ cache }) => {
      await assert.rejects(readOciImage(cache, 'f'.repeat(40), DIR, 'index.json'), /failed reading "oci-layout" .*: object not found$/);
    });
  });

  test('wrong imageLayoutVersion', async () => {
    const files = { ...layoutFiles(makeImage()), 'oci-layout': '{"imageLayoutVersion":"1.1.0"}' };
    await rejects(files, /^unsupported OCI image layout version "1.1.0" in "oci-layout" \(from directory "img"/);
    await rejects({ ...files, 'oci-layout': '{}' }, /^unsupported OCI image layout version "" in "oci-layout"/);
  });

  test('oci-layout: strict JSON', async () => {
    const files = layoutFiles(makeImage());
    await rejects({ ...files, 'oci-layout': '{"imageLayoutVersion":"1.0.0","extra":true}' }, /^failed reading "oci-layout" .*: json: unknown field "extra"$/);
    await rejects({ ...files, 'oci-layout': '{"imageLayoutVersion":"1.0.0"} {}' }, /^failed reading "oci-layout" /);
    await rejects({ ...files, 'oci-layout': '{"imageLayoutVersion":1}' }, /json: cannot unmarshal number into Go struct field ImageLayout.imageLayoutVersion of type string/);
    await rejects({ ...files, 'oci-layout': 'not json' }, /^failed reading "oci-layout" /);
  });

  test('field names match case-insensitively, as in Go', async () => {
    const files = { ...layoutFiles(makeImage()), 'oci-layout': '{"ImageLayoutVersion":"1.0.0"}' };
    await withLayout(files, async ({ cache, commit }) => {
      await readOciImage(cache, commit, DIR, 'index.json');
    });
  });

  test('index.json: unknown field (strict)', async () => {
    const img = makeImage();
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ ...img.index, foo: 'bar' }) }, /^failed reading "index.json" \(from directory "img" in commit "[0-9a-f]+"\): json: unknown field "foo"$/);
    // also inside a descriptor
    const manifests = [{ ...img.manifestDescriptor, bogus: 1 }];
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ ...img.index, manifests }) }, /json: unknown field "bogus"/);
  });

  test('index.json with 0 or 2 manifests', async () => {
    const img = makeImage();
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ ...img.index, manifests: [] }) }, /^expected only one manifests entry \(not 0\) in "index.json" \(from directory "img"/);
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ schemaVersion: 2 }) }, /expected only one manifests entry \(not 0\)/);
    const two = [img.manifestDescriptor, img.manifestDescriptor];
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ ...img.index, manifests: two }) }, /^expected only one manifests entry \(not 2\) in "index.json"/);
  });

  test('index.json schemaVersion', async () => {
    const img = makeImage();
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify({ ...img.index, schemaVersion: 1 }) }, /^unsupported schemaVersion 1 in "index.json"/);
  });

  test('wrong media types', async () => {
    const img = makeImage();
    // the manifest descriptor
    const index = { ...img.index, manifests: [{ ...img.manifestDescriptor, mediaType: MT_INDEX }] };
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify(index) }, /^unsupported mediaType "application\/vnd.oci.image.index.v1\+json" in descriptor in "index.json" \(from directory "img"/);
    const docker = { ...img.index, manifests: [{ ...img.manifestDescriptor, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }] };
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify(docker) }, /unsupported mediaType "application\/vnd.docker.distribution.manifest.v2\+json"/);

    // the config and the layers, inside the manifest blob
    const withManifest = (manifest: Record<string, unknown>): Record<string, TreeEntry> => {
      const bytes = Buffer.from(JSON.stringify(manifest));
      const desc = { mediaType: MT_MANIFEST, digest: digestOf(bytes), size: bytes.length };
      return { ...layoutFiles(img), [blobFile(desc.digest)]: bytes, 'index.json': JSON.stringify({ schemaVersion: 2, manifests: [desc] }) };
    };
    await rejects(withManifest({ ...img.manifest, config: { ...img.configDescriptor, mediaType: 'application/vnd.docker.container.image.v1+json' } }),
      /^unsupported mediaType "application\/vnd.docker.container.image.v1\+json" in config descriptor in manifest "sha256:[0-9a-f]{64}" \(from directory "img"/);
    await rejects(withManifest({ ...img.manifest, layers: [{ ...img.layerDescriptor, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }] }),
      /^unsupported mediaType "application\/vnd.docker.image.rootfs.diff.tar.gzip" in layer 0 descriptor in manifest "sha256:/);
    await rejects(withManifest({ ...img.manifest, mediaType: MT_INDEX }), /^unsupported mediaType "application\/vnd.oci.image.index.v1\+json" in manifest "sha256:/);
    await rejects(withManifest({ ...img.manifest, schemaVersion: 1 }), /^unsupported schemaVersion 1 in manifest "sha256:/);
    await rejects(withManifest({ ...img.manifest, extra: {} }), /^failed to parse manifest "sha256:[0-9a-f]{64}" \(from directory "img" in commit "[0-9a-f]+"\): json: unknown field "extra"$/);
    // zstd and uncompressed layers are fine
    for (const mediaType of ['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar']) {
      await withLayout(withManifest({ ...img.manifest, layers: [{ ...img.layerDescriptor, mediaType }] }), async ({ cache, commit }) => {
        assert.equal((await readOciImage(cache, commit, DIR, 'index.json')).layers[0]!.mediaType, mediaType);
      });
    }
  });

  test('negative sizes', async () => {
    const img = makeImage();
    const index = { ...img.index, manifests: [{ ...img.manifestDescriptor, size: -1 }] };
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify(index) }, /^invalid size -1 in descriptor in "index.json" \(from directory "img"/);
    const bytes = Buffer.from(JSON.stringify({ ...img.manifest, layers: [{ ...img.layerDescriptor, size: -5 }] }));
    const desc = { mediaType: MT_MANIFEST, digest: digestOf(bytes), size: bytes.length };
    await rejects({ ...layoutFiles(img), [blobFile(desc.digest)]: bytes, 'index.json': JSON.stringify({ schemaVersion: 2, manifests: [desc] }) },
      /^invalid size -5 in layer 0 descriptor in manifest "sha256:/);
    // a fraction is no int64
    const frac = { ...img.index, manifests: [{ ...img.manifestDescriptor, size: 1.5 }] };
    await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify(frac) }, /json: cannot unmarshal number 1.5 into Go struct field Descriptor.manifests.size of type int64/);
  });

  test('invalid digests', async () => {
    const img = makeImage();
    for (const [digest, why] of [['', 'invalid checksum digest format'], ['sha256:abc', 'invalid checksum digest length'],
      ['md5:d41d8cd98f00b204e9800998ecf8427e', 'unsupported digest algorithm'], [`sha256:${'A'.repeat(64)}`, 'invalid checksum digest format']] as const) {
      const index = { ...img.index, manifests: [{ ...img.manifestDescriptor, digest }] };
      await rejects({ ...layoutFiles(img), 'index.json': JSON.stringify(index) }, new RegExp(`^invalid digest ${JSON.stringify(digest)} in "index.json" \\(from directory "img" in commit "[0-9a-f]+"\\): ${why}$`));
    }
  });

  test('a manifest blob whose content does not match its digest', async () => {
    const img = makeImage();
    const files = layoutFiles(img);
    const wrong = Buffer.from(img.manifestBytes);
    wrong[wrong.length - 2] = 0x20; // same size, different bytes
    files[blobFile(img.manifestDescriptor.digest)] = wrong;
    const msg = await rejects(files, /^failed to import manifest blob "sha256:[0-9a-f]{64}" \(from directory "img" in commit "[0-9a-f]+"\): unexpected digest sha256:[0-9a-f]{64}, expected sha256:[0-9a-f]{64}$/);
    assert.ok(msg.includes(img.manifestDescriptor.digest));
    // and one whose size differs from the descriptor
    files[blobFile(img.manifestDescriptor.digest)] = Buffer.concat([img.manifestBytes, Buffer.from('\n')]);
    await rejects(files, /^failed to import manifest blob "sha256:.*: unexpected size \d+, expected \d+$/);
  });

  test('a config blob whose content does not match its digest', async () => {
    const img = makeImage();
    const files = layoutFiles(img);
    files[blobFile(img.configDescriptor.digest)] = Buffer.from(JSON.stringify({ ...img.config, architecture: 'arm64' }));
    const msg = await rejects(files, /^failed to import blob "sha256:[0-9a-f]{64}" \(from directory "img" .*\): unexpected digest sha256:[0-9a-f]{64}, expected sha256:[0-9a-f]{64}$/);
    assert.ok(msg.startsWith(`failed to import blob "${img.configDescriptor.digest}"`));
  });

  test('a missing blob', async () => {
    const img = makeImage();
    for (const digest of [img.manifestDescriptor.digest, img.configDescriptor.digest, img.layerDescriptor.digest]) {
      const files = layoutFiles(img);
      delete files[blobFile(digest)];
      const what = digest === img.manifestDescriptor.digest ? 'manifest blob' : 'blob';
      await rejects(files, new RegExp(`^failed to import ${what} "${digest}" \\(from directory "img" in commit "[0-9a-f]+"\\): file does not exist$`));
    }
  });

  test('a layer blob of the wrong size', async () => {
    const img = makeImage();
    const files = { ...layoutFiles(img), [blobFile(img.layerDescriptor.digest)]: img.layerBlob.subarray(1) };
    await rejects(files, new RegExp(`^failed to import blob "${img.layerDescriptor.digest}" .*: unexpected size ${img.layerBlob.length - 1}, expected ${img.layerBlob.length}$`));
  });

  test('a blob that is a symlink pointing outside the repository', async () => {
    const img = makeImage();
    const files = { ...layoutFiles(img), [blobFile(img.layerDescriptor.digest)]: { symlink: '../../../../../../etc/passwd' } };
    await rejects(files, /^failed to import blob "sha256:[0-9a-f]{64}" \(from directory "img" in commit "[0-9a-f]+"\): "img\/blobs\/sha256\/[0-9a-f]{64}" is a symlink pointing outside the repository \(".*etc\/passwd"\)$/);
    const abs = { ...layoutFiles(img), [blobFile(img.configDescriptor.digest)]: { symlink: '/etc/passwd' } };
    await rejects(abs, /^failed to import blob "sha256:[0-9a-f]{64}" .*: "img\/blobs\/sha256\/[0-9a-f]{64}" is a symlink pointing outside the repository \("\/etc\/passwd"\)$/);
    const loop = { ...layoutFiles(img), 'index.json': { symlink: 'index.json' } };
    await rejects(loop, /^failed reading "index.json" .*: "img\/index.json" is a symlink loop$/);
  });

  test('a symlink inside the repository is followed', async () => {
    const img = makeImage();
    const files = layoutFiles(img);
    const layerPath = blobFile(img.layerDescriptor.digest);
    files[layerPath] = { symlink: `../../../store/${img.layerDescriptor.digest.slice(7)}` };
    files['index.json'] = { symlink: 'blobs/index' };
    files['blobs/index'] = JSON.stringify(img.index);
    await withLayout(files, async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'index.json');
      assert.deepEqual(image.layers, [img.layerDescriptor]);
      // and the archive streams the target's content
      const { data, error } = await collect(dockerArchiveStream(cache, commit, DIR, image, ['x/y:1']));
      assert.equal(error, null);
      const layer = readTar(data).members.find((m) => m.name === layerPath);
      assert.ok(layer !== undefined);
      assert.deepEqual(layer.data, img.layerBlob);
    }, { [`store/${img.layerDescriptor.digest.slice(7)}`]: img.layerBlob });
  });
});

describe('GitCache.openBlob', () => {
  test('size, content, errors', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'abcdefgh');
    const f = await fixture({ 'a/big': big, 'a/link': { symlink: 'big' }, 'a/out': { symlink: '../../x' }, 'a/dir/file': 'x', 'a/dangling': { symlink: 'nothing' } });
    try {
      const { size, stream } = await f.cache.openBlob(f.commit, 'a/big');
      assert.equal(size, big.length);
      const { data, error } = await collect(stream);
      assert.equal(error, null);
      assert.ok(data.equals(big));
      const viaLink = await f.cache.openBlob(f.commit, 'a/link');
      assert.equal(viaLink.size, big.length);
      assert.ok((await collect(viaLink.stream)).data.equals(big));
      await assert.rejects(f.cache.openBlob(f.commit, 'a/out'), /^Error: "a\/out" is a symlink pointing outside the repository \("..\/x"\)$/);
      await assert.rejects(f.cache.openBlob(f.commit, 'a/nope'), /^Error: file does not exist$/);
      await assert.rejects(f.cache.openBlob(f.commit, 'a/dir'), /^Error: file does not exist$/);
      await assert.rejects(f.cache.openBlob(f.commit, 'a/dangling'), /^Error: file does not exist$/);
      await assert.rejects(f.cache.openBlob(f.commit, 'a/big/x'), /^Error: file does not exist$/);
      await assert.rejects(f.cache.openBlob(f.commit, 'a/big\nx'), /^Error: file does not exist$/);
      await assert.rejects(f.cache.openBlob('0'.repeat(40), 'a/big'), /^Error: object not found$/);
      // readFile agrees
      assert.ok((await f.cache.readFile(f.commit, 'a/link'))!.equals(big));
      await assert.rejects(f.cache.readFile(f.commit, 'a/out'), /symlink pointing outside the repository \("..\/x"\)/);
    } finally {
      await f.cleanup();
    }
  });

  test('a stream destroyed early ends git; one never read starts none', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 'z');
    const f = await fixture({ big });
    try {
      const unread = await f.cache.openBlob(f.commit, 'big');
      unread.stream.destroy();
      const { stream } = await f.cache.openBlob(f.commit, 'big');
      let got = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        if (got > 100_000) break; // destroys the stream
      }
      assert.ok(stream.destroyed);
      assert.ok(got < big.length);
    } finally {
      await f.cleanup();
    }
  });
});

describe('strict JSON and digests', () => {
  test('Go-like decoding', () => {
    assert.deepEqual(decodeStrict('{"imageLayoutVersion":"1.0.0"}', IMAGE_LAYOUT), { imageLayoutVersion: '1.0.0' });
    assert.deepEqual(decodeStrict('null', IMAGE_LAYOUT), undefined);
    assert.deepEqual(decodeStrict('{"imageLayoutVersion":null}', IMAGE_LAYOUT), {});
    assert.deepEqual(decodeStrict('{"MEDIATYPE":"a","Size":3}', DESCRIPTOR), { mediaType: 'a', size: 3 });
    assert.throws(() => decodeStrict('[]', IMAGE_LAYOUT), /json: cannot unmarshal array into Go value of type v1.ImageLayout/);
    assert.throws(() => decodeStrict('{"size":"3"}', DESCRIPTOR), /json: cannot unmarshal string into Go struct field Descriptor.size of type int64/);
    assert.throws(() => decodeStrict('{"annotations":{"a":1}}', DESCRIPTOR), /json: cannot unmarshal number into Go struct field Descriptor.annotations of type string/);
    assert.throws(() => decodeStrict('{"platform":{"os":"linux","cpu":"x"}}', DESCRIPTOR), /json: unknown field "cpu"/);
    assert.throws(() => decodeStrict('{"manifests":{}}', INDEX), JSONDecodeError);
    assert.throws(() => decodeStrict('{"data":"!!"}', DESCRIPTOR), /illegal base64/);
    assert.deepEqual(decodeStrict('{"platform":{"os.version":"10","os.features":["a"]},"data":"aGk="}', DESCRIPTOR),
      { platform: { 'os.version': '10', 'os.features': ['a'] }, data: 'aGk=' });
  });

  test('digest validation', () => {
    assert.equal(digestError(`sha256:${'a'.repeat(64)}`), null);
    assert.equal(digestError(`sha384:${'a'.repeat(96)}`), null);
    assert.equal(digestError(`sha512:${'a'.repeat(128)}`), null);
    assert.equal(digestError(`sha512:${'a'.repeat(64)}`), 'invalid checksum digest length');
    assert.equal(digestError('sha256'), 'invalid checksum digest format');
    assert.equal(digestError(':abc'), 'invalid checksum digest format');
    assert.equal(digestError('sha256:'), 'invalid checksum digest format');
    assert.equal(digestError('foo:bar'), 'unsupported digest algorithm');
    assert.equal(digestError('FOO:bar'), 'invalid checksum digest format');
    assert.equal(digestError('constructor:bar'), 'unsupported digest algorithm');
  });
});

describe('dockerArchiveStream (no Docker)', () => {
  test('the archive: manifest.json first, the config and layers as is, two zero blocks', async () => {
    const img = makeImage();
    await withLayout(layoutFiles(img), async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'index.json');
      const { data, error } = await collect(dockerArchiveStream(cache, commit, DIR, image, ['a/b:1', 'c:2']));
      assert.equal(error, null);
      const { members, complete } = readTar(data);
      assert.ok(complete);
      assert.equal(data.length % 512, 0);
      const hex = (d: string) => d.slice(7);
      assert.deepEqual(members.map((m) => m.name), ['manifest.json', 'blobs/', 'blobs/sha256/', `blobs/sha256/${hex(img.configDescriptor.digest)}`, `blobs/sha256/${hex(img.layerDescriptor.digest)}`]);
      assert.deepEqual(JSON.parse(members[0]!.data.toString('utf8')) as unknown, [{
        Config: `blobs/sha256/${hex(img.configDescriptor.digest)}`, RepoTags: ['a/b:1', 'c:2'], Layers: [`blobs/sha256/${hex(img.layerDescriptor.digest)}`],
      }]);
      assert.deepEqual(members[3]!.data, img.configBytes);
      assert.deepEqual(members[4]!.data, img.layerBlob);
    });
  });

  test('sha512 blob names (PAX headers) and a repeated layer', async () => {
    const img = makeImage({ algorithm: 'sha512' });
    await withLayout(layoutFiles(img), async ({ cache, commit }) => {
      const image = await readOciImage(cache, commit, DIR, 'index.json');
      image.layers.push(image.layers[0]!);
      const { data, error } = await collect(dockerArchiveStream(cache, commit, DIR, image, []));
      assert.equal(error, null);
      const { members, complete } = readTar(data);
      assert.ok(complete);
      const layerName = `blobs/sha512/${img.layerDescriptor.digest.slice(7)}`;
      assert.deepEqual(members.filter((m) => m.name === layerName).map((m) => m.data), [img.layerBlob]);
      const manifest = JSON.parse(members[0]!.data.toString('utf8')) as Array<{ Layers: string[] }>;
      assert.deepEqual(manifest[0]!.Layers, [layerName, layerName]);
    });
  });

  for (const [label, hello] of [['one chunk', Buffer.from('good bytes!\n')], ['many chunks', Buffer.alloc(1 << 20, 'g')]] as const) {
    test(`a layer whose content does not match its digest (${label}): the stream fails before the blob is complete`, async () => {
      const good = makeImage({ hello, compress: false });
      const evilHello = Buffer.from(hello);
      evilHello[evilHello.length - 2] = 0x45;
      const evil = makeImage({ hello: evilHello, compress: false });
      assert.equal(evil.layerBlob.length, good.layerBlob.length);
      const files = { ...layoutFiles(good), [blobFile(good.layerDescriptor.digest)]: evil.layerBlob };
      await withLayout(files, async ({ cache, commit }) => {
        const image = await readOciImage(cache, commit, DIR, 'index.json'); // sizes match: fine so far
        const { data, error } = await collect(dockerArchiveStream(cache, commit, DIR, image, ['x:1']));
        assert.ok(error instanceof OciLayoutError, String(error));
        assert.equal(error.message, `failed to import blob "${good.layerDescriptor.digest}" (from directory "img" in commit "${commit}"): ` +
          `unexpected digest ${evil.layerDescriptor.digest}, expected ${good.layerDescriptor.digest}`);
        const { members, complete } = readTar(data);
        assert.equal(complete, false);
        assert.ok(!members.some((m) => m.name.endsWith(good.layerDescriptor.digest.slice(7))), 'the bad layer is never complete');
      });
    });
  }
});
