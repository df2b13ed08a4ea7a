// Small ports of Go standard-library behaviour that leaks into bashbrew's user-visible text:
// `%q` quoting, unicode.IsSpace trimming and path.Clean.

/** Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space characters. */
export function isGoSpace(code: number): boolean {
  if (code <= 0xff) {
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 || code === 0xa0;
  }
  return code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000;
}

/** strings.TrimSpace (Unicode whitespace). None of Go's spaces are astral, so UTF-16 units suffice. */
export function trimGoSpace(s: string): string {
  // fast path (start-up runs this cold, per line): printable ASCII at both ends
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(s.length - 1);
  if (a > 0x20 && a < 0x7f && z > 0x20 && z < 0x7f) return s;
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** strings.TrimRightFunc(s, unicode.IsSpace). */
export function trimGoSpaceRight(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** strings.Trim(s, "\n\r\t ") — the "strip set" used for list values. */
export function trimStripSet(s: string): string {
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(s.length - 1);
  if (a > 0x20 && z > 0x20) return s;
  let start = 0;
  let end = s.length;
  const strip = (c: number) => c === 0x0a || c === 0x0d || c === 0x09 || c === 0x20;
  while (start < end && strip(s.charCodeAt(start))) start++;
  while (end > start && strip(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

const HEX = '0123456789abcdef';

function isPrintable(cp: number): boolean {
  // An approximation of Go's strconv.IsPrint good enough for manifest text: control characters,
  // surrogates, the C1 block, soft hyphen, private/unassigned planes and a few format characters
  // are not printable; everything else is.
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
  if (cp === 0xad) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f)) return false;
  if (cp === 0xfeff || cp === 0xfffe || cp === 0xffff) return false;
  if (cp >= 0xe000 && cp <= 0xf8ff) return false;
  if (cp >= 0xf0000) return false;
  if (cp === 0x2000 || (cp > 0x2000 && cp <= 0x200a) || cp === 0x3000 || cp === 0x1680 || cp === 0x205f) return false;
  return true;
}

/** Go's strconv.Quote / `%q` of a string. Escaped non-UTF-8 bytes are written `\xNN`, other lone surrogates \ufffd. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (cp) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x07: out += '\\a'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x0b: out += '\\v'; continue;
    }
    if (cp < 0x80) {
      out += cp < 0x20 || cp === 0x7f ? '\\x' + HEX[cp >> 4] + HEX[cp & 15] : ch;
    } else if (cp >= 0xdc80 && cp <= 0xdcff) {
      // a byte that was not UTF-8 (lib/lossless-text.ts): Go quotes it as \xNN
      out += '\\x' + HEX[(cp - 0xdc00) >> 4] + HEX[cp & 15];
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd';
    } else if (isPrintable(cp)) {
      out += ch;
    } else if (cp < 0x10000) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return '[' + list.map(goQuote).join(' ') + ']';
}

/** Go's path.Clean (POSIX, lexical). */
const NEEDS_CLEANING = /\/\/|(?:^|\/)\.\.?(?:\/|$)|.\/$/;

export function cleanPath(p: string): string {
  if (p === '') return '.';
  if (!NEEDS_CLEANING.test(p)) return p;
  const rooted = p.charCodeAt(0) === 0x2f;
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's path.Join: join non-empty elements with "/" and Clean the result; all empty → "". */
export function joinPath(...elems: string[]): string {
  const nonEmpty = elems.filter((e) => e !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}
