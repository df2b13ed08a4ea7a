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

/** See Entry.toCached: null means "the global entry's value". */
export type CachedEntry = [
  tags: string[], sharedTags: string[], architectures: string[], constraints: string[],
  maintainers: [string, string, string][] | null, gitRepo: string | null, gitFetch: string | null,
  gitCommit: string | null, directory: string | null, file: string | null, builder: string | null,
  archDelta: string[], line: number,
];

type ListField = 'Maintainers' | 'Tags' | 'SharedTags' | 'Architectures' | 'Constraints';

/** Fields that can be Go nil (printed as `null` by `json`), as bits of a mask. */
const NIL = { Values: 1, Order: 2, Maintainers: 4, Tags: 8, SharedTags: 16, Architectures: 32, ArchValues: 64, Constraints: 128 } as const;
type NilField = keyof typeof NIL;

/** Re-reads an entry's raw paragraph for entries restored from the parse cache. */
export type ParagraphLoader = () => { values: Map<string, string>; order: string[] };

export class Entry {
  // Field order is Go's (it is the order `json` prints). Declared only (no initialisers, no
  // defined-as-undefined slots): entries are created in bulk at start-up, and every step of their
  // construction shows up in `bashbrew list --all` time.
  declare Maintainers: Maintainer[];
  declare Tags: string[];
  declare SharedTags: string[];
  declare Architectures: string[];
  declare GitRepo: string;
  declare GitFetch: string;
  declare GitCommit: string;
  declare Directory: string;
  declare File: string;
  declare Builder: string;
  declare Constraints: string[];

  /** The raw paragraph (go-debian's control.Paragraph); loaded lazily for cached entries. */
  #values: Map<string, string> | null = null;
  #order: string[] | null = null;
  #paragraphLoader: ParagraphLoader | null = null;
  /** ARCH-Field values; for cached entries built on first use from the global's map plus a delta. */
  #archValues: Map<string, string> | null = null;
  #archBase: ReadonlyMap<string, string> | null = null;
  #archDelta: string[] | null = null;
  #nil = 0;
  #source: EntrySource | null = null;

  constructor(empty = true) {
    if (!empty) return;
    this.Maintainers = [];
    this.Tags = [];
    this.SharedTags = [];
    this.Architectures = [];
    this.GitRepo = this.GitFetch = this.GitCommit = this.Directory = this.File = this.Builder = '';
    this.Constraints = [];
    this.#values = new Map();
    this.#order = [];
    this.#archValues = new Map();
  }

  get Values(): Map<string, string> {
    if (this.#values === null) this.#loadParagraph();
    return this.#values!;
  }
  set Values(v: Map<string, string>) {
    this.#values = v;
  }
  get Order(): string[] {
    if (this.#order === null) this.#loadParagraph();
    return this.#order!;
  }
  set Order(v: string[]) {
    this.#order = v;
  }
  #loadParagraph(): void {
    const p = this.#paragraphLoader?.() ?? { values: new Map<string, string>(), order: [] };
    this.#values = p.values;
    this.#order = p.order;
  }

  get ArchValues(): Map<string, string> {
    if (this.#archValues === null) {
      const m = new Map(this.#archBase ?? undefined);
      const d = this.#archDelta ?? [];
      for (let i = 0; i < d.length; i += 2) m.set(d[i]!, d[i + 1]!);
      this.#archValues = m;
    }
    return this.#archValues;
  }
  set ArchValues(v: Map<string, string>) {
    this.#archValues = v;
  }

  get source(): EntrySource | null {
    return this.#source;
  }

  setSource(source: EntrySource): void {
    this.#source = source;
  }

  /** A deep copy (Go's Clone: slices and the arch-values map copied, paragraph shared). */
  Clone(): Entry {
    const e = new Entry(false);
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
    e.Constraints = this.Constraints.slice();
    e.#values = this.#values;
    e.#order = this.#order;
    e.#paragraphLoader = this.#paragraphLoader;
    e.#archValues = new Map(this.ArchValues);
    e.#source = this.#source;
    // Go's Clone re-allocates the slices but keeps a nil paragraph or nil map as nil.
    e.#nil = this.#nil & (NIL.Values | NIL.Order | NIL.ArchValues);
    return e;
  }

  /** Attaches the decoded paragraph (it replaces any inherited one, as Go's decoder does). */
  setParagraph(values: Map<string, string>, order: string[]): void {
    this.#values = values;
    this.#order = order;
    this.#paragraphLoader = null;
    // Go's SeedArchValues allocates the arch-values map while decoding
    this.#nil &= ~(NIL.Values | NIL.Order | NIL.ArchValues);
  }

  /** Marks fields as Go nil (used for the built-in defaults, whose lists were never allocated). */
  markNil(...fields: NilField[]): this {
    for (const f of fields) this.#nil |= NIL[f];
    return this;
  }

  #isNil(f: NilField): boolean {
    return (this.#nil & NIL[f]) !== 0;
  }

  /**
   * The parse cache's form of an entry: plain JSON, with values equal to the global entry's left
   * out (most entries inherit GitRepo, Maintainers and arch overrides), and no raw paragraph
   * (re-read from the file on the rare use).
   */
  toCached(global: Entry | null): CachedEntry {
    const same = (a: string, b: string | undefined) => (global !== null && a === b ? null : a);
    const delta: string[] = [];
    for (const [k, v] of this.ArchValues) if (global === null || global.ArchValues.get(k) !== v) delta.push(k, v);
    const ownMaintainers = global === null || this.MaintainersString() !== global.MaintainersString();
    return [this.Tags, this.SharedTags, this.Architectures, this.Constraints,
      ownMaintainers ? this.Maintainers.map((m) => [m.Name, m.Email, m.Handle]) : null,
      same(this.GitRepo, global?.GitRepo), same(this.GitFetch, global?.GitFetch), same(this.GitCommit, global?.GitCommit),
      same(this.Directory, global?.Directory), same(this.File, global?.File), same(this.Builder, global?.Builder),
      delta, this.#source?.line ?? 0];
  }

  static fromCached(c: CachedEntry, global: Entry | null, file: string, loader: ParagraphLoader): Entry {
    const e = new Entry(false);
    e.Tags = c[0];
    e.SharedTags = c[1];
    e.Architectures = c[2];
    e.Constraints = c[3];
    e.Maintainers = c[4] === null ? global!.Maintainers : c[4].map(([n, m, h]) => new Maintainer(n, m, h));
    e.GitRepo = c[5] ?? global!.GitRepo;
    e.GitFetch = c[6] ?? global!.GitFetch;
    e.GitCommit = c[7] ?? global!.GitCommit;
    e.Directory = c[8] ?? global!.Directory;
    e.File = c[9] ?? global!.File;
    e.Builder = c[10] ?? global!.Builder;
    e.#archBase = global?.ArchValues ?? null;
    e.#archDelta = c[11];
    e.#paragraphLoader = loader;
    e.#source = { file, line: c[12] };
    return e;
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
        e.#nil |= NIL[field];
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
    const nil = (f: NilField, v: unknown) => (this.#isNil(f) ? null : v);
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
