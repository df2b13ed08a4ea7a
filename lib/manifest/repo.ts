// A repo argument resolved to its manifest and selected entries: the data object of `cat
// --format` templates (Go's `Repo` in cmd/bashbrew), with the constraint checks of §1.5.
import { type Entry } from './entry.js';
import { type FetchedManifest } from './fetch.js';
import { goQuote, goQuoteList, joinPath } from './gostr.js';
import { type Manifest } from './manifest.js';

/** Git-backed answers for templates (synchronous: see lib/graph/sync-view.ts). */
export interface RepoGit {
  archDockerFroms(repo: Repo, arch: string, entry: Entry): string[];
  archLastStageFrom(repo: Repo, arch: string, entry: Entry): string;
  archGitChecksum(repo: Repo, arch: string, entry: Entry): string;
  archGitTime(repo: Repo, arch: string, entry: Entry): unknown;
  sortedEntries(repo: Repo, applyConstraints: boolean): Entry[];
}

/** What the current process builds for: the context of SkipConstraints and git lookups. */
export interface ConstraintContext {
  /** Git access for templates; null where a command has none. */
  git: RepoGit | null;
  /** The --arch of the process (DockerFroms uses it). */
  arch: string;
  constraints: readonly string[];
  exclusiveConstraints: boolean;
  /** Receives each "skipping ..." line once (the caller prints it to stderr). */
  onSkip: (message: string) => void;
  /** repo:tag identifiers already reported, shared by every Repo of the process. */
  reported: Set<string>;
}

export class Repo {
  readonly RepoName: string;
  readonly TagName: string;
  readonly Manifest: Manifest;
  /** The entry the tag selected (the first one for a shared tag), or null. */
  readonly TagEntry: Entry | null;
  readonly TagEntries: Entry[];
  readonly #ctx: ConstraintContext;

  constructor(fetched: FetchedManifest, ctx: ConstraintContext, tagEntries?: Entry[]) {
    this.#ctx = ctx;
    this.RepoName = fetched.repoName;
    this.TagName = fetched.tagName;
    this.Manifest = fetched.manifest;
    if (tagEntries !== undefined) {
      this.TagEntries = tagEntries;
      this.TagEntry = tagEntries[0] ?? null;
    } else if (fetched.tagName === '') {
      this.TagEntry = null;
      this.TagEntries = [];
    } else {
      const entry = fetched.manifest.GetTag(fetched.tagName);
      this.TagEntries = entry !== null ? [entry] : fetched.manifest.GetSharedTag(fetched.tagName);
      this.TagEntry = this.TagEntries[0] ?? null;
    }
  }

  /** `repo` or `repo:firsttag` of the selected entry. */
  Identifier(): string {
    return this.TagEntry !== null ? this.EntryIdentifier(this.TagEntry) : this.RepoName;
  }

  EntryIdentifier(entry: Entry): string {
    return this.RepoName + ':' + entry.Tags[0]!;
  }

  /** A Repo selecting just this entry (`repo:firsttag`), for ordering entries within a repo. */
  EntryRepo(entry: Entry): Repo {
    return new Repo({ repoName: this.RepoName, tagName: entry.Tags[0]!, manifest: this.Manifest, source: '' },
      this.#ctx, [entry]);
  }

  /** The selected entries: all of them without a tag. */
  Entries(): Entry[] {
    return this.TagName === '' ? this.Manifest.Entries.slice() : this.TagEntries;
  }

  /** `ns/repo:tag` for each of the entry's Tags then SharedTags (only the first with uniq). */
  Tags(namespace: string, uniq: boolean, entry: Entry): string[] {
    const repo = joinPath(namespace, this.RepoName);
    const tags = [...entry.Tags, ...entry.SharedTags];
    return (uniq ? tags.slice(0, 1) : tags).map((t) => repo + ':' + t);
  }

  /** Why the entry is skipped for the current arch and constraints, or null (pure: prints nothing). */
  skipReason(entry: Entry): string | null {
    if (!entry.HasArchitecture(this.#ctx.arch)) {
      return `due to architecture ${goQuote(this.#ctx.arch)}; only ${goQuote(entry.ArchitecturesString())} supported`;
    }
    if (entry.Constraints.length === 0) return this.#ctx.exclusiveConstraints ? 'due to exclusive constraints' : null;
    const unsatisfactory: string[] = [];
    for (const raw of entry.Constraints) {
      const wanted = !raw.startsWith('!');
      const name = wanted ? raw : raw.slice(1);
      if (this.#ctx.constraints.includes(name) !== wanted) unsatisfactory.push(name);
    }
    return unsatisfactory.length > 0 ? `due to unsatisfactory constraints ${goQuoteList(unsatisfactory)}` : null;
  }

  /** Whether the entry is skipped for the current arch and constraints (reports why, once). */
  SkipConstraints(entry: Entry): boolean {
    const why = this.skipReason(entry);
    if (why === null) return false;
    const repoTag = this.RepoName + ':' + entry.Tags[0]!;
    if (!this.#ctx.reported.has(repoTag)) {
      this.#ctx.reported.add(repoTag);
      this.#ctx.onSkip(`skipping ${goQuote(repoTag)} (${why})`);
    }
    return true;
  }

  #git(what: string): RepoGit {
    if (this.#ctx.git === null) throw needsGit(what);
    return this.#ctx.git;
  }
  SortedEntries(applyConstraints: boolean): Entry[] {
    return this.#git('SortedEntries').sortedEntries(this, applyConstraints === true);
  }
  ArchDockerFroms(arch: string, entry: Entry): string[] {
    return this.#git('ArchDockerFroms').archDockerFroms(this, arch, entry);
  }
  DockerFroms(entry: Entry): string[] {
    return this.#git('DockerFroms').archDockerFroms(this, this.#ctx.arch, entry);
  }
  ArchLastStageFrom(arch: string, entry: Entry): string {
    return this.#git('ArchLastStageFrom').archLastStageFrom(this, arch, entry);
  }
  ArchGitChecksum(arch: string, entry: Entry): string {
    return this.#git('ArchGitChecksum').archGitChecksum(this, arch, entry);
  }
  ArchGitTime(arch: string, entry: Entry): unknown {
    return this.#git('ArchGitTime').archGitTime(this, arch, entry);
  }
  DockerCacheName(): never {
    throw new Error('DockerCacheName needs Docker (parent image ids), which bashbrew-ts does not support yet');
  }

  toJSON(): Record<string, unknown> {
    return { RepoName: this.RepoName, TagName: this.TagName, Manifest: this.Manifest, TagEntry: this.TagEntry,
      TagEntries: this.TagName === '' ? null : this.TagEntries };
  }
}

export function needsGit(what: string): Error {
  return new Error(`${what} needs git, which this command does not provide`);
}
