// A port of Go's fmt printer (fmt/print.go + fmt/format.go) over the JS value
// model described in value.ts. It provides Sprint, Sprintln, Sprintf and the
// %v formatting the template engine uses to print values.
//
// The structure deliberately mirrors Go's (printArg → handleMethods →
// printValue, with a `fmt` layer doing padding), because many observable
// details — e.g. that width applies to each element of a slice, that
// %!verb(type=value) is printed without calling String(), or that %05s pads
// with zeros — fall out of that structure.

import {
  canBackquote,
  formatFloat,
  quote,
  quoteRune,
  quoteToASCII,
} from "./strconv.js";
import { isPrint, runeCount, utf8Bytes, utf8Decode } from "./unicode.js";
import { declaredGoType, findMember, goTypeName, isGoInt, NilPointer, sortedEntries } from "./value.js";

const LDIGITS = "0123456789abcdefx";
const UDIGITS = "0123456789ABCDEFX";

/** fmt's flags; cleared before each verb. */
class Flags {
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  // %+v and %#v are flagless formats of their own.
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
}

const FLOAT_ONLY_VERBS: ReadonlySet<string> = new Set(["e", "E", "f", "F", "g", "G"]);

/** Marker for "p.value is not set" (distinct from undefined, which is a value). */
const NONE: unique symbol = Symbol("none");

function isStringerArg(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

class Printer {
  out = "";
  f = new Flags();
  /** The current operand, as Go's p.arg (NONE when printing via p.value). */
  arg: unknown = NONE;
  value: unknown = NONE;
  erroring = false;
  /** Template output dereferences pointers before printing (Go's printableValue): no "&{...}". */
  indirectTop = false;
  /**
   * Composites being printed. Go prints nested pointers as addresses, so
   * it never recurses into a cycle; we print structs in full, so guard.
   */
  visiting = new Set<object>();
  reordered = false;
  goodArgNum = true;

  // ------------------------------------------------------------------
  // The `fmt` layer: padding and basic conversions (fmt/format.go).

  writePadding(n: number): void {
    if (n <= 0) return;
    this.out += (this.f.zero && !this.f.minus ? "0" : " ").repeat(n);
  }

  /** Append s padded to the width (counted in runes) on the left or right. */
  pad(s: string): void {
    const f = this.f;
    if (!f.widPresent || f.wid === 0) {
      this.out += s;
      return;
    }
    const width = f.wid - runeCount(s);
    if (!f.minus) {
      this.writePadding(width);
      this.out += s;
    } else {
      this.out += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? "true" : "false");
  }

  /** Format a rune as "U+0078", or "U+0078 'x'" with the # flag. */
  fmtUnicode(u: bigint): void {
    const f = this.f;
    let prec = 4;
    if (f.precPresent && f.prec > 4) prec = f.prec;
    let s = "U+" + u.toString(16).toUpperCase().padStart(prec, "0");
    if (f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const oldZero = f.zero;
    f.zero = false;
    this.pad(s);
    f.zero = oldZero;
  }

  /** fmt.fmtInteger: u is the (signed) value; digits selects the case of hex letters. */
  fmtIntegerBase(v: bigint, base: number, verb: string, digits: string): void {
    const f = this.f;
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      // Precision 0 and value 0 means "print nothing" but padding.
      if (prec === 0 && u === 0n) {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--; // leave room for sign
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (f.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8) {
        if (s[0] !== "0") s = "0" + s;
      } else if (base === 16) s = "0" + digits[16] + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (f.plus) s = "+" + s;
    else if (f.space) s = " " + s;
    // Zero padding was handled above as precision.
    const oldZero = f.zero;
    f.zero = false;
    this.pad(s);
    f.zero = oldZero;
  }

  truncateString(s: string): string {
    const f = this.f;
    if (f.precPresent) {
      let n = f.prec;
      for (let i = 0; i < s.length; ) {
        n--;
        if (n < 0) return s.slice(0, i);
        const c = s.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncateString(s));
  }

  /** %x / %X of a string or byte slice: hex of its (UTF-8) bytes. */
  fmtSbx(b: Uint8Array, digits: string): void {
    const f = this.f;
    let length = b.length;
    if (f.precPresent && f.prec < length) length = f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) this.writePadding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width);
    let s = "";
    if (f.sharp) s += "0" + digits[16];
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        s += " ";
        if (f.sharp) s += "0" + digits[16];
      }
      const c = b[i] as number;
      s += (digits[c >> 4] as string) + (digits[c & 0xf] as string);
    }
    this.out += s;
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width);
  }

  fmtQ(s: string): void {
    const f = this.f;
    s = this.truncateString(s);
    if (f.sharp && canBackquote(s)) {
      this.pad("`" + s + "`");
      return;
    }
    this.pad(f.plus ? quoteToASCII(s) : quote(s));
  }

  fmtC(c: bigint): void {
    let r = c > 0x10ffffn || c < 0n ? 0xfffd : Number(c);
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    this.pad(String.fromCodePoint(r));
  }

  fmtQc(c: bigint): void {
    const r = c > 0x10ffffn || c < 0n ? 0xfffd : Number(c);
    this.pad(quoteRune(r, this.f.plus));
  }

  /** fmt.fmtFloat: format with strconv, then apply sign, # and padding rules. */
  fmtFloatRaw(v: number, verb: string, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      // keep sign
    } else {
      num = "+" + num;
    }
    if (f.space && num[0] === "+" && !f.plus) num = " " + num.slice(1);
    // Infinities and NaN don't look like numbers: no zero padding.
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = f.zero;
      f.zero = false;
      if (num[1] === "N" && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = oldZero;
      return;
    }
    // The sharp flag forces printing a decimal point for non-binary formats
    // and retains trailing zeros, which we may need to restore.
    if (f.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = "";
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      let body = num;
      for (let i = 1; i < body.length; i++) {
        const ch = body[i] as string;
        if (ch === ".") {
          hasDecimalPoint = true;
          continue;
        }
        if (ch === "p" || ch === "P") {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if ((ch === "e" || ch === "E") && verb !== "x" && verb !== "X") {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if (ch !== "0") sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === "0") digits--;
        body += ".";
      }
      while (digits > 0) {
        body += "0";
        digits--;
      }
      num = body + tail;
    }
    if (f.plus || num[0] !== "+") {
      // With zero padding the sign goes before the zeros.
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0];
        this.writePadding(f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // ------------------------------------------------------------------
  // The printer layer (fmt/print.go).

  badVerb(verb: string): void {
    this.erroring = true;
    this.out += "%!" + verb + "(";
    if (this.arg !== NONE && this.arg !== undefined && this.arg !== null) {
      const a = this.arg;
      this.out += goTypeName(a) + "=";
      this.printArg(a, "v");
    } else if (this.value !== NONE && this.value !== undefined && this.value !== null) {
      const v = this.value;
      this.out += goTypeName(v) + "=";
      this.printValue(v, "v", 0);
    } else {
      this.out += "<nil>";
    }
    this.out += ")";
    this.erroring = false;
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  fmtInteger(v: bigint, verb: string): void {
    switch (verb) {
      case "v":
      case "d":
        // Fast path for the overwhelmingly common flagless case.
        if (!this.f.widPresent && !this.f.precPresent && !this.f.plus && !this.f.space) {
          this.out += v.toString();
          return;
        }
        this.fmtIntegerBase(v, 10, verb, LDIGITS);
        return;
      case "b":
        this.fmtIntegerBase(v, 2, verb, LDIGITS);
        return;
      case "o":
      case "O":
        this.fmtIntegerBase(v, 8, verb, LDIGITS);
        return;
      case "x":
        this.fmtIntegerBase(v, 16, verb, LDIGITS);
        return;
      case "X":
        this.fmtIntegerBase(v, 16, verb, UDIGITS);
        return;
      case "c":
        this.fmtC(v);
        return;
      case "q":
        this.fmtQc(v);
        return;
      case "U":
        this.fmtUnicode(BigInt.asUintN(64, v));
        return;
      default:
        this.badVerb(verb);
    }
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        this.fmtFloatRaw(v, "g", -1);
        return;
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        this.fmtFloatRaw(v, verb, -1);
        return;
      case "f":
      case "e":
      case "E":
        this.fmtFloatRaw(v, verb, 6);
        return;
      case "F":
        this.fmtFloatRaw(v, "f", 6);
        return;
      default:
        this.badVerb(verb);
    }
  }

  /**
   * JS numbers don't say whether they were Go ints or float64s; integral
   * values are ints, except that the float-only verbs (%e %f %g) format
   * them as floats rather than failing with %!f(int=1).
   */
  fmtNumber(v: number, verb: string): void {
    if (isGoInt(v) && !FLOAT_ONLY_VERBS.has(verb)) this.fmtInteger(BigInt(v), verb);
    else this.fmtFloat(v, verb);
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        this.fmtS(v);
        return;
      case "x":
        this.fmtSbx(utf8Bytes(v), LDIGITS);
        return;
      case "X":
        this.fmtSbx(utf8Bytes(v), UDIGITS);
        return;
      case "q":
        this.fmtQ(v);
        return;
      default:
        this.badVerb(verb);
    }
  }

  fmtBytes(v: Uint8Array, verb: string): void {
    switch (verb) {
      case "v":
      case "d":
        if (this.f.sharpV) {
          this.out += "[]byte{";
          v.forEach((c, i) => {
            if (i > 0) this.out += ", ";
            this.out += "0x" + c.toString(16);
          });
          this.out += "}";
        } else {
          this.out += "[";
          v.forEach((c, i) => {
            if (i > 0) this.out += " ";
            this.fmtIntegerBase(BigInt(c), 10, verb, LDIGITS);
          });
          this.out += "]";
        }
        return;
      case "s":
        this.fmtS(utf8Decode(v));
        return;
      case "x":
        this.fmtSbx(v, LDIGITS);
        return;
      case "X":
        this.fmtSbx(v, UDIGITS);
        return;
      case "q":
        this.fmtQ(utf8Decode(v));
        return;
      default:
        this.printList(Array.from(v), verb, 0, () => "[]uint8");
    }
  }

  /**
   * Use the value's Error() / String() method if the verb accepts strings.
   * Errors thrown by String() propagate to the caller.
   */
  handleMethods(verb: string): boolean {
    if (this.erroring) return false;
    const arg = this.arg;
    if (verb === "w") {
      // %w is only valid in Errorf.
      this.badVerb(verb);
      return true;
    }
    if (!isStringerArg(arg)) return false;
    if (this.f.sharpV) {
      const gs = findMember(arg, "GoString");
      if (gs.kind === "method" && !(arg instanceof NilPointer)) {
        this.fmtS(String(gs.fn.call(arg)));
        return true;
      }
      return false;
    }
    if (verb !== "v" && verb !== "s" && verb !== "x" && verb !== "X" && verb !== "q") return false;
    if (arg instanceof NilPointer) {
      // Go calls String() through the nil pointer, which panics; fmt
      // catches that and prints "<nil>".
      if (arg.hasMethod("String") || arg.hasMethod("Error")) {
        this.out += "<nil>";
        return true;
      }
      return false;
    }
    if (arg instanceof Error) {
      this.fmtString(arg.message, verb);
      return true;
    }
    const m = findMember(arg, "String");
    // Only String() with no parameters makes a fmt.Stringer.
    if (m.kind === "method" && m.fn.length === 0) {
      this.fmtString(String(m.fn.call(arg)), verb);
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    this.value = NONE;
    if (arg === undefined || arg === null) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb);
      return;
    }
    if (verb === "T") {
      this.fmtS(goTypeName(arg));
      return;
    }
    switch (typeof arg) {
      case "boolean":
        this.fmtBool(arg, verb);
        return;
      case "number":
        this.fmtNumber(arg, verb);
        return;
      case "bigint":
        this.fmtInteger(arg, verb);
        return;
      case "string":
        this.fmtString(arg, verb);
        return;
    }
    if (arg instanceof Uint8Array) {
      this.fmtBytes(arg, verb);
      return;
    }
    if (verb === "p") {
      this.badVerb(verb);
      return;
    }
    if (!this.handleMethods(verb)) this.printValue(arg, verb, 0);
  }

  /** A slice; typeName is only needed (and computed) for %#v. */
  printList(items: readonly unknown[], verb: string, depth: number, typeName: () => string): void {
    if (this.f.sharpV) {
      this.out += typeName() + "{";
      items.forEach((e, i) => {
        if (i > 0) this.out += ", ";
        this.printValue(e, verb, depth + 1);
      });
      this.out += "}";
      return;
    }
    this.out += "[";
    items.forEach((e, i) => {
      if (i > 0) this.out += " ";
      this.printValue(e, verb, depth + 1);
    });
    this.out += "]";
  }

  /** Go's printValue: composite values are walked element by element with the same verb and flags. */
  printValue(value: unknown, verb: string, depth: number): void {
    // Elements of composites get the Stringer/error treatment too.
    if (depth > 0 && isStringerArg(value)) {
      this.arg = value;
      if (this.handleMethods(verb)) return;
    }
    this.arg = NONE;
    this.value = value;
    if (value === undefined || value === null) {
      // A nil element of a []interface{} / map / struct field.
      this.out += "<nil>";
      return;
    }
    switch (typeof value) {
      case "boolean":
        this.fmtBool(value, verb);
        return;
      case "number":
        this.fmtNumber(value, verb);
        return;
      case "bigint":
        this.fmtInteger(value, verb);
        return;
      case "string":
        this.fmtString(value, verb);
        return;
      case "function":
        // Go prints a func's address; there is no meaningful equivalent.
        if (verb === "v") this.pad("0x0");
        else this.badVerb(verb);
        return;
    }
    if (value instanceof NilPointer) {
      // fmtPointer on a nil pointer.
      switch (verb) {
        case "v":
          this.pad("<nil>");
          return;
        case "b":
        case "o":
        case "d":
        case "x":
        case "X":
          this.fmtInteger(0n, verb);
          return;
        default:
          this.badVerb(verb);
          return;
      }
    }
    if (value instanceof Uint8Array) {
      if (verb === "s" || verb === "q" || verb === "x" || verb === "X") this.fmtBytes(value, verb);
      else this.printList(Array.from(value), verb, depth, () => "[]uint8");
      return;
    }
    if (this.visiting.has(value)) {
      this.out += "<cycle>";
      return;
    }
    this.visiting.add(value);
    try {
      this.printComposite(value, verb, depth);
    } finally {
      this.visiting.delete(value);
    }
  }

  /** Slices, maps and structs. */
  printComposite(value: object, verb: string, depth: number): void {
    if (Array.isArray(value)) {
      this.printList(value, verb, depth, () => goTypeName(value));
      return;
    }
    if (value instanceof Map) {
      const sorted = sortedEntries(value as Map<unknown, unknown>);
      this.out += this.f.sharpV ? goTypeName(value) + "{" : "map[";
      sorted.forEach(([k, v], i) => {
        if (i > 0) this.out += this.f.sharpV ? ", " : " ";
        this.printValue(k, verb, depth + 1);
        this.out += ":";
        this.printValue(v, verb, depth + 1);
      });
      this.out += this.f.sharpV ? "}" : "]";
      return;
    }
    // A struct: its own enumerable properties in order. A pointer to a
    // struct prints as &{...} at the top level (but not in template output).
    const obj = value as Record<string, unknown>;
    if (depth === 0 && !this.indirectTop && declaredGoType(value)?.startsWith("*")) {
      this.out += "&";
      depth++;
    }
    if (this.f.sharpV) this.out += goTypeName(value).replace(/^\*/, "");
    this.out += "{";
    Object.keys(obj).forEach((k, i) => {
      if (i > 0) this.out += this.f.sharpV ? ", " : " ";
      if (this.f.plusV || this.f.sharpV) this.out += k + ":";
      this.printValue(obj[k], verb, depth + 1);
    });
    this.out += "}";
  }

  // ------------------------------------------------------------------
  // Entry points.

  doPrint(a: readonly unknown[]): void {
    let prevString = false;
    a.forEach((arg, i) => {
      const isString = typeof arg === "string";
      // Add a space between two non-string arguments.
      if (i > 0 && !isString && !prevString) this.out += " ";
      this.printArg(arg, "v");
      prevString = isString;
    });
  }

  doPrintln(a: readonly unknown[]): void {
    a.forEach((arg, i) => {
      if (i > 0) this.out += " ";
      this.printArg(arg, "v");
    });
    this.out += "\n";
  }

  /** parsenum: returns [num, isnum, newi]. */
  parsenum(s: string, start: number, end: number): [number, boolean, number] {
    if (start >= end) return [0, false, end];
    let num = 0;
    let isnum = false;
    let i = start;
    for (; i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39; i++) {
      if (tooLarge(num)) return [0, false, end];
      num = num * 10 + (s.charCodeAt(i) - 0x30);
      isnum = true;
    }
    return [num, isnum, i];
  }

  /** intFromArg for '*' widths/precisions: [num, isInt, newArgNum]. */
  intFromArg(a: readonly unknown[], argNum: number): [number, boolean, number] {
    let num = 0;
    let isInt = false;
    let newArgNum = argNum;
    if (argNum < a.length) {
      const v = a[argNum];
      if (typeof v === "number" && isGoInt(v)) {
        num = v;
        isInt = true;
      } else if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
        num = Number(v);
        isInt = true;
      }
      newArgNum = argNum + 1;
      if (tooLarge(num)) {
        num = 0;
        isInt = false;
      }
    }
    return [num, isInt, newArgNum];
  }

  /** parseArgNumber for "[n]": [index, wid, ok]. */
  parseArgNumber(format: string, i: number): [number, number, boolean] {
    if (format.length - i < 3) return [0, 1, false];
    for (let j = i + 1; j < format.length; j++) {
      if (format[j] === "]") {
        const [width, ok, newi] = this.parsenum(format, i + 1, j);
        if (!ok || newi !== j) return [0, j - i + 1, false];
        return [width - 1, j - i + 1, true];
      }
    }
    return [0, 1, false];
  }

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== "[") return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = this.parseArgNumber(format, i);
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: for (let i = 0; i < end; ) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format.charCodeAt(i) !== 0x25) i++;
      if (i > lasti) this.out += format.slice(lasti, i);
      if (i >= end) break;
      i++; // skip '%'
      this.f = new Flags();
      const fl = this.f;
      // Flags.
      simpleFormat: for (; i < end; i++) {
        const c = format[i] as string;
        switch (c) {
          case "#":
            fl.sharp = true;
            break;
          case "0":
            fl.zero = true;
            break;
          case "+":
            fl.plus = true;
            break;
          case "-":
            fl.minus = true;
            break;
          case " ":
            fl.space = true;
            break;
          default:
            // Fast path for a lower-case verb without width/precision/index.
            if (c >= "a" && c <= "z" && argNum < a.length) {
              if (c === "v") {
                fl.sharpV = fl.sharp;
                fl.sharp = false;
                fl.plusV = fl.plus;
                fl.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }
      // Argument index?
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      // Width.
      if (i < end && format[i] === "*") {
        i++;
        [fl.wid, fl.widPresent, argNum] = this.intFromArg(a, argNum);
        if (!fl.widPresent) this.out += "%!(BADWIDTH)";
        if (fl.wid < 0) {
          fl.wid = -fl.wid;
          fl.minus = true;
          fl.zero = false;
        }
        afterIndex = false;
      } else {
        [fl.wid, fl.widPresent, i] = this.parsenum(format, i, end);
        if (afterIndex && fl.widPresent) this.goodArgNum = false;
      }
      // Precision.
      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === "*") {
          i++;
          [fl.prec, fl.precPresent, argNum] = this.intFromArg(a, argNum);
          if (fl.prec < 0) {
            fl.prec = 0;
            fl.precPresent = false;
          }
          if (!fl.precPresent) this.out += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [fl.prec, fl.precPresent, i] = this.parsenum(format, i, end);
          if (!fl.precPresent) {
            fl.prec = 0;
            fl.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.out += "%!(NOVERB)";
        break;
      }
      const cp = format.codePointAt(i) as number;
      const verb = String.fromCodePoint(cp);
      i += verb.length;
      if (verb === "%") {
        this.out += "%";
      } else if (!this.goodArgNum) {
        this.out += "%!" + verb + "(BADINDEX)";
      } else if (argNum >= a.length) {
        this.out += "%!" + verb + "(MISSING)";
      } else {
        if (verb === "v") {
          fl.sharpV = fl.sharp;
          fl.sharp = false;
          fl.plusV = fl.plus;
          fl.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    // Report extra arguments, unless they were accessed out of order.
    if (!this.reordered && argNum < a.length) {
      this.f = new Flags();
      this.out += "%!(EXTRA ";
      for (let k = argNum; k < a.length; k++) {
        if (k > argNum) this.out += ", ";
        const arg = a[k];
        if (arg === undefined || arg === null) {
          this.out += "<nil>";
        } else {
          this.out += goTypeName(arg) + "=";
          this.printArg(arg, "v");
        }
      }
      this.out += ")";
    }
  }
}

/** Go's fmt.Sprint. */
export function sprint(...args: unknown[]): string {
  const p = new Printer();
  p.doPrint(args);
  return p.out;
}

/** Go's fmt.Sprintln. */
export function sprintln(...args: unknown[]): string {
  const p = new Printer();
  p.doPrintln(args);
  return p.out;
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, ...args: unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.out;
}

/** Go's %v of a single value (fmt.Sprint(v)). */
export function formatValue(v: unknown): string {
  const p = new Printer();
  p.printArg(v, "v");
  return p.out;
}

/**
 * How {{.}} prints a value: fmt.Fprint of the value after dereferencing a
 * pointer (so a *T prints as {...}, not &{...}).
 */
export function formatTemplateValue(v: unknown): string {
  const p = new Printer();
  p.indirectTop = true;
  p.printArg(v, "v");
  return p.out;
}
