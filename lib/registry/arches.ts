// Resolving an image reference and mapping its manifests to bashbrew architectures (spec §3.12).
import { SUPPORTED_ARCHES } from '../architecture.js';
import { type Descriptor, type Platform, type RegistryClient, isIndexMediaType, isManifestMediaType } from './client.js';
import { type ImageReference, formatReference, parseReference } from './reference.js';

export interface ResolvedImage {
  ref: ImageReference;
  /** The normalised reference string. */
  imageRef: string;
  desc: Descriptor;
  body: Buffer;
}

export async function resolve(client: RegistryClient, input: string): Promise<ResolvedImage> {
  const ref = parseReference(input);
  const { desc, body } = await client.getManifest(ref);
  return { ref, imageRef: formatReference(ref), desc, body };
}

/** containerd's platforms.Normalize for what matters here: arm64 → v8, arm → v7, amd64/v1 → amd64. */
export function normalizePlatform(platform: Platform): Platform {
  const out: Platform = { ...platform };
  let variant = platform.variant ?? '';
  if (platform.architecture === 'arm64' && (variant === '' || variant === '8')) variant = 'v8';
  else if (platform.architecture === 'arm' && variant === '') variant = 'v7';
  else if (platform.architecture === 'arm' && /^[5-8]$/.test(variant)) variant = `v${variant}`;
  else if (platform.architecture === 'amd64' && variant === 'v1') variant = '';
  if (variant === '') delete out.variant;
  else out.variant = variant;
  return out;
}

/** The bashbrew arch of an OCI platform, or undefined (e.g. unknown/unknown attestation manifests). */
export function bashbrewArch(platform: Platform): string | undefined {
  const p = normalizePlatform(platform);
  for (const [arch, supported] of SUPPORTED_ARCHES) {
    if (supported.OS === p.os && supported.Architecture === p.architecture && supported.Variant === (p.variant ?? '')) {
      return arch;
    }
  }
  return undefined;
}

function objectOf(body: Buffer, what: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${what}: not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The platform written in an image config blob. */
function platformOfConfig(config: Record<string, unknown>): Platform {
  const platform: Platform = {
    architecture: typeof config.architecture === 'string' ? config.architecture : '',
    os: typeof config.os === 'string' ? config.os : '',
  };
  if (typeof config['os.version'] === 'string' && config['os.version'] !== '') platform['os.version'] = config['os.version'];
  if (Array.isArray(config['os.features']) && config['os.features'].length > 0) {
    platform['os.features'] = config['os.features'].filter((f): f is string => typeof f === 'string');
  }
  if (typeof config.variant === 'string' && config.variant !== '') platform.variant = config.variant;
  return platform;
}

async function platformOfManifest(client: RegistryClient, ref: ImageReference, body: Buffer): Promise<Platform | undefined> {
  const manifest = objectOf(body, 'manifest');
  const config = manifest.config as Descriptor | undefined;
  if (config === undefined || typeof config.digest !== 'string') return undefined;
  const blob = await client.getBlob(ref, config.digest, typeof config.size === 'number' ? config.size : undefined);
  return platformOfConfig(objectOf(blob, `config ${config.digest}`));
}

/**
 * Every manifest of the image (the object itself, or each index member) by bashbrew arch. The platform comes from the
 * index descriptor, else from the image config blob.
 */
export async function architectures(client: RegistryClient, image: ResolvedImage): Promise<Map<string, Descriptor[]>> {
  const out = new Map<string, Descriptor[]>();
  const add = (desc: Descriptor): void => {
    if (desc.platform === undefined) return;
    const arch = bashbrewArch(desc.platform);
    if (arch === undefined) return;
    const list = out.get(arch) ?? [];
    list.push(desc);
    out.set(arch, list);
  };
  if (isIndexMediaType(image.desc.mediaType)) {
    const index = objectOf(image.body, `index ${image.desc.digest}`);
    const manifests = Array.isArray(index.manifests) ? (index.manifests as Descriptor[]) : [];
    for (const member of manifests) {
      if (member.platform !== undefined) {
        add(member);
      } else if (isManifestMediaType(member.mediaType)) {
        const { body } = await client.getManifest(image.ref, member.digest, member);
        const platform = await platformOfManifest(client, image.ref, body);
        if (platform !== undefined) add({ ...member, platform });
      }
    }
  } else {
    const platform = await platformOfManifest(client, image.ref, image.body);
    if (platform !== undefined) add({ ...image.desc, platform });
  }
  return out;
}

/** A descriptor as Go's encoding/json writes an ocispec.Descriptor (field order, omitempty). */
export function descriptorJSON(desc: Descriptor): Record<string, unknown> {
  const out: Record<string, unknown> = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.urls !== undefined && desc.urls.length > 0) out.urls = desc.urls;
  if (desc.annotations !== undefined && Object.keys(desc.annotations).length > 0) {
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(desc.annotations).sort()) sorted[key] = desc.annotations[key]!;
    out.annotations = sorted;
  }
  if (desc.data !== undefined && desc.data !== '') out.data = desc.data;
  if (desc.platform !== undefined) {
    const p = desc.platform;
    const platform: Record<string, unknown> = { architecture: p.architecture, os: p.os };
    if (p['os.version'] !== undefined && p['os.version'] !== '') platform['os.version'] = p['os.version'];
    if (p['os.features'] !== undefined && p['os.features'].length > 0) platform['os.features'] = p['os.features'];
    if (p.variant !== undefined && p.variant !== '') platform.variant = p.variant;
    out.platform = platform;
  }
  if (desc.artifactType !== undefined && desc.artifactType !== '') out.artifactType = desc.artifactType;
  return out;
}
