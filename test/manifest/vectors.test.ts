// Every vector of ../shared/spec/manifest-vectors.json, checked against the parser directly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Entry } from '../../lib/manifest/entry.js';
import { ManifestError } from '../../lib/manifest/errors.js';
import { parseManifest } from '../../lib/manifest/parse.js';
import { specDir } from '../helpers/paths.js';

interface VectorEntry {
  tags: string[]; sharedTags: string[]; architectures: string[]; constraints: string[];
  maintainers: { name: string; email: string; handle: string }[];
  gitRepo: string; gitFetch: string; gitCommit: string; directory: string; file: string; builder: string;
  archValues: Record<string, string>;
  perArch?: Record<string, Record<string, string>>;
}
interface Vector {
  name: string;
  input: string;
  expect: {
    error?: string; errorMessage?: string;
    global?: VectorEntry; entries?: VectorEntry[];
    sharedTagGroups?: { sharedTags: string[]; entryTags: string[][] }[];
    canonical?: string;
    catTag?: { tag: string; output: string };
  };
}

const vectors: Vector[] = JSON.parse(readFileSync(join(specDir, 'manifest-vectors.json'), 'utf8'));

function plain(e: Entry, withPerArch: boolean): VectorEntry {
  const out: VectorEntry = {
    tags: e.Tags, sharedTags: e.SharedTags, architectures: e.Architectures, constraints: e.Constraints,
    maintainers: e.Maintainers.map((m) => ({ name: m.Name, email: m.Email, handle: m.Handle })),
    gitRepo: e.GitRepo, gitFetch: e.GitFetch, gitCommit: e.GitCommit, directory: e.Directory, file: e.File,
    builder: e.Builder, archValues: Object.fromEntries(e.ArchValues),
  };
  return withPerArch ? out : out;
}

test('manifest vectors: there are many', () => {
  assert.ok(vectors.length >= 100, `only ${vectors.length} vectors`);
});

for (const v of vectors) {
  test(`manifest vector ${v.name}`, () => {
    if (v.expect.errorMessage !== undefined) {
      assert.throws(() => parseManifest(v.input, 'vector'), (err: unknown) => {
        assert.ok(err instanceof ManifestError, `not a ManifestError: ${String(err)}`);
        assert.equal(err.message, v.expect.errorMessage);
        return true;
      });
      return;
    }
    const m = parseManifest(v.input, 'vector');
    const { perArch: _ignored, ...global } = v.expect.global!;
    assert.deepEqual(plain(m.Global, false), global);
    assert.equal(m.Entries.length, v.expect.entries!.length);
    v.expect.entries!.forEach((want, i) => {
      const e = m.Entries[i]!;
      const { perArch, ...fields } = want;
      assert.deepEqual(plain(e, false), fields);
      for (const [arch, values] of Object.entries(perArch ?? {})) {
        assert.deepEqual({
          gitRepo: e.ArchGitRepo(arch), gitFetch: e.ArchGitFetch(arch), gitCommit: e.ArchGitCommit(arch),
          directory: e.ArchDirectory(arch), file: e.ArchFile(arch), builder: e.ArchBuilder(arch),
        }, values, `perArch ${arch}`);
      }
    });
    assert.deepEqual(m.GetSharedTagGroups().map((g) => ({ sharedTags: g.SharedTags, entryTags: g.Entries.map((e) => e.Tags) })),
      v.expect.sharedTagGroups);
    assert.equal(m.String(), v.expect.canonical);
    if (v.expect.catTag) {
      const tag = v.expect.catTag.tag;
      const one = m.GetTag(tag);
      const selected = one !== null ? [one] : m.GetSharedTag(tag);
      assert.equal(selected.map((e) => e.String()).join('\n\n') + '\n', v.expect.catTag.output);
    }
  });
}
