// An image as a tree of content (index → manifests → config and layers) and how to put it into a registry
// repository: every blob first, then the child manifests by digest, then the root under its tags. A registry
// refuses a manifest whose blobs it does not have, and we never tag (or index) what is not complete, so the
// order is the guarantee that nothing half-pushed is ever reachable by a tag.
import { createReadStream } from 'node:fs';
import { type OciStore } from '../build/oci-store.js';
import { type Limiter } from '../concurrency.js';
import { type GitCache } from '../git/cache.js';
import { goQuote } from '../manifest/gostr.js';
import { blobPath, describeFile, readLayoutBlob } from '../oci/layout.js';
import { type Descriptor, type RegistryClient, isIndexMediaType, isManifestMediaType } from '../registry/client.js';
import { type ImageReference } from '../registry/reference.js';
import { skipBytes } from '../registry/transport.js';

/** Where an image's content comes from. */
export interface TreeSource {
  /** A manifest or index, size- and digest-verified against its descriptor. */
  readManifest(d: Descriptor): Promise<Buffer>;
  /** Makes `target` have the blob (upload, cross-repo mount or copy); says which happened. */
  transferBlob(client: RegistryClient, target: ImageReference, d: Descriptor): Promise<string>;
  /** How errors name a blob of this source. */
  describe(digest: string): string;
}

export interface TreeManifest {
  desc: Descriptor;
  body: Buffer;
}

export interface ImageTree {
  root: TreeManifest;
  /** Every manifest below the root, children before the indexes that list them. */
  children: TreeManifest[];
  /** Config and layer blobs, each once (foreign layers, which registries do not keep, left out). */
  blobs: Descriptor[];
}

/** Nested indexes deeper than this are refused (a loop of indexes would otherwise never end). */
const MAX_DEPTH = 4;

function parseJSONObject(body: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new Error(`${what}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

function descriptorOf(value: unknown, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (d === null || typeof d !== 'object' || typeof d.mediaType !== 'string' || typeof d.digest !== 'string'
    || typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new Error(`${what}: invalid descriptor ${JSON.stringify(value)}`);
  }
  return d as Descriptor;
}

/** The descriptors an index lists. */
export function indexMembers(body: Buffer, what: string): Descriptor[] {
  const index = parseJSONObject(body, what);
  if (!Array.isArray(index.manifests)) throw new Error(`${what}: no "manifests" list`);
  return index.manifests.map((m, i) => descriptorOf(m, `${what}: manifests[${i}]`));
}

/** The config descriptor of an image manifest. */
export function manifestConfig(body: Buffer, what: string): Descriptor {
  return descriptorOf(parseJSONObject(body, what).config, `${what}: config`);
}

/** Layers that point elsewhere (Windows base layers): never uploaded, as docker does not either. */
function isForeign(d: Descriptor): boolean {
  return /foreign|nondistributable/.test(d.mediaType) || (d.urls !== undefined && d.urls.length > 0);
}

/** Reads the whole tree below `root` (manifests read and verified; blobs only listed). */
export async function readTree(source: TreeSource, root: Descriptor): Promise<ImageTree> {
  const children: TreeManifest[] = [];
  const blobs = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const visit = async (desc: Descriptor, body: Buffer, depth: number): Promise<void> => {
    const what = `${isIndexMediaType(desc.mediaType) ? 'index' : 'manifest'} ${source.describe(desc.digest)}`;
    if (isIndexMediaType(desc.mediaType)) {
      if (depth >= MAX_DEPTH) throw new Error(`${what}: indexes nested more than ${MAX_DEPTH} deep`);
      for (const member of indexMembers(body, what)) {
        if (seen.has(member.digest)) continue;
        seen.add(member.digest);
        const memberBody = await source.readManifest(member);
        await visit(member, memberBody, depth + 1);
        children.push({ desc: member, body: memberBody });
      }
    } else if (isManifestMediaType(desc.mediaType)) {
      const manifest = parseJSONObject(body, what);
      const config = descriptorOf(manifest.config, `${what}: config`);
      const layers = Array.isArray(manifest.layers) ? manifest.layers.map((l, i) => descriptorOf(l, `${what}: layers[${i}]`)) : [];
      for (const d of [config, ...layers]) if (!isForeign(d)) blobs.set(d.digest, d);
    } else {
      throw new Error(`${what}: unsupported media type ${goQuote(desc.mediaType)}`);
    }
  };
  const rootBody = await source.readManifest(root);
  seen.add(root.digest);
  await visit(root, rootBody, 0);
  return { root: { desc: root, body: rootBody }, children, blobs: [...blobs.values()] };
}

/**
 * Puts the tree into `target`: blobs (concurrently, bounded), child manifests by digest, then the root under each
 * of `tags` (or only by digest when there are none). Returns how many blobs went which way.
 */
export async function putTree(client: RegistryClient, target: ImageReference, source: TreeSource, tree: ImageTree,
  tags: readonly string[], limit: Limiter): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  const results = await Promise.allSettled(tree.blobs.map((d) => limit(() => source.transferBlob(client, target, d))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  for (const r of results) {
    const how = (r as PromiseFulfilledResult<string>).value;
    outcomes.set(how, (outcomes.get(how) ?? 0) + 1);
  }
  for (const child of tree.children) {
    if ((await client.headManifest(target, child.desc.digest)) === null) {
      await client.putManifest(target, child.desc.digest, child.desc.mediaType, child.body);
    }
  }
  const { desc, body } = tree.root;
  if (tags.length === 0) await client.putManifest(target, desc.digest, desc.mediaType, body);
  for (const tag of tags) await client.putManifest(target, tag, desc.mediaType, body);
  return outcomes;
}

// ---- sources ----

/** The OCI store under $BASHBREW_CACHE/oci/<arch> that keeps buildx's output (its reads are verified). */
export function storeSource(store: OciStore): TreeSource {
  return {
    describe: (digest) => store.describe(digest),
    readManifest: (d) => store.readBlob(d),
    async transferBlob(client, target, d) {
      return client.uploadBlob(target, d, (start) => createReadStream(store.blobPath(d.digest), { start, highWaterMark: 1 << 20 }));
    },
  };
}

/** The OCI layout in a git commit (Builder: oci-import): pushed as it is, its digests unchanged. */
export function gitLayoutSource(git: GitCache, commit: string, dir: string): TreeSource {
  return {
    describe: (digest) => describeFile(digest, dir, commit),
    async readManifest(d) {
      try {
        return await readLayoutBlob(git, commit, dir, d);
      } catch (err) {
        throw new Error(`failed reading ${describeFile(d.digest, dir, commit)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    async transferBlob(client, target, d) {
      return client.uploadBlob(target, d, async (start) => {
        const { stream } = await git.openBlob(commit, blobPath(dir, d.digest));
        return start === 0 ? stream : skipBytes(stream, start);
      });
    },
  };
}

/** Another repository (of the same registry or another): blobs are mounted when possible, else copied. */
export function registrySource(client: RegistryClient, from: ImageReference): TreeSource {
  const name = `${from.domain}/${from.path}`;
  return {
    describe: (digest) => `${goQuote(digest)} (from ${name})`,
    async readManifest(d) {
      return (await client.getManifest(from, d.digest, d)).body;
    },
    async transferBlob(c, target, d) {
      return c.copyBlob(from, target, d);
    },
  };
}
