// Builder "oci-import" (spec §4.7.3), reading side: a single-platform OCI image layout stored in
// git (Directory at the commit), read from git objects, validated the way the reference's
// ociImportBuild validates it before it imports the blobs. Files are opened through the cache's
// openBlob (symlinks followed inside the repository only), so nothing big is held in memory:
// the JSON files and the manifest/config blobs are bounded, the layers are only checked for
// presence and size here (their digests are checked while they stream, see docker-archive.ts).
import { type GitCache } from '../git/cache.js';
import { goQuote, joinPath } from '../manifest/gostr.js';
import { digestError, digestOf, parseDigest } from './digest.js';
import { DESCRIPTOR, IMAGE_LAYOUT, INDEX, MANIFEST, decodeStrict } from './strict-json.js';

export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const LAYER_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
];

/** The most a JSON file of the layout (oci-layout, index, descriptor, manifest, config) may weigh. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

export interface OciPlatform {
  architecture?: string;
  os?: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: OciPlatform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
  /** Embedded content, base64. */
  data?: string;
}

export interface OciImage {
  /** The image manifest descriptor (urls and annotations dropped, as the reference does). */
  manifest: OciDescriptor;
  config: OciDescriptor;
  layers: OciDescriptor[];
  /** The parsed image config (only what architecture checks need). */
  configJSON: { os?: string; architecture?: string; variant?: string };
}

/** A layout that cannot be imported; the message names the file, directory and commit. */
export class OciLayoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OciLayoutError';
  }
}

/** `"FILE" (from directory "D" in commit "C")`: the reference's context for every error. */
export function describeFile(file: string, dir: string, commit: string): string {
  return `${goQuote(file)} (from directory ${goQuote(dir)} in commit ${goQuote(commit)})`;
}

/** Where a blob lives in the repository: DIR/blobs/ALG/HEX. */
export function blobPath(dir: string, digest: string): string {
  const d = parseDigest(digest);
  return joinPath(dir, 'blobs', d.algorithm, d.encoded);
}

/** io/fs.ValidPath: what may be opened relative to the layout directory. */
function validPath(name: string): boolean {
  if (name === '.') return true;
  return name !== '' && !/[\ud800-\udfff]/.test(name) && name.split('/').every((e) => e !== '' && e !== '.' && e !== '..');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The whole content of a (small) file, at most MAX_JSON_BYTES; `expectSize` is checked first. */
async function readBounded(git: GitCache, commit: string, path: string, expectSize?: number): Promise<Buffer> {
  const { size, stream } = await git.openBlob(commit, path);
  let problem: string | null = null;
  if (expectSize !== undefined && size !== expectSize) problem = `unexpected size ${size}, expected ${expectSize}`;
  else if (size > MAX_JSON_BYTES) problem = `file too large (${size} bytes, at most ${MAX_JSON_BYTES} are read)`;
  if (problem !== null) {
    stream.destroy(); // never read: no git process was started for it
    throw new Error(problem);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks, size);
}

/** The size of a file without reading it. */
async function sizeOf(git: GitCache, commit: string, path: string): Promise<number> {
  const { size, stream } = await git.openBlob(commit, path);
  stream.destroy(); // never read: no git process was started for it
  return size;
}

/**
 * Reads and validates the layout at COMMIT:DIR (spec §4.7.3): `oci-layout` (strict JSON,
 * imageLayoutVersion 1.0.0); FILE, either `index.json` (an index: schemaVersion 2, exactly one
 * manifest) or a single descriptor; the manifest descriptor (media type, digest, size ≥ 0); the
 * manifest blob (size and digest checked, strict JSON); the config (media type, size, digest,
 * JSON); every layer (media type, digest syntax, size ≥ 0, blob present with that size).
 */
export async function readOciImage(git: GitCache, commit: string, dir: string, file: string): Promise<OciImage> {
  const where = (name: string) => describeFile(name, dir, commit);
  if (!validPath(dir)) throw new OciLayoutError(`invalid directory ${goQuote(dir)} (in commit ${goQuote(commit)})`);
  const path = (name: string) => joinPath(dir, name);

  const readJSONFile = async <T>(name: string, schema: Parameters<typeof decodeStrict>[1]): Promise<T> => {
    try {
      if (!validPath(name)) throw new Error(`open ${name}: invalid argument`);
      const text = (await readBounded(git, commit, path(name))).toString('utf8');
      return (decodeStrict(text, schema) ?? {}) as T;
    } catch (err) {
      throw new OciLayoutError(`failed reading ${where(name)}: ${message(err)}`, { cause: err });
    }
  };

  // https://github.com/opencontainers/image-spec/blob/v1.0.2/image-layout.md#oci-layout-file
  const layout = await readJSONFile<{ imageLayoutVersion?: string }>('oci-layout', IMAGE_LAYOUT);
  if (layout.imageLayoutVersion !== '1.0.0') {
    throw new OciLayoutError(`unsupported OCI image layout version ${goQuote(layout.imageLayoutVersion ?? '')} in ${where('oci-layout')}`);
  }

  let descriptor: Partial<OciDescriptor>;
  if (file === 'index.json') {
    const index = await readJSONFile<{ schemaVersion?: number; manifests?: Partial<OciDescriptor>[] }>(file, INDEX);
    if (index.schemaVersion !== 2) throw new OciLayoutError(`unsupported schemaVersion ${index.schemaVersion ?? 0} in ${where(file)}`);
    const manifests = index.manifests ?? [];
    if (manifests.length !== 1) throw new OciLayoutError(`expected only one manifests entry (not ${manifests.length}) in ${where(file)}`);
    descriptor = manifests[0]!;
  } else {
    descriptor = await readJSONFile<Partial<OciDescriptor>>(file, DESCRIPTOR);
  }

  const manifestDescriptor = checkDescriptor(descriptor, `descriptor in ${where(file)}`, (mt) => mt === MEDIA_TYPE_MANIFEST, where(file));
  delete manifestDescriptor.urls;
  delete manifestDescriptor.annotations;

  // the manifest blob: size and digest checked against its bytes, then strictly parsed
  const manifestWhere = where(manifestDescriptor.digest);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readLayoutBlob(git, commit, dir, manifestDescriptor);
  } catch (err) {
    throw new OciLayoutError(`failed to import manifest blob ${manifestWhere}: ${message(err)}`, { cause: err });
  }
  let manifest: { schemaVersion?: number; mediaType?: string; config?: Partial<OciDescriptor>; layers?: Partial<OciDescriptor>[] };
  try {
    manifest = (decodeStrict(manifestBytes.toString('utf8'), MANIFEST) ?? {}) as typeof manifest;
  } catch (err) {
    throw new OciLayoutError(`failed to parse manifest ${manifestWhere}: ${message(err)}`, { cause: err });
  }
  if (manifest.schemaVersion !== 2) throw new OciLayoutError(`unsupported schemaVersion ${manifest.schemaVersion ?? 0} in manifest ${manifestWhere}`);
  if (manifest.mediaType !== undefined && manifest.mediaType !== '' && manifest.mediaType !== MEDIA_TYPE_MANIFEST) {
    throw new OciLayoutError(`unsupported mediaType ${goQuote(manifest.mediaType)} in manifest ${manifestWhere}`);
  }

  const config = checkDescriptor(manifest.config ?? {}, `config descriptor in manifest ${manifestWhere}`, (mt) => mt === MEDIA_TYPE_CONFIG, `config descriptor in manifest ${manifestWhere}`);
  const layers = (manifest.layers ?? []).map((layer, i) =>
    checkDescriptor(layer, `layer ${i} descriptor in manifest ${manifestWhere}`, (mt) => LAYER_MEDIA_TYPES.includes(mt), `layer ${i} descriptor in manifest ${manifestWhere}`));

  // the config is small: read and checked whole, parsed for its platform
  let configJSON: OciImage['configJSON'];
  try {
    const bytes = await readLayoutBlob(git, commit, dir, config);
    configJSON = parseConfig(bytes);
  } catch (err) {
    throw new OciLayoutError(`failed to import blob ${where(config.digest)}: ${message(err)}`, { cause: err });
  }

  // layers: present with the declared size (their content is verified while streaming)
  for (const layer of layers) {
    try {
      const size = await sizeOf(git, commit, blobPath(dir, layer.digest));
      if (size !== layer.size) throw new Error(`unexpected size ${size}, expected ${layer.size}`);
    } catch (err) {
      throw new OciLayoutError(`failed to import blob ${where(layer.digest)}: ${message(err)}`, { cause: err });
    }
  }

  return { manifest: manifestDescriptor, config, layers, configJSON };
}

/** Media type, digest and size of a descriptor (the reference's wording). */
function checkDescriptor(d: Partial<OciDescriptor>, what: string, mediaTypeOK: (mt: string) => boolean, whereText: string): OciDescriptor {
  const mediaType = d.mediaType ?? '';
  if (!mediaTypeOK(mediaType)) throw new OciLayoutError(`unsupported mediaType ${goQuote(mediaType)} in ${what}`);
  const digest = d.digest ?? '';
  const err = digestError(digest);
  if (err !== null) throw new OciLayoutError(`invalid digest ${goQuote(digest)} in ${whereText}: ${err}`);
  const size = d.size ?? 0;
  if (size < 0) throw new OciLayoutError(`invalid size ${size} in ${what}`);
  return { ...d, mediaType, digest, size };
}

/** A small blob whose size and digest must match its descriptor. */
export async function readLayoutBlob(git: GitCache, commit: string, dir: string, d: OciDescriptor): Promise<Buffer> {
  const bytes = await readBounded(git, commit, blobPath(dir, d.digest), d.size);
  const actual = digestOf(bytes, parseDigest(d.digest));
  if (actual !== d.digest) throw new Error(`unexpected digest ${actual}, expected ${d.digest}`);
  return bytes;
}

function parseConfig(bytes: Buffer): OciImage['configJSON'] {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new Error(`invalid image config: ${message(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('invalid image config: not a JSON object');
  const config = value as Record<string, unknown>;
  const out: OciImage['configJSON'] = {};
  if (typeof config.os === 'string') out.os = config.os;
  if (typeof config.architecture === 'string') out.architecture = config.architecture;
  if (typeof config.variant === 'string') out.variant = config.variant;
  return out;
}
