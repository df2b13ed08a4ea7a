// Lexing/parsing: trim markers, comments, and Go's exact parse error messages.
// Every expectation here was checked against Go's text/template.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate } from "../../lib/template/index.js";
import { run, runErr, sig } from "./helpers.js";

describe("trim markers", () => {
  test("{{- and -}} trim all adjacent whitespace (space, tab, CR, LF)", () => {
    assert.equal(run("a \t\r\n {{- 1 -}} \n\t b"), "a1b");
    assert.equal(run("a  {{- 1}}  b"), "a1  b");
    assert.equal(run("a  {{1 -}}  b"), "a  1b");
  });

  test("a trim marker needs a space: {{-3}} is the number -3", () => {
    assert.equal(run("x {{-3}} y"), "x -3 y");
    assert.equal(run("x {{- 3}} y"), "x3 y");
  });

  test("the marker may be followed/preceded by a newline", () => {
    assert.equal(run("a {{-\n.\n-}} b", "X"), "aXb");
  });

  test("functions without arguments inside trimmed actions (bashbrew's default format)", () => {
    const i = sig(() => 0, { goArity: 0 });
    const tmpl = '{{- if i -}}{{- "\\n\\n" -}}{{- end -}}x';
    assert.equal(run(tmpl, null, { i }), "x");
    assert.equal(run(tmpl, null, { i: sig(() => 1, { goArity: 0 }) }), "\n\nx");
  });

  test("only whitespace text between trimmed actions disappears", () => {
    const tmpl = "{{- range . -}}\n\t{{- . -}}\n{{- end -}}\n";
    assert.equal(run(tmpl, ["a", "b"]), "ab");
  });
});

describe("comments", () => {
  test("comments produce nothing", () => {
    assert.equal(run("a {{/* hi */}} b"), "a  b");
    assert.equal(run("a {{/* multi\nline */}} b"), "a  b");
  });

  test("comments with trim markers", () => {
    assert.equal(run("a {{- /* hi */ -}} b"), "ab");
    assert.equal(run("a  {{- /* c */}}  b {{/* c */ -}}   c"), "a  b c");
  });

  test("comment errors", () => {
    assert.equal(runErr("{{/* abc }}"), "template: --format:1: unclosed comment");
    assert.equal(runErr("{{/* abc */ }}"), "template: --format:1: comment ends before closing delimiter");
  });
});

describe("literals", () => {
  test("numbers: ints, floats, hex, octal, binary, underscores, chars", () => {
    assert.equal(
      run("{{ 'a' }} {{ 0x1F }} {{ 1e3 }} {{ 1.5 }} {{ -7 }} {{ 0o17 }} {{ 1_000 }} {{ 017 }} {{ 0b101 }} {{ 0x1p4 }} {{ .5 }} {{ +3 }}"),
      "97 31 1000 1.5 -7 15 1000 15 5 16 0.5 3",
    );
    assert.equal(run("{{ '\\n' }} {{ '\\u00e9' }} {{ '\\'' }}"), "10 233 39");
  });

  test("strings: Go escapes and raw strings (raw strings drop CR)", () => {
    assert.equal(run('{{ "a\\tb\\x41\\u00e9\\U0001F600\\101\\\\\\"" }}'), 'a\tbAé😀A\\"');
    assert.equal(run("{{ `raw\\n` }}"), "raw\\n");
    assert.equal(run("{{ `a\r\nb` }}"), "a\nb");
  });

  test("booleans", () => {
    assert.equal(run("{{ true }} {{ false }}"), "true false");
  });

  test("number errors", () => {
    assert.equal(runErr("{{ 99999999999999999999 }}"), 'template: --format:1: integer overflow: "99999999999999999999"');
    assert.equal(runErr("{{ 089 }}"), 'template: --format:1: integer overflow: "089"');
    assert.equal(runErr("{{ 3k }}"), 'template: --format:1: bad number syntax: "3k"');
    assert.equal(runErr("{{ 1.2.3 }}"), 'template: --format:1: unexpected ".3" in operand');
    assert.equal(runErr("{{ 'ab' }}"), "template: --format:1: malformed character constant: 'ab'");
    assert.equal(
      runErr("{{ 18446744073709551615 }}"),
      'template: --format:1:3: executing "--format" at <18446744073709551615>: 18446744073709551615 overflows int',
    );
  });

  test("string errors", () => {
    assert.equal(runErr('{{ "\\q" }}'), "template: --format:1: invalid syntax");
    assert.equal(runErr('{{ "abc }}'), "template: --format:1: unterminated quoted string");
    assert.equal(runErr("{{ `abc }}"), "template: --format:1: unterminated raw quoted string");
    assert.equal(runErr("{{ 'a }}"), "template: --format:1: unterminated character constant");
  });
});

describe("parse errors", () => {
  const cases: [string, string][] = [
    ["{{ foo }}", 'template: --format:1: function "foo" not defined'],
    ["{{ .X ", "template: --format:1: unclosed action"],
    ["abc\n{{ .X\n}} {{ if", "template: --format:3: unclosed action"],
    ["a\n{{ print\n", "template: --format:3: unclosed action started at --format:2"],
    ['a\n{{ print\n"b\n}}', "template: --format:3: unterminated quoted string in action started at --format:2"],
    ["{{ if }}", "template: --format:1: missing value for if"],
    ["{{ .X }", 'template: --format:1: unexpected "}" in operand'],
    ["{{ if .X }}abc", "template: --format:1: unexpected EOF"],
    ["{{ range .L }}", "template: --format:1: unexpected EOF"],
    ["{{ end }}", "template: --format:1: unexpected {{end}}"],
    ["{{ else }}", "template: --format:1: unexpected {{else}}"],
    ["{{ if 1 }}{{ else }}{{ else }}{{ end }}", "template: --format:1: expected end; found {{else}}"],
    ["{{ if 1 }}{{ end 1 }}", 'template: --format:1: unexpected "1" in end'],
    ["{{ if 1 }}{{ else 1 }}{{ end }}", 'template: --format:1: unexpected "1" in else'],
    ["{{ $x }}", 'template: --format:1: undefined variable "$x"'],
    ["{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}", 'template: --format:1: undefined variable "$y"'],
    ["{{ break }}", "template: --format:1: {{break}} outside {{range}}"],
    ["{{ range .L }}{{ continue 1 }}{{end}}", 'template: --format:1: unexpected "1" in {{continue}}'],
    ["{{ (1 }}", "template: --format:1: unclosed left paren"],
    ["{{ 1) }}", "template: --format:1: unexpected right paren"],
    ["{{ \x01 }}", "template: --format:1: unrecognized character in action: U+0001"],
    ["{{ € }}", "template: --format:1: unrecognized character in action: U+20AC '€'"],
    ["{{ .X! }}", "template: --format:1: bad character U+0021 '!'"],
    ["{{ $x := 1 }}{{ $x : 1 }}", "template: --format:1: expected :="],
    ["{{ range $a, $b, $c := .L }}{{end}}", "template: --format:1: too many declarations in range"],
    ["{{ range $a, 1 }}{{end}}", "template: --format:1: range can only initialize variables"],
    ["{{ with $a, $b := .L }}{{end}}", "template: --format:1: too many declarations in with"],
    ["{{}}", "template: --format:1: missing value for command"],
    ["{{ .X | 1 }}", "template: --format:1: non executable command in pipeline stage 2"],
    ["{{ $x := 1 }}{{ $x = }}", "template: --format:1: missing value for command"],
    ["{{ print () }}", "template: --format:1: missing value for parenthesized pipeline"],
    ["a\n\n{{ if 1 }}\n{{ else }}\n{{ else }}{{ end }}", "template: --format:5: expected end; found {{else}}"],
    ['{{ define 1 }}{{end}}', 'template: --format:1: unexpected "1" in define clause'],
    ['{{ define "x" }}', "template: --format:1: unexpected EOF"],
    ["{{ template 1 }}", 'template: --format:1: unexpected "1" in template clause'],
    ["line1\nline2 {{ .X \n | foo }}", 'template: --format:3: function "foo" not defined'],
    // Tokens longer than 10 bytes are shown truncated (Go's %.10q...).
    ['{{ if 1 }}{{ end "a very long string token" }}', 'template: --format:1: unexpected "\\"a very lo"... in end'],
    ["{{ nil.X }}", 'template: --format:1: unexpected . after term "nil"'],
    ['{{ "a".X }}', 'template: --format:1: unexpected . after term "\\"a\\""'],
    ["{{ .X.  }}", "template: --format:1: unexpected <.> in operand"],
    ["{{if 1}}{{else with 2}}{{end}}", "template: --format:1: unexpected <with> in input"],
    ['{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'template: --format:1: template: multiple definition of template "a"'],
  ];
  for (const [text, msg] of cases) {
    test(JSON.stringify(text), () => assert.equal(runErr(text), msg));
  }

  test("functions are resolved at parse time, before any execution", () => {
    assert.throws(() => parseTemplate("x", "{{ if false }}{{ nope }}{{ end }}", {}), {
      message: 'template: x:1: function "nope" not defined',
    });
  });

  test("an empty redefinition does not replace a template", () => {
    assert.equal(run('{{define "a"}}x{{end}}{{define "a"}} {{end}}{{template "a"}}'), "x");
  });

  test("a user function named break/continue turns the keyword into a call", () => {
    const brk = sig(() => "B", { goArity: 0 });
    assert.equal(run("{{ break }}", null, { break: brk }), "B");
  });
});

describe("actions spanning lines", () => {
  test("newlines are allowed inside actions", () => {
    assert.equal(run("{{\nprint\n1\n2\n}}"), "1 2");
    assert.equal(run("{{ .\n}}", "v"), "v");
  });
});
