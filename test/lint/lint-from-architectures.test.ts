// `bashbrew lint --rule from-architectures` (L3): the FROMs of real Dockerfiles in git against the
// corpus's real debian and ubuntu files, scratch on Windows, external pins that need no registry
// (missing, malformed); pins checked in a registry: lint-from-architectures-registry.test.ts (issue 6).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bareRepoWithCommit, libraryFile } from '../helpers/git-repos.js';
import { corpusDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

test('from-architectures: unsupported arches, unpinned and malformed external pins, Windows scratch, riscv64 on new Ubuntu', () => {
  const dir = tempDir('bashbrew-lint-arches-');
  const fooRepo = bareRepoWithCommit(dir, 'foo', {
    'debian/Dockerfile': 'FROM debian:bookworm\n',
    'ext/Dockerfile': 'FROM quay.io/acme/base:1\n',
    'pinned/Dockerfile': 'FROM quay.io/acme/pinned:2\n',
    'scratch/Dockerfile': 'FROM scratch\n',
    'noble/Dockerfile': 'FROM ubuntu:noble\n',
    'resolute/Dockerfile': 'FROM ubuntu:latest\n',
  });
  const commit = fooRepo.commit;
  const lib = join(dir, 'library');
  mkdirSync(lib);
  copyFileSync(join(corpusDir, 'debian'), join(lib, 'debian'));
  copyFileSync(join(corpusDir, 'ubuntu'), join(lib, 'ubuntu'));
  mkdirSync(join(dir, '.external-pins', 'quay.io', 'acme'), { recursive: true });
  // a tag where the digest belongs: a finding that says so, and no registry is asked
  const pin = join(dir, '.external-pins', 'quay.io', 'acme', 'pinned___2');
  writeFileSync(pin, '2\n');
  writeFileSync(join(lib, 'foo'), libraryFile(fooRepo.url, [
    'Tags: deb-ok\nDirectory: debian\nArchitectures: amd64, arm64v8',
    'Tags: deb-bad\nDirectory: debian\nArchitectures: amd64, riscv64, s390x',
    'Tags: ext\nDirectory: ext',
    'Tags: pinned\nDirectory: pinned',
    'Tags: scratch\nDirectory: scratch\nArchitectures: amd64, windows-amd64',
    'Tags: noble\nDirectory: noble\nArchitectures: amd64, riscv64',
    'Tags: resolute\nDirectory: resolute\nArchitectures: amd64, riscv64',
  ], { GitFetch: 'refs/heads/main', GitCommit: commit }));
  const run = (format: string) => bashbrew(['--library', lib, 'lint', '--format', format, '--rule', 'from-architectures', 'foo'], {}, dir);
  const r = run('json');
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { tag: string; arch: string | null; line: number; message: string }[];
  assert.deepEqual(findings.map((f) => [f.tag, f.arch, f.line, f.message]), [
    ['deb-bad', null, 12, 'foo:deb-bad (FROM debian:bookworm) [riscv64, s390x]'],
    ['ext', 'amd64', 14, 'foo:ext (FROM quay.io/acme/base:1) -- completely unsupported base!'],
    ['pinned', 'amd64', 17, `foo:pinned (FROM quay.io/acme/pinned:2) -- completely unsupported base! (malformed pin ${pin}: "2" is not a sha256:<64 hex> digest)`],
    ['scratch', 'windows-amd64', 22, 'foo:scratch (FROM scratch) [windows-amd64]'],
    ['resolute', 'riscv64', 30, 'foo:resolute (FROM ubuntu:latest) [riscv64]'],
  ]);
  assert.equal(r.stderr, 'lint: 5 errors\n');
  const text = run('text');
  assert.equal(text.stdout, "\nInvalid 'FROM' + 'Architectures' combinations detected:\n\n" +
    ' - foo:deb-bad (FROM debian:bookworm) [riscv64, s390x]\n' +
    ' - foo:ext (FROM quay.io/acme/base:1) -- completely unsupported base!\n' +
    ` - foo:pinned (FROM quay.io/acme/pinned:2) -- completely unsupported base! (malformed pin ${pin}: "2" is not a sha256:<64 hex> digest)\n` +
    ' - foo:scratch (FROM scratch) [windows-amd64]\n' +
    ' - foo:resolute (FROM ubuntu:latest) [riscv64]\n' +
    ' - DOI cannot support riscv64 on Ubuntu 25.10+ since it uses RVA23 and hardware does not exist yet\n\n' +
    'Read https://github.com/docker-library/official-images#multiple-architectures for more details.\n\n');
});
