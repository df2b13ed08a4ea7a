// The cache hash worked examples of the spec (§5.1) and the docker argv of each builder (§4.7).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheHashLines, cacheTagFor } from '../../lib/build/cache-hash.js';
import { BuildkitEnvError, buildkitBuild, classicBuild, retagBuild } from '../../lib/docker/argv.js';
import { parseManifest } from '../../lib/manifest/parse.js';

function entryOf(fields: string): ReturnType<typeof parseManifest>['Entries'][number] {
  return parseManifest(`Maintainers: T (@t)\n\nTags: x\n${fields}\n`).Entries[0]!;
}

test('A: hello-world style, no Builder, FROM scratch', () => {
  const e = entryOf('GitRepo: https://github.com/docker-library/hello-world.git\nGitCommit: 3fb6ebca4163bf5b9cc496ac3e8f11cb1e754aee\nDirectory: amd64/hello-world');
  const lines = cacheHashLines(e, 'amd64', ['scratch']);
  assert.equal(lines.join('\n').length, 127);
  assert.equal(cacheTagFor(lines), 'bashbrew/cache:4e5010f23fcc48ee3c6342bb53681dccda30f35a56c5f4695fe21597fe63f1c7');
});

test("A': explicit Builder: classic hashes differently", () => {
  const e = entryOf('GitRepo: https://github.com/docker-library/hello-world.git\nGitCommit: 3fb6ebca4163bf5b9cc496ac3e8f11cb1e754aee\nDirectory: amd64/hello-world\nBuilder: classic');
  assert.equal(cacheTagFor(cacheHashLines(e, 'amd64', ['scratch'])), 'bashbrew/cache:dc74a6d55d095b6494763f691d373ffb7a87101955bbbf47d634bd657df934a1');
});

test('B: buildkit multi-stage, one parent id per FROM occurrence', () => {
  const A = 'sha256:' + '1'.repeat(64);
  const B = 'sha256:' + '2'.repeat(64);
  const e = entryOf('GitRepo: https://github.com/example/docker-foo.git\nGitCommit: 0123456789abcdef0123456789abcdef01234567\nDirectory: 1.2/bookworm\nBuilder: buildkit');
  assert.equal(cacheTagFor(cacheHashLines(e, 'amd64', [A, B, A])), 'bashbrew/cache:5413b30c33a6259ccab604eac5a84620eea25c16c7cf2e331b0c129a286c29d5');
});

test('C: oci-import', () => {
  const e = entryOf('GitRepo: https://github.com/example/docker-base.git\nGitCommit: 89abcdef0123456789abcdef0123456789abcdef\nDirectory: bookworm/oci\nFile: index.json\nBuilder: oci-import');
  assert.equal(cacheTagFor(cacheHashLines(e, 'amd64', ['scratch'])), 'bashbrew/cache:6a04f0d8035a43068a5537cbf5c6fd2fa7a71eb6a8f63d73cfd6383522124e8d');
});

test('per-arch overrides feed the hash of that arch', () => {
  const e = entryOf('GitRepo: https://x/y.git\nGitCommit: 0123456789abcdef0123456789abcdef01234567\nArchitectures: amd64, arm64v8\narm64v8-Directory: arm\narm64v8-Builder: buildkit');
  assert.deepEqual(cacheHashLines(e, 'amd64', ['scratch']), ['https://x/y.git', '0123456789abcdef0123456789abcdef01234567', '.', 'Dockerfile', 'scratch']);
  assert.deepEqual(cacheHashLines(e, 'arm64v8', ['scratch']), ['https://x/y.git', '0123456789abcdef0123456789abcdef01234567', 'arm', 'Dockerfile', 'buildkit', 'scratch']);
});

test('classic argv and environment', () => {
  assert.deepEqual(classicBuild(['bashbrew/cache:h', 'ns/r:1'], 'Dockerfile', null),
    { args: ['build', '--tag', 'bashbrew/cache:h', '--tag', 'ns/r:1', '--file', 'Dockerfile', '--rm', '--force-rm', '-'], env: { DOCKER_BUILDKIT: '0' } });
  assert.deepEqual(classicBuild(['t'], 'F', 'linux/arm/v7').env, { DOCKER_BUILDKIT: '0', DOCKER_DEFAULT_PLATFORM: 'linux/arm/v7' });
  assert.deepEqual(retagBuild(['r:1', 'r:2']).args, ['build', '--tag', 'r:1', '--tag', 'r:2', '--rm', '--force-rm', '-']);
});

test('buildkit argv: order, BUILDX_BUILDER extras after "-", empty syntax left out', () => {
  const base = { syntax: 'docker/dockerfile:1', buildxBuilder: '', sbomGenerator: undefined };
  assert.deepEqual(buildkitBuild(['c', 't'], 'Dockerfile', null, base).args,
    ['buildx', 'build', '--progress', 'plain', '--build-arg', 'BUILDKIT_SYNTAX=docker/dockerfile:1', '--tag', 'c', '--tag', 't', '--file', 'Dockerfile', '-']);
  assert.deepEqual(buildkitBuild(['c'], 'F', 'linux/amd64', { syntax: 's', buildxBuilder: 'b', sbomGenerator: 'g' }).args,
    ['buildx', 'build', '--progress', 'plain', '--build-arg', 'BUILDKIT_SYNTAX=s', '--provenance', 'mode=max', '--sbom', 'generator=g',
      '--platform', 'linux/amd64', '--tag', 'c', '--file', 'F', '-', '--output', 'type=oci']);
  assert.deepEqual(buildkitBuild(['c'], 'F', null, { ...base, syntax: '' }).args,
    ['buildx', 'build', '--progress', 'plain', '--tag', 'c', '--file', 'F', '-']);
  assert.throws(() => buildkitBuild(['c'], 'F', null, { ...base, syntax: undefined }), new BuildkitEnvError('missing "BASHBREW_BUILDKIT_SYNTAX"'));
  assert.throws(() => buildkitBuild(['c'], 'F', null, { ...base, sbomGenerator: 'g' }),
    new BuildkitEnvError('have "BASHBREW_BUILDKIT_SBOM_GENERATOR" but missing "BUILDX_BUILDER"'));
});
