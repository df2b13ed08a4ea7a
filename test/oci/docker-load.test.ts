// oci-import end to end with a real Docker daemon: an OCI layout committed to git, read with
// readOciImage, streamed with dockerArchiveStream into `docker load`. Run through
// `node scripts/with-docker.mjs node --test build/test/oci/`; without a daemon these skip (fail
// under CI).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dockerArchiveStream } from '../../lib/oci/docker-archive.js';
import { OciLayoutError, readOciImage } from '../../lib/oci/layout.js';
import { dockerAvailable, dockerOk, imageInspect, removeImages, requireDocker } from '../helpers/docker.js';
import { blobFile, dockerLoad, fixture, layoutFiles, makeImage, under } from './util.js';

const TAG = 'bashbrew-test/oci:1';
const TAG2 = 'bashbrew-test/oci:extra';
const BAD_TAG = 'bashbrew-test/oci:bad';

function rootFS(ref: string): { os: string; arch: string; layers: string[] } {
  const out = dockerOk(['image', 'inspect', '--format', '{{json .RootFS.Layers}} {{.Os}} {{.Architecture}}', ref]).trim();
  const [layers, os, arch] = out.split(' ');
  return { os: os!, arch: arch!, layers: JSON.parse(layers!) as string[] };
}

describe('docker load of an oci-import stream', () => {
  after(() => {
    if (dockerAvailable()) removeImages(TAG, TAG2, BAD_TAG, `${BAD_TAG}-big`, 'bashbrew-test/oci:sha512');
  });

  test('loads the image under the given tags', async (t) => {
    if (!requireDocker(t)) return;
    removeImages(TAG, TAG2);
    const img = makeImage({ architecture: 'arm64' });
    const f = await fixture(under('img', layoutFiles(img)));
    try {
      const image = await readOciImage(f.cache, f.commit, 'img', 'index.json');
      const res = await dockerLoad(dockerArchiveStream(f.cache, f.commit, 'img', image, [TAG, TAG2]));
      assert.equal(res.streamError, null);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Loaded image: bashbrew-test\/oci:1/);
      const info = imageInspect(TAG);
      assert.ok(info !== null);
      assert.equal(info.Os, 'linux');
      assert.equal(info.Architecture, 'arm64');
      assert.deepEqual([...info.RepoTags].sort(), [TAG, TAG2].sort());
      // the image ID is the config digest; the one layer is the uncompressed tar
      assert.equal(info.Id, img.configDescriptor.digest);
      assert.deepEqual(rootFS(TAG).layers, [img.diffId]);
    } finally {
      await f.cleanup();
    }
  });

  test('an amd64 image with an uncompressed layer and sha512 digests', async (t) => {
    if (!requireDocker(t)) return;
    const tag = 'bashbrew-test/oci:sha512';
    removeImages(tag);
    const img = makeImage({ compress: false, algorithm: 'sha512' });
    const f = await fixture(under('img', layoutFiles(img)));
    try {
      const image = await readOciImage(f.cache, f.commit, 'img', 'index.json');
      const res = await dockerLoad(dockerArchiveStream(f.cache, f.commit, 'img', image, [tag]));
      assert.equal(res.code, 0, res.stderr);
      const fs = rootFS(tag);
      assert.deepEqual(fs, { os: 'linux', arch: 'amd64', layers: [img.diffId] });
    } finally {
      await f.cleanup();
    }
  });

  for (const [label, hello] of [['small', Buffer.from('good bytes!\n')], ['1 MiB', Buffer.alloc(1 << 20, 'g')]] as const) {
    test(`a layer whose content does not match its digest (${label}): docker load fails, nothing is tagged`, async (t) => {
      if (!requireDocker(t)) return;
      const tag = label === 'small' ? BAD_TAG : `${BAD_TAG}-big`;
      removeImages(tag);
      // the stored layer differs from the descriptor's digest but matches the config's diff_id
      // and the size: only the digest check can stop it
      const good = makeImage({ hello, compress: false });
      const evilHello = Buffer.from(hello);
      evilHello[evilHello.length - 2] = 0x45;
      const evil = makeImage({ hello: evilHello, compress: false });
      const withEvilDiffId = makeImage({ hello, compress: false, diffId: evil.diffId });
      const files = { ...layoutFiles(withEvilDiffId), [blobFile(good.layerDescriptor.digest)]: evil.layerBlob };
      const f = await fixture(under('img', files));
      try {
        const image = await readOciImage(f.cache, f.commit, 'img', 'index.json');
        const res = await dockerLoad(dockerArchiveStream(f.cache, f.commit, 'img', image, [tag]));
        assert.ok(res.streamError instanceof OciLayoutError, String(res.streamError));
        assert.match(res.streamError.message, new RegExp(`^failed to import blob "${good.layerDescriptor.digest}" .*: unexpected digest ${evil.layerDescriptor.digest}, expected ${good.layerDescriptor.digest}$`));
        assert.notEqual(res.code, 0, `docker load succeeded:\n${res.stdout}`);
        assert.equal(imageInspect(tag), null, 'the tag must not exist');
      } finally {
        await f.cleanup();
      }
    });
  }
});
