// `bashbrew lint`: the file-only rules (parse, latest-tag, shared-tags, unknown-builder), the
// reporters and the exit status, on real library files of the corpus (issue 6).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

interface JsonFinding {
  rule: string; severity: string; repo: string; tag: string | null; arch: string | null;
  file: string; line: number | null; message: string;
}

const caddy = readFileSync(join(corpusDir, 'caddy'), 'utf8');

/** A library dir holding one file `name`, and bashbrew run with it as --library and cwd. */
function lint(files: Record<string, string>, args: string[]) {
  const dir = tempDir('bashbrew-lint-');
  mkdirSync(join(dir, 'library'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'library', name), text);
  return bashbrew(['--library', join(dir, 'library'), 'lint', ...args], {}, dir);
}

function json(files: Record<string, string>, args: string[]): { code: number | null; findings: JsonFinding[] } {
  const r = lint(files, ['--format', 'json', '--all', ...args]);
  return { code: r.code, findings: JSON.parse(r.stdout) as JsonFinding[] };
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture text has ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const FILE_RULES = ['--rule', 'parse', '--rule', 'latest-tag', '--rule', 'shared-tags', '--rule', 'unknown-builder'];

test('the corpus is clean for parse, latest-tag and shared-tags', () => {
  const r = bashbrew(['--library', corpusDir, 'lint', '--all', '--rule', 'parse', '--rule', 'latest-tag', '--rule', 'shared-tags']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '');
  assert.equal(r.code, 0);
  const j = bashbrew(['--library', corpusDir, 'lint', '--all', '--format', 'json', '--rule', 'parse,latest-tag,shared-tags,unknown-builder']);
  assert.equal(j.code, 0);
  assert.deepEqual(JSON.parse(j.stdout), []);
});

test('a clean real file (caddy, with Windows arches behind shared tags) has no finding', () => {
  const r = json({ caddy }, FILE_RULES);
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test('parse: the parser error with its file and line (P6)', () => {
  const bad = replaceOnce(caddy, 'GitCommit: fba2853501d36e8a72f946ac8cb7ff64d07e48f2', 'GitCommit: v1.2.3');
  const r = json({ caddy: bad }, FILE_RULES);
  assert.equal(r.code, 1);
  assert.deepEqual(r.findings, [{ rule: 'parse', severity: 'error', repo: 'caddy', tag: null, arch: null,
    file: 'library/caddy', line: 11,
    message: 'Tags "2.11.4-alpine, 2.11-alpine, 2-alpine, alpine" has invalid GitCommit (must be a commit, not a tag or ref): "v1.2.3"' }]);
});

test('parse: P1 (missing Maintainers) on the global paragraph', () => {
  const bad = caddy.replace(/^Maintainers:.*\n.*\n/m, 'GitRepo: https://example.com/x.git\n');
  const r = json({ caddy: bad }, ['--rule', 'parse']);
  assert.equal(r.code, 1);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.message, 'missing Maintainers');
  assert.equal(r.findings[0]!.file, 'library/caddy');
});

test('latest-tag: every tag containing "latest" other than "latest" (L1), with the CI wording', () => {
  let bad = replaceOnce(caddy, '2-alpine, alpine\n', '2-alpine, latest-alpine\n');
  bad = replaceOnce(bad, 'SharedTags: 2.11.4-builder, 2.11-builder', 'SharedTags: 2.11.4-builder, 2.11-LATEST, builder-latest, 2.11-builder');
  const r = json({ caddy: bad }, FILE_RULES);
  assert.equal(r.code, 1);
  assert.deepEqual(r.findings.map((f) => [f.rule, f.tag, f.line]), [
    ['latest-tag', 'latest-alpine', 7],
    ['latest-tag', 'builder-latest', 15],
  ]);
  const text = lint({ caddy: bad }, ['--rule', 'latest-tag', 'caddy']);
  assert.equal(text.code, 1);
  assert.equal(text.stdout, "\nIncorrectly formatted 'latest' tags detected:\n  caddy:latest-alpine caddy:builder-latest\n\n" +
    'Read https://github.com/docker-library/official-images#tags-and-aliases for more details.\n\n');
  assert.equal(text.stderr, 'lint: 2 errors\n');
});

test('shared-tags: duplicate Linux arches behind shared tags (L2), with the CI wording', () => {
  const file = `Maintainers: Test (@test)
GitRepo: https://github.com/docker-library/foo.git
GitCommit: fba2853501d36e8a72f946ac8cb7ff64d07e48f2

Tags: 1.0-bookworm
SharedTags: 1.0, latest
Architectures: amd64, arm64v8

Tags: 1.0-alpine
SharedTags: 1.0, latest
Architectures: arm64v8, amd64
Directory: alpine

Tags: 1.0-windowsservercore-ltsc2022
SharedTags: 1.0, latest
Architectures: windows-amd64
Directory: windows/ltsc2022

Tags: 1.0-windowsservercore-ltsc2025
SharedTags: 1.0, latest
Architectures: windows-amd64
Directory: windows/ltsc2025
`;
  const r = json({ foo: file }, FILE_RULES);
  assert.equal(r.code, 1);
  assert.deepEqual(r.findings, [{ rule: 'shared-tags', severity: 'error', repo: 'foo', tag: '1.0', arch: null,
    file: 'library/foo', line: 10,
    message: 'foo:1.0, foo:latest: (duplicate architectures in SharedTags; foo:1.0-bookworm, foo:1.0-alpine, foo:1.0-windowsservercore-ltsc2022, foo:1.0-windowsservercore-ltsc2025)' }]);
  const text = lint({ foo: file }, ['--rule', 'shared-tags', 'foo']);
  assert.equal(text.stdout, "\nInvalid 'SharedTags' combinations detected:\n\n" +
    ' - foo:1.0, foo:latest: (duplicate architectures in SharedTags; foo:1.0-bookworm, foo:1.0-alpine, foo:1.0-windowsservercore-ltsc2022, foo:1.0-windowsservercore-ltsc2025)\n' +
    '   - amd64\n   - amd64\n   - arm64v8\n   - arm64v8\n\n' +
    'Read https://github.com/docker-library/faq#whats-the-difference-between-shared-and-simple-tags for more details.\n\n');
  // the Windows-only duplicates alone are fine
  const windowsOnly = file.replace('SharedTags: 1.0, latest\nArchitectures: arm64v8, amd64', 'Architectures: arm64v8, amd64');
  assert.deepEqual(json({ foo: windowsOnly }, FILE_RULES).findings, []);
});

test('unknown-builder: a Builder outside "", classic, buildkit, oci-import, per arch', () => {
  let bad = replaceOnce(caddy, 'Directory: 2.11/builder\n', 'Directory: 2.11/builder\nBuilder: buildx\ns390x-Builder: buildkit\n');
  bad = replaceOnce(bad, 'Directory: 2.11/windows/ltsc2022\n', 'Directory: 2.11/windows/ltsc2022\nBuilder: classic\n');
  const r = json({ caddy: bad }, ['--rule', 'unknown-builder']);
  assert.equal(r.code, 1);
  assert.deepEqual(r.findings.map((f) => [f.tag, f.arch, f.line]), [
    ['2.11.4-builder-alpine', 'amd64', 18],
    ['2.11.4-builder-alpine', 'arm32v6', 18],
    ['2.11.4-builder-alpine', 'arm32v7', 18],
    ['2.11.4-builder-alpine', 'arm64v8', 18],
    ['2.11.4-builder-alpine', 'ppc64le', 18],
    ['2.11.4-builder-alpine', 'riscv64', 18],
  ]);
  assert.match(r.findings[0]!.message, /unknown Builder "buildx"/);
});

test('--format github: one annotation per finding', () => {
  const bad = replaceOnce(caddy, '2-alpine, alpine\n', '2-alpine, latest-alpine\n');
  const r = lint({ caddy: bad }, ['--format', 'github', '--rule', 'latest-tag', 'caddy']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "::error file=library/caddy,line=7,title=latest-tag::incorrectly formatted 'latest' tag: caddy:latest-alpine\n");
});

test('usage errors exit 2; --skip-rule drops a rule', () => {
  assert.equal(lint({ caddy }, ['--format', 'yaml', 'caddy']).code, 2);
  assert.equal(lint({ caddy }, ['--rule', 'no-such-rule', 'caddy']).code, 2);
  assert.equal(lint({ caddy }, []).code, 2);
  const bad = replaceOnce(caddy, '2-alpine, alpine\n', '2-alpine, latest-alpine\n');
  const r = json({ caddy: bad }, ['--rule', 'latest-tag,shared-tags', '--skip-rule', 'latest-tag']);
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});
