// `bashbrew lint --rule from-constraints` (L4): Constraints against the FROMs of the Dockerfiles in
// a real git repo, with a real official parent (the corpus's caddy file) (issue 6).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bareRepoWithCommit, libraryFile } from '../helpers/git-repos.js';
import { corpusDir } from '../helpers/paths.js';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

test('from-constraints: missing and extra constraints, Windows bases and official parents', () => {
  const dir = tempDir('bashbrew-lint-constraints-');
  const fooRepo = bareRepoWithCommit(dir, 'foo', {
    'win/Dockerfile': 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\n',
    'nano/Dockerfile': 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=mcr.microsoft.com/windows/servercore:ltsc2022 /x /x\n',
    'linux/Dockerfile': 'FROM debian:bookworm\n',
    'child/Dockerfile': 'FROM caddy:windowsservercore-ltsc2022\n',
    'odd/Dockerfile': 'FROM mcr.microsoft.com/dotnet/sdk:8.0\n',
  });
  const commit = fooRepo.commit;
  mkdirSync(join(dir, 'library'));
  copyFileSync(join(corpusDir, 'caddy'), join(dir, 'library', 'caddy'));
  writeFileSync(join(dir, 'library', 'foo'), libraryFile(fooRepo.url, [
    'Tags: win-ok\nDirectory: win\nArchitectures: windows-amd64\nConstraints: windowsservercore-ltsc2022',
    'Tags: win-missing\nDirectory: win\nArchitectures: windows-amd64',
    'Tags: nano-ok\nDirectory: nano\nArchitectures: windows-amd64\nConstraints: nanoserver-ltsc2022, windowsservercore-ltsc2022',
    'Tags: linux-extra\nDirectory: linux\nConstraints: !aufs',
    'Tags: linux-ok\nDirectory: linux',
    'Tags: child-missing\nDirectory: child\nArchitectures: windows-amd64',
    'Tags: odd\nDirectory: odd\nArchitectures: windows-amd64',
  ], { GitFetch: 'refs/heads/main', GitCommit: commit }));
  const run = (format: string) => bashbrew(['--library', join(dir, 'library'), 'lint', '--format', format, '--rule', 'from-constraints', 'foo'], {}, dir);
  const r = run('json');
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as { tag: string; arch: string | null; line: number; message: string }[];
  assert.deepEqual(findings.map((f) => [f.tag, f.arch, f.line, f.message]), [
    ['win-missing', null, 11, 'foo:win-missing -- missing constraints (FROM mcr.microsoft.com/windows/servercore:ltsc2022):'],
    ['linux-extra', null, 22, 'foo:linux-extra -- extra constraints (FROM debian:bookworm):'],
    ['child-missing', null, 27, 'foo:child-missing -- missing constraints (FROM caddy:windowsservercore-ltsc2022):'],
    ['odd', 'windows-amd64', 31, 'unknown Windows image: mcr.microsoft.com/dotnet/sdk:8.0'],
  ]);
  const text = run('text');
  assert.equal(text.stdout, "\nInvalid 'FROM' + 'Constraints' combinations detected:\n\n" +
    ' - foo:win-missing -- missing constraints (FROM mcr.microsoft.com/windows/servercore:ltsc2022):\n   - windowsservercore-ltsc2022\n' +
    ' - foo:linux-extra -- extra constraints (FROM debian:bookworm):\n   - !aufs\n' +
    ' - foo:child-missing -- missing constraints (FROM caddy:windowsservercore-ltsc2022):\n   - windowsservercore-ltsc2022\n' +
    ' - unknown Windows image: mcr.microsoft.com/dotnet/sdk:8.0\n\n');
});
