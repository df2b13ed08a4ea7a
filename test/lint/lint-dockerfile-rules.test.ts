// `bashbrew lint`: the rules that read Dockerfiles through git (dockerfile-missing,
// buildkit-syntax, buildkit-forbidden), over a real git repo of fixed-date commits (issue 6).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { bareRepoWithCommit, libraryFile } from '../helpers/git-repos.js';
import { corpusDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

interface JsonFinding {
  rule: string; severity: string; repo: string; tag: string | null; arch: string | null;
  file: string; line: number | null; message: string;
}

const CLASSIC = 'FROM debian:bookworm AS builder\nRUN apt-get update \\\n  # a comment inside\n  && apt-get install -y curl\nCOPY --chown=1:1 --from=builder a /a\n';
const BUILDKIT = `# syntax=docker/dockerfile:1
FROM debian:bookworm
RUN <<EOF
set -eux
RUN --network=host is only text here
EOF
COPY --chmod=755 a /a
RUN --mount=type=cache,target=/var/cache/apt apt-get update
`;
const FORBIDDEN = `FROM debian:bookworm AS builder
RUN --network=host curl -fsSL https://example.com
RUN --security=insecure true
RUN --mount=target=/src make -C /src
RUN --mount=type=bind,from=builder,target=/x true
RUN --network=none true
`;

let dir = '';
let commit = '';

before(() => {
  dir = tempDir('bashbrew-lint-git-');
  const fooRepo = bareRepoWithCommit(dir, 'foo', {
    'classic/Dockerfile': CLASSIC,
    'buildkit/Dockerfile': BUILDKIT,
    'forbidden/Dockerfile': FORBIDDEN,
  });
  commit = fooRepo.commit;
  mkdirSync(join(dir, 'library'));
  writeFileSync(join(dir, 'library', 'foo'), libraryFile(fooRepo.url, [
    'Tags: classic\nDirectory: classic\nArchitectures: amd64, arm64v8',
    'Tags: buildkit-on-classic\nDirectory: buildkit\nBuilder: classic',
    'Tags: buildkit\nDirectory: buildkit\nBuilder: buildkit',
    'Tags: forbidden\nDirectory: forbidden\nBuilder: buildkit',
    'Tags: missing\nDirectory: nope\nArchitectures: amd64, arm64v8\narm64v8-Directory: classic',
    'Tags: oci\nDirectory: not-checked\nBuilder: oci-import',
    `Tags: lost\nDirectory: classic\nGitCommit: ${'0123456789'.repeat(4)}`,
  ], { GitFetch: 'refs/heads/main', GitCommit: commit }));
});

function lint(args: string[], env: Record<string, string> = {}) {
  return bashbrew(['--library', join(dir, 'library'), 'lint', ...args], env, dir);
}
function json(args: string[], env: Record<string, string> = {}): { code: number | null; findings: JsonFinding[]; stderr: string } {
  const r = lint(['--format', 'json', ...args, 'foo'], env);
  return { code: r.code, stderr: r.stderr, findings: JSON.parse(r.stdout) as JsonFinding[] };
}
const brief = (findings: JsonFinding[]) => findings.map((f) => `${f.rule} ${f.tag} ${f.arch} ${f.line}: ${f.message}`);

test('dockerfile-missing: an unfetchable commit and a Directory absent at the commit (per arch)', () => {
  const r = json(['--rule', 'dockerfile-missing']);
  assert.equal(r.code, 1);
  assert.deepEqual(r.findings.map((f) => [f.tag, f.arch, f.line]), [['missing', 'amd64', 23], ['lost', 'amd64', 33]]);
  assert.equal(r.findings[0]!.message, `nope/Dockerfile does not exist at commit ${commit}`);
  assert.match(r.findings[1]!.message, /^cannot fetch commit 0123456789/);
});

test('buildkit-syntax: BuildKit-only syntax with the classic builder; fine with buildkit', () => {
  const r = json(['--rule', 'buildkit-syntax']);
  assert.equal(r.code, 1);
  assert.deepEqual(brief(r.findings), [
    'buildkit-syntax buildkit-on-classic amd64 12: buildkit/Dockerfile:1 uses a "# syntax=" directive (docker/dockerfile:1), which needs BuildKit, but the builder is classic',
    'buildkit-syntax buildkit-on-classic amd64 12: buildkit/Dockerfile:3 uses a heredoc (<<EOF), which needs BuildKit, but the builder is classic',
    'buildkit-syntax buildkit-on-classic amd64 12: buildkit/Dockerfile:7 uses COPY/ADD --chmod (--chmod=755), which needs BuildKit, but the builder is classic',
    'buildkit-syntax buildkit-on-classic amd64 12: buildkit/Dockerfile:8 uses RUN --mount (--mount=type=cache,target=/var/cache/apt), which needs BuildKit, but the builder is classic',
  ]);
  // unreadable Dockerfiles are skipped with a warning, not reported
  assert.match(r.stderr, /warning: buildkit-syntax: skipped foo:missing \[amd64\]/);
  assert.match(r.stderr, /warning: buildkit-syntax: skipped foo:lost \[amd64\]/);
});

test('buildkit-forbidden: host network, insecure security, context binds, an unconfigured frontend', () => {
  const r = json(['--rule', 'buildkit-forbidden']);
  assert.equal(r.code, 1);
  assert.deepEqual(brief(r.findings), [
    'buildkit-forbidden forbidden amd64 18: forbidden/Dockerfile:2: RUN --network=host is not accepted (--network=host)',
    'buildkit-forbidden forbidden amd64 18: forbidden/Dockerfile:3: RUN --security=insecure is not accepted (--security=insecure)',
    'buildkit-forbidden forbidden amd64 18: forbidden/Dockerfile:4: RUN --mount=type=bind without from= (a bind of the build context) is not accepted (--mount=target=/src)',
  ]);
  const pinned = 'docker/dockerfile:1@sha256:' + 'ab'.repeat(32);
  const s = json(['--rule', 'buildkit-forbidden'], { BASHBREW_BUILDKIT_SYNTAX: pinned });
  const why = `buildkit/Dockerfile:1: "# syntax=docker/dockerfile:1" pins a frontend other than the configured ${pinned} (docker/dockerfile:1)`;
  assert.deepEqual(brief(s.findings.filter((f) => f.tag !== 'forbidden')), [
    `buildkit-forbidden buildkit-on-classic amd64 10: ${why}`,
    `buildkit-forbidden buildkit amd64 14: ${why}`,
  ]);
  const same = json(['--rule', 'buildkit-forbidden'], { BASHBREW_BUILDKIT_SYNTAX: 'docker/dockerfile:1' });
  assert.deepEqual(same.findings.filter((f) => f.tag !== 'forbidden'), []);
});

test('clean entries (classic Dockerfile, BuildKit Dockerfile with Builder: buildkit) have no finding for any rule', () => {
  const clean = tempDir('bashbrew-lint-clean-');
  mkdirSync(join(clean, 'library'));
  copyFileSync(join(corpusDir, 'debian'), join(clean, 'library', 'debian')); // the real parent, for from-architectures
  const barRepo = bareRepoWithCommit(clean, 'bar', { 'Dockerfile': CLASSIC, 'bk/Dockerfile': BUILDKIT });
  const c = barRepo.commit;
  writeFileSync(join(clean, 'library', 'bar'), libraryFile(barRepo.url, [
    'Tags: 1\nArchitectures: amd64, arm64v8', 'Tags: bk\nDirectory: bk\nBuilder: buildkit',
  ], { GitFetch: 'refs/heads/main', GitCommit: c }));
  const r = bashbrew(['--library', join(clean, 'library'), 'lint', '--format', 'json', 'bar'], { BASHBREW_BUILDKIT_SYNTAX: 'docker/dockerfile:1' });
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(r.stdout), []);
  assert.equal(r.code, 0);
});
