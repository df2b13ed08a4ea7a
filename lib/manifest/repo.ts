// A repo argument resolved to its manifest and selected entries: the data object of `cat
// --format` templates (Go's `Repo` in cmd/bashbrew), with the constraint checks of §1.5.
import { type Entry } from './entry.js';
import { type FetchedManifest } from './fetch.js';
import { goQuote, goQuoteList, joinPath } from './gostr.js';
import { type Manifest } from './manifest.js';

/** What the current process builds for: the context of SkipConstraints. */
export interface ConstraintContext {
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

  constructor(fetched: FetchedManifest, ctx: ConstraintContext) {
    this.#ctx = ctx;
    this.RepoName = fetched.repoName;
    this.TagName = fetched.tagName;
    this.Manifest = fetched.manifest;
    if (fetched.tagName === '') {
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

  /** Whether the entry is skipped for the current arch and constraints (reports why, once). */
  SkipConstraints(entry: Entry): boolean {
    const repoTag = this.RepoName + ':' + entry.Tags[0]!;
    const report = (why: string) => {
      if (this.#ctx.reported.has(repoTag)) return;
      this.#ctx.reported.add(repoTag);
      this.#ctx.onSkip(`skipping ${goQuote(repoTag)} (${why})`);
    };
    if (!entry.HasArchitecture(this.#ctx.arch)) {
      report(`due to architecture ${goQuote(this.#ctx.arch)}; only ${goQuote(entry.ArchitecturesString())} supported`);
      return true;
    }
    if (entry.Constraints.length === 0) {
      if (this.#ctx.exclusiveConstraints) report('due to exclusive constraints');
      return this.#ctx.exclusiveConstraints;
    }
    const unsatisfactory: string[] = [];
    for (const raw of entry.Constraints) {
      const wanted = !raw.startsWith('!');
      const name = wanted ? raw : raw.slice(1);
      const have = this.#ctx.constraints.includes(name);
      if (have !== wanted) unsatisfactory.push(name);
    }
    if (unsatisfactory.length > 0) {
      report(`due to unsatisfactory constraints ${goQuoteList(unsatisfactory)}`);
      return true;
    }
    return false;
  }

  // The git-backed queries arrive with the git layer; until then they fail loudly instead of
  // printing something wrong.
  SortedEntries(): never {
    throw needsGit('SortedEntries');
  }
  ArchDockerFroms(): never {
    throw needsGit('ArchDockerFroms');
  }
  DockerFroms(): never {
    throw needsGit('DockerFroms');
  }
  ArchLastStageFrom(): never {
    throw needsGit('ArchLastStageFrom');
  }
  DockerCacheName(): never {
    throw needsGit('DockerCacheName');
  }
  ArchGitChecksum(): never {
    throw needsGit('ArchGitChecksum');
  }
  ArchGitTime(): never {
    throw needsGit('ArchGitTime');
  }

  toJSON(): Record<string, unknown> {
    return { RepoName: this.RepoName, TagName: this.TagName, Manifest: this.Manifest, TagEntry: this.TagEntry,
      TagEntries: this.TagName === '' ? null : this.TagEntries };
  }
}

export function needsGit(what: string): Error {
  return new Error(`${what} reads Dockerfiles from git, which bashbrew-ts does not support yet`);
}
