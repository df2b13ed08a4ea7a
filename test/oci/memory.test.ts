// oci-import does not hold layers in memory: a 200 MB layer of incompressible bytes (seeded
// PRNG) streams from git into `docker load` while this process's RSS grows by less than 64 MB.
// The objects are written straight into the cache's repository (no fetch: packing 200 MB for a
// file:// fetch would only measure git). About 10 s (most of it Docker writing the layer twice).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GitCache } from '../../lib/git/cache.js';
import { dockerArchiveStream } from '../../lib/oci/docker-archive.js';
import { readOciImage } from '../../lib/oci/layout.js';
import { imageInspect, removeImages, requireDocker, tarHeader } from '../helpers/docker.js';
import { fixedGitEnv } from '../helpers/git-repos.js';
import { MT_CONFIG, MT_INDEX, MT_LAYER_TAR, MT_MANIFEST, OCI_LAYOUT, blobFile, dockerLoad, prng } from './util.js';

const TAG = 'bashbrew-test/oci:memory';
const LAYER_FILE_SIZE = 200 * 1024 * 1024;
const MAX_GROWTH = 64 * 1024 * 1024;

function git(gitDir: string, args: string[], input?: string | Buffer): string {
  const run = spawnSync('git', args, {
    cwd: gitDir,
    env: { ...fixedGitEnv(), GIT_DIR: gitDir },
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr.toString('utf8')}`);
  return run.stdout.toString('utf8').trim();
}

/** Writes an uncompressed layer tar with one big random file; returns its digest and size. */
function writeLayer(path: string): { digest: string; size: number } {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  let size = 0;
  const write = (buf: Buffer) => {
    writeSync(fd, buf);
    hash.update(buf);
    size += buf.length;
  };
  try {
    const random = prng(0x0c1);
    write(tarHeader('random.bin', LAYER_FILE_SIZE));
    for (let left = LAYER_FILE_SIZE; left > 0; left -= 1 << 20) write(random(Math.min(left, 1 << 20)));
    write(Buffer.alloc((512 - (LAYER_FILE_SIZE % 512)) % 512));
    write(Buffer.alloc(1024));
  } finally {
    closeSync(fd);
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

test('a 200 MB layer streams into docker load without growing RSS by 64 MB', { timeout: 600_000 }, async (t) => {
  if (!requireDocker(t)) return;
  removeImages(TAG);
  const root = mkdtempSync(join(tmpdir(), 'bashbrew-oci-memory-'));
  const cache = new GitCache({ cacheDir: join(root, 'cache'), debug: false, log: () => undefined });
  try {
    const gitDir = await cache.ensureInit();
    const layerPath = join(root, 'layer.tar');
    const layer = writeLayer(layerPath);
    // stored without compression: quick to write, and what is streamed is still 200 MB
    const layerBlob = git(gitDir, ['-c', 'core.looseCompression=0', 'hash-object', '-w', '--', layerPath]);
    rmSync(layerPath);

    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] }, config: {},
    }));
    const configDesc = { mediaType: MT_CONFIG, digest: sha256(config), size: config.length };
    const layerDesc = { mediaType: MT_LAYER_TAR, digest: layer.digest, size: layer.size };
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_MANIFEST, config: configDesc, layers: [layerDesc] }));
    const manifestDesc = { mediaType: MT_MANIFEST, digest: sha256(manifest), size: manifest.length };
    const index = JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [manifestDesc] });

    const small: Record<string, string | Buffer> = {
      'oci-layout': OCI_LAYOUT, 'index.json': index, [blobFile(configDesc.digest)]: config, [blobFile(manifestDesc.digest)]: manifest,
    };
    const lines = [`100644 ${layerBlob}\timg/${blobFile(layerDesc.digest)}`];
    for (const [path, data] of Object.entries(small)) lines.push(`100644 ${git(gitDir, ['hash-object', '-w', '--stdin'], data)}\timg/${path}`);
    const indexFile = join(root, 'index');
    const env = { ...fixedGitEnv(), GIT_DIR: gitDir, GIT_INDEX_FILE: indexFile };
    const update = spawnSync('git', ['update-index', '--index-info'], { cwd: gitDir, env, input: lines.join('\n') + '\n' });
    assert.equal(update.status, 0, update.stderr.toString('utf8'));
    const tree = spawnSync('git', ['write-tree'], { cwd: gitDir, env }).stdout.toString('utf8').trim();
    const commit = git(gitDir, ['commit-tree', tree, '-m', 'big layer']);

    const image = await readOciImage(cache, commit, 'img', 'index.json');
    assert.equal(image.layers[0]!.size, layer.size);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    const started = Date.now();
    let res;
    try {
      res = await dockerLoad(dockerArchiveStream(cache, commit, 'img', image, [TAG]));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - before;
    t.diagnostic(`streamed ${(layer.size / 2 ** 20).toFixed(0)} MiB in ${Date.now() - started} ms; RSS growth ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(res.streamError, null);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${growth} bytes`);
    assert.equal(imageInspect(TAG)?.Id, configDesc.digest);
  } finally {
    removeImages(TAG);
    await cache.close();
    rmSync(root, { recursive: true, force: true });
  }
});
