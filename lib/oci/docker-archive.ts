// Builder "oci-import" (spec §4.7.3), loading side: the image read by readOciImage, as a
// `docker load` stream in the docker-archive format (what `docker save` wrote before OCI):
//
//   manifest.json   [{"Config":"blobs/sha256/<hex>","RepoTags":[...],"Layers":["blobs/sha256/<hex>",...]}]
//   blobs/ALG/      directories
//   blobs/ALG/HEX   the config, then every layer blob as it is (docker load decompresses layers)
//   two zero blocks
//
// The reference goes through a containerd content store and its exporter; this builds the tar
// on the fly instead: every blob is streamed from its source (git, or the OCI store that keeps
// buildx's output), never held whole, and its size and digest
// are verified while it streams. A mismatch destroys the stream with an OciLayoutError.
//
// So that a bad blob can never be loaded, the last chunk of each blob is held back until the
// blob's digest is verified: when verification fails, the archive ends inside that member (or,
// for a blob of one chunk, before it, while manifest.json already names it), which docker load
// rejects as a whole, so nothing is tagged.
import { Readable } from 'node:stream';
import { type GitCache } from '../git/cache.js';
import { TYPE_DIR, TYPE_REG, encodeHeader, padding } from '../git/tarheader.js';
import { digester, parseDigest } from './digest.js';
import { type OciDescriptor, type OciImage, OciLayoutError, blobPath, describeFile } from './layout.js';

/** The member name of a blob inside the archive. */
export function archiveBlobName(digest: string): string {
  const d = parseDigest(digest);
  return `blobs/${d.algorithm}/${d.encoded}`;
}

/** docker-archive's manifest.json for the image. */
export function dockerArchiveManifest(image: OciImage, repoTags: readonly string[]): Buffer {
  const manifest = [{
    Config: archiveBlobName(image.config.digest),
    RepoTags: [...repoTags],
    Layers: image.layers.map((l) => archiveBlobName(l.digest)),
  }];
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

/** Where the blobs come from: the layout in a git commit, or an OCI layout on disk (lib/build/oci-store.ts). */
export interface BlobSource {
  /** The blob's content and its size (a stream nothing has read yet). */
  open(d: OciDescriptor): Promise<{ size: number; stream: Readable }>;
  /** How errors name the blob, e.g. `"sha256:…" (from directory "D" in commit "C")`. */
  describe(digest: string): string;
}

/** The blobs of the layout at COMMIT:DIR. */
export function gitBlobSource(git: GitCache, commit: string, dir: string): BlobSource {
  return {
    open: (d) => git.openBlob(commit, blobPath(dir, d.digest)),
    describe: (digest) => describeFile(digest, dir, commit),
  };
}

/**
 * A `docker load` stream of the image, tagged with repoTags (e.g. `["bashbrew/cache:…",
 * "library/foo:1.0"]`). Nothing is read until the stream is; destroying it ends any git process.
 */
export function dockerArchiveStream(source: BlobSource, image: OciImage, repoTags: string[]): Readable;
export function dockerArchiveStream(git: GitCache, commit: string, dir: string, image: OciImage, repoTags: string[]): Readable;
export function dockerArchiveStream(...args: [BlobSource, OciImage, string[]] | [GitCache, string, string, OciImage, string[]]): Readable {
  const [source, image, repoTags] = args.length === 3 ? args : [gitBlobSource(args[0], args[1], args[2]), args[3], args[4]];
  return Readable.from(archiveChunks(source, image, repoTags), { objectMode: false, highWaterMark: 64 * 1024 });
}

async function* archiveChunks(source: BlobSource, image: OciImage, repoTags: readonly string[]): AsyncGenerator<Buffer> {
  const manifest = dockerArchiveManifest(image, repoTags);
  yield Buffer.concat([file('manifest.json', manifest.length), manifest, padding(manifest.length)]);

  // each blob once (a layer may repeat), config first
  const blobs = new Map<string, OciDescriptor>();
  for (const d of [image.config, ...image.layers]) if (!blobs.has(d.digest)) blobs.set(d.digest, d);

  const dirs = ['blobs/', ...new Set([...blobs.keys()].map((digest) => `blobs/${parseDigest(digest).algorithm}/`))];
  yield Buffer.concat(dirs.map((name) => encodeHeader({ typeflag: TYPE_DIR, name, linkname: '', size: 0, mode: 0o755 })));

  for (const d of blobs.values()) yield* blobChunks(source, d);

  yield Buffer.alloc(1024); // end of archive
}

function file(name: string, size: number): Buffer {
  return encodeHeader({ typeflag: TYPE_REG, name, linkname: '', size, mode: 0o644 });
}

async function* blobChunks(source: BlobSource, d: OciDescriptor): AsyncGenerator<Buffer> {
  const fail = (why: string, cause?: unknown) =>
    new OciLayoutError(`failed to import blob ${source.describe(d.digest)}: ${why}`, cause === undefined ? undefined : { cause });
  const digest = parseDigest(d.digest);

  let opened;
  try {
    opened = await source.open(d);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  const { size, stream } = opened;
  if (size !== d.size) {
    stream.destroy();
    throw fail(`unexpected size ${size}, expected ${d.size}`);
  }

  const hash = digester(digest);
  let header: Buffer | null = file(archiveBlobName(d.digest), d.size);
  let held: Buffer | null = null;
  let received = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      received += chunk.length;
      if (received > d.size) throw fail(`more than the ${d.size} bytes expected`);
      if (held !== null) {
        yield header === null ? held : Buffer.concat([header, held]);
        header = null;
      }
      held = chunk;
    }
  } catch (err) {
    if (err instanceof OciLayoutError) throw err;
    throw fail(err instanceof Error ? err.message : String(err), err);
  } finally {
    stream.destroy();
  }
  if (received !== d.size) throw fail(`unexpected size ${received}, expected ${d.size}`);
  const actual = `${digest.algorithm}:${hash.digest('hex')}`;
  if (actual !== d.digest) throw fail(`unexpected digest ${actual}, expected ${d.digest}`);
  const tail = [header, held, padding(d.size)].filter((b): b is Buffer => b !== null && b.length > 0);
  if (tail.length > 0) yield Buffer.concat(tail);
}
