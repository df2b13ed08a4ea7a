// The hand-written manifest fixtures under fixtures/manifests parse to their canonical text.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifest } from '../../lib/manifest/parse.js';
import { repoRoot } from '../helpers/paths.js';

const dir = join(repoRoot, 'fixtures', 'manifests');
for (const name of readdirSync(dir).filter((f) => !f.includes('.'))) {
  test(`fixture ${name}`, () => {
    const m = parseManifest(readFileSync(join(dir, name), 'utf8'), name);
    assert.equal(m.String(), readFileSync(join(dir, name + '.canonical'), 'utf8'));
  });
}
