// Test data mirroring the Go program used to record golden outputs:
//
//   type Entry struct { Tags []string; Arch string; Dir string }
//   func (e Entry) TagsString() string; func (e Entry) HasArchitecture(a string) bool
//   func (e Entry) String() string
//   type Plain struct { Name string; N int }
//   type Repo struct { RepoName, TagName string; TagEntry *Entry; Entries []*Entry;
//     M map[string]string; N int; F float64; B bool; L, E []string; Empty map[string]string;
//     Any []interface{}; P Plain; PP *Plain; Nested map[string][]string; IM map[int]string; Str string }
//   func (r *Repo) Tags(ns string, uniq bool, e *Entry) []string; func (r *Repo) Fail() (string, error)
//
// plus a FuncMap (i, one, join, fail, ternary, nilf, nilptr, list, two, upper, fn, ent).

import { formatValue, isTrue, nilPointer, type TemplateFunc } from "../../lib/template/index.js";

export class Entry {
  static goType = "*main.Entry";
  static goFields = ["Tags", "Arch", "Dir"];
  constructor(
    public Tags: string[],
    public Arch: string,
    public Dir: string,
  ) {}
  TagsString(): string {
    return this.Tags.join(", ");
  }
  HasArchitecture(a: unknown): boolean {
    return a === this.Arch;
  }
  String(): string {
    return "Tags: " + this.TagsString();
  }
}
// Go methods have fixed arity: declare it so arity errors match.
Object.assign(Entry.prototype.TagsString, { goArity: true });
Object.assign(Entry.prototype.HasArchitecture, { goArity: true });

export class Plain {
  static goType = "main.Plain";
  constructor(
    public Name: string,
    public N: number,
  ) {}
}

/** A *Plain (pointer), which fmt prints as &{...}. */
export class PlainPtr extends Plain {
  static override goType = "*main.Plain";
}

export class Repo {
  static goType = "*main.Repo";
  RepoName = "golang";
  TagName = "";
  TagEntry = nilPointer(Entry);
  Entries: Entry[];
  M = new Map([
    ["b", "2"],
    ["a", "1"],
    ["c", ""],
  ]);
  N = 42;
  F = 1.5;
  B = true;
  L = ["x", "y", "z"];
  E: string[] = [];
  Empty = new Map<string, string>();
  Any: unknown[] = [1, "a", null, true, 2.5];
  P = new Plain("p", 3);
  PP = new PlainPtr("pp", 4);
  Nested = new Map([["k", ["v1", "v2"]]]);
  IM = new Map([
    [10, "ten"],
    [2, "two"],
  ]);
  Str = "héllo";
  constructor(entries: Entry[]) {
    this.Entries = entries;
  }
  Tags(ns: unknown, _uniq: unknown, e: Entry): string[] {
    return e.Tags.map((t) => `${String(ns)}/${this.RepoName}:${t}`);
  }
  Fail(): string {
    throw new Error("repo failure");
  }
}
Object.assign(Repo.prototype.Tags, { goArity: true });
Object.assign(Repo.prototype.Fail, { goArity: 0 });

export function makeData(): Record<string, unknown> {
  const e1 = new Entry(["1.21", "latest"], "amd64", "1.21");
  const e2 = new Entry(["1.20"], "arm64v8", "1.20");
  return {
    nil: undefined,
    repo: new Repo([e1, e2]),
    entry: e1,
    int: 7,
    str: "s",
    list: ["a", "b"],
    map: new Map([["x", "1"]]),
  };
}

function withMeta<F extends TemplateFunc>(fn: F, meta: Record<string, unknown>): F {
  return Object.assign(fn, meta);
}

export function makeFuncs(): Record<string, TemplateFunc> {
  const e1 = new Entry(["1.21", "latest"], "amd64", "1.21");
  return {
    i: withMeta(() => 0, { goArity: 0 }),
    one: withMeta(() => 1, { goArity: 0 }),
    join: withMeta(
      (sep: unknown, ...l: unknown[]) => {
        if (l.length === 0) throw new Error('"join" requires at least one argument');
        return l.flatMap((x) => (Array.isArray(x) ? x : [formatValue(x)])).join(String(sep));
      },
      { goParams: ["string"], goVariadic: "any" },
    ),
    fail: (...a: unknown[]) => {
      throw new Error(`failed with ${a.length} args`);
    },
    ternary: withMeta((t: unknown, f: unknown, v: unknown) => (isTrue(v) ? t : f), { goArity: 3 }),
    nilf: withMeta(() => undefined, { goArity: 0 }),
    nilptr: withMeta(() => nilPointer(Entry), { goArity: 0 }),
    list: (...a: unknown[]) => a,
    two: withMeta((a: unknown, b: unknown) => String(a) + String(b), { goParams: ["string", "string"] }),
    upper: withMeta((s: unknown) => String(s).toUpperCase(), { goParams: ["string"] }),
    fn: withMeta(() => withMeta((s: unknown) => String(s).toUpperCase(), { goArity: 1 }), { goArity: 0 }),
    ent: withMeta(() => e1, { goArity: 0 }),
  };
}
