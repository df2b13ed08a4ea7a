// Re-implementation of the parts of Go's strconv package that text/template
// and fmt rely on: quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote),
// unquoting string/char literals (Unquote, UnquoteChar), Go-syntax number
// parsing (ParseInt/ParseUint/ParseFloat with base 0) and float formatting
// (FormatFloat for the 'e', 'f', 'g', 'b' and 'x' formats).

import { isPrint, utf8Decode } from "./unicode.js";

const LOWER_HEX = "0123456789abcdef";

/** Thrown for strconv.ErrSyntax; its message is Go's text. */
export class SyntaxError_ extends Error {
  constructor() {
    super("invalid syntax");
  }
}

function hexN(r: number, n: number): string {
  let s = "";
  for (let shift = (n - 1) * 4; shift >= 0; shift -= 4) {
    s += LOWER_HEX[Math.floor(r / 2 ** shift) & 0xf];
  }
  return s;
}

// appendEscapedRune from strconv/quote.go.
function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return "\\" + String.fromCodePoint(r);
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + hexN(r, 2);
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  if (r < 0x10000) return "\\u" + hexN(r, 4);
  return "\\U" + hexN(r, 8);
}

function quoteWith(s: string, quote: number, asciiOnly: boolean): string {
  const q = String.fromCharCode(quote);
  let out = q;
  let plainStart = 0;
  // Fast path: copy runs of printable ASCII that need no escaping.
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== quote && c !== 0x5c) {
      i++;
      continue;
    }
    out += s.slice(plainStart, i);
    let r = s.codePointAt(i) as number;
    const width = r > 0xffff ? 2 : 1;
    // A lone surrogate cannot come from valid UTF-8; once written out by
    // Node it becomes U+FFFD, so quote it as that.
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    out += escapeRune(r, quote, asciiOnly);
    i += width;
    plainStart = i;
  }
  return out + s.slice(plainStart) + q;
}

/** Go's strconv.Quote. */
export function quote(s: string): string {
  return quoteWith(s, 0x22, false);
}

/** Go's strconv.QuoteToASCII. */
export function quoteToASCII(s: string): string {
  return quoteWith(s, 0x22, true);
}

function validRune(r: number): boolean {
  return r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
}

/** Go's strconv.QuoteRune / QuoteRuneToASCII. */
export function quoteRune(r: number, asciiOnly = false): string {
  if (!validRune(r)) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

/** Go's strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (r >= 0x80) {
      if (r === 0xfeff || (r >= 0xd800 && r <= 0xdfff)) return false;
      continue;
    }
    if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Unquoting.

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

export interface UnquotedChar {
  /** The decoded value: a code point, or a raw byte when !multibyte. */
  value: number;
  /** True when value is a code point; false when it is a single byte (\x, octal, ASCII). */
  multibyte: boolean;
  /** Index in s just after the character. */
  next: number;
}

/**
 * Go's strconv.UnquoteChar applied to s starting at index i. Throws
 * SyntaxError_ ("invalid syntax") like Go.
 */
export function unquoteChar(s: string, i: number, quoteCh: number): UnquotedChar {
  if (i >= s.length) throw new SyntaxError_();
  const c = s.codePointAt(i) as number;
  if (c === quoteCh && (quoteCh === 0x27 || quoteCh === 0x22)) throw new SyntaxError_();
  if (c >= 0x80) {
    const r = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
    return { value: r, multibyte: true, next: i + (c > 0xffff ? 2 : 1) };
  }
  if (c !== 0x5c) return { value: c, multibyte: false, next: i + 1 };
  // Backslash escape.
  if (i + 1 >= s.length) throw new SyntaxError_();
  const e = s.charCodeAt(i + 1);
  let j = i + 2;
  switch (e) {
    case 0x61: // a
      return { value: 7, multibyte: false, next: j };
    case 0x62: // b
      return { value: 8, multibyte: false, next: j };
    case 0x66: // f
      return { value: 12, multibyte: false, next: j };
    case 0x6e: // n
      return { value: 10, multibyte: false, next: j };
    case 0x72: // r
      return { value: 13, multibyte: false, next: j };
    case 0x74: // t
      return { value: 9, multibyte: false, next: j };
    case 0x76: // v
      return { value: 11, multibyte: false, next: j };
    case 0x78: // x
    case 0x75: // u
    case 0x55: {
      // U
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      if (j + n > s.length) throw new SyntaxError_();
      let v = 0;
      for (let k = 0; k < n; k++) {
        const x = unhex(s.charCodeAt(j + k));
        if (x < 0) throw new SyntaxError_();
        v = v * 16 + x;
      }
      j += n;
      if (e === 0x78) return { value: v, multibyte: false, next: j };
      if (!validRune(v)) throw new SyntaxError_();
      return { value: v, multibyte: true, next: j };
    }
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37: {
      let v = e - 0x30;
      if (j + 2 > s.length) throw new SyntaxError_();
      for (let k = 0; k < 2; k++) {
        const x = s.charCodeAt(j + k) - 0x30;
        if (x < 0 || x > 7) throw new SyntaxError_();
        v = (v << 3) | x;
      }
      j += 2;
      if (v > 255) throw new SyntaxError_();
      return { value: v, multibyte: false, next: j };
    }
    case 0x5c:
      return { value: 0x5c, multibyte: false, next: j };
    case 0x27:
    case 0x22:
      if (e !== quoteCh) throw new SyntaxError_();
      return { value: e, multibyte: false, next: j };
    default:
      throw new SyntaxError_();
  }
}

function encodeUtf8(r: number, out: number[]): void {
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else out.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

/**
 * Go's strconv.Unquote for "..." and `...` literals (as produced by the
 * template lexer). Throws SyntaxError_ on malformed input.
 */
export function unquote(s: string): string {
  if (s.length < 2) throw new SyntaxError_();
  const q = s.charCodeAt(0);
  if (q === 0x60) {
    // Raw string: no escapes, but carriage returns are discarded.
    if (s.charCodeAt(s.length - 1) !== 0x60 || s.indexOf("`", 1) !== s.length - 1) throw new SyntaxError_();
    return s.slice(1, -1).replace(/\r/g, "");
  }
  if (q !== 0x22 && q !== 0x27) throw new SyntaxError_();
  const inner = s.slice(1, -1);
  if (s.charCodeAt(s.length - 1) !== q) throw new SyntaxError_();
  if (q === 0x22 && inner.indexOf("\\") < 0 && inner.indexOf("\n") < 0 && inner.indexOf('"') < 0) {
    return inner;
  }
  // Escapes may produce raw bytes (\xNN, octal), so build UTF-8 bytes and
  // decode at the end.
  const bytes: number[] = [];
  let i = 1;
  const end = s.length - 1;
  while (i < end) {
    if (s.charCodeAt(i) === 0x0a) throw new SyntaxError_();
    const u = unquoteChar(s, i, q);
    if (u.next > end) throw new SyntaxError_();
    if (u.value < 0x80 || !u.multibyte) bytes.push(u.value & 0xff);
    else encodeUtf8(u.value, bytes);
    i = u.next;
    if (q === 0x27) break;
  }
  if (i !== end) throw new SyntaxError_();
  return utf8Decode(Uint8Array.from(bytes));
}

// ---------------------------------------------------------------------------
// Number parsing (Go syntax, base 0).

function lower(c: string): string {
  return c.toLowerCase();
}

// Go's strconv.underscoreOK.
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "box".includes(lower(s[1] as string))) {
    i = 2;
    saw = "0";
    hex = lower(s[1] as string) === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= "0" && c <= "9") || (hex && lower(c) >= "a" && lower(c) <= "f")) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseUint(s, 0, 64); null on any error. */
export function parseUint(s: string): bigint | null {
  if (s.length === 0) return null;
  const s0 = s;
  let base = 10;
  if (s[0] === "0") {
    const p = s.length >= 3 ? lower(s[1] as string) : "";
    if (p === "b") {
      base = 2;
      s = s.slice(2);
    } else if (p === "o") {
      base = 8;
      s = s.slice(2);
    } else if (p === "x") {
      base = 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  const b = BigInt(base);
  for (const c of s) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = unhex(c.charCodeAt(0));
    if (d < 0 || d >= base) return null;
    n = n * b + BigInt(d);
    if (n > UINT64_MAX) return null;
  }
  if (underscores && !underscoreOK(s0)) return null;
  return n;
}

/** strconv.ParseInt(s, 0, 64); null on any error. */
export function parseInt64(s: string): bigint | null {
  if (s.length === 0) return null;
  let neg = false;
  let t = s;
  if (s[0] === "+") t = s.slice(1);
  else if (s[0] === "-") {
    neg = true;
    t = s.slice(1);
  }
  const u = parseUint(t);
  if (u === null) return null;
  if (!neg && u > INT64_MAX) return null;
  if (neg && u > INT64_MAX + 1n) return null;
  return neg ? -u : u;
}

const DEC_FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/;

/** strconv.ParseFloat(s, 64); null on any error (including out of range). */
export function parseFloat64(s: string): number | null {
  if (s.includes("_")) {
    if (!underscoreOK(s)) return null;
    s = s.replace(/_/g, "");
  }
  if (DEC_FLOAT_RE.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : null;
  }
  const m = HEX_FLOAT_RE.exec(s);
  if (m) {
    const [, sign, ip, fp, ep] = m as unknown as [string, string, string, string, string];
    if (ip.length + fp.length === 0) return null;
    const mant = BigInt("0x" + (ip + fp || "0"));
    const exp = Number(ep) - 4 * fp.length;
    const v = Number(mant) * 2 ** exp;
    if (!Number.isFinite(v)) return null;
    return sign === "-" ? -v : v;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Float formatting (strconv.FormatFloat / AppendFloat).

/** A decimal digit string: value = 0.d × 10^dp, with no trailing zeros. */
interface Decimal {
  d: string;
  dp: number;
}

const f64 = new DataView(new ArrayBuffer(8));

function floatBits(x: number): { mant: bigint; exp: number; denormal: boolean } {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & 0xfffffffffffffn;
  if (e === 0) return { mant: m, exp: 1 - 1023, denormal: true };
  return { mant: m | (1n << 52n), exp: e - 1023, denormal: false };
}

function trimZeros(d: string): string {
  let n = d.length;
  while (n > 0 && d.charCodeAt(n - 1) === 0x30) n--;
  return d.slice(0, n);
}

/** Exact decimal expansion of a finite positive double. */
function exactDecimal(x: number): Decimal {
  const { mant, exp } = floatBits(x);
  const exp2 = exp - 52; // x = mant × 2^exp2
  if (exp2 >= 0) {
    const digits = (mant << BigInt(exp2)).toString();
    return { d: trimZeros(digits), dp: digits.length };
  }
  const k = -exp2;
  // mant / 2^k == mant × 5^k / 10^k
  const digits = (mant * 5n ** BigInt(k)).toString();
  return { d: trimZeros(digits), dp: digits.length - k };
}

/** Shortest decimal that round-trips (JS's Number→string uses the same rule as Go). */
function shortestDecimal(x: number): Decimal {
  const s = String(x);
  let e = 0;
  let m = s;
  const ei = s.indexOf("e");
  if (ei >= 0) {
    e = Number(s.slice(ei + 1));
    m = s.slice(0, ei);
  }
  const dot = m.indexOf(".");
  const ip = dot >= 0 ? m.slice(0, dot) : m;
  const fp = dot >= 0 ? m.slice(dot + 1) : "";
  let digits = ip + fp;
  let dp = ip.length + e;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++;
  digits = digits.slice(lead);
  dp -= lead;
  return { d: trimZeros(digits), dp };
}

// decimal.Round with Go's round-half-to-even on exact ties.
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === a.d.length) {
    up = nd > 0 && (a.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  } else {
    up = c >= 0x35;
  }
  if (!up) return { d: trimZeros(a.d.slice(0, nd)), dp: a.dp };
  for (let i = nd - 1; i >= 0; i--) {
    const ch = a.d.charCodeAt(i);
    if (ch < 0x39) return { d: a.d.slice(0, i) + String.fromCharCode(ch + 1), dp: a.dp };
  }
  return { d: "1", dp: a.dp + 1 };
}

function fmtE(neg: boolean, d: Decimal, prec: number, fmt: string): string {
  let s = neg ? "-" : "";
  s += d.d.length === 0 ? "0" : (d.d[0] as string);
  if (prec > 0) {
    s += ".";
    const m = Math.min(d.d.length, prec + 1);
    let i = 1;
    if (i < m) {
      s += d.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) s += "0";
  }
  s += fmt;
  let exp = d.dp - 1;
  if (d.d.length === 0) exp = 0;
  if (exp < 0) {
    s += "-";
    exp = -exp;
  } else {
    s += "+";
  }
  s += exp < 10 ? "0" + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let s = neg ? "-" : "";
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    s += d.d.slice(0, m);
    for (let k = m; k < d.dp; k++) s += "0";
  } else {
    s += "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j >= 0 && j < d.d.length ? d.d[j] : "0";
    }
  }
  return s;
}

// %b: -ddddp±ddd (binary exponent).
function fmtB(neg: boolean, x: number): string {
  const { mant, exp } = floatBits(x);
  const e = exp - 52;
  return (neg ? "-" : "") + mant.toString() + "p" + (e >= 0 ? "+" : "") + e;
}

const MASK64 = (1n << 64n) - 1n;

// %x: -0x1.yyyyyyp±dd (hexadecimal mantissa, binary exponent).
function fmtX(neg: boolean, x: number, prec: number, fmt: string): string {
  let { mant, exp } = floatBits(x);
  if (x === 0) {
    mant = 0n;
    exp = 0;
  }
  mant = (mant << 8n) & MASK64; // leading bit at 1<<60
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant = (mant << 1n) & MASK64;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant = (mant << (60n - shift)) & MASK64;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === "X" ? "0123456789ABCDEF" : LOWER_HEX;
  let s = (neg ? "-" : "") + "0" + fmt + String(Number((mant >> 60n) & 1n));
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    s += ".";
    while (mant !== 0n) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  } else if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  }
  s += fmt === "X" ? "P" : "p";
  if (exp < 0) {
    s += "-";
    exp = -exp;
  } else {
    s += "+";
  }
  s += exp < 10 ? "0" + exp : String(exp);
  return s;
}

/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f g G b x X.
 * prec < 0 means "shortest representation that round-trips".
 */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  if (fmt === "b") return fmtB(neg, a);
  if (fmt === "x" || fmt === "X") return fmtX(neg, a, prec, fmt);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = a === 0 ? { d: "", dp: 0 } : shortestDecimal(a);
    if (fmt === "e" || fmt === "E") prec = Math.max(d.d.length - 1, 0);
    else if (fmt === "f") prec = Math.max(d.d.length - d.dp, 0);
    else prec = d.d.length;
  } else {
    d = a === 0 ? { d: "", dp: 0 } : exactDecimal(a);
    if (fmt === "e" || fmt === "E") d = roundDecimal(d, prec + 1);
    else if (fmt === "f") d = roundDecimal(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(d, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return fmtE(neg, d, prec, fmt);
    case "f":
      return fmtF(neg, d, prec);
    default: {
      // 'g' / 'G'
      let eprec = prec;
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
      // %e is used if the exponent from the conversion is less than -4 or
      // greater than or equal to the precision; Go uses 6 as the precision
      // for this decision in shortest mode (so 1e6 prints as "1e+06").
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.d.length) prec = d.d.length;
        return fmtE(neg, d, prec - 1, fmt === "g" ? "e" : "E");
      }
      if (prec > d.dp) prec = d.d.length;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
}
