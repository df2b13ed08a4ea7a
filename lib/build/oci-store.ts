// The OCI image layout under $BASHBREW_CACHE/oci/<arch>/ that keeps what `docker buildx build
// --output type=oci` writes (spec §4.7.2, §4.8): our stand-in for the reference's containerd
// content and image store.
//
//   oci-layout           {"imageLayoutVersion":"1.0.0"}
//   index.json           one descriptor per build tag (annotation org.opencontainers.image.ref.name
//                        = the tag, cache tag first), all pointing at the image buildx built
//   blobs/sha256/HEX     content, shared by every image of the arch
//   tmp/                 files being written (renamed into place once complete and verified)
//
// buildx's tarball is read as it streams (never held whole): every blob is hashed while it is
// written to a temp file and renamed into place only when its digest matches its name, so the
// store never holds a corrupt blob. index.json is only changed under a lock file, re-read under
// that lock, written to a temp file and renamed (concurrent builds of one arch cannot lose each
// other's tags).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { OCIPlatform, SUPPORTED_ARCHES } from '../architecture.js';
import { goQuote } from '../manifest/gostr.js';
import { type BlobSource } from '../oci/docker-archive.js';
import { digestError, digester, digestOf, parseDigest } from '../oci/digest.js';
import { MAX_JSON_BYTES, type OciDescriptor, type OciImage, type OciPlatform } from '../oci/layout.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const IMAGE_NAME = 'io.containerd.image.name';
const REFERENCE_TYPE = 'vnd.docker.reference.type';

const MT_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const MT_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX_TYPES = [MT_OCI_INDEX, MT_DOCKER_LIST];
const MANIFEST_TYPES = [MT_OCI_MANIFEST, MT_DOCKER_MANIFEST];

const LOCK_TIMEOUT_MS = 60_000;

export class OciStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OciStoreError';
  }
}

interface OciIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: OciDescriptor[];
}

/** What a tarball import wrote: buildx's own index (which names the images it built). */
export interface ImportedTarball {
  index: OciIndex;
  blobs: number;
  bytes: number;
}

/** `docker.io/library/foo:latest` for `foo` (containerd's canonical image names). */
export function canonicalName(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  let name = ref;
  if (slash < 0) name = `docker.io/library/${ref}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${ref}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name += ':latest';
  return name;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asDescriptor(v: unknown, what: string): OciDescriptor {
  if (!isObject(v)) throw new Error(`${what}: not a descriptor`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof size !== 'number' || size < 0 || !Number.isSafeInteger(size)) {
    throw new Error(`${what}: invalid descriptor`);
  }
  const err = digestError(digest);
  if (err !== null) throw new Error(`${what}: invalid digest ${goQuote(digest)}: ${err}`);
  const d: OciDescriptor = { mediaType, digest, size };
  if (isObject(v.platform)) d.platform = v.platform as OciPlatform;
  if (isObject(v.annotations)) {
    d.annotations = Object.fromEntries(Object.entries(v.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return d;
}

function parseIndex(text: string, what: string): OciIndex {
  const v: unknown = JSON.parse(text);
  if (!isObject(v) || v.schemaVersion !== 2) throw new Error(`${what}: not an OCI index (schemaVersion 2)`);
  const manifests = v.manifests ?? [];
  if (!Array.isArray(manifests)) throw new Error(`${what}: "manifests" is not a list`);
  const index: OciIndex = { schemaVersion: 2, manifests: manifests.map((m, i) => asDescriptor(m, `${what}: manifests[${i}]`)) };
  if (typeof v.mediaType === 'string') index.mediaType = v.mediaType;
  return index;
}

/** Whether a descriptor's platform is `want` (arm64 without a variant is v8, as the registry matcher has it). */
function platformMatches(p: OciPlatform | undefined, want: OCIPlatform): boolean {
  if (p === undefined) return false;
  const arch = p.architecture ?? '';
  const variant = p.variant ?? '';
  return want.Is({ OS: p.os ?? '', Architecture: arch, Variant: arch === 'arm64' && variant === '' ? 'v8' : variant });
}

// ---------------------------------------------------------------------------------------------
// a minimal streaming tar reader (regular files; directories and others skipped; PAX path/size)

interface TarEntry {
  name: string;
  size: number;
  /** Regular file? */
  regular: boolean;
}

interface EntrySink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
  abort(): Promise<void> | void;
}

function octal(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    // base-256 (GNU): big numbers
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`invalid tar header: bad number ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function cstring(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!(len > 0)) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/** Reads a tar stream, handing each regular file's content to the sink `onEntry` returns. */
export async function readTar(stream: Readable, onEntry: (e: TarEntry) => Promise<EntrySink> | EntrySink): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  // state: reading a header, or `remaining` content bytes then `pad` padding bytes
  let sink: EntrySink | null = null;
  let paxData: Buffer[] | null = null;
  let pax: Map<string, string> | null = null;
  let remaining = 0;
  let pad = 0;
  let inEntry = false;
  let ended = false;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? c : Buffer.concat([pending, c]);
      for (;;) {
        if (ended) {
          pending = Buffer.alloc(0);
          break;
        }
        if (inEntry) {
          if (remaining > 0) {
            if (pending.length === 0) break;
            const take = Math.min(remaining, pending.length);
            const part = pending.subarray(0, take);
            pending = pending.subarray(take);
            remaining -= take;
            if (sink !== null) await sink.write(part);
            else if (paxData !== null) paxData.push(Buffer.from(part));
            if (remaining > 0) break;
          }
          if (pad > 0) {
            const skip = Math.min(pad, pending.length);
            pending = pending.subarray(skip);
            pad -= skip;
            if (pad > 0) break;
          }
          inEntry = false;
          if (sink !== null) {
            const s = sink;
            sink = null;
            await s.end();
          }
          if (paxData !== null) {
            pax = parsePax(Buffer.concat(paxData));
            paxData = null;
          }
          continue;
        }
        if (pending.length < 512) break;
        const block = pending.subarray(0, 512);
        pending = pending.subarray(512);
        if (block.every((b) => b === 0)) {
          ended = true; // end of archive (the second zero block and any trailing bytes are not needed)
          continue;
        }
        let sum = 0;
        for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
        if (octal(block, 148, 8) !== sum) throw new Error('invalid tar header checksum');
        const type = String.fromCharCode(block[156]!);
        let size = octal(block, 124, 12);
        const prefix = block.subarray(257, 262).toString('latin1') === 'ustar' ? cstring(block, 345, 155) : '';
        let name = prefix !== '' ? `${prefix}/${cstring(block, 0, 100)}` : cstring(block, 0, 100);
        if (pax !== null && type !== 'x' && type !== 'g') {
          name = pax.get('path') ?? name;
          const paxSize = pax.get('size');
          if (paxSize !== undefined) size = Number(paxSize);
          pax = null;
        }
        inEntry = true;
        remaining = size;
        pad = (512 - (size % 512)) % 512;
        if (type === 'x') {
          if (size > 1024 * 1024) throw new Error('tar PAX header too large');
          paxData = [];
        } else if (type === '0' || type === '\0' || type === '7') {
          sink = await onEntry({ name: name.replace(/^\.\//, ''), size, regular: true });
        }
        // anything else (directories, links, global headers): content skipped
      }
    }
    if (!ended && (inEntry || pending.length > 0)) throw new Error('unexpected end of tar stream');
    if (!ended) throw new Error('unexpected end of tar stream (no end-of-archive marker)');
  } catch (err) {
    if (sink !== null) await (sink as EntrySink).abort();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

export class OciStore {
  readonly blobsDir: string;
  readonly #tmp: string;
  readonly #index: string;
  readonly #lock: string;

  constructor(readonly dir: string) {
    this.blobsDir = join(dir, 'blobs');
    this.#tmp = join(dir, 'tmp');
    this.#index = join(dir, 'index.json');
    this.#lock = join(dir, 'index.json.lock');
  }

  /** `"sha256:…" (from OCI store "DIR")`: context for errors. */
  describe(digest: string): string {
    return `${goQuote(digest)} (from OCI store ${goQuote(this.dir)})`;
  }

  blobPath(digest: string): string {
    const d = parseDigest(digest);
    return join(this.blobsDir, d.algorithm, d.encoded);
  }

  #tmpName(what: string): string {
    return join(this.#tmp, `${what}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async #ensureLayout(): Promise<void> {
    await mkdir(this.#tmp, { recursive: true });
    await mkdir(join(this.blobsDir, 'sha256'), { recursive: true });
    try {
      await stat(join(this.dir, 'oci-layout'));
    } catch {
      await this.#writeAtomic(join(this.dir, 'oci-layout'), Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    }
  }

  async #writeAtomic(path: string, data: Buffer): Promise<void> {
    const tmp = this.#tmpName('file');
    try {
      const h = await open(tmp, 'wx', 0o644);
      try {
        await h.writeFile(data);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Streams an OCI layout tarball (buildx's `--output type=oci` on stdout) into the store: every
   * blob verified against its name, complete blobs only; the tarball's index.json is returned, not
   * stored (record() names the images once the build succeeded).
   */
  async importTarball(stream: Readable): Promise<ImportedTarball> {
    await this.#ensureLayout();
    let index: OciIndex | null = null;
    let layoutOk = false;
    let blobs = 0;
    let bytes = 0;
    await readTar(stream, async (e): Promise<EntrySink> => {
      const m = /^blobs\/(sha256|sha384|sha512)\/([a-f0-9]+)$/.exec(e.name);
      if (m !== null) {
        blobs++;
        bytes += e.size;
        return this.#blobSink(`${m[1]}:${m[2]}`, e.size);
      }
      if (e.name === 'index.json' || e.name === 'oci-layout') {
        if (e.size > MAX_JSON_BYTES) throw new OciStoreError(`${e.name} in the OCI tarball is too large (${e.size} bytes)`);
        const parts: Buffer[] = [];
        return {
          write: (c) => void parts.push(Buffer.from(c)),
          end: () => {
            const text = Buffer.concat(parts).toString('utf8');
            try {
              if (e.name === 'index.json') index = parseIndex(text, 'index.json');
              else {
                const v: unknown = JSON.parse(text);
                if (!isObject(v) || v.imageLayoutVersion !== '1.0.0') throw new Error('unsupported OCI image layout version');
                layoutOk = true;
              }
            } catch (err) {
              throw new OciStoreError(`invalid ${e.name} in the OCI tarball: ${message(err)}`, { cause: err });
            }
          },
          abort: () => undefined,
        };
      }
      return { write: () => undefined, end: () => undefined, abort: () => undefined };
    });
    if (!layoutOk) throw new OciStoreError('the OCI tarball has no valid oci-layout file');
    if (index === null) throw new OciStoreError('the OCI tarball has no index.json');
    return { index, blobs, bytes };
  }

  async #blobSink(digest: string, size: number): Promise<EntrySink> {
    const parsed = parseDigest(digest);
    const final = this.blobPath(digest);
    await mkdir(join(this.blobsDir, parsed.algorithm), { recursive: true });
    let exists = false;
    try {
      exists = (await stat(final)).size === size;
    } catch {
      // not stored yet
    }
    const hash = digester(parsed);
    const tmp = exists ? null : this.#tmpName('blob');
    let handle: FileHandle | null = tmp === null ? null : await open(tmp, 'wx', 0o444);
    let received = 0;
    const cleanup = async () => {
      if (handle !== null) await handle.close().catch(() => undefined);
      handle = null;
      if (tmp !== null) await unlink(tmp).catch(() => undefined);
    };
    return {
      write: async (chunk) => {
        hash.update(chunk);
        received += chunk.length;
        if (handle !== null) await handle.write(chunk);
      },
      end: async () => {
        const actual = `${parsed.algorithm}:${hash.digest('hex')}`;
        if (received !== size || actual !== digest) {
          await cleanup();
          throw new OciStoreError(`blob ${this.describe(digest)} in the OCI tarball: unexpected digest ${actual} (${received} bytes), expected ${digest} (${size} bytes)`);
        }
        if (handle === null || tmp === null) return; // already stored (the same verified content)
        try {
          await handle.sync();
          await handle.close();
          handle = null;
          await rename(tmp, final);
        } catch (err) {
          await cleanup();
          throw err;
        }
      },
      abort: cleanup,
    };
  }

  /** A blob, read whole (bounded) and checked against its descriptor. */
  async readBlob(d: OciDescriptor): Promise<Buffer> {
    if (d.size > MAX_JSON_BYTES) throw new OciStoreError(`blob ${this.describe(d.digest)} too large to read (${d.size} bytes)`);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.blobPath(d.digest));
    } catch (err) {
      throw new OciStoreError(`failed reading blob ${this.describe(d.digest)}: ${message(err)}`, { cause: err });
    }
    const actual = digestOf(bytes, parseDigest(d.digest));
    if (bytes.length !== d.size || actual !== d.digest) {
      throw new OciStoreError(`corrupt blob ${this.describe(d.digest)}: unexpected digest ${actual} (${bytes.length} bytes), expected ${d.digest} (${d.size} bytes)`);
    }
    return bytes;
  }

  /** Every blob below `d` is present with its size (and the index/manifest blobs verified). */
  async #checkTree(d: OciDescriptor, depth = 0): Promise<void> {
    if (depth > 4) throw new OciStoreError(`descriptor ${this.describe(d.digest)} nested too deeply`);
    if (INDEX_TYPES.includes(d.mediaType)) {
      const index = parseIndex((await this.readBlob(d)).toString('utf8'), `index ${d.digest}`);
      for (const m of index.manifests) await this.#checkTree(m, depth + 1);
    } else if (MANIFEST_TYPES.includes(d.mediaType)) {
      const { config, layers } = parseManifest(await this.readBlob(d), d.digest);
      for (const c of [config, ...layers]) await this.#checkSize(c);
    } else {
      await this.#checkSize(d);
    }
  }

  async #checkSize(d: OciDescriptor): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.blobPath(d.digest))).size;
    } catch (err) {
      throw new OciStoreError(`missing blob ${this.describe(d.digest)}: ${message(err)}`, { cause: err });
    }
    if (size !== d.size) throw new OciStoreError(`blob ${this.describe(d.digest)}: unexpected size ${size}, expected ${d.size}`);
  }

  /**
   * Names the image buildx built (found in its tarball's index by the first tag, the cache tag)
   * with every tag, after checking its whole tree is in the store. Returns its descriptor.
   */
  async record(tags: readonly string[], imported: ImportedTarball): Promise<OciDescriptor> {
    const first = tags[0]!;
    const canonical = canonicalName(first);
    const tagPart = canonical.slice(canonical.lastIndexOf(':') + 1);
    const all = imported.index.manifests;
    const named = all.filter((m) => m.annotations?.[IMAGE_NAME] === canonical);
    let candidates = named.length > 0 ? named : all.filter((m) => [first, tagPart].includes(m.annotations?.[REF_NAME] ?? ''));
    // an index that names nothing at all: its one image is the build's
    if (candidates.length === 0 && all.every((m) => m.annotations?.[IMAGE_NAME] === undefined && m.annotations?.[REF_NAME] === undefined)) candidates = all;
    if (new Set(candidates.map((m) => m.digest)).size !== 1) {
      throw new OciStoreError(`no image named ${goQuote(first)} in the OCI tarball (its index has ${all.length} manifests)`);
    }
    const found = candidates[0]!;
    const target: OciDescriptor = { mediaType: found.mediaType, digest: found.digest, size: found.size };
    await this.#checkTree(target);
    await this.#updateIndex((manifests) => [
      ...manifests.filter((m) => !tags.includes(m.annotations?.[REF_NAME] ?? '')),
      ...tags.map((t) => ({ ...target, annotations: { [IMAGE_NAME]: canonicalName(t), [REF_NAME]: t } })),
    ]);
    return target;
  }

  /** The descriptor named `tag` in index.json, or null. */
  async lookup(tag: string): Promise<OciDescriptor | null> {
    let text: string;
    try {
      text = await readFile(this.#index, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new OciStoreError(`failed reading ${goQuote(this.#index)}: ${message(err)}`, { cause: err });
    }
    let index: OciIndex;
    try {
      index = parseIndex(text, this.#index);
    } catch (err) {
      throw new OciStoreError(`invalid ${goQuote(this.#index)}: ${message(err)}`, { cause: err });
    }
    return index.manifests.find((m) => m.annotations?.[REF_NAME] === tag) ?? null;
  }

  /**
   * The image for `arch` below `d`: an index's manifest for that platform (attestation manifests
   * skipped), or a manifest whose config has that platform; null when there is none. The index,
   * manifest and config blobs are verified; layers are checked for presence and size (their
   * digests are verified while they stream into docker load).
   */
  async resolve(d: OciDescriptor, arch: string): Promise<OciImage | null> {
    const want = SUPPORTED_ARCHES.get(arch);
    if (want === undefined) return null;
    let manifestDesc = d;
    if (INDEX_TYPES.includes(d.mediaType)) {
      const index = parseIndex((await this.readBlob(d)).toString('utf8'), `index ${d.digest}`);
      const found = index.manifests.find((m) => MANIFEST_TYPES.includes(m.mediaType)
        && m.annotations?.[REFERENCE_TYPE] !== 'attestation-manifest' && platformMatches(m.platform, want));
      if (found === undefined) return null;
      manifestDesc = found;
    } else if (!MANIFEST_TYPES.includes(d.mediaType)) {
      throw new OciStoreError(`unsupported mediaType ${goQuote(d.mediaType)} of ${this.describe(d.digest)}`);
    }
    const { config, layers } = parseManifest(await this.readBlob(manifestDesc), manifestDesc.digest);
    const configBytes = await this.readBlob(config);
    let configJSON: OciImage['configJSON'];
    try {
      const v: unknown = JSON.parse(configBytes.toString('utf8'));
      if (!isObject(v)) throw new Error('not a JSON object');
      configJSON = {};
      if (typeof v.os === 'string') configJSON.os = v.os;
      if (typeof v.architecture === 'string') configJSON.architecture = v.architecture;
      if (typeof v.variant === 'string') configJSON.variant = v.variant;
    } catch (err) {
      throw new OciStoreError(`invalid image config ${this.describe(config.digest)}: ${message(err)}`, { cause: err });
    }
    if (!platformMatches({ os: configJSON.os, architecture: configJSON.architecture, variant: configJSON.variant }, want)) return null;
    for (const l of layers) await this.#checkSize(l);
    const manifest: OciDescriptor = { mediaType: manifestDesc.mediaType, digest: manifestDesc.digest, size: manifestDesc.size };
    return { manifest, config, layers, configJSON };
  }

  /** Blobs for docker-archive.ts (verified there while they stream). */
  blobSource(): BlobSource {
    return {
      open: async (d) => {
        const path = this.blobPath(d.digest);
        const size = (await stat(path)).size;
        return { size, stream: createReadStream(path, { highWaterMark: 64 * 1024 }) };
      },
      describe: (digest) => this.describe(digest),
    };
  }

  /** Changes index.json under the lock: re-read, changed, written to a temp file, renamed. */
  async #updateIndex(change: (manifests: OciDescriptor[]) => OciDescriptor[]): Promise<void> {
    await this.#ensureLayout();
    const release = await this.#acquireLock();
    try {
      let manifests: OciDescriptor[] = [];
      try {
        manifests = parseIndex(await readFile(this.#index, 'utf8'), this.#index).manifests;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OciStoreError(`invalid ${goQuote(this.#index)}: ${message(err)}`, { cause: err });
      }
      const index: OciIndex = { schemaVersion: 2, mediaType: MT_OCI_INDEX, manifests: change(manifests) };
      await this.#writeAtomic(this.#index, Buffer.from(JSON.stringify(index) + '\n'));
    } finally {
      await release();
    }
  }

  /** An exclusive lock file holding our pid; one left by a process that is gone is taken over. */
  async #acquireLock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    const token = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
    for (;;) {
      try {
        await writeFile(this.#lock, token, { flag: 'wx' });
        return async () => {
          // only our own lock is removed
          if ((await readFile(this.#lock, 'utf8').catch(() => '')) === token) await unlink(this.#lock).catch(() => undefined);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number.parseInt(await readFile(this.#lock, 'utf8').catch(() => ''), 10);
      if (Number.isSafeInteger(holder) && holder > 0 && !alive(holder)) {
        await unlink(this.#lock).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new OciStoreError(`timed out waiting for the lock ${goQuote(this.#lock)} (held by pid ${holder})`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseManifest(bytes: Buffer, digest: string): { config: OciDescriptor; layers: OciDescriptor[] } {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (!isObject(v) || v.schemaVersion !== 2) throw new Error('not an image manifest (schemaVersion 2)');
    const layers = v.layers ?? [];
    if (!Array.isArray(layers)) throw new Error('"layers" is not a list');
    return { config: asDescriptor(v.config, 'config'), layers: layers.map((l, i) => asDescriptor(l, `layers[${i}]`)) };
  } catch (err) {
    throw new OciStoreError(`invalid manifest ${goQuote(digest)}: ${message(err)}`, { cause: err });
  }
}
