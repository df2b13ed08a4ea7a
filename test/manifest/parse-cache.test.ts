// The parse cache gives back exactly what parsing gives: canonical text, Go JSON (raw paragraphs
// included, re-read lazily), per-arch values, queries; and it notices changed files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Manifest } from '../../lib/manifest/manifest.js';
import { ManifestCache } from '../../lib/manifest/parse-cache.js';
import { parseManifest } from '../../lib/manifest/parse.js';
import { goJSON } from '../../lib/template/go-json.js';
import { corpusDir } from '../helpers/paths.js';
import { tempDir } from '../helpers/run-cli.js';

function snapshot(m: Manifest): unknown {
  return {
    text: m.String(),
    json: goJSON(m),
    entries: m.Entries.map((e) => [e.String(), e.source, ...e.Architectures.map((a) => [e.ArchGitRepo(a), e.ArchGitFetch(a),
      e.ArchGitCommit(a), e.ArchDirectory(a), e.ArchFile(a), e.ArchBuilder(a)])]),
    groups: m.GetSharedTagGroups().map((g) => [g.SharedTags, g.Entries.map((e) => e.Tags[0])]),
    tags: m.Entries.flatMap((e) => e.Tags).map((t) => m.GetTag(t)?.Tags[0]),
  };
}

test('every corpus file round-trips through the cache unchanged', () => {
  const root = tempDir();
  const writer = new ManifestCache(root);
  const files = readdirSync(corpusDir).sort();
  const expected = new Map<string, unknown>();
  for (const f of files) {
    const path = join(corpusDir, f);
    const m = parseManifest(readFileSync(path, 'utf8'), path);
    expected.set(f, snapshot(m));
    writer.set(path, statSync(path), m);
  }
  writer.flush();
  const reader = new ManifestCache(root);
  for (const f of files) {
    const path = join(corpusDir, f);
    const cached = reader.get(path, statSync(path));
    assert.ok(cached !== null, `${f} not cached`);
    assert.deepEqual(snapshot(cached), expected.get(f), f);
  }
});

test('a changed file is a miss; a file written just now is not cached', () => {
  const root = tempDir();
  const lib = tempDir();
  const path = join(lib, 'x');
  const text = 'Maintainers: A (@a)\nGitRepo: https://x/y.git\n\nTags: 1\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n';
  writeFileSync(path, text);
  const cache = new ManifestCache(root);
  cache.set(path, statSync(path), parseManifest(text, path));
  assert.equal(cache.get(path, statSync(path)), null, 'cached a file modified under 2 s ago');
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
  cache.set(path, statSync(path), parseManifest(text, path));
  assert.notEqual(cache.get(path, statSync(path)), null);
  writeFileSync(path, text.replace('Tags: 1', 'Tags: 2'));
  utimesSync(path, old, old);
  assert.equal(cache.get(path, statSync(path)), null, 'a rewritten file was served from the cache');
});

test('a corrupt cache file is ignored', () => {
  const root = tempDir();
  const path = join(corpusDir, 'hello-world');
  const cache = new ManifestCache(root);
  cache.set(path, statSync(path), parseManifest(readFileSync(path, 'utf8'), path));
  cache.flush();
  for (const f of readdirSync(join(root, 'manifests'))) writeFileSync(join(root, 'manifests', f), '{"format": garbage');
  assert.equal(new ManifestCache(root).get(path, statSync(path)), null);
});
