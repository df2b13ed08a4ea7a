// Errors name the file and line where the problem is (a bashbrew-ts addition to the reference text).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError } from '../../lib/manifest/errors.js';
import { parseManifest } from '../../lib/manifest/parse.js';

const GLOBAL = 'Maintainers: Jane Doe (@jdoe)\nGitRepo: https://example.com/x.git\n';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function failure(text: string): ManifestError {
  try {
    parseManifest(text, 'library/x');
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err;
  }
  assert.fail('parsed without error');
}

test('a bad GitCommit points at its line', () => {
  const err = failure(`${GLOBAL}\n# a comment\nTags: 1.0\nGitCommit: main\n`);
  assert.equal(err.message, 'Tags "1.0" has invalid GitCommit (must be a commit, not a tag or ref): "main"');
  assert.equal(err.location, 'library/x:6');
});

test('a line without a colon points at itself, counting comment lines', () => {
  const err = failure(`${GLOBAL}\n# one\n# two\nTags: 1.0\nthis is wrong\n`);
  assert.equal(err.message, "Bad line: 'this is wrong\n' has no ':'");
  assert.equal(err.location, 'library/x:7');
});

test('a duplicate tag points at the Tags line of the second entry', () => {
  const err = failure(`${GLOBAL}\nTags: 1.0\nGitCommit: ${COMMIT}\n\nGitCommit: ${COMMIT}\nDirectory: b\nTags: 1.0\n`);
  assert.match(err.message, /includes duplicate tag: "1.0"/);
  assert.equal(err.location, 'library/x:9');
});

test('a missing Maintainers points at the global paragraph', () => {
  const err = failure('\n\nGitRepo: https://example.com/x.git\n');
  assert.equal(err.message, 'missing Maintainers');
  assert.equal(err.location, 'library/x:3');
});

test('an empty file is EOF without a line', () => {
  const err = failure('# only a comment\n\n');
  assert.equal(err.message, 'EOF');
  assert.equal(err.location, 'library/x');
});

test('entries remember where they start', () => {
  const m = parseManifest(`${GLOBAL}\n\nTags: 1.0\nGitCommit: ${COMMIT}\n`, 'library/x');
  assert.deepEqual(m.Entries[0]!.source, { file: 'library/x', line: 5 });
});
