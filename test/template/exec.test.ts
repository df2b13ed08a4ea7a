// Execution: control structures, variables, pipelines, fields/methods on
// class instances, maps, nil handling and Go's exact execution errors.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTrue, NilPointer, nilPointer, parseTemplate, TemplateError } from "../../lib/template/index.js";
import { run, runErr, sig } from "./helpers.js";

/** Mirrors bashbrew's manifest.Manifest2822Entry for the tests. */
class Manifest2822Entry {
  static goType = "*manifest.Manifest2822Entry";
  static goPkgPath = "github.com/docker-library/bashbrew/manifest";
  static goFields = ["Tags", "Architectures", "Directory"];
  constructor(
    public Tags: string[],
    public Architectures: string[],
    public Directory = ".",
  ) {}
  TagsString(): string {
    return this.Tags.join(", ");
  }
  HasArchitecture(arch: unknown): boolean {
    return this.Architectures.includes(String(arch));
  }
  ArchGitRepo(arch: unknown): string {
    return `https://example.com/${String(arch)}.git`;
  }
}

/** Mirrors bashbrew's cmd Repo: methods taking arguments. */
class Repo {
  RepoName = "golang";
  TagEntry: Manifest2822Entry | NilPointer | null;
  constructor(
    public Entries: Manifest2822Entry[],
    tagEntry: Manifest2822Entry | NilPointer | null = null,
  ) {
    this.TagEntry = tagEntry;
  }
  Tags(namespace: unknown, uniq: unknown, e: Manifest2822Entry): string[] {
    const prefix = namespace ? `${String(namespace)}/` : "";
    return (uniq ? e.Tags.slice(0, 1) : e.Tags).map((t) => `${prefix}${this.RepoName}:${t}`);
  }
}

const amd = new Manifest2822Entry(["1.21", "latest"], ["amd64", "arm64v8"], "1.21");
const win = new Manifest2822Entry(["1.21-windows"], ["windows-amd64"]);

describe("if / else if / else", () => {
  test("branches on Go truthiness", () => {
    const t = "{{if .A}}a{{else if .B}}b{{else}}c{{end}}";
    assert.equal(run(t, { A: 1, B: 1 }), "a");
    assert.equal(run(t, { A: 0, B: "x" }), "b");
    assert.equal(run(t, { A: "", B: [] }), "c");
  });

  test("truthiness table (via a ternary function, as in bashbrew's templatelib)", () => {
    const ternary = sig((t: unknown, f: unknown, v: unknown) => (isTrue(v) ? t : f), { goArity: 3 });
    const cases: [unknown, string][] = [
      [true, "T"],
      [false, "F"],
      ["false", "T"],
      ["", "F"],
      [0, "F"],
      [9001, "T"],
      [null, "F"],
      [undefined, "F"],
      [["a"], "T"],
      [[], "F"],
      [new Map(), "F"],
      [new Map([["k", "v"]]), "T"],
      [{}, "T"],
      [nilPointer(Manifest2822Entry), "F"],
    ];
    for (const [x, want] of cases) {
      assert.equal(run('{{ ternary "T" "F" .X }}', { X: x }, { ternary }), want, `X=${String(x)}`);
      assert.equal(run("{{ if .X }}T{{ else }}F{{ end }}", { X: x }), want, `if X=${String(x)}`);
    }
  });

  test("variables declared in if are scoped to it (and visible in else)", () => {
    assert.equal(run("{{ if $x := .N }}{{ $x }}{{ else }}none{{ $x }}{{ end }}", { N: 0 }), "none0");
  });
});

describe("with", () => {
  test("with sets dot; else / else with", () => {
    const t = "{{with .X}}x={{.}}{{else with .Y}}y={{.}}{{else}}none{{end}}";
    assert.equal(run(t, { X: "a", Y: "b" }), "x=a");
    assert.equal(run(t, { X: "", Y: "b" }), "y=b");
    assert.equal(run(t, { X: "", Y: "" }), "none");
  });

  test("with a declaration", () => {
    assert.equal(run("{{ with $e := .E }}{{ $e.Directory }}|{{ .TagsString }}{{ end }}", { E: amd }), "1.21|1.21, latest");
  });
});

describe("range", () => {
  test("over arrays, with index and element variables", () => {
    assert.equal(run("{{range .}}[{{.}}]{{end}}", ["a", "b"]), "[a][b]");
    assert.equal(run("{{range $i, $e := .}}{{$i}}={{$e}} {{end}}", ["a", "b"]), "0=a 1=b ");
    assert.equal(run("{{range $e := .}}{{$e}}{{end}}", ["a", "b"]), "ab");
  });

  test("over Maps in sorted key order", () => {
    const m = new Map([
      ["zeta", "1"],
      ["alpha", "2"],
      ["Beta", "3"],
    ]);
    assert.equal(run("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", m), "Beta=3;alpha=2;zeta=1;");
    assert.equal(run("{{range .}}{{.}}{{end}}", m), "321");
    const im = new Map([
      [10, "ten"],
      [2, "two"],
    ]);
    assert.equal(run("{{range $k, $v := .}}{{$k}}{{$v}} {{end}}", im), "2two 10ten ");
  });

  test("range ... else for empty, null and missing collections", () => {
    const t = "{{range .X}}x{{else}}empty{{end}}";
    assert.equal(run(t, { X: [] }), "empty");
    assert.equal(run(t, { X: new Map() }), "empty");
    assert.equal(run(t, { X: null }), "empty");
    assert.equal(run(t, new Map()), "empty");
  });

  test("over an integer (Go 1.22+)", () => {
    assert.equal(run("{{range 3}}{{.}}{{end}}"), "012");
    assert.equal(run("{{range $i := .}}{{$i}}{{end}}", 2), "01");
    assert.equal(run("{{range 0}}x{{else}}none{{end}}"), "none");
    assert.equal(
      runErr("{{range $i, $e := 3}}{{end}}"),
      'template: --format:1:18: executing "--format" at <3>: can\'t use 3 to iterate over more than one variable',
    );
  });

  test("break and continue", () => {
    const t = '{{range $i, $v := .}}{{if eq $i 1}}{{continue}}{{end}}{{if eq $v "d"}}{{break}}{{end}}{{$v}}{{end}}';
    assert.equal(run(t, ["a", "b", "c", "d", "e"]), "ac");
    // break only leaves the innermost range
    assert.equal(run('{{range .}}{{range $}}{{if eq . "y"}}{{break}}{{end}}{{.}}{{end}};{{end}}', ["x", "y"]), "x;x;");
  });

  test("dot and $ inside range", () => {
    assert.equal(run("{{range .L}}{{$.N}}{{.}}{{end}}", { L: ["a", "b"], N: 1 }), "1a1b");
  });

  test("range with assignment to existing variables", () => {
    assert.equal(run('{{ $i := 0 }}{{ $v := "" }}{{range $i, $v = .}}{{end}}{{$i}}{{$v}}', ["x", "y"]), "1y");
  });

  test("errors for non-iterable values", () => {
    assert.equal(runErr("{{range .X}}{{end}}", { X: "str" }), 'template: --format:1:8: executing "--format" at <.X>: range can\'t iterate over str');
    assert.equal(runErr("{{range .X}}{{end}}", { X: 1.5 }), 'template: --format:1:8: executing "--format" at <.X>: range can\'t iterate over 1.5');
  });
});

describe("variables", () => {
  test("declaration, assignment and scope ending at {{end}}", () => {
    assert.equal(run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}"), "32");
    assert.equal(run('{{ $x := "outer" }}{{ range $x := .}}{{ $x }}{{ end }}{{ $x }}', ["a"]), "aouter");
  });

  test("$ is the data passed to execute", () => {
    assert.equal(run("{{ with .P }}{{ $.Name }}{{ .Name }}{{ end }}", { Name: "top", P: { Name: "inner" } }), "topinner");
  });

  test("declaring actions print nothing", () => {
    assert.equal(run("a{{ $x := 5 }}b{{ $x }}"), "ab5");
  });

  test("assigning an undeclared variable is an execution error", () => {
    assert.equal(runErr("{{ $x = 1 }}"), 'template: --format:1:8: executing "--format" at <1>: undefined variable: $x');
  });
});

describe("pipelines", () => {
  test("the previous value becomes the last argument", () => {
    const join = sig((sep: unknown, l: unknown) => (l as string[]).join(String(sep)), { goArity: 2 });
    assert.equal(run('{{ .L | join ", " }}', { L: ["a", "b"] }, { join }), "a, b");
    assert.equal(run('{{ "x" | printf "%s-%s" "a" }}'), "a-x");
    assert.equal(run('{{ "amd64" | .E.HasArchitecture }}', { E: amd }), "true");
  });

  test("parenthesized pipelines and chains on them", () => {
    assert.equal(run("{{ print (print (print 1 2) 3) }}"), "1 23");
    assert.equal(run("{{ (index .Entries 1).TagsString }}", { Entries: [amd, win] }), "1.21-windows");
    const ent = sig(() => amd, { goArity: 0 });
    assert.equal(run('{{ (ent).Directory }}', null, { ent }), "1.21");
  });

  test("non-function commands cannot take arguments", () => {
    assert.equal(runErr("{{ .N 1 }}", { N: 1 }), 'template: --format:1:3: executing "--format" at <.N>: N has arguments but cannot be invoked as function');
    assert.equal(runErr("{{ $x := 1 }}{{ $x 2 }}"), 'template: --format:1:16: executing "--format" at <$x>: can\'t give argument to non-function $x');
    assert.equal(runErr("{{ 1 | $ }}"), 'template: --format:1:7: executing "--format" at <$>: can\'t give argument to non-function $');
    assert.equal(runErr("{{ nil }}"), 'template: --format:1:3: executing "--format" at <nil>: nil is not a command');
  });
});

describe("fields and methods", () => {
  test("fields of plain objects and class instances", () => {
    assert.equal(run("{{ .A.B }} {{ .E.Directory }}", { A: { B: "b" }, E: amd }), "b 1.21");
  });

  test("methods without and with arguments", () => {
    assert.equal(run("{{ .E.TagsString }}|{{ .E.HasArchitecture \"amd64\" }}|{{ .E.HasArchitecture \"s390x\" }}", { E: amd }), "1.21, latest|true|false");
  });

  test("methods on variables and on $ (bashbrew style)", () => {
    const repo = new Repo([amd, win]);
    const namespace = sig(() => "library", { goArity: 0 });
    const arch = sig(() => "arm64v8", { goArity: 0 });
    assert.equal(
      run("{{ range $e := .Entries }}{{ $.Tags namespace false $e }}{{ end }}", repo, { namespace }),
      "[library/golang:1.21 library/golang:latest][library/golang:1.21-windows]",
    );
    assert.equal(run("{{ range .Entries }}{{ $.Tags namespace true . }}{{ end }}", repo, { namespace }), "[library/golang:1.21][library/golang:1.21-windows]");
    assert.equal(run("{{ range $e := .Entries }}{{ $e.ArchGitRepo arch }};{{ end }}", repo, { arch }), "https://example.com/arm64v8.git;https://example.com/arm64v8.git;");
    assert.equal(run("{{ .TagEntry.HasArchitecture arch }}", new Repo([], amd), { arch }), "true");
  });

  test("getters count as fields", () => {
    class G {
      get Name(): string {
        return "got";
      }
    }
    assert.equal(run("{{ .Name }}", new G()), "got");
  });

  test("JS built-ins are not visible as fields", () => {
    assert.equal(runErr("{{ .constructor }}", {}), 'template: --format:1:3: executing "--format" at <.constructor>: can\'t evaluate field constructor in type struct {}');
    assert.equal(runErr("{{ .length }}", ["a"]), 'template: --format:1:3: executing "--format" at <.length>: can\'t evaluate field length in type []string');
  });

  test("missing fields", () => {
    assert.equal(runErr("{{ .Nope }}", new Repo([])), 'template: --format:1:3: executing "--format" at <.Nope>: can\'t evaluate field Nope in type Repo');
    assert.equal(runErr("{{ .E.Nope }}", { E: amd }), 'template: --format:1:5: executing "--format" at <.E.Nope>: can\'t evaluate field Nope in type *manifest.Manifest2822Entry');
    assert.equal(runErr("{{ .S.X }}", { S: "str" }), 'template: --format:1:5: executing "--format" at <.S.X>: can\'t evaluate field X in type string');
  });

  test("method arity is checked when declared (goArity)", () => {
    assert.equal(
      runErr("{{ .E.HasArchitecture }}", { E: new (class {
        HasArchitecture = sig((a: unknown) => a, { goArity: 1 });
      })() }),
      'template: --format:1:5: executing "--format" at <.E.HasArchitecture>: wrong number of args for HasArchitecture: want 1 got 0',
    );
  });

  test("a throwing method is reported at the last field of the chain", () => {
    const obj = {
      Inner: {
        Boom(): string {
          throw new Error("kaput");
        },
      },
    };
    assert.equal(runErr("x\n  {{ .Inner.Boom }}", obj), 'template: --format:2:11: executing "--format" at <.Inner.Boom>: error calling Boom: kaput');
  });
});

describe("maps", () => {
  const m = new Map([
    ["a", "1"],
    ["empty", ""],
  ]);
  test(".key looks up the map; a missing key has no value", () => {
    assert.equal(run("{{ .a }}|{{ .empty }}|{{ .zz }}", m), "1||<no value>");
  });
  test("index gives the zero value for a missing key", () => {
    assert.equal(run('{{ index . "a" }}|{{ index . "zz" }}|{{ len (index . "zz") }}', m), "1||0");
  });
  test("map keys with arguments", () => {
    assert.equal(runErr('{{ .a "x" }}', m), 'template: --format:1:3: executing "--format" at <.a>: a is not a method but has arguments');
  });
});

describe("nil handling", () => {
  test("printing null, undefined and typed nil pointers", () => {
    assert.equal(run("{{ .A }}|{{ .B }}|{{ .C }}|{{ . }}", { A: null, B: undefined, C: nilPointer(Manifest2822Entry) }), "<nil>|<no value>|<nil>|{<nil> <nil> <nil>}");
    assert.equal(run("{{ . }}"), "<no value>");
    assert.equal(run("{{ .X }}|{{ .X.Y }}"), "<no value>|<no value>");
  });

  test("method on a typed nil pointer: Go's runtime panic message (bashbrew cat with no tag)", () => {
    const repo = new Repo([amd], nilPointer(Manifest2822Entry));
    assert.equal(
      runErr("{{ .TagEntry.TagsString }}\n", repo),
      'template: --format:1:12: executing "--format" at <.TagEntry.TagsString>: error calling TagsString: value method github.com/docker-library/bashbrew/manifest.Manifest2822Entry.TagsString called using nil *Manifest2822Entry pointer',
    );
  });

  test("field of a typed nil pointer", () => {
    const repo = new Repo([amd], nilPointer(Manifest2822Entry));
    assert.equal(runErr("{{ .TagEntry.Tags }}", repo), 'template: --format:1:12: executing "--format" at <.TagEntry.Tags>: nil pointer evaluating *manifest.Manifest2822Entry.Tags');
    assert.equal(runErr("{{ .TagEntry.Nope }}", repo), 'template: --format:1:12: executing "--format" at <.TagEntry.Nope>: can\'t evaluate field Nope in type *manifest.Manifest2822Entry');
  });

  test("field of a plain null (an untyped nil)", () => {
    assert.equal(runErr("{{ .TagEntry.TagsString }}", new Repo([])), 'template: --format:1:12: executing "--format" at <.TagEntry.TagsString>: nil pointer evaluating interface {}.TagsString');
  });

  test("nil literal as an argument", () => {
    const show = (v: unknown) => (v === null ? "null" : typeof v);
    assert.equal(run("{{ show nil }}|{{ show .Missing }}|{{ eq nil .Missing }}", new Map(), { show }), "null|null|true");
  });
});

describe("define / template / block", () => {
  test("templates get their own dot and $, and no outer variables", () => {
    assert.equal(run('{{define "T"}}[{{.}}|{{$}}]{{end}}{{ $x := 1 }}{{template "T" .N}}{{template "T"}}', { N: 5 }), "[5|5][<no value>|<no value>]");
  });

  test("block defines and invokes", () => {
    assert.equal(run('{{block "B" .L}}{{range .}}{{.}}{{end}}{{end}}', { L: ["a", "b"] }), "ab");
    assert.equal(
      runErr('{{ define "B" }}override{{ end }}{{ block "B" . }}default{{ end }}'),
      'template: --format:1: template: multiple definition of template "B"',
    );
  });

  test("executeTemplate runs an associated template", () => {
    const t = parseTemplate("--format", '{{define "x"}}X{{.}}{{end}}top', {});
    assert.equal(t.execute(1), "top");
    assert.equal(t.executeTemplate("x", 1), "X1");
    assert.deepEqual(t.templateNames().sort(), ["--format", "x"]);
    assert.throws(() => t.executeTemplate("y", 1), { message: 'template: no template "y" associated with template "--format"' });
  });

  test("errors inside a defined template name it, with the top-level location", () => {
    assert.equal(runErr('{{define "T"}}\n  {{ .X.Y }}{{end}}{{template "T" .}}', { X: 1 }), 'template: --format:2:7: executing "T" at <.X.Y>: can\'t evaluate field Y in type int');
    assert.equal(runErr('{{template "nope"}}'), 'template: --format:1:11: executing "--format" at <{{template "nope"}}>: template "nope" not defined');
  });

  test("runaway recursion is reported, not a crash", () => {
    const msg = runErr('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', 1);
    assert.match(msg, /^template: --format:1:\d+: executing "(r|--format)" at <\{\{template "r" \.\}\}>: exceeded maximum template depth \(100000\)$/);
  });
});

describe("functions", () => {
  test("user function errors: Go's exact messages (bashbrew examples)", () => {
    const getenv = (...a: unknown[]) => {
      if (a.length < 1 || a.length > 3) throw new Error(`expected between 1 and 3 arguments to "getenv", got ${a.length}`);
      return "";
    };
    assert.equal(
      runErr('{{ getenv "A" "b" "c" "d" }}', null, { getenv }),
      'template: --format:1:3: executing "--format" at <getenv "A" "b" "c" "d">: error calling getenv: expected between 1 and 3 arguments to "getenv", got 4',
    );
    const join = (...a: unknown[]) => {
      if (a.length === 0) throw new Error('"join" requires at least one argument');
      return a.join("");
    };
    assert.equal(runErr("{{ join }}", null, { join }), 'template: --format:1:3: executing "--format" at <join>: error calling join: "join" requires at least one argument');
  });

  test("errors in nested calls point at the inner call", () => {
    const fail = () => {
      throw new Error("boom");
    };
    const upper = (s: unknown) => String(s).toUpperCase();
    assert.equal(runErr("{{ upper (fail) }}", null, { fail, upper }), 'template: --format:1:10: executing "--format" at <fail>: error calling fail: boom');
  });

  test("declared arity and parameter types (goArity / goMinArity / goParams)", () => {
    const two = sig((a: unknown, b: unknown) => `${String(a)}${String(b)}`, { goParams: ["string", "string"] });
    const min1 = sig((...a: unknown[]) => a.length, { goMinArity: 1 });
    assert.equal(run('{{ two "a" "b" }}|{{ "b" | two "a" }}', null, { two }), "ab|ab");
    assert.equal(runErr('{{ two "a" }}', null, { two }), 'template: --format:1:3: executing "--format" at <two>: wrong number of args for two: want 2 got 1');
    assert.equal(runErr('{{ two "a" 1 }}', null, { two }), 'template: --format:1:11: executing "--format" at <1>: expected string; found 1');
    assert.equal(runErr('{{ two "a" .N }}', { N: 1 }, { two }), 'template: --format:1:11: executing "--format" at <.N>: wrong type for value; expected string; got int');
    assert.equal(runErr("{{ min1 }}", null, { min1 }), 'template: --format:1:3: executing "--format" at <min1>: wrong number of args for min1: want at least 1 got 0');
  });

  test("user functions take precedence over builtins of the same name", () => {
    const len = sig(() => "mine", { goArity: 0 });
    assert.equal(run("{{ len }}", null, { len }), "mine");
    // a user "and" does not short-circuit
    const and = (...a: unknown[]) => a.length;
    assert.equal(run("{{ and 0 1 2 }}", null, { and }), "3");
  });

  test("functions receive null for nil and missing values, and this is undefined", () => {
    const seen: unknown[] = [];
    const f = function (this: unknown, ...a: unknown[]) {
      seen.push(this, ...a);
      return "";
    };
    run("{{ f nil .Missing .T }}", new Map<string, unknown>([["T", nilPointer(Manifest2822Entry)]]), { f });
    assert.deepEqual(seen, [undefined, null, null, null]);
  });

  test("errors thrown by user functions are wrapped; TemplateError is the only error type", () => {
    const f = () => {
      throw "a string";
    };
    assert.throws(() => run("{{ f }}", null, { f }), (e: unknown) => e instanceof TemplateError && e.message.endsWith("error calling f: a string"));
  });
});

describe("printing of action values", () => {
  test("Stringers, slices, maps, structs", () => {
    assert.equal(run("{{ . }}", amd), "{[1.21 latest] [amd64 arm64v8] 1.21}");
    class S {
      String(): string {
        return "stringer!";
      }
    }
    assert.equal(run("{{ . }}|{{ .L }}", Object.assign(new S(), { L: [new S()] })), "stringer!|[stringer!]");
    assert.equal(run("{{ .M }}", { M: new Map([["b", [1, 2]], ["a", []]]) }), "map[a:[] b:[1 2]]");
  });

  test("functions cannot be printed", () => {
    const fn = sig(() => () => 1, { goArity: 0 });
    assert.equal(runErr("{{ fn }}", null, { fn }), 'template: --format:1:3: executing "--format" at <{{fn}}>: can\'t print {{fn}} of type func(...interface {}) interface {}');
  });

  test("errors in String() propagate out of execute", () => {
    const bad = {
      String(): string {
        throw new RangeError("no string for you");
      },
    };
    assert.throws(() => run("{{ . }}", bad), { name: "RangeError", message: "no string for you" });
  });
});

describe("error locations", () => {
  test("line and byte column (multibyte text and tabs count as bytes)", () => {
    assert.equal(runErr("héllo {{ .N.X }}", { N: 1 }), 'template: --format:1:12: executing "--format" at <.N.X>: can\'t evaluate field X in type int');
    assert.equal(runErr("a\nb\n\t  {{ .N.X }}", { N: 1 }), 'template: --format:3:8: executing "--format" at <.N.X>: can\'t evaluate field X in type int');
  });

  test("the node text is Go's rendering of the node, untruncated", () => {
    assert.equal(
      runErr('{{ printf "%s %s %s" "aaaaaaaaaa" .N.X }}', { N: 1 }),
      'template: --format:1:36: executing "--format" at <.N.X>: can\'t evaluate field X in type int',
    );
    assert.equal(runErr("{{ if .N.X }}{{ end }}", { N: 1 }), 'template: --format:1:8: executing "--format" at <.N.X>: can\'t evaluate field X in type int');
  });
});
