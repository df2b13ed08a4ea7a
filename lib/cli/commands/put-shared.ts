// `bashbrew put-shared` (spec §3.5, §7.2): the multi-architecture tags. For each entry's Tags, and for each
// group of SharedTags, an index of the per-arch images found under the arch namespaces (ARCHNS/repo:FIRSTTAG) is
// put under TARGETNS/repo:TAG.
//
// The reference writes a YAML spec for manifest-tool; this assembles the index itself with lib/registry:
// - every look-up (each arch image, each target tag) is started up front, concurrently and bounded
//   (BASHBREW_REGISTRY_CONCURRENCY), and the groups are then walked in order printing what the reference prints;
// - an index is only put once every manifest it lists exists in the target repository: missing ones are copied
//   there first (blobs by cross-repo mount on the same registry, else streamed across), manifests by digest;
// - an arch image that is itself an index (buildx's image + attestation manifests) contributes all its members,
//   unchanged, so SBOM and provenance stay attached; a single manifest gets its arch's OCI platform;
// - arch images that cannot be found are left out (manifest-tool's --ignore-missing), as the reference does.
import { SUPPORTED_ARCHES } from '../../architecture.js';
import { type Limiter, limiter, registryConcurrency, startedEarly } from '../../concurrency.js';
import { type Entry } from '../../manifest/entry.js';
import { goQuote, joinPath } from '../../manifest/gostr.js';
import { indexMembers, manifestConfig, putTree, readTree, registrySource } from '../../publish/tree.js';
import { descriptorJSON } from '../../registry/arches.js';
import { type Descriptor, MEDIA_TYPES, type Platform, RegistryClient, RegistryError, isIndexMediaType } from '../../registry/client.js';
import { type ImageReference, parseReference } from '../../registry/reference.js';
import { type CommandContext } from '../app.js';
import { gatherRepos, publishNamespace, RepoLoader } from '../repos.js';

interface Resolved {
  ref: ImageReference;
  desc: Descriptor;
  body: Buffer;
  /** The reference's "manifest list digests": the index's members, or the manifest itself. */
  digests: string[];
}

interface Member {
  image: string;
  arch: string;
  resolved: Promise<Resolved | null>;
}

interface Found {
  member: Member;
  resolved: Resolved | null;
}

/** Blob transfers inside a copy that already holds a slot of the limit. */
const unlimited: Limiter = (task) => task();


interface Group {
  tags: string[];
  entries: Entry[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export default async function putShared(ctx: CommandContext): Promise<void> {
  const { flags, globals, out, env } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const dryRun = flags.bool('dry-run');
  const force = flags.bool('force');
  const singleArch = flags.bool('single-arch');
  const targetNamespace = publishNamespace(ctx, 'put-shared');

  const loader = new RepoLoader(ctx);
  const loaded = await loader.loadAll(repos);

  const client = new RegistryClient({ env });
  const limit = limiter(registryConcurrency(env));
  const debug = (text: string) => {
    if (globals.debug) out.err(`DEBUG: ${text}\n`);
  };

  // every registry look-up, once per image, started as soon as it is known
  const lookups = new Map<string, Promise<Resolved | null>>();
  const lookup = (image: string): Promise<Resolved | null> => {
    let p = lookups.get(image);
    if (p === undefined) {
      p = limit(async () => {
        try {
          const ref = parseReference(image);
          const { desc, body } = await client.getManifest(ref);
          const digests = isIndexMediaType(desc.mediaType) ? indexMembers(body, `index ${image}`).map((d) => d.digest).filter((d) => d !== '') : [desc.digest];
          return { ref, desc, body, digests };
        } catch (err) {
          // as the reference: not found and failures alike mean "nothing there" (debug says which)
          if (!(err instanceof RegistryError && err.status === 404)) debug(`registry.Resolve(${goQuote(image)}) => ${message(err)}`);
          return null;
        }
      });
      lookups.set(image, p);
    }
    return p;
  };

  const plans = loaded.map((r) => {
    const groups: Group[] = [];
    if (!singleArch) for (const entry of r.Entries()) groups.push({ tags: entry.Tags, entries: [entry] });
    const sharedWanted = r.TagName === '';
    if (sharedWanted) for (const g of r.Manifest.GetSharedTagGroups()) groups.push({ tags: g.SharedTags, entries: g.Entries });
    const targetRepo = joinPath(targetNamespace, r.RepoName);
    const members = groups.map((g) => {
      const list: (Member | { warning: string })[] = [];
      for (const entry of g.entries) {
        for (const arch of entry.Architectures) {
          if (singleArch && arch !== globals.arch) continue;
          const ns = globals.archNamespaces.get(arch) ?? '';
          if (ns === '') {
            list.push({ warning: `warning: no arch-namespace specified for ${goQuote(arch)}; skipping (${goQuote(r.EntryIdentifier(entry))})` });
            continue;
          }
          const image = `${ns}/${r.RepoName}:${entry.Tags[0]}`;
          list.push({ image, arch, resolved: lookup(image) });
        }
      }
      return list;
    });
    if (!force) for (const g of groups) for (const t of g.tags) void lookup(`${targetRepo}:${t}`);
    return { r, groups, members, targetRepo, sharedWanted };
  });

  const copies = new Map<string, Promise<void>>();
  for (const { groups, members, targetRepo, sharedWanted } of plans) {
    if (!sharedWanted) out.err('warning: a single tag was requested -- skipping SharedTags\n');
    if (groups.length === 0) continue;
    // decide every group first (the look-ups are all in flight), start the puts, then report in order
    const decisions: { messages: string[]; tagsToPush: string[]; put: Promise<void> | null }[] = [];
    for (const [i, group] of groups.entries()) {
      const messages: string[] = [];
      const found: Found[] = [];
      for (const m of members[i]!) {
        if ('warning' in m) {
          messages.push(m.warning);
          continue;
        }
        const resolved = await m.resolved;
        const n = resolved?.digests.length ?? 0;
        if (n !== 1) messages.push(`warning: expected 1 image for ${goQuote(m.image)}; got ${n}`);
        found.push({ member: m, resolved });
      }
      if (found.length === 0) {
        messages.push(`skipping ${targetRepo}:${group.tags[0]} (nothing to push)`);
        decisions.push({ messages, tagsToPush: [], put: null });
        continue;
      }
      const expected = found.flatMap((f) => f.resolved?.digests ?? []);
      if (expected.length < 1) messages.push(`warning: no images expected to push for ${goQuote(`${targetRepo}:${group.tags[0]}`)}`);
      const tagsToPush: string[] = [];
      for (const tag of group.tags) {
        const image = `${targetRepo}:${tag}`;
        if (!force) {
          const remote = (await lookup(image))?.digests ?? [];
          if (sameList(remote, expected)) {
            messages.push(`skipping ${image} (${remote.length} remote digests up-to-date)`);
            continue;
          }
        }
        tagsToPush.push(tag);
      }
      const put = tagsToPush.length === 0 || dryRun ? null : startedEarly(putIndex(client, parseReference(targetRepo), found, tagsToPush, limit, copies));
      decisions.push({ messages, tagsToPush, put });
    }

    const failed: string[] = [];
    for (const { messages, tagsToPush, put } of decisions) {
      for (const line of messages) out.err(line + '\n');
      if (tagsToPush.length === 0) continue;
      const groupIdentifier = `${targetRepo}:${tagsToPush[0]}`;
      out.out(`Putting ${groupIdentifier}\n`);
      out.flush();
      if (put === null) continue;
      try {
        await put;
      } catch (err) {
        out.err(`warning: failed putting ${groupIdentifier}, skipping (collecting errors)\n`);
        failed.push(`- ${groupIdentifier}: ${message(err)}`);
      }
    }
    if (failed.length > 0) throw new Error(`failed putting groups:\n${failed.join('\n')}`);
  }
}

/** The platform of a single-manifest arch image: its arch's, plus the OS version and features of its config. */
async function memberPlatform(client: RegistryClient, resolved: Resolved, arch: string): Promise<Platform> {
  const p = SUPPORTED_ARCHES.get(arch)!;
  const platform: Platform = { architecture: p.Architecture, os: p.OS };
  if (p.Variant !== '') platform.variant = p.Variant;
  if (p.OS === 'windows') {
    // Windows hosts pick images by OS version, which lives in the config (docker and manifest-tool copy it too)
    const config = manifestConfig(resolved.body, `manifest ${resolved.desc.digest}`);
    const parsed = JSON.parse((await client.getBlob(resolved.ref, config.digest, config.size)).toString('utf8')) as Record<string, unknown>;
    if (typeof parsed['os.version'] === 'string' && parsed['os.version'] !== '') platform['os.version'] = parsed['os.version'];
    if (Array.isArray(parsed['os.features']) && parsed['os.features'].length > 0) platform['os.features'] = parsed['os.features'] as string[];
  }
  return platform;
}

/**
 * Puts the index of the found arch images under every tag, after making sure the target repository has every
 * manifest it lists (copying the missing ones there first). Nothing is tagged if any copy fails.
 */
async function putIndex(client: RegistryClient, targetRepo: ImageReference, found: Found[], tags: readonly string[], limit: Limiter,
  copies: Map<string, Promise<void>>): Promise<void> {
  const target: ImageReference = { domain: targetRepo.domain, path: targetRepo.path };
  const descriptors: Descriptor[] = [];
  const waits: Promise<void>[] = [];
  for (const { member, resolved } of found) {
    if (resolved === null) continue; // --ignore-missing
    const source = registrySource(client, { domain: resolved.ref.domain, path: resolved.ref.path });
    const members = isIndexMediaType(resolved.desc.mediaType)
      ? indexMembers(resolved.body, `index ${member.image}`)
      : [{ ...resolved.desc, platform: await memberPlatform(client, resolved, member.arch) }];
    for (const d of members) {
      descriptors.push(d);
      // once per manifest and target repo (groups share members); each copy holds one slot of the limit, its few
      // blobs go inside that slot
      const key = `${target.domain}/${target.path}@${d.digest}`;
      let copy = copies.get(key);
      if (copy === undefined) {
        copy = startedEarly(limit(async () => {
          if ((await client.headManifest(target, d.digest)) !== null) return;
          const bare: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
          await putTree(client, target, source, await readTree(source, bare), [], unlimited);
        }));
        copies.set(key, copy);
      }
      waits.push(copy);
    }
  }
  const results = await Promise.allSettled(waits);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  const allDocker = descriptors.every((d) => d.mediaType === MEDIA_TYPES.dockerManifest);
  const mediaType = descriptors.length > 0 && allDocker ? MEDIA_TYPES.dockerList : MEDIA_TYPES.ociIndex;
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: descriptors.map(descriptorJSON) }));
  for (const tag of tags) await client.putManifest(target, tag, mediaType, body);
}
