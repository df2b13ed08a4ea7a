// Builtin template functions: and or not len index slice print printf
// println eq ne lt le gt ge html js urlquery call.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { htmlEscapeString, jsEscapeString, urlQueryEscape } from "../../lib/template/index.js";
import { run, runErr, sig } from "./helpers.js";

const boom = () => {
  throw new Error("should not be called");
};

describe("and / or / not", () => {
  test("return the deciding value, not a boolean", () => {
    assert.equal(run("{{and 1 0 2}}|{{and 1 2}}|{{or 0 \"\" \"z\"}}|{{or 0 \"\"}}"), "0|2|z|");
    assert.equal(run("{{and .L .E}}|{{or .E .L}}", { L: ["a"], E: [] }), "[]|[a]");
  });

  test("short-circuit: later arguments are not evaluated", () => {
    assert.equal(run("{{ or 1 (boom) }}|{{ and 0 (boom) }}", null, { boom }), "1|0");
  });

  test("a piped value is the last argument", () => {
    assert.equal(run("{{ 5 | and 1 }}|{{ 0 | or 0 }}"), "5|0");
  });

  test("and/or of missing values keep them missing", () => {
    assert.equal(run("{{ and .Nope 1 }}|{{ or .Nope }}", new Map()), "<no value>|<no value>");
  });

  test("need at least one argument", () => {
    assert.equal(runErr("{{and}}"), 'template: --format:1:2: executing "--format" at <and>: wrong number of args for and: want at least 1 got 0');
  });

  test("not", () => {
    assert.equal(run("{{not 0}}|{{not 1}}|{{not \"\"}}|{{not .L}}|{{not nil}}", { L: ["a"] }), "true|false|true|false|true");
  });
});

describe("comparisons", () => {
  test("eq with several arguments is true if the first equals any", () => {
    assert.equal(run('{{eq 1 2 3 1}}|{{eq "a" "b"}}|{{eq .S "x"}}|{{ne 1 2}}|{{eq 1.5 1.5}}|{{eq true true}}', { S: "x" }), "true|false|true|true|true|true");
  });

  test("eq and nil", () => {
    assert.equal(run("{{eq nil nil}}|{{eq .Nope \"a\"}}|{{eq .Nope nil}}", new Map()), "true|false|true");
  });

  test("eq compares objects by identity", () => {
    const a = { X: 1 };
    assert.equal(run("{{eq .A .A}}|{{eq .A .B}}", { A: a, B: { X: 1 } }), "true|false");
  });

  test("eq errors", () => {
    assert.equal(runErr('{{eq 1 "a"}}'), 'template: --format:1:2: executing "--format" at <eq 1 "a">: error calling eq: incompatible types for comparison: int and string');
    assert.equal(runErr("{{eq 1}}"), 'template: --format:1:2: executing "--format" at <eq 1>: error calling eq: missing argument for comparison');
    assert.equal(runErr("{{eq .L .L}}", { L: ["x"] }), 'template: --format:1:2: executing "--format" at <eq .L .L>: error calling eq: non-comparable type [x]: []string');
  });

  test("lt le gt ge on ints, floats and strings (byte order)", () => {
    assert.equal(run('{{lt 1 2}}|{{lt 2 1}}|{{le 2 2}}|{{gt "b" "a"}}|{{ge 1.5 2.5}}|{{lt "a" "B"}}|{{lt "é" "z"}}'), "true|false|true|true|false|false|false");
  });

  test("lt errors", () => {
    assert.equal(runErr("{{lt true false}}"), 'template: --format:1:2: executing "--format" at <lt true false>: error calling lt: invalid type for comparison');
    assert.equal(runErr('{{lt 1 "a"}}'), 'template: --format:1:2: executing "--format" at <lt 1 "a">: error calling lt: incompatible types for comparison: int and string');
    assert.equal(runErr("{{lt 1}}"), 'template: --format:1:2: executing "--format" at <lt>: wrong number of args for lt: want 2 got 1');
  });
});

describe("len / index / slice", () => {
  const data = {
    L: ["x", "y", "z"],
    M: new Map([
      ["a", "1"],
      ["b", "2"],
    ]),
    Str: "héllo",
    N: 42,
    Nested: new Map([["k", ["v1", "v2"]]]),
  };

  test("len counts bytes of strings", () => {
    assert.equal(run('{{len .L}}|{{len .M}}|{{len .Str}}|{{ len "日本" }}', data), "3|2|6|6");
    assert.equal(runErr("{{len .N}}", data), 'template: --format:1:2: executing "--format" at <len .N>: error calling len: len of type int');
  });

  test("index", () => {
    assert.equal(run('{{index .L 1}}|{{index .M "b"}}|{{index .M "zz"}}|{{index .Nested "k" 1}}|{{index .Str 1}}|{{index .L}}', data), "y|2||v2|195|[x y z]");
  });

  test("index errors", () => {
    const e = (t: string) => runErr(t, data);
    assert.equal(e("{{index .L 5}}"), 'template: --format:1:2: executing "--format" at <index .L 5>: error calling index: index out of range: 5');
    assert.equal(e("{{index .L 3}}"), 'template: --format:1:2: executing "--format" at <index .L 3>: error calling index: reflect: slice index out of range');
    assert.equal(e("{{index .L -1}}"), 'template: --format:1:2: executing "--format" at <index .L -1>: error calling index: index out of range: -1');
    assert.equal(e('{{index .L "a"}}'), 'template: --format:1:2: executing "--format" at <index .L "a">: error calling index: cannot index slice/array with type string');
    assert.equal(e("{{index .M 1}}"), 'template: --format:1:2: executing "--format" at <index .M 1>: error calling index: value has type int; should be string');
    assert.equal(e("{{index .N 1}}"), 'template: --format:1:2: executing "--format" at <index .N 1>: error calling index: can\'t index item of type int');
    assert.equal(e("{{index nil 1}}"), 'template: --format:1:2: executing "--format" at <index nil 1>: error calling index: index of untyped nil');
  });

  test("slice", () => {
    assert.equal(run('{{slice .L 1}}|{{slice .L 1 2}}|{{slice .L}}|{{slice "abcdef" 2 4}}|{{slice .L 0 1 2}}', data), "[y z]|[y]|[x y z]|cd|[x]");
    assert.equal(runErr("{{slice .L 2 1}}", data), 'template: --format:1:2: executing "--format" at <slice .L 2 1>: error calling slice: invalid slice index: 2 > 1');
    assert.equal(runErr("{{slice .L 0 4}}", data), 'template: --format:1:2: executing "--format" at <slice .L 0 4>: error calling slice: index out of range: 4');
  });
});

describe("print / printf / println", () => {
  test("spacing rules", () => {
    assert.equal(run('{{ print 1 2 "a" 3 "b" "c" 4 5 }}|{{ println 1 "a" 2 }}|{{ print }}|{{ println }}'), '1 2a3bc4 5|1 a 2\n||\n');
  });

  test("printf", () => {
    assert.equal(run('{{ printf "%q" "hello world" }}'), '"hello world"');
    assert.equal(run('{{ printf "%s-%d-%v" "a" 1 .L }}', { L: ["x"] }), "a-1-[x]");
    assert.equal(run('{{ printf "%s" }}'), "%!s(MISSING)");
  });

  test("printf requires a string format", () => {
    assert.equal(runErr("{{ printf 1 }}"), 'template: --format:1:10: executing "--format" at <1>: expected string; found 1');
    assert.equal(runErr("{{ printf .N }}", { N: 1 }), 'template: --format:1:10: executing "--format" at <.N>: wrong type for value; expected string; got int');
    assert.equal(runErr("{{ printf }}"), 'template: --format:1:3: executing "--format" at <printf>: wrong number of args for printf: want at least 1 got 0');
  });

  test("print of nil and missing values", () => {
    assert.equal(run('{{ print nil }}|{{ print .Nope }}|{{ printf "%v" nil }}', new Map()), "<nil>|<nil>|<nil>");
  });
});

describe("html / js / urlquery", () => {
  test("html", () => {
    assert.equal(run(`{{html "<a href='x'>&\\"</a>"}}`), "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;");
    assert.equal(run("{{html 1 2}}|{{html .Nope}}|{{html nil}}", new Map()), "1 2|&lt;no value&gt;|&lt;no value&gt;");
    assert.equal(htmlEscapeString("\0a"), "\ufffda");
  });

  test("js", () => {
    assert.equal(run(`{{js "it's <b>\\"q\\" = \\\\ \\n é \\u2028"}}`), "it\\'s \\u003Cb\\u003E\\\"q\\\" \\u003D \\\\ \\u000A é \\u2028");
    assert.equal(jsEscapeString("\x00\x1f\u00a0\u00ad€"), "\\u0000\\u001F\\u00A0\\u00AD€");
  });

  test("urlquery", () => {
    assert.equal(run('{{urlquery "a b&c=d/é~-_."}}'), "a+b%26c%3Dd%2F%C3%A9~-_.");
    assert.equal(urlQueryEscape("a+b"), "a%2Bb");
  });
});

describe("call", () => {
  test("calls a function value", () => {
    const fn = sig(() => sig((s: unknown) => String(s).toUpperCase(), { goArity: 1 }), { goArity: 0 });
    assert.equal(run('{{ call fn "abc" }}', null, { fn }), "ABC");
    assert.equal(run('{{ call (index .F 0) 2 }}', { F: [(x: unknown) => Number(x) * 2] }), "4");
  });

  test("errors", () => {
    const fn = sig(() => sig((s: unknown) => s, { goArity: 1 }), { goArity: 0 });
    assert.equal(runErr("{{ call .N }}", { N: 1 }), 'template: --format:1:3: executing "--format" at <call .N>: error calling call: non-function .N of type int');
    assert.equal(runErr("{{ call nil }}"), 'template: --format:1:3: executing "--format" at <call nil>: error calling call: call of nil');
    assert.equal(runErr("{{ call fn }}", null, { fn }), 'template: --format:1:3: executing "--format" at <call fn>: error calling call: wrong number of args for fn: got 0 want 1');
    const thrower = () => () => {
      throw new Error("inner");
    };
    assert.equal(runErr("{{ call thrower }}", null, { thrower }), 'template: --format:1:3: executing "--format" at <call thrower>: error calling call: inner');
  });
});
