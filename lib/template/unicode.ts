// Small re-implementations of the bits of Go's unicode / unicode/utf8 packages
// that text/template and fmt depend on.
//
// Go strings are UTF-8 byte sequences while JS strings are UTF-16; wherever Go
// counts *bytes* (len, column numbers in error messages, %x of a string) we
// must convert explicitly, and wherever Go counts *runes* (fmt width and
// precision) we count code points.

const PRINT_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const LETTER_RE = /^\p{L}$/u;
const DIGIT_RE = /^\p{Nd}$/u;

/** Go's unicode.IsPrint / strconv.IsPrint: categories L, M, N, P, S plus ASCII space. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return PRINT_RE.test(String.fromCodePoint(r));
}

/** Go's unicode.IsLetter. */
export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return LETTER_RE.test(String.fromCodePoint(r));
}

/** Go's unicode.IsDigit (category Nd). */
export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return DIGIT_RE.test(String.fromCodePoint(r));
}

// Go's unicode.IsSpace: '\t', '\n', '\v', '\f', '\r', ' ', U+0085 (NEL),
// U+00A0 (NBSP) and the Unicode White_Space characters of category Z.
// (JS's \s differs: it includes U+FEFF and excludes U+0085.)
const GO_SPACE_CLASS = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_SPACE_RE = new RegExp(`^[${GO_SPACE_CLASS}]+|[${GO_SPACE_CLASS}]+$`, "g");

/** Go's strings.TrimSpace / bytes.TrimSpace. */
export function goTrimSpace(s: string): string {
  return s.replace(TRIM_SPACE_RE, "");
}

/** Number of bytes of the UTF-8 encoding of s (Go's len(s)). */
export function byteLength(s: string): number {
  // Fast path: pure ASCII strings are by far the most common.
  let i = 0;
  const n = s.length;
  while (i < n && s.charCodeAt(i) < 0x80) i++;
  if (i === n) return n;
  return Buffer.byteLength(s, "utf8");
}

const SURROGATE_RE = /[\ud800-\udfff]/;

/** Number of runes (code points) in s: Go's utf8.RuneCountInString. */
export function runeCount(s: string): number {
  if (!SURROGATE_RE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single rune.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-8 bytes of s. */
export function utf8Bytes(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}

/** Decode UTF-8 bytes (invalid sequences become U+FFFD). */
export function utf8Decode(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
}

/**
 * Compare two strings the way Go does (byte-wise on UTF-8), which is the same
 * as comparing code points; JS's `<` compares UTF-16 code units, which orders
 * astral characters differently from U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE_RE.test(a) && !SURROGATE_RE.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
