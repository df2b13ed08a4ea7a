// The library-file data model. Member names are Go's (Manifest2822Entry, Manifest2822Maintainer)
// because `cat --format` templates address them by those names (spec: commands-and-builds.md §9.1).
import { cleanPath } from './gostr.js';

const SEP = ', ';

/** The scalar fields that also exist per architecture as `ARCH-Field`. */
export const ARCH_SCALAR_FIELDS = ['GitRepo', 'GitFetch', 'GitCommit', 'Directory', 'File', 'Builder'] as const;
export type ArchScalarField = (typeof ARCH_SCALAR_FIELDS)[number];

const ARCH_SUFFIXES = ARCH_SCALAR_FIELDS.map((f) => '-' + f);

/** Whether a paragraph key is an `ARCH-Field` override (any prefix, even empty). */
export function isArchKey(key: string): boolean {
  for (const suffix of ARCH_SUFFIXES) if (key.endsWith(suffix)) return true;
  return false;
}

export class Maintainer {
  constructor(readonly Name: string, readonly Email: string, readonly Handle: string) {}

  String(): string {
    return this.Email !== '' ? `${this.Name} <${this.Email}> (@${this.Handle})` : `${this.Name} (@${this.Handle})`;
  }
}

/** Where an entry came from, for error messages and machine-readable output (not part of Go's model). */
export interface EntrySource {
  file: string;
  line: number;
}

export type CachedEntry = [
  values: Map<string, string>, order: string[], maintainers: [string, string, string][], tags: string[],
  sharedTags: string[], architectures: string[], gitRepo: string, gitFetch: string, gitCommit: string,
  directory: string, file: string, builder: string, archValues: Map<string, string>, constraints: string[],
  line: number,
];

type ListField = 'Maintainers' | 'Tags' | 'SharedTags' | 'Architectures' | 'Constraints';

export class Entry {
  /** The raw paragraph (go-debian's control.Paragraph), exposed to templates and `json`. */
  Values: Map<string, string> = new Map();
  Order: string[] = [];

  Maintainers: Maintainer[] = [];
  Tags: string[] = [];
  SharedTags: string[] = [];
  Architectures: string[] = [];
  GitRepo = '';
  GitFetch = '';
  GitCommit = '';
  Directory = '';
  File = '';
  Builder = '';
  ArchValues: Map<string, string> = new Map();
  Constraints: string[] = [];

  /** Fields that are Go nil slices/maps (they print as `null` in JSON); see ClearDefaults. */
  #nil = new Set<string>();
  #source: EntrySource | null = null;

  get source(): EntrySource | null {
    return this.#source;
  }

  setSource(source: EntrySource): void {
    this.#source = source;
  }

  /** A deep copy (Go's Clone: slices and the arch-values map copied, paragraph shared). */
  Clone(): Entry {
    const e = new Entry();
    e.Values = this.Values;
    e.Order = this.Order;
    e.Maintainers = this.Maintainers.slice();
    e.Tags = this.Tags.slice();
    e.SharedTags = this.SharedTags.slice();
    e.Architectures = this.Architectures.slice();
    e.GitRepo = this.GitRepo;
    e.GitFetch = this.GitFetch;
    e.GitCommit = this.GitCommit;
    e.Directory = this.Directory;
    e.File = this.File;
    e.Builder = this.Builder;
    e.ArchValues = new Map(this.ArchValues);
    e.Constraints = this.Constraints.slice();
    e.#source = this.#source;
    // Go's Clone re-allocates the slices but keeps a nil paragraph or nil map as nil.
    for (const f of this.#nil) if (f === 'Values' || f === 'Order' || f === 'ArchValues') e.#nil.add(f);
    return e;
  }

  /** Attaches the decoded paragraph (it replaces any inherited one, as Go's decoder does). */
  setParagraph(values: Map<string, string>, order: string[]): void {
    this.Values = values;
    this.Order = order;
    this.#nil.delete('Values');
    this.#nil.delete('Order');
    this.#nil.delete('ArchValues'); // Go's SeedArchValues allocates the map while decoding
  }

  /** A compact, structured-clone-able form for the parse cache (parsed entries have no nil fields). */
  toCached(): CachedEntry {
    return [this.Values, this.Order, this.Maintainers.map((m) => [m.Name, m.Email, m.Handle]), this.Tags,
      this.SharedTags, this.Architectures, this.GitRepo, this.GitFetch, this.GitCommit, this.Directory, this.File,
      this.Builder, this.ArchValues, this.Constraints, this.#source?.line ?? 0];
  }

  static fromCached(c: CachedEntry, file: string): Entry {
    const e = new Entry();
    [e.Values, e.Order] = [c[0], c[1]];
    e.Maintainers = c[2].map(([name, email, handle]) => new Maintainer(name, email, handle));
    [e.Tags, e.SharedTags, e.Architectures, e.GitRepo, e.GitFetch, e.GitCommit, e.Directory, e.File, e.Builder,
      e.ArchValues, e.Constraints] = [c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13]];
    e.#source = { file, line: c[14] };
    return e;
  }

  /** Marks fields as Go nil (used for the built-in defaults, whose lists were never allocated). */
  markNil(...fields: string[]): this {
    for (const f of fields) this.#nil.add(f);
    return this;
  }

  MaintainersString(): string {
    return this.Maintainers.map((m) => m.String()).join(SEP);
  }
  TagsString(): string {
    return this.Tags.join(SEP);
  }
  SharedTagsString(): string {
    return this.SharedTags.join(SEP);
  }
  ArchitecturesString(): string {
    return this.Architectures.join(SEP);
  }
  ConstraintsString(): string {
    return this.Constraints.join(SEP);
  }

  /** Keys of non-empty arch values, sorted bytewise. */
  archFields(): string[] {
    const keys: string[] = [];
    for (const [k, v] of this.ArchValues) if (v !== '') keys.push(k);
    return keys.sort(compareBytes);
  }

  /** Whether both entries build the same thing (spec §6), so their tags may be merged. */
  SameBuildArtifacts(b: Entry): boolean {
    for (const key of [...this.archFields(), ...b.archFields()]) {
      if ((this.ArchValues.get(key) ?? '') !== (b.ArchValues.get(key) ?? '')) return false;
    }
    return this.ArchitecturesString() === b.ArchitecturesString() && this.GitRepo === b.GitRepo &&
      this.GitFetch === b.GitFetch && this.GitCommit === b.GitCommit && this.Directory === b.Directory &&
      this.File === b.File && this.Builder === b.Builder && this.ConstraintsString() === b.ConstraintsString();
  }

  /** A copy with every value equal to the one in `defaults` cleared (spec §8.2). */
  ClearDefaults(defaults: Entry): Entry {
    const e = this.Clone();
    const clearList = (field: ListField, same: boolean) => {
      if (same) {
        e[field] = [];
        e.#nil.add(field);
      }
    };
    clearList('Maintainers', e.MaintainersString() === defaults.MaintainersString());
    clearList('Tags', e.TagsString() === defaults.TagsString());
    clearList('SharedTags', e.SharedTagsString() === defaults.SharedTagsString());
    clearList('Architectures', e.ArchitecturesString() === defaults.ArchitecturesString());
    for (const field of ARCH_SCALAR_FIELDS) if (e[field] === defaults[field]) e[field] = '';
    for (const key of defaults.archFields()) {
      if (defaults.ArchValues.get(key) === (e.ArchValues.get(key) ?? '')) e.ArchValues.delete(key);
    }
    clearList('Constraints', e.ConstraintsString() === defaults.ConstraintsString());
    return e;
  }

  /** The canonical RFC 2822 text of the entry (spec §8.1), without a trailing newline. */
  String(): string {
    const lines: string[] = [];
    const add = (key: string, value: string) => {
      if (value !== '') lines.push(key + ': ' + value);
    };
    add('Maintainers', this.MaintainersString());
    add('Tags', this.TagsString());
    add('SharedTags', this.SharedTagsString());
    add('Architectures', this.ArchitecturesString());
    for (const field of ARCH_SCALAR_FIELDS) add(field, this[field]);
    for (const key of this.archFields()) lines.push(key + ': ' + this.ArchValues.get(key)!);
    add('Constraints', this.ConstraintsString());
    return lines.join('\n');
  }

  /** `ARCH-Field` if set and non-empty, else the plain field (spec §7). */
  archValue(arch: string, field: ArchScalarField): string {
    const v = this.ArchValues.get(arch + '-' + field);
    return v !== undefined && v !== '' ? v : this[field];
  }
  ArchGitRepo(arch: string): string {
    return this.archValue(arch, 'GitRepo');
  }
  ArchGitFetch(arch: string): string {
    return this.archValue(arch, 'GitFetch');
  }
  ArchGitCommit(arch: string): string {
    return this.archValue(arch, 'GitCommit');
  }
  ArchDirectory(arch: string): string {
    return this.archValue(arch, 'Directory');
  }
  ArchFile(arch: string): string {
    return this.archValue(arch, 'File');
  }
  ArchBuilder(arch: string): string {
    return this.archValue(arch, 'Builder');
  }
  SetGitRepo(arch: string, repo: string): void {
    this.ArchValues.set(arch + '-GitRepo', repo);
  }
  SetGitCommit(arch: string, commit: string): void {
    this.ArchValues.set(arch + '-GitCommit', commit);
  }

  HasTag(tag: string): boolean {
    return this.Tags.includes(tag);
  }
  HasSharedTag(tag: string): boolean {
    return this.SharedTags.includes(tag);
  }
  HasArchitecture(arch: string): boolean {
    return this.Architectures.includes(arch);
  }

  /** Removes repeated SharedTags, keeping first occurrences. */
  DeduplicateSharedTags(): void {
    this.SharedTags = [...new Set(this.SharedTags)];
  }

  /** path.Clean on Directory and every non-empty `ARCH-Directory` (done when an entry is added). */
  CleanDirectoryValues(): void {
    this.Directory = cleanPath(this.Directory);
    for (const [k, v] of this.ArchValues) {
      if (k.endsWith('-Directory') && v !== '') this.ArchValues.set(k, cleanPath(v));
    }
  }

  /** Go encoding/json shape: struct fields in declaration order, nil slices as null (Maps are
   * serialised with sorted keys by the `json` template function). */
  toJSON(): Record<string, unknown> {
    const nil = (f: string, v: unknown) => (this.#nil.has(f) ? null : v);
    return {
      Values: nil('Values', this.Values),
      Order: nil('Order', this.Order),
      Maintainers: nil('Maintainers', this.Maintainers.map((m) => ({ Name: m.Name, Email: m.Email, Handle: m.Handle }))),
      Tags: nil('Tags', this.Tags),
      SharedTags: nil('SharedTags', this.SharedTags),
      Architectures: nil('Architectures', this.Architectures),
      GitRepo: this.GitRepo,
      GitFetch: this.GitFetch,
      GitCommit: this.GitCommit,
      Directory: this.Directory,
      File: this.File,
      Builder: this.Builder,
      ArchValues: nil('ArchValues', this.ArchValues),
      Constraints: nil('Constraints', this.Constraints),
    };
  }
}

export function compareBytes(a: string, b: string): number {
  // Bytewise UTF-8 order equals code point order; JS's default sort compares UTF-16 units, which
  // differs only for astral characters, so compare code points explicitly when needed.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Built-in defaults (spec §4.1): Go's DefaultManifestEntry, whose unset lists and maps are nil. */
export function defaultEntry(): Entry {
  const e = new Entry();
  e.Architectures = ['amd64'];
  e.GitFetch = 'refs/heads/master';
  e.Directory = '.';
  e.File = 'Dockerfile';
  return e.markNil('Values', 'Order', 'Maintainers', 'Tags', 'SharedTags', 'ArchValues', 'Constraints');
}
