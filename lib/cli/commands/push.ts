// `bashbrew push` (spec §3.4, §7.1): each entry's Tags (never SharedTags) into TARGETNS/repo.
//
// Two ways, as the reference: an image kept in our OCI store (what buildx built with BUILDX_BUILDER,
// attestations included; the reference's containerd store) is pushed from there through the registry client,
// digests unchanged; anything else is in Docker and goes through `docker push`. Extension: an oci-import entry
// is pushed straight from the OCI layout in its git commit (the reference needs it in containerd).
//
// Every look-up is started up front (FROMs and cache tags batched through git and one `docker inspect`, registry
// look-ups concurrent and bounded); the entries are then walked in file order, printing what the reference
// prints. All repos are loaded before anything is pushed, so a bad file late in the list pushes nothing.
import { join } from 'node:path';
import { ImageState } from '../../build/image-state.js';
import { cacheHashLines, cacheTagFor } from '../../build/cache-hash.js';
import { OciStore } from '../../build/oci-store.js';
import { limiter, registryConcurrency, startedEarly } from '../../concurrency.js';
import { push as pushCommand } from '../../docker/argv.js';
import { DockerClient, ProcessExitError } from '../../docker/run.js';
import { MultiError, wrap } from '../../errors.js';
import { type Entry } from '../../manifest/entry.js';
import { goQuote, joinPath } from '../../manifest/gostr.js';
import { type Repo } from '../../manifest/repo.js';
import { readOciImage } from '../../oci/layout.js';
import { type ImageTree, gitLayoutSource, manifestConfig, storeSource, putTree, readTree, type TreeSource } from '../../publish/tree.js';
import { type Descriptor, RegistryClient, RegistryError, isIndexMediaType } from '../../registry/client.js';
import { parseReference } from '../../registry/reference.js';
import { type CommandContext } from '../app.js';
import { GitContext } from '../git-context.js';
import { gatherRepos, publishNamespace, RepoLoader } from '../repos.js';

interface Unit {
  repo: Repo;
  entry: Entry;
  /** TARGETNS/repo:tag for each of Tags (the first only with --uniq). */
  tags: string[];
  froms: Promise<string[]>;
  /** Set once the parents' image IDs can be asked for (after the batched inspect). */
  cacheTag?: Promise<string>;
}

type Remote = { desc: Descriptor; body: Buffer } | null;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}


export default async function push(ctx: CommandContext): Promise<void> {
  const { flags, globals, out, env } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const uniq = flags.bool('uniq');
  const dryRun = flags.bool('dry-run');
  const force = flags.bool('force');
  const targetNamespace = publishNamespace(ctx, 'push');
  const { arch, debug } = globals;

  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  const loaded = await loader.loadAll(repos);

  const docker = new DockerClient({ debug, log: (line) => out.err(line + '\n') });
  const images = new ImageState(docker);
  const client = new RegistryClient({ env });
  const limit = limiter(registryConcurrency(env));
  const store = new OciStore(join(globals.cache, 'oci', arch));

  // FROMs of every entry (git batched), one docker inspect for all of them, then the cache tags
  const units: Unit[] = [];
  for (const repo of loaded) {
    const tagRepo = joinPath(targetNamespace, repo.RepoName);
    for (const entry of repo.Entries()) {
      if (repo.SkipConstraints(entry)) continue;
      const tags = (uniq ? entry.Tags.slice(0, 1) : entry.Tags).map((t) => `${tagRepo}:${t}`);
      units.push({ repo, entry, tags, froms: startedEarly(git.entryGit.archDockerFroms(repo.RepoName, arch, entry)) });
    }
  }
  const allFroms = await Promise.all(units.map((u) => u.froms.catch(() => [] as string[])));
  const localRefs = allFroms.flat().filter((f) => f !== 'scratch');
  if (!force) localRefs.push(...units.flatMap((u) => u.tags));
  await images.prefetch(localRefs).catch(() => undefined);
  for (const u of units) {
    u.cacheTag = startedEarly(u.froms.then(async (list) => {
      const ids: string[] = [];
      for (const from of list) ids.push(from === 'scratch' ? 'scratch' : await images.id(from));
      return cacheTagFor(cacheHashLines(u.entry, arch, ids));
    }));
  }

  // one registry look-up per tag, all started now (bounded); errors are kept for the walk to judge
  const remotes = new Map<string, Promise<Remote>>();
  for (const t of units.flatMap((u) => u.tags)) {
    if (remotes.has(t)) continue;
    remotes.set(t, startedEarly(limit(async () => {
      try {
        return await client.getManifest(parseReference(t));
      } catch (err) {
        if (err instanceof RegistryError && err.status === 404) return null;
        throw err;
      }
    })));
  }

  for (const u of units) {
    const { repo, entry, tags } = u;
    const identifier = repo.EntryIdentifier(entry);
    let cacheTag: string;
    try {
      cacheTag = await u.cacheTag!;
    } catch (err) {
      throw wrap(`failed calculating "cache hash" for ${goQuote(repo.RepoName)} (tags ${goQuote(entry.TagsString())})`, err);
    }

    // the image and where its content is: the OCI store (by cache tag), or the oci-import layout in git
    let source: TreeSource | null = null;
    let root: Descriptor | null = null;
    const stored = await store.lookup(cacheTag).catch((err: unknown) => {
      throw wrap(`failed looking up ${cacheTag} in ${goQuote(store.dir)} for ${goQuote(repo.RepoName)} (tags ${goQuote(entry.TagsString())})`, err);
    });
    if (stored !== null) {
      source = storeSource(store);
      root = { mediaType: stored.mediaType, digest: stored.digest, size: stored.size };
      if (debug) out.out(`Found ${root.digest} (via ${goQuote(cacheTag)}) in OCI store ${goQuote(store.dir)}\n`);
    } else if (entry.ArchBuilder(arch) === 'oci-import') {
      try {
        const commit = await git.archCommit(repo, arch, entry);
        const image = await readOciImage(git.git, commit, entry.ArchDirectory(arch), entry.ArchFile(arch));
        source = gitLayoutSource(git.git, commit, entry.ArchDirectory(arch));
        root = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size };
      } catch (err) {
        throw wrap(`failed looking up descriptor for ${goQuote(repo.RepoName)} (tags ${goQuote(entry.TagsString())})`, err);
      }
    }

    if (source !== null && root !== null) {
      await pushTree(u, identifier, source, root);
      continue;
    }
    await pushWithDocker(tags);
  }

  async function pushTree(u: Unit, identifier: string, source: TreeSource, root: Descriptor): Promise<void> {
    const skip: string[] = [];
    const update: string[] = [];
    for (const t of u.tags) {
      let remote: Remote;
      try {
        remote = await remotes.get(t)!;
      } catch (err) {
        throw wrap(`failed looking up tags for ${goQuote(u.repo.RepoName)} (tags ${goQuote(u.entry.TagsString())})`, err);
      }
      const same = remote !== null && remote.desc.mediaType === root.mediaType && remote.desc.digest === root.digest && remote.desc.size === root.size;
      (same ? skip : update).push(t);
    }
    if (skip.length > 0 && update.length === 0) {
      out.err(`skipping ${identifier} (remote tags all up-to-date)\n`);
      return;
    }
    if (skip.length > 0) out.err(`partially skipping ${identifier} (remote tags up-to-date: ${skip.join(', ')})\n`);
    out.out(`Pushing ${root.digest} to ${update.join(', ')}\n`);
    out.flush();
    if (dryRun) return;
    try {
      let tree: ImageTree | null = null;
      // all tags of an entry live in one repository (TARGETNS/repo); put the tree there once
      const target = parseReference(update[0]!);
      tree = await readTree(source, root);
      await putTree(client, { domain: target.domain, path: target.path }, source, tree, update.map((t) => parseReference(t).tag!), limit);
    } catch (err) {
      throw wrap(`failed pushing ${goQuote(identifier)}`, err);
    }
  }

  async function pushWithDocker(tags: string[]): Promise<void> {
    for (const t of tags) {
      if (!force) {
        let localId: string;
        try {
          localId = await images.id(t);
        } catch (err) {
          throw wrap(`failed looking up local image ID for ${goQuote(t)}`, err);
        }
        if (debug) out.out(`DEBUG: docker inspect ${goQuote(t)} -> ${goQuote(localId)}\n`);
        if (localId === '') throw new Error(`local image for ${goQuote(t)} does not seem to exist (or has an empty ID somehow)`);
        const remoteIds = await registryImageIds(t);
        if (debug) out.out(`DEBUG: registry inspect ${goQuote(t)} -> [${remoteIds.join(' ')}]\n`);
        if (remoteIds.includes(localId)) {
          out.err(`skipping ${t} (remote image matches local)\n`);
          continue;
        }
      }
      out.out(`Pushing ${t}\n`);
      out.flush();
      if (dryRun) continue;
      const res = await docker.run(pushCommand(t), { capture: true, stdout: (s) => s.resume() });
      if (res.code !== 0) {
        throw new MultiError([new Error(`failed pushing ${goQuote(t)}`), new ProcessExitError(res.code),
          new Error(`command: docker push ${goQuote(t)}\n${res.output}`)]);
      }
      images.forget([t]);
    }
  }

  /** What the registry has under `tag` that docker's image ID could equal: [manifest, config] or [index]. */
  async function registryImageIds(tag: string): Promise<string[]> {
    let remote: Remote;
    try {
      remote = await remotes.get(tag)!;
    } catch (err) {
      if (debug) out.err(`DEBUG: registry.Resolve(${goQuote(tag)}) => ${message(err)}\n`);
      return [];
    }
    if (remote === null) return [];
    if (isIndexMediaType(remote.desc.mediaType)) return [remote.desc.digest];
    try {
      return [remote.desc.digest, manifestConfig(remote.body, `manifest of ${tag}`).digest];
    } catch (err) {
      if (debug) out.err(`DEBUG: img.Manifest (${goQuote(tag)}) => ${message(err)}\n`);
      return [remote.desc.digest];
    }
  }
}
