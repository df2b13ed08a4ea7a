// The 144 real library files of the official images: all parse, and the canonical text of each
// re-parses to the same text (the printer is lossless for every real file).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifest } from '../../lib/manifest/parse.js';
import { corpusDir } from '../helpers/paths.js';

const files = readdirSync(corpusDir).sort();

test('the corpus has its 144 files and 2,121 entries', () => {
  assert.equal(files.length, 144);
  let entries = 0;
  for (const f of files) entries += parseManifest(readFileSync(join(corpusDir, f), 'utf8'), f).Entries.length;
  assert.equal(entries, 2121);
});

for (const f of files) {
  test(`corpus ${f}: canonical text re-parses to itself`, () => {
    const m = parseManifest(readFileSync(join(corpusDir, f), 'utf8'), f);
    const text = m.String();
    const again = parseManifest(text, f);
    assert.equal(again.String(), text);
    assert.equal(again.Entries.length, m.Entries.length);
    assert.deepEqual(again.Entries.map((e) => e.Tags), m.Entries.map((e) => e.Tags));
  });
}
