// Helpers of the oci-import tests: small OCI image layouts generated in Node, committed into a
// bare repository with fixed dates, fetched (file:// URL) into a temporary GitCache; `docker load`
// of a stream; a seeded PRNG; a minimal tar reader for checking archives without Docker.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, pipeline } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GitCache } from '../../lib/git/cache.js';
import { contextTar } from '../helpers/docker.js';
import { type TreeEntry, commitTree, initBare, setRef } from '../helpers/git-repos.js';

export const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MT_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MT_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MT_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export type Algorithm = 'sha256' | 'sha512';

export function digestOf(data: Buffer, algorithm: Algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export function blobFile(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** A deterministic byte generator (mulberry32), for incompressible test data. */
export function prng(seed: number): (n: number) => Buffer {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (n: number) => {
    const buf = Buffer.alloc(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) buf.writeUInt32LE(next(), i);
    for (; i < n; i++) buf[i] = next() & 0xff;
    return buf;
  };
}

export interface ImageParts {
  /** The uncompressed layer tar (its sha256 is the diff_id). */
  layerTar: Buffer;
  /** The layer blob as stored (gzip unless `compress: false`). */
  layerBlob: Buffer;
  layerDescriptor: { mediaType: string; digest: string; size: number };
  diffId: string;
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDescriptor: { mediaType: string; digest: string; size: number };
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  manifestDescriptor: Record<string, unknown> & { mediaType: string; digest: string; size: number };
  index: Record<string, unknown>;
}

export interface ImageOptions {
  /** Content of /hello (default: some bytes). */
  hello?: Buffer;
  architecture?: string;
  /** Store the layer uncompressed (application/vnd.oci.image.layer.v1.tar). */
  compress?: boolean;
  algorithm?: Algorithm;
  /** The diff_id written into the config (default: the real one). */
  diffId?: string;
}

/** The parts of a scratch-like image: one layer with /hello, a config, a manifest, an index. */
export function makeImage(opts: ImageOptions = {}): ImageParts {
  const algorithm = opts.algorithm ?? 'sha256';
  const layerTar = contextTar({ hello: { content: opts.hello ?? Buffer.from('Hello from an OCI layout in git!\n'), mode: 0o755 } });
  const compress = opts.compress ?? true;
  const layerBlob = compress ? gzipSync(layerTar, { level: 9 }) : layerTar;
  const diffId = opts.diffId ?? digestOf(layerTar, 'sha256');
  const layerDescriptor = { mediaType: compress ? MT_LAYER_GZIP : MT_LAYER_TAR, digest: digestOf(layerBlob, algorithm), size: layerBlob.length };
  const config = {
    architecture: opts.architecture ?? 'amd64',
    os: 'linux',
    created: '2023-11-14T22:13:20Z',
    config: { Cmd: ['/hello'], Env: ['PATH=/'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2023-11-14T22:13:20Z', created_by: 'test' }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor = { mediaType: MT_CONFIG, digest: digestOf(configBytes, algorithm), size: configBytes.length };
  const manifest = { schemaVersion: 2, mediaType: MT_MANIFEST, config: configDescriptor, layers: [layerDescriptor] };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDescriptor = {
    mediaType: MT_MANIFEST,
    digest: digestOf(manifestBytes, algorithm),
    size: manifestBytes.length,
    platform: { architecture: config.architecture, os: 'linux' },
    annotations: { 'org.opencontainers.image.ref.name': '1' },
  };
  const index = { schemaVersion: 2, mediaType: MT_INDEX, manifests: [manifestDescriptor] };
  return { layerTar, layerBlob, layerDescriptor, diffId, config, configBytes, configDescriptor, manifest, manifestBytes, manifestDescriptor, index };
}

export const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

/** The files of a layout directory for the image (relative to it). */
export function layoutFiles(img: ImageParts): Record<string, TreeEntry> {
  return {
    'oci-layout': OCI_LAYOUT,
    'index.json': JSON.stringify(img.index),
    [blobFile(img.manifestDescriptor.digest)]: img.manifestBytes,
    [blobFile(img.configDescriptor.digest)]: img.configBytes,
    [blobFile(img.layerDescriptor.digest)]: img.layerBlob,
  };
}

/** Prefixes every path with `dir/` ("." = none). */
export function under(dir: string, files: Record<string, TreeEntry>): Record<string, TreeEntry> {
  if (dir === '.') return files;
  const out: Record<string, TreeEntry> = {};
  for (const [path, entry] of Object.entries(files)) out[`${dir}/${path}`] = entry;
  return out;
}

export interface Fixture {
  cache: GitCache;
  commit: string;
  /** The source repository (bare). */
  source: string;
  cleanup(): Promise<void>;
}

/**
 * Commits `files` (whole repository, fixed date) into a fresh bare repository and fetches the
 * commit into a fresh GitCache through a file:// URL.
 */
export async function fixture(files: Record<string, TreeEntry>): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'bashbrew-oci-test-'));
  const source = initBare(join(root, 'source.git'));
  const commit = commitTree(source, files, { time: 1700000000, message: 'oci layout' });
  setRef(source, 'refs/heads/main', commit);
  const cache = new GitCache({ cacheDir: join(root, 'cache'), debug: false, log: () => undefined });
  try {
    const fetched = await cache.fetch({ gitRepo: `file://${source}`, gitFetch: 'refs/heads/main', gitCommit: commit, pinTag: 'amd64/oci-test/1' });
    if (fetched !== commit) throw new Error(`fetched ${fetched}, expected ${commit}`);
  } catch (err) {
    await cache.close();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    cache,
    commit,
    source,
    async cleanup() {
      await cache.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The error the input stream ended with (null when it ended cleanly). */
  streamError: Error | null;
}

/** Pipes `input` into `docker load` (spawned with an argument array). */
export function dockerLoad(input: Readable): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['load'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let streamError: Error | null = null;
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    // on an error of the input, pipeline closes docker's stdin: docker sees a truncated archive
    pipeline(input, child.stdin, (err) => {
      if (err) streamError = err;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, streamError }));
  });
}

/** Collects a stream; resolves with what came and how it ended. */
export async function collect(stream: Readable): Promise<{ data: Buffer; error: Error | null }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return { data: Buffer.concat(chunks), error: null };
  } catch (err) {
    return { data: Buffer.concat(chunks), error: err as Error };
  }
}

export interface TarMember {
  name: string;
  type: string;
  size: number;
  data: Buffer;
}

/**
 * Reads the members of a tar (ustar, PAX "path"/"size" records); `complete` says whether it
 * ended with its two zero blocks (false when truncated anywhere).
 */
export function readTar(tar: Buffer): { members: TarMember[]; complete: boolean } {
  const members: TarMember[] = [];
  let off = 0;
  let pax: Map<string, string> | null = null;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) {
      const complete = off + 1024 <= tar.length && tar.subarray(off + 512, off + 1024).every((b) => b === 0);
      return { members, complete };
    }
    const str = (a: number, n: number) => h.subarray(a, a + n).toString('latin1').replace(/\0.*$/s, '');
    let name = str(0, 100);
    const prefix = str(345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
    let size = parseInt(str(124, 12), 8);
    const type = String.fromCharCode(h[156]!);
    if (pax !== null) {
      name = pax.get('path') ?? name;
      if (pax.has('size')) size = Number(pax.get('size'));
      pax = null;
    }
    const end = off + 512 + size;
    if (end > tar.length) return { members, complete: false };
    const data = tar.subarray(off + 512, end);
    off = end + ((512 - (size % 512)) % 512);
    if (type === 'x') {
      pax = new Map();
      for (const rec of data.toString('utf8').split('\n').filter(Boolean)) {
        const kv = rec.slice(rec.indexOf(' ') + 1);
        pax.set(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1));
      }
      continue;
    }
    members.push({ name, type, size, data });
  }
  return { members, complete: false };
}

/** Removes a directory tree made by a test. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
