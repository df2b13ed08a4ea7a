// `bashbrew build` (spec §4.1): per entry, in build order — FROMs, pull policy, cache hash, cache
// lookup, then build (classic / buildkit / oci-import, the context streamed from `git archive`
// straight into docker's stdin) or re-tag. Independent entries may run concurrently (--parallel);
// a child never starts before the entries it is built FROM have finished.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_ARCHES } from '../architecture.js';
import { limiter } from '../concurrency.js';
import { type BuildkitEnv, BuildkitEnvError, buildkitBuild, classicBuild, retagBuild, load, pull as pullCommand } from '../docker/argv.js';
import { type DockerClient, type ImageInfo, ProcessExitError } from '../docker/run.js';
import { MultiError, wrap } from '../errors.js';
import { type GitCache } from '../git/cache.js';
import { type EntryGit } from '../graph/entry-git.js';
import { type Entry } from '../manifest/entry.js';
import { goQuote, goQuoteList } from '../manifest/gostr.js';
import { type Repo } from '../manifest/repo.js';
import { dockerArchiveStream } from '../oci/docker-archive.js';
import { type OciImage, readOciImage } from '../oci/layout.js';
import { cacheHashLines, cacheTagFor } from './cache-hash.js';
import { type ImageState } from './image-state.js';
import { OciStore } from './oci-store.js';
import { type BuildStep } from './plan.js';

export type PullPolicy = 'always' | 'missing' | 'never';

export interface BuildOptions {
  arch: string;
  namespace: string;
  uniq: boolean;
  pull: PullPolicy;
  dryRun: boolean;
  parallel: number;
  keepGoing: boolean;
  timeoutMs: number | null;
  logsDir: string | null;
  buildkit: BuildkitEnv;
  debug: boolean;
  /** Root of the OCI stores that keep buildx's OCI output (`$BASHBREW_CACHE/oci`; one store per arch). */
  ociStore?: string;
}

export interface BuildUnit {
  repo: Repo;
  entry: Entry;
}

export interface BuildEvents {
  /** A progress line for stdout (`Building ...`, `Using ...`). */
  line(text: string): void;
  /** Raw output to pass through (docker load's, on success). */
  passthrough(text: string): void;
  /** A finished plan step (for --dry-run --json). */
  step(step: BuildStep): void;
  /** A line for stderr (e.g. an entry skipped because its parent failed). */
  warn(text: string): void;
  /** A unit starts / ends (for a progress display). */
  progress(event: { unit: BuildUnit; index: number; total: number; state: 'start' | 'done' | 'failed'; ms: number }): void;
}

interface Deps {
  git: GitCache;
  entryGit: EntryGit;
  docker: DockerClient;
  images: ImageState;
}

const identifier = (u: BuildUnit) => u.repo.EntryIdentifier(u.entry);
const tagsString = (u: BuildUnit) => goQuote(u.entry.TagsString());

/** What a cached image must look like to be reused for `arch` (the cache hash has no arch in it). */
function matchesArch(info: ImageInfo, arch: string): boolean {
  const want = SUPPORTED_ARCHES.get(arch)!;
  const variant = info.Variant ?? '';
  // Docker reports no variant for arm64 images; treat that as v8 as the registry matcher does
  const normVariant = info.Architecture === 'arm64' && variant === '' ? 'v8' : variant;
  return info.Os === want.OS && info.Architecture === want.Architecture && normVariant === want.Variant;
}

export class BuildRunner {
  readonly #fromIds = new Map<string, string>();
  /** Our stand-in for the reference's containerd store (spec §4.8): `$BASHBREW_CACHE/oci/<arch>/`. */
  readonly #store: OciStore | null;

  constructor(private readonly deps: Deps, private readonly opts: BuildOptions, private readonly events: BuildEvents,
    private readonly signal: AbortSignal) {
    this.#store = opts.ociStore === undefined ? null : new OciStore(join(opts.ociStore, opts.arch));
  }

  /** Runs every unit (in order, or concurrently within dependencies); throws the (first) failure. */
  async run(units: BuildUnit[]): Promise<void> {
    // FROMs of every unit up front (git batched), then one docker inspect for every image the
    // plan will ask about; a no-op rebuild then needs no further processes.
    const froms = new Map<BuildUnit, Promise<string[]>>();
    for (const u of units) {
      const p = this.deps.entryGit.archDockerFroms(u.repo.RepoName, this.opts.arch, u.entry);
      p.catch(() => undefined); // reported in order below
      froms.set(u, p);
    }
    const known: string[] = [];
    for (const p of froms.values()) known.push(...(await p.catch(() => [])).filter((f) => f !== 'scratch'));
    await this.deps.images.prefetch(known).catch(() => undefined);
    // and the cache tags, as far as they can be computed from what is local now (in a no-op
    // rebuild that is all of them; a step whose parents change in this run just asks again)
    const cacheTags: string[] = [];
    for (const u of units) {
      const ids = (await froms.get(u)!.catch(() => null))?.map((f) => (f === 'scratch' ? 'scratch' : this.deps.images.peek(f)?.Id));
      if (ids && ids.every((id): id is string => id !== undefined)) cacheTags.push(cacheTagFor(cacheHashLines(u.entry, this.opts.arch, ids)));
    }
    await this.deps.images.prefetch(cacheTags).catch(() => undefined);

    const failures: unknown[] = [];
    const done = new Map<BuildUnit, Promise<boolean>>();
    const producers = this.#producers(units);
    const limit = limiter(this.opts.parallel);
    let stop = false;
    for (const [position, u] of units.entries()) {
      const runUnit = async (): Promise<boolean> => {
        const unitFroms = await froms.get(u)!.catch(() => []);
        // never start a child before what it is built FROM has finished (and succeeded)
        const parents = unitFroms.flatMap((f) => producers.get(f) ?? []).filter((p) => p !== u);
        const results = await Promise.all(parents.map((p) => done.get(p) ?? Promise.resolve(true)));
        if (stop || this.signal.aborted) return false;
        const failedParent = parents.find((_, i) => !results[i]);
        if (failedParent !== undefined) {
          // (--keep-going) say why this one is not built: its own failure is its parent's
          this.events.warn(`skipping ${goQuote(identifier(u))} (it is built FROM ${goQuote(identifier(failedParent))}, which did not build)`);
          return false;
        }
        return limit(async () => {
          const index = position + 1;
          const started = Date.now();
          const progress = (state: 'start' | 'done' | 'failed') =>
            this.events.progress({ unit: u, index, total: units.length, state, ms: Date.now() - started });
          try {
            if (stop || this.signal.aborted) return false;
            progress('start');
            await this.#unit(u, froms.get(u)!);
            progress('done');
            return true;
          } catch (err) {
            progress('failed');
            failures.push(err);
            if (!this.opts.keepGoing) stop = true;
            return false;
          }
        });
      };
      // --parallel 1 keeps the reference's strict order: each unit waits for the previous one
      const previous = [...done.values()].at(-1);
      const p = this.opts.parallel <= 1 && previous ? previous.then(runUnit, runUnit) : runUnit();
      done.set(u, p);
    }
    await Promise.all(done.values());
    if (this.signal.aborted) throw new Error('interrupted');
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new MultiError(failures);
  }

  /** image tag (namespaced and bare) → the units producing it. */
  #producers(units: BuildUnit[]): Map<string, BuildUnit[]> {
    const m = new Map<string, BuildUnit[]>();
    for (const u of units) {
      for (const t of [...u.repo.Tags(this.opts.namespace, false, u.entry), ...u.repo.Tags('', false, u.entry)]) {
        m.set(t, [...(m.get(t) ?? []), u]);
      }
    }
    return m;
  }

  async #parentId(from: string): Promise<string> {
    if (from === 'scratch') return 'scratch';
    const memo = this.#fromIds.get(from);
    if (memo !== undefined) return memo;
    const id = await this.deps.images.id(from);
    this.#fromIds.set(from, id);
    return id;
  }

  async #unit(u: BuildUnit, fromsPromise: Promise<string[]>): Promise<void> {
    const { arch } = this.opts;
    const { entry, repo } = u;
    let froms: string[];
    try {
      froms = await fromsPromise;
    } catch (err) {
      throw wrap(`failed fetching/scraping FROM for ${goQuote(repo.RepoName)} (tags ${tagsString(u)})`, err);
    }
    let fromScratch = false;
    for (const from of froms) {
      fromScratch ||= from === 'scratch';
      if (from === 'scratch' || this.opts.pull === 'never') continue;
      const doPull = this.opts.pull === 'always' || (await this.deps.images.get(from)) === null;
      if (!doPull) continue;
      this.events.line(`Pulling ${from} (${identifier(u)})`);
      if (!this.opts.dryRun) {
        // pull failures are ignored, as in the reference: a still-missing parent fails the hash
        await this.deps.docker.run(pullCommand(from), { signal: this.signal });
        this.deps.images.forget([from]);
        this.#fromIds.delete(from);
      }
    }

    let parentIds: string[];
    try {
      parentIds = [];
      for (const from of froms) parentIds.push(await this.#parentId(from));
    } catch (err) {
      throw wrap(`failed calculating "cache hash" for ${goQuote(repo.RepoName)} (tags ${tagsString(u)})`, err);
    }
    const builder = entry.ArchBuilder(arch);
    const cacheTag = cacheTagFor(cacheHashLines(entry, arch, parentIds));
    const imageTags = repo.Tags(this.opts.namespace, this.opts.uniq, entry);
    const tags = [cacheTag, ...imageTags];
    const platform = fromScratch ? SUPPORTED_ARCHES.get(arch)!.String() : null;
    // as the reference: the store first (an image there for --arch is a hit), then Docker
    const stored = await this.#storeImage(cacheTag).catch((err: unknown) => {
      throw wrap(`failed looking up ${cacheTag} in ${this.#store?.dir ?? ''} for ${goQuote(repo.RepoName)} (tags ${tagsString(u)}, arch ${goQuote(arch)})`, err);
    });
    const cached = stored !== null ? null : await this.deps.images.get(cacheTag).catch((err: unknown) => {
      // e.g. Docker not reachable: say which build needed it
      throw wrap(`failed looking up ${cacheTag} for ${goQuote(repo.RepoName)} (tags ${tagsString(u)}, arch ${goQuote(arch)})`, err);
    });
    const hit = stored !== null || (cached !== null && matchesArch(cached, arch));
    const dir = entry.ArchDirectory(arch);
    const file = entry.ArchFile(arch);
    const step: BuildStep = {
      repo: repo.RepoName, identifier: identifier(u), arch, builder, cacheTag, imageTags,
      parents: froms.map((from, i) => ({ from, id: parentIds[i]! })),
      context: `${entry.ArchGitCommit(arch)}:${dir}`, file, platform,
      action: hit ? 'use' : builder === 'oci-import' ? 'import' : 'build', command: null,
    };

    if (stored !== null) {
      this.events.line(`Using ${cacheTag} (${identifier(u)})`);
      step.command = load();
      this.events.step(step);
      if (this.opts.dryRun) return;
      await this.#storeLoad(u, stored, tags);
      this.deps.images.forget(tags);
      return;
    }
    if (hit && cached !== null) {
      this.events.line(`Using ${cacheTag} (${identifier(u)})`);
      // re-tag only what does not point at the cached image yet (the reference always re-tags)
      const missing = imageTags.filter((t) => !cached.RepoTags.includes(t) && !cached.RepoTags.includes(`${t}:latest`));
      step.command = missing.length > 0 ? retagBuild(imageTags) : null;
      this.events.step(step);
      if (this.opts.dryRun || step.command === null) {
        this.deps.images.set(imageTags, cached);
        return;
      }
      const res = await this.deps.docker.run(step.command, { stdin: `FROM ${cacheTag}`, signal: this.signal });
      if (res.code !== 0) {
        throw new MultiError([new Error(`failed tagging ${goQuote(cacheTag)}: ${goQuote(imageTags.join(', '))}`),
          new ProcessExitError(res.code), new Error(`docker ${goQuoteList(step.command.args)} output:\n${res.output}`)]);
      }
      this.deps.images.set(imageTags, cached);
      return;
    }

    this.events.line(`Building ${cacheTag} (${identifier(u)})`);
    if (builder === '' || builder === 'classic') step.command = classicBuild(tags, file, platform);
    else if (builder === 'buildkit') {
      try {
        step.command = buildkitBuild(tags, file, platform, this.opts.buildkit);
      } catch (err) {
        if (!(err instanceof BuildkitEnvError)) throw err;
        // as the reference: the environment is checked when building (a dry run has no argv then)
        if (!this.opts.dryRun) throw wrap(`failed building ${goQuote(repo.RepoName)} (tags ${tagsString(u)})`, err);
      }
    }
    else if (builder === 'oci-import') step.command = load();
    else throw new MultiError([new Error(`unknown builder ${goQuote(builder)}`)]);
    this.events.step(step);
    if (this.opts.dryRun) return;

    let commit: string;
    try {
      commit = await this.deps.entryGit.fetchCommit(repo.RepoName, arch, entry);
    } catch (err) {
      throw wrap(`failed fetching git repo for ${goQuote(repo.RepoName)} (tags ${tagsString(u)})`, err);
    }
    const log = this.#logFile(u);
    try {
      if (builder === 'oci-import') await this.#ociImport(u, commit, dir, file, imageTags, cacheTag);
      else await this.#dockerBuild(u, step, commit, dir, log, tags);
    } finally {
      log?.end();
    }
    this.deps.images.forget(tags);
    for (const t of imageTags) this.#fromIds.delete(t);
  }

  #logFile(u: BuildUnit): ReturnType<typeof createWriteStream> | null {
    if (this.opts.logsDir === null) return null;
    mkdirSync(this.opts.logsDir, { recursive: true });
    const name = `${identifier(u)}-${this.opts.arch}.log`.replace(/[^A-Za-z0-9._-]/g, '_');
    return createWriteStream(join(this.opts.logsDir, name));
  }

  async #dockerBuild(u: BuildUnit, step: BuildStep, commit: string, dir: string, log: ReturnType<typeof createWriteStream> | null,
    tags: string[]): Promise<void> {
    const command = step.command!;
    // with BUILDX_BUILDER, buildx writes an OCI layout tarball to stdout: it streams into the store
    const store = step.builder === 'buildkit' && this.opts.buildkit.buildxBuilder !== '' ? this.#store : null;
    let importing: ReturnType<OciStore['importTarball']> | null = null;
    // the context flows from `git archive` into docker's stdin: never buffered, never on disk
    const archive = this.deps.git.archive(commit, dir);
    const res = await this.deps.docker.run(command, {
      stdin: archive, signal: this.signal, timeoutMs: this.opts.timeoutMs ?? undefined,
      tee: log ? (c) => log.write(c) : undefined,
      stdout: store === null ? undefined : (out) => {
        importing = store.importTarball(out);
        importing.catch(() => out.destroy()); // stop reading: docker fails with a broken pipe
      },
    });
    archive.destroy();
    // settled either way (a failed build leaves no temp files behind)
    const imported = await (importing as ReturnType<OciStore['importTarball']> | null)?.then((v) => ({ v }), (err: unknown) => ({ err }));
    if (res.code === 0 && res.stopped === null && store !== null) {
      const failed = (err: unknown) => wrap(`failed storing the OCI output of ${goQuote(u.repo.RepoName)} (tags ${tagsString(u)}) in ${store.dir}`, err);
      let image: OciImage | null;
      try {
        if (imported === undefined) throw new Error('docker buildx wrote no OCI tarball');
        if ('err' in imported) throw imported.err;
        await store.record(tags, imported.v);
        image = await this.#storeImage(tags[0]!);
      } catch (err) {
        throw failed(err);
      }
      if (image === null) throw failed(new Error(`no image for ${SUPPORTED_ARCHES.get(this.opts.arch)!.String()} in the OCI output`));
      await this.#storeLoad(u, image, tags);
      return;
    }
    if (res.code === 0 && res.stopped === null) return;
    const why = res.stopped === 'timeout' ? [new Error(`build timed out after ${Math.round((this.opts.timeoutMs ?? 0) / 1000)}s`)] : [];
    throw new MultiError([new Error(`failed building ${goQuote(u.repo.RepoName)} (tags ${tagsString(u)})`), ...why,
      new ProcessExitError(res.code), new Error(`docker ${goQuoteList(command.args)} output:\n${res.output}`)]);
  }

  /** The image for --arch that the store names `tag`, or null. */
  async #storeImage(tag: string): Promise<OciImage | null> {
    if (this.#store === null) return null;
    const d = await this.#store.lookup(tag);
    return d === null ? null : this.#store.resolve(d, this.opts.arch);
  }

  /** `Importing sha256:… into Docker`, then a docker-archive of the stored image into `docker load` with every tag. */
  async #storeLoad(u: BuildUnit, image: OciImage, tags: string[]): Promise<void> {
    this.events.line(`Importing ${image.manifest.digest} into Docker`);
    const stream = dockerArchiveStream(this.#store!.blobSource(), image, tags);
    let streamError: unknown = null;
    stream.on('error', (err: Error) => (streamError = err));
    const res = await this.deps.docker.run(load(), { stdin: stream, signal: this.signal });
    if (res.code !== 0 || streamError !== null) {
      throw new MultiError([new Error(`failed importing ${goQuote(tags[0]!)} into Docker for ${goQuote(u.repo.RepoName)} (tags ${tagsString(u)})`),
        ...(streamError !== null ? [streamError] : []), new ProcessExitError(res.code || 1), new Error(res.output.trimEnd())]);
    }
    this.events.passthrough(res.output);
  }

  async #ociImport(u: BuildUnit, commit: string, dir: string, file: string, imageTags: string[], cacheTag: string): Promise<void> {
    let image;
    try {
      image = await readOciImage(this.deps.git, commit, dir, file);
    } catch (err) {
      throw wrap(`failed oci-import build of ${goQuote(u.repo.RepoName)} (tags ${tagsString(u)})`, err);
    }
    this.events.line(`Importing ${identifier(u)} (${image.manifest.digest}) into Docker`);
    // the cache tag is loaded too: it is how the next run finds this import (the reference keeps
    // it in its containerd store instead)
    const stream = dockerArchiveStream(this.deps.git, commit, dir, image, [cacheTag, ...imageTags]);
    let streamError: unknown = null;
    stream.on('error', (err: Error) => (streamError = err));
    const res = await this.deps.docker.run(load(), { stdin: stream, signal: this.signal });
    if (res.code !== 0 || streamError !== null) {
      throw new MultiError([new Error(`failed oci-import into Docker of ${goQuote(u.repo.RepoName)} (tags ${tagsString(u)})`),
        ...(streamError !== null ? [streamError] : []), new ProcessExitError(res.code || 1), new Error(res.output.trimEnd())]);
    }
    this.events.passthrough(res.output);
  }
}
