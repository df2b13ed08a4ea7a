// Bytes that are not UTF-8 (a Latin-1 `FROM café` in a Dockerfile) must come out byte for byte, as
// the reference (Go strings are bytes) prints them. JS strings are UTF-16, so such bytes are carried
// the way Python's "surrogateescape" does: each byte 0x80-0xFF that is not part of valid UTF-8
// becomes the lone low surrogate U+DC80-U+DCFF, which valid text never contains, and is turned back
// into that byte when written out (Output) or quoted (goQuote writes `\xNN`, as Go's %q does).
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;

/** The length of the valid UTF-8 sequence at bytes[i] (1-4), or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const cont = (k: number) => i + k < bytes.length && (bytes[i + k]! & 0xc0) === 0x80;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const b1 = bytes[i + 1]!;
    if (b === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b === 0xed && b1 >= 0xa0) return 0; // a UTF-16 surrogate, not a character
    return 3;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const b1 = bytes[i + 1]!;
    if (b === 0xf0 && b1 < 0x90) return 0; // overlong
    if (b === 0xf4 && b1 >= 0x90) return 0; // beyond U+10FFFF
    return 4;
  }
  return 0;
}

/** UTF-8 bytes to a string, every byte that is not valid UTF-8 kept as U+DC80-U+DCFF. */
export function decodeLossless(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const n = sequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', start, i) + String.fromCharCode(ESCAPE_BASE + buf[i]!);
    i++;
    start = i;
  }
  return out + buf.toString('utf8', start);
}

/** An escaped byte (a lone U+DC80-U+DCFF, not the second half of a surrogate pair). */
const ESCAPED = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** Whether s carries bytes that are not UTF-8 (see decodeLossless). */
export function hasEscapedBytes(s: string): boolean {
  return ESCAPED.test(s);
}

/** The escaped byte of a UTF-16 unit at s[i], or -1. */
export function escapedByteAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xdc80 || c > 0xdcff) return -1;
  const before = i > 0 ? s.charCodeAt(i - 1) : 0;
  return before >= 0xd800 && before <= 0xdbff ? -1 : c - ESCAPE_BASE;
}

/** A string to bytes: UTF-8, with escaped bytes written back as themselves. */
export function encodeLossless(s: string): Buffer {
  if (!hasEscapedBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const b = escapedByteAt(s, i);
    if (b < 0) continue;
    parts.push(Buffer.from(s.slice(start, i), 'utf8'), Buffer.from([b]));
    start = i + 1;
  }
  parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}
