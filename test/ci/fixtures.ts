// Fixture libraries for the CI generators: real git repositories (fixed identity and dates) and
// library files naming their commits, written to a temp dir. The golden outputs in
// fixtures/ci/ were made by the reference's scripts/github-actions/generate.sh (jq 1.6, with
// this project's reference-identical `bashbrew` plumbing on PATH) for the same libraries; the
// commit ids do not appear in them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bareRepoWithCommit, libraryFile } from '../helpers/git-repos.js';
import { tempDir } from '../helpers/run-cli.js';

export interface CiFixture {
  root: string;
  /** BASHBREW_LIBRARY with one file per repo. */
  library: (name: string) => string;
}

/** The §10 worked example: foo 1.0 (FROM debian:bookworm-slim) and 1.0-onbuild (FROM foo:1.0). */
export function exampleFixture(): CiFixture & { commit: string } {
  const root = tempDir('bashbrew-ci-');
  const fooRepo = bareRepoWithCommit(root, 'foo', {
    '1.0/Dockerfile': 'FROM debian:bookworm-slim\nRUN true\n',
    '1.0/onbuild/Dockerfile': 'FROM foo:1.0\nONBUILD COPY . /app\n',
  });
  const commit = fooRepo.commit;
  const lib = join(root, 'library');
  mkdirSync(lib);
  writeFileSync(join(lib, 'foo'), libraryFile(fooRepo.url, [
    'Tags: 1.0, latest\nDirectory: 1.0',
    'Tags: 1.0-onbuild\nDirectory: 1.0/onbuild',
  ], { GitFetch: 'refs/heads/main', GitCommit: commit }));
  return { root, commit, library: () => lib };
}

const APP_FILES: Record<string, string> = {
  // multi-stage: the build stage's image is a FROM too, the stage name is not
  '1.0/Dockerfile': 'FROM golang:1.22-bookworm AS build\nRUN go version\nFROM debian:bookworm-slim\nCOPY --from=build /usr/local/go/VERSION /VERSION\n',
  '1.0/onbuild/Dockerfile': 'FROM app:1.0\nONBUILD COPY . /app\n',
  '1.0/onbuild/extra/Dockerfile.extra': 'FROM app:1.0-onbuild\nCOPY --from=busybox:latest /bin/busybox /busybox\n',
  'bk/Dockerfile.bk': '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache true\n',
  'bk/child/Dockerfile': 'FROM app:bk\nRUN true\n',
  'win/2022/Dockerfile': 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo hi\n',
  'win/2022/mixed/Dockerfile': 'FROM app:win-2022\nRUN echo mixed\n',
  'win/2025/Dockerfile': 'FROM mcr.microsoft.com/windows/servercore:ltsc2025\nRUN echo hi\n',
  'win/2025/nano/Dockerfile': 'FROM app:win-2025 AS tools\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2025\nCOPY --from=tools C:/tools C:/tools\n',
  'arm/Dockerfile': 'FROM alpine:3.20\n',
  'arm/arm64/Dockerfile': 'FROM scratch\nCOPY hello /\n',
  'aufs/Dockerfile': 'FROM debian:bookworm\n',
  "odd dir's/Dockerfile": 'FROM debian:bookworm\n',
  'oci/index.json': '{}\n',
  'ltsc/Dockerfile': 'FROM debian:bookworm\n',
};

const APP_ENTRIES = [
  'Tags: 1.0, 1, latest\nSharedTags: stable\nDirectory: 1.0',
  'Tags: 1.0-onbuild, onbuild\nDirectory: 1.0/onbuild',
  'Tags: 1.0-onbuild-extra\nDirectory: 1.0/onbuild/extra\nFile: Dockerfile.extra',
  'Tags: bk\nArchitectures: amd64, arm64v8\nBuilder: buildkit\nDirectory: bk\nFile: Dockerfile.bk',
  'Tags: bk-child\nArchitectures: amd64, arm64v8\nBuilder: buildkit\nDirectory: bk/child',
  'Tags: win-2022\nSharedTags: windows\nArchitectures: windows-amd64\nDirectory: win/2022\nConstraints: windowsservercore-ltsc2022',
  'Tags: win-2022-mixed\nArchitectures: windows-amd64\nDirectory: win/2022/mixed',
  'Tags: win-2025\nArchitectures: windows-amd64\nDirectory: win/2025\nConstraints: windowsservercore-ltsc2025',
  'Tags: win-2025-nano\nArchitectures: windows-amd64\nDirectory: win/2025/nano\nConstraints: nanoserver-ltsc2025, windowsservercore-ltsc2025',
  'Tags: arm\nArchitectures: arm64v8, ppc64le\nDirectory: arm\narm64v8-Directory: arm/arm64',
  'Tags: aufs\nDirectory: aufs\nConstraints: !aufs',
  'Tags: odd\nDirectory: odd dir\'s',
  'Tags: oci\nBuilder: oci-import\nDirectory: oci\nFile: index.json',
  'Tags: ltsc\nDirectory: ltsc\nConstraints: !windowsservercore-ltsc2022',
];

/**
 * `app`: multi-stage builds, a three-level same-repo chain, buildkit entries (and a chain of
 * them), Windows ltsc2022/ltsc2025 entries (with a nanoserver child and a Linux child of a Windows
 * parent), an arm-only entry with an arch-specific Directory, `!aufs`, a directory that needs
 * quoting, oci-import, and a constraint that mentions ltsc2022 without being one.
 * `twoparents`: an entry built FROM two entries of its own repo (generate.sh refuses it).
 * `my-app`: a chain in a repo whose name is no plain word.
 */
export function appFixture(): CiFixture & { commit: string } {
  const root = tempDir('bashbrew-ci-');
  const appRepo = bareRepoWithCommit(root, 'app', {
    ...APP_FILES,
    'two/a/Dockerfile': 'FROM debian:bookworm\n',
    'two/b/Dockerfile': 'FROM debian:bookworm\n',
    'two/c/Dockerfile': 'FROM twoparents:a AS a\nFROM twoparents:b\nCOPY --from=a /x /x\n',
    'dash/Dockerfile': 'FROM debian:bookworm\n',
    'dash/child/Dockerfile': 'FROM my-app:1\n',
  });
  const commit = appRepo.commit;
  const lib = join(root, 'library');
  mkdirSync(lib);
  const globals = { GitFetch: 'refs/heads/main', GitCommit: commit };
  writeFileSync(join(lib, 'app'), libraryFile(appRepo.url, APP_ENTRIES, globals));
  writeFileSync(join(lib, 'twoparents'), libraryFile(appRepo.url, [
    'Tags: a\nDirectory: two/a', 'Tags: b\nDirectory: two/b', 'Tags: c\nDirectory: two/c',
  ], globals));
  writeFileSync(join(lib, 'my-app'), libraryFile(appRepo.url, [
    'Tags: 1\nDirectory: dash', 'Tags: 1-child\nDirectory: dash/child',
  ], globals));
  return { root, commit, library: () => lib };
}
