// A parsed library file: the global entry plus its entries, with bashbrew's queries (spec §7).
import { defaultEntry, Entry } from './entry.js';

export interface SharedTagGroup {
  SharedTags: string[];
  Entries: Entry[];
}

export class Manifest {
  Entries: Entry[] = [];
  // Indexes kept in step with Entries so that adding N entries stays O(N) (a 50 MB file has
  // ~100k entries): tag → owning entry, shared tag → entries (file order), and the entries that
  // could share build artifacts, by commit and directory (the full check runs on those only).
  #tagIndex = new Map<string, Entry>();
  #sharedIndex = new Map<string, Entry[]>();
  #candidates = new Map<string, Entry[]>();
  #indexed = true;

  constructor(readonly Global: Entry) {}

  /** A manifest rebuilt from already-validated entries (the parse cache); indexed on first query. */
  static restore(global: Entry, entries: Entry[]): Manifest {
    const m = new Manifest(global);
    m.Entries = entries;
    m.#indexed = false;
    return m;
  }

  #ensureIndexed(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    for (const e of this.Entries) this.#index(e, e.Tags, e.SharedTags, false);
  }

  /** Appends the entry, or merges its tags into the first entry with the same build artifacts. */
  addOrMerge(entry: Entry): void {
    this.#ensureIndexed();
    const key = entry.GitCommit + '\n' + entry.Directory;
    const candidates = this.#candidates.get(key);
    const existing = candidates?.find((c) => c.SameBuildArtifacts(entry));
    if (existing !== undefined) {
      existing.Tags = [...existing.Tags, ...entry.Tags];
      const before = new Set(existing.SharedTags);
      existing.SharedTags = [...existing.SharedTags, ...entry.SharedTags];
      existing.DeduplicateSharedTags();
      this.#index(existing, entry.Tags, existing.SharedTags.filter((t) => !before.has(t)), true);
      return;
    }
    this.Entries.push(entry);
    if (candidates === undefined) this.#candidates.set(key, [entry]);
    else candidates.push(entry);
    this.#index(entry, entry.Tags, entry.SharedTags, false);
  }

  #index(entry: Entry, tags: readonly string[], sharedTags: readonly string[], merged: boolean): void {
    for (const t of tags) if (!this.#tagIndex.has(t)) this.#tagIndex.set(t, entry);
    for (const t of sharedTags) {
      const list = this.#sharedIndex.get(t);
      if (list === undefined) this.#sharedIndex.set(t, [entry]);
      else {
        list.push(entry);
        // a merge can add a shared tag to an earlier entry: keep file order
        if (merged) list.sort((a, b) => this.Entries.indexOf(a) - this.Entries.indexOf(b));
      }
    }
  }

  /** The first entry whose Tags contain `tag` (shared tags not consulted), or null. */
  GetTag(tag: string): Entry | null {
    this.#ensureIndexed();
    return this.#tagIndex.get(tag) ?? null;
  }

  /** The first entry (file order) whose SharedTags contain `tag`, or null. */
  firstWithSharedTag(tag: string): Entry | null {
    this.#ensureIndexed();
    return this.#sharedIndex.get(tag)?.[0] ?? null;
  }

  /** Every entry (file order) whose SharedTags contain `tag`. */
  GetSharedTag(tag: string): Entry[] {
    this.#ensureIndexed();
    return (this.#sharedIndex.get(tag) ?? []).slice();
  }

  GetAllSharedTags(): string[] {
    return [...new Set(this.Entries.flatMap((e) => e.SharedTags))];
  }

  /** Shared tags grouped by the exact set of entries they point at (spec §7). */
  GetSharedTagGroups(): SharedTagGroup[] {
    const groups = new Map<string, string[]>();
    for (const sharedTag of this.GetAllSharedTags()) {
      const key = this.GetSharedTag(sharedTag).map((e) => e.Tags[0]).join(',');
      const list = groups.get(key);
      if (list) list.push(sharedTag);
      else groups.set(key, [sharedTag]);
    }
    return [...groups].map(([key, sharedTags]) => ({
      SharedTags: sharedTags,
      Entries: key.split(',').map((t) => this.GetTag(t)).filter((e): e is Entry => e !== null),
    }));
  }

  /** Canonical text (spec §8.3): global cleared against the defaults, entries against the global. */
  String(): string {
    const parts = [this.Global.ClearDefaults(defaultEntry()).String()];
    for (const entry of this.Entries) parts.push(entry.ClearDefaults(this.Global).String());
    return parts.join('\n\n');
  }

  toJSON(): Record<string, unknown> {
    return { Global: this.Global, Entries: this.Entries };
  }
}
