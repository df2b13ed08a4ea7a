// `bashbrew lint --rule oci-layout`: OCI layouts of oci-import entries in a real git repo (issue 6).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { commitTree, initBare, libraryFile, setRef, type TreeEntry } from '../helpers/git-repos.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const digest = (b: Buffer) => 'sha256:' + sha256(b);

/** A one-layer linux/amd64 OCI layout under `dir/`; `tamper` rewrites the stored layer blob. */
function ociLayout(dir: string, tamper?: (layer: Buffer) => Buffer): Record<string, TreeEntry> {
  const layer = gzipSync(Buffer.from('not really a tar, only bytes to digest\n'));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
  }));
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length }] });
  return {
    [`${dir}/oci-layout`]: '{"imageLayoutVersion":"1.0.0"}',
    [`${dir}/index.json`]: index,
    [`${dir}/blobs/sha256/${sha256(config)}`]: config,
    [`${dir}/blobs/sha256/${sha256(manifest)}`]: manifest,
    [`${dir}/blobs/sha256/${sha256(layer)}`]: tamper ? tamper(layer) : layer,
  };
}

test('oci-layout: a valid layout passes; a tampered layer, a missing oci-layout are reported', () => {
  const dir = tempDir('bashbrew-lint-oci-');
  const git = initBare(join(dir, 'img.git'));
  const files = {
    ...ociLayout('good'),
    ...ociLayout('tampered', (b) => { const c = Buffer.from(b); c[c.length - 1] ^= 0xff; return c; }),
    ...ociLayout('nolayout'),
    'Dockerfile': 'FROM scratch\n',
  };
  delete (files as Record<string, TreeEntry>)['nolayout/oci-layout'];
  const commit = commitTree(git, files);
  setRef(git, 'refs/heads/main', commit);
  mkdirSync(join(dir, 'library'));
  writeFileSync(join(dir, 'library', 'img'), libraryFile(`file://${git}`, [
    'Tags: good\nDirectory: good\nBuilder: oci-import\nFile: index.json',
    'Tags: tampered\nDirectory: tampered\nBuilder: oci-import\nFile: index.json',
    'Tags: nolayout\nBuilder: oci-import\nFile: index.json\nArchitectures: amd64, arm64v8\narm64v8-Directory: nolayout\namd64-Directory: good',
    'Tags: classic',
  ], { GitFetch: 'refs/heads/main', GitCommit: commit }));
  const r = bashbrew(['--library', join(dir, 'library'), 'lint', '--format', 'json', '--rule', 'oci-layout', 'img'], {}, dir);
  assert.equal(r.stderr, 'lint: 2 errors\n');
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { tag: string; arch: string; line: number; message: string }[];
  assert.deepEqual(findings.map((f) => [f.tag, f.arch, f.line]), [['tampered', 'amd64', 12], ['nolayout', 'arm64v8', 20]]);
  assert.match(findings[0]!.message, /^blob "sha256:[0-9a-f]{64}" \(from directory "tampered" in commit "[0-9a-f]{40}"\) has digest sha256:/);
  assert.match(findings[1]!.message, /^failed reading "oci-layout" \(from directory "nolayout" in commit /);
});
