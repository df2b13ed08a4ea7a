// Bytes that are not UTF-8 survive decoding and encoding (lib/lossless-text.ts), and goQuote writes
// them as Go's %q does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeLossless, encodeLossless, hasEscapedBytes } from '../../lib/lossless-text.js';
import { goQuote } from '../../lib/manifest/gostr.js';

test('valid UTF-8 decodes as usual and carries no escaped bytes', () => {
  const text = 'FROM café 🐳 \u{10ffff}';
  const s = decodeLossless(Buffer.from(text, 'utf8'));
  assert.equal(s, text);
  assert.equal(hasEscapedBytes(s), false);
  // a real pair whose low half is in U+DC80-U+DCFF is a character, not an escaped byte
  assert.deepEqual(encodeLossless('\u{10c80}'), Buffer.from('\u{10c80}', 'utf8'));
});

test('invalid bytes round-trip: Latin-1, truncated and overlong sequences, encoded surrogates, random data', () => {
  const cases = [
    Buffer.concat([Buffer.from('FROM caf'), Buffer.from([0xe9])]),
    Buffer.from([0xe2, 0x82]), // a truncated €
    Buffer.from([0xc0, 0xaf]), // overlong "/"
    Buffer.from([0xed, 0xa0, 0x80]), // U+D800 encoded
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
    Buffer.from([0xff, 0x41, 0xfe]),
  ];
  for (let i = 0; i < 200; i++) cases.push(randomBytes(1 + (i % 64)));
  for (const bytes of cases) assert.deepEqual(encodeLossless(decodeLossless(bytes)), bytes, bytes.toString('hex'));
  assert.equal(decodeLossless(Buffer.from([0x61, 0xe9, 0x62])), 'a\udce9b');
});

test('goQuote writes an escaped byte as \\xNN (Go quotes the raw byte so)', () => {
  assert.equal(goQuote(decodeLossless(Buffer.from([0x63, 0x61, 0x66, 0xe9]))), '"caf\\xe9"');
  assert.equal(goQuote('café'), '"café"');
});
