// fmt: formatValue (%v), sprint/sprintln spacing and sprintf verbs/flags.
// Expected strings were produced by Go's fmt package with equivalent values.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatValue, nilPointer, sprint, sprintf, sprintln } from "../../lib/template/index.js";

class S {
  String(): string {
    return "S!";
  }
}

describe("formatValue (%v)", () => {
  test("basic values", () => {
    assert.equal(formatValue("str"), "str");
    assert.equal(formatValue(42), "42");
    assert.equal(formatValue(-7), "-7");
    assert.equal(formatValue(true), "true");
    assert.equal(formatValue(null), "<nil>");
    assert.equal(formatValue(undefined), "<nil>");
    assert.equal(formatValue(9007199254740993n), "9007199254740993");
  });

  test("floats print like Go's %v: shortest digits, exponent form when the decimal exponent is < -4 or >= 6", () => {
    assert.equal(formatValue(1.5), "1.5");
    assert.equal(formatValue(1e21), "1e+21");
    assert.equal(formatValue(1e20), "1e+20");
    assert.equal(formatValue(0.1 + 0.2), "0.30000000000000004");
    assert.equal(formatValue(1e-5), "1e-05");
    assert.equal(formatValue(0.0001), "0.0001");
    assert.equal(formatValue(1234567.5), "1.2345675e+06");
    assert.equal(formatValue(-0), "-0");
    assert.equal(formatValue(Infinity), "+Inf");
    assert.equal(formatValue(-Infinity), "-Inf");
    assert.equal(formatValue(NaN), "NaN");
  });

  test("integral numbers are Go ints", () => {
    assert.equal(formatValue(1e6), "1000000");
    assert.equal(formatValue(123456), "123456");
  });

  test("Stringers (own or inherited) and errors", () => {
    assert.equal(formatValue(new S()), "S!");
    class Sub extends S {}
    assert.equal(formatValue(new Sub()), "S!");
    assert.equal(formatValue({ String: () => "own" }), "own");
    assert.equal(formatValue(new Error("e!")), "e!");
    // String(x) with a parameter is not a fmt.Stringer
    assert.equal(formatValue({ A: 1, String: (x: unknown) => x }), "{1 0x0}");
  });

  test("arrays, Maps (sorted keys) and structs", () => {
    assert.equal(formatValue(["a", "b"]), "[a b]");
    assert.equal(formatValue([]), "[]");
    assert.equal(formatValue([1, [2, 3], "x"]), "[1 [2 3] x]");
    assert.equal(formatValue([new S(), new S()]), "[S! S!]");
    assert.equal(
      formatValue(
        new Map<string, unknown>([
          ["b", [1]],
          ["a", null],
        ]),
      ),
      "map[a:<nil> b:[1]]",
    );
    assert.equal(formatValue({ Name: "n", Tags: ["x"], N: null }), "{n [x] <nil>}");
    assert.equal(formatValue([null, 1]), "[<nil> 1]");
    assert.equal(formatValue(nilPointer(S)), "<nil>");
  });

  test("pointer types print as &{...} (goType starting with *)", () => {
    class P {
      static goType = "*main.P";
      A = 1;
    }
    assert.equal(formatValue(new P()), "&{1}");
    assert.equal(sprintf("%+v", new P()), "&{A:1}");
  });

  test("cyclic structures do not recurse forever", () => {
    const a: Record<string, unknown> = { N: 1 };
    a["Self"] = a;
    assert.equal(formatValue(a), "{1 <cycle>}");
  });

  test("errors thrown by String() propagate", () => {
    assert.throws(
      () =>
        formatValue({
          String() {
            throw new Error("boom");
          },
        }),
      { message: "boom" },
    );
  });
});

describe("sprint / sprintln", () => {
  test("print adds spaces only between two non-string operands", () => {
    assert.equal(sprint("a", 1, 2, "b", "c", 3.5, true, null, null), "a1 2bc3.5 true <nil> <nil>");
    assert.equal(sprint(), "");
  });

  test("println always adds spaces and a newline", () => {
    assert.equal(sprintln("a", 1, null), "a 1 <nil>\n");
    assert.equal(sprintln(), "\n");
  });
});

describe("sprintf", () => {
  test("%v / %+v / %s / %q / %x / %d of composites", () => {
    assert.equal(sprintf("%v|%+v|%s|%q|%x|%d", ["a", "b"], ["a", "b"], ["a", "b"], ["a", "b"], ["a", "b"], [1, 2]), '[a b]|[a b]|[a b]|["a" "b"]|[61 62]|[1 2]');
    assert.equal(sprintf("%v|%+v", { Name: "n", Tags: ["x"], N: null }, { Name: "n", Tags: [], N: null }), "{n [x] <nil>}|{Name:n Tags:[] N:<nil>}");
  });

  test("Stringers with string verbs", () => {
    assert.equal(sprintf("%v|%s|%q|%x|%10v|%-4s|", new S(), new S(), new S(), new S(), new S(), new S()), 'S!|S!|"S!"|5321|        S!|S!  |');
    assert.equal(sprintf("%s\n", new S()), "S!\n");
    assert.equal(sprintf("%v|%s|%q", new Error("e!"), new Error("e!"), new Error("e!")), 'e!|e!|"e!"');
  });

  test("%q is strconv.Quote", () => {
    assert.equal(sprintf("%q", "hello world"), '"hello world"');
    assert.equal(
      sprintf("%q", "\x07\b\f\n\r\t\v\x00\x7f\"\\'é\u00a0\u200b\u{1F600}\ufeff"),
      '"\\a\\b\\f\\n\\r\\t\\v\\x00\\x7f\\"\\\\\'é\\u00a0\\u200b\u{1F600}\\ufeff"',
    );
    assert.equal(sprintf("%+q|%#q|%#q|%#+q", "é\u{1F600}", "a`b", "ab\tc", "é"), '"\\u00e9\\U0001f600"|"a`b"|`ab\tc`|`é`');
  });

  test("missing, extra and wrongly-typed arguments", () => {
    assert.equal(sprintf("%s %d %s", "only"), "only %!d(MISSING) %!s(MISSING)");
    assert.equal(sprintf("%s", "a", 1, "b", null, ["x"]), "a%!(EXTRA int=1, string=b, <nil>, []string=[x])");
    assert.equal(sprintf("%d|%s|%t|%x|%e|%c", "s", 1, "t", true, "e", "c"), "%!d(string=s)|%!s(int=1)|%!t(string=t)|%!x(bool=true)|%!e(string=e)|%!c(string=c)");
    assert.equal(sprintf("%!|%z|%-|%5.|%[2]d %[1]d|%[3]d", 1, 2), "%!!(int=1)|%!z(int=2)|%!|(MISSING)%!|(MISSING)2 1|%!d(BADINDEX)");
    assert.equal(sprintf("%s|%d", null, null), "%!s(<nil>)|%!d(<nil>)");
    assert.equal(sprintf("abc%"), "abc%!(NOVERB)");
    assert.equal(sprintf("100%%"), "100%");
  });

  test("width, precision and flags", () => {
    assert.equal(sprintf("%5s|%-10s|%05d|%.2f", "ab", "ab", 42, 3.14159), "   ab|ab        |00042|3.14");
    assert.equal(sprintf("%*d|%-*d|%.*f|%*s", 4, 1, 4, 2, 1, 3.14159, -4, "x"), "   1|2   |3.1|x   ");
    assert.equal(sprintf("%6.2f|%-8.3e|%+.0f|% .1f|%08.2f|%x|%X", 3.14159, 1234.5, 2.5, 1.25, -1.5, 255, 3054), "  3.14|1.234e+03|+2| 1.2|-0001.50|ff|BEE");
    assert.equal(sprintf("%5t|%-6v|%05d|%+05d|%x|%#o|%b|%o|%#b", true, false, -12, 12, -255, 8, 5, 64, 5), " true|false |-0012|+0012|-ff|010|101|100|0b101");
    assert.equal(sprintf("%.3s|%.10s|%5.1s|%-5.2s|%.0s|", "abcdef", "ab", "xyz", "日本語", "gone"), "abc|ab|    x|日本   ||");
    assert.equal(sprintf("%08.3f|%+08.3f|%-08.3f|%08s|%-08s|%08q", 3.14159, 3.14159, 3.14159, "ab", "ab", "ab"), '0003.142|+003.142|3.142   |000000ab|ab      |0000"ab"');
  });

  test("%c %U %q of runes", () => {
    assert.equal(sprintf("%c%c%c|%U|%#U|%q|%+q", 72, 105, 0x1f600, 0x2318, 0x2318, 0x78, 0x2318), "Hi\u{1F600}|U+2318|U+2318 '⌘'|'x'|'\\u2318'");
  });

  test("float rounding is exact (round half to even on exact ties)", () => {
    assert.equal(sprintf("%.2f|%.2f|%.2f|%.1f|%.1f|%.0f|%.0f|%.3e|%.2e", 2.675, 1.005, 0.125, 0.25, 0.35, 0.5, 1.5, 1.0005, 9.995), "2.67|1.00|0.12|0.2|0.3|0|2|1.000e+00|9.99e+00");
    assert.equal(sprintf("%g|%g|%g|%G|%.3g|%.3g|%g|%g", 1e-4, 1e-5, 123456789.0, 1e-10, 1234.5678, 0.00012345, 100.0, 2.5e100), "0.0001|1e-05|1.23456789e+08|1E-10|1.23e+03|0.000123|100|2.5e+100");
    assert.equal(sprintf("%v|%v|%.2f|%5.1f|%e|%v", Infinity, -Infinity, Infinity, -Infinity, Infinity, NaN), "+Inf|-Inf|+Inf| -Inf|+Inf|NaN");
  });

  test("integral numbers with float verbs are formatted as floats", () => {
    // JS cannot tell 1 from 1.0; Go would print %!f(int=1) for a real int.
    assert.equal(sprintf("%f|%.1e|%g", 1, 100, 1e6), "1.000000|1.0e+02|1e+06");
  });

  test("%T", () => {
    assert.equal(sprintf("%T %T %T %T %T %T %T", 1, 2.5, "s", true, ["a"], new Map([["k", "v"]]), null), "int float64 string bool []string map[string]string <nil>");
  });

  test("nil elements of composites", () => {
    assert.equal(sprintf("%v %d", [null, 1], [null, 1]), "[<nil> 1] [<nil> 1]");
  });
});
