// `from-architectures` (L3) and pinned external bases, against a real registry (Debian's docker-registry): the
// pinned image's arches decide, as naughty-from.sh's `bashbrew remote arches REF@DIGEST` does; a malformed pin
// or a pinned digest the registry does not have is a finding with its reason; an unreachable registry is a
// warning, not a finding; DOCKERHUB_PUBLIC_PROXY and DOCKER_CONFIG credentials of the environment are used.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pinFileName } from '../../lib/lint/from-architectures.js';
import { RegistryClient } from '../../lib/registry/client.js';
import { commitTree, initBare, libraryFile, setRef } from '../helpers/git-repos.js';
import { registryAvailable, startRegistry } from '../helpers/registry.js';
import { bashbrewAsync } from '../helpers/run-cli-async.js';
import { tempDir } from '../helpers/run-cli.js';
import { sha256, startFaultProxy, uploadImage, uploadIndex } from '../registry/helpers.js';

const noRegistry = !registryAvailable() && 'docker-registry is not installed (apt-get install docker-registry)';

interface JsonFinding { tag: string; arch: string | null; message: string }

/** Writes a pin as official-images does: `.external-pins/<ref with its first ':' → '___'>`, one digest line. */
function writePin(pinsDir: string, ref: string, content: string): string {
  const file = join(pinsDir, pinFileName(ref));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A git repository with these Dockerfiles (dir → content) and a library dir holding `files` (name → entries). */
function fixture(dockerfiles: Record<string, string>, files: Record<string, string[]>): { dir: string; lib: string; pins: string } {
  const dir = tempDir('bashbrew-lint-pins-');
  const git = initBare(join(dir, 'repo.git'));
  const tree: Record<string, string> = {};
  for (const [d, content] of Object.entries(dockerfiles)) tree[`${d}/Dockerfile`] = content;
  const commit = commitTree(git, tree);
  setRef(git, 'refs/heads/main', commit);
  const lib = join(dir, 'library');
  mkdirSync(lib);
  for (const [name, entries] of Object.entries(files)) {
    writeFileSync(join(lib, name), libraryFile(`file://${git}`, entries, { GitFetch: 'refs/heads/main', GitCommit: commit }));
  }
  // the default --external-pins: `.external-pins` next to the library directory, as in official-images
  return { dir, lib, pins: join(dir, '.external-pins') };
}

test('pin file names replace the first ":" (the CI\'s ${from/:/___}), also before a registry port', () => {
  assert.equal(pinFileName('quay.io/acme/base:1'), 'quay.io/acme/base___1');
  assert.equal(pinFileName('redhat/ubi9:latest'), 'redhat/ubi9___latest');
  assert.equal(pinFileName('127.0.0.1:5000/ext/base:1'), '127.0.0.1___5000/ext/base:1');
});

test('from-architectures: pinned external bases checked in the registry', { skip: noRegistry }, async (t) => {
  const registry = await startRegistry();
  t.after(() => registry.stop());
  // a pass-through proxy in front of the registry, to count the requests the lint makes
  const proxy = await startFaultProxy(registry.host);
  t.after(() => proxy.close());
  const client = new RegistryClient({ credentials: () => undefined, backoffMs: 20 });
  const repo = `${registry.host}/ext/base`;
  const amd64 = await uploadImage(client, repo, { os: 'linux', architecture: 'amd64' });
  const arm64 = await uploadImage(client, repo, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const index = await uploadIndex(client, repo, '1', [
    { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
    // no platform in the descriptor: the lookup reads it from the config blob
    arm64,
  ]);
  // a single-arch image "on Docker Hub", served by DOCKERHUB_PUBLIC_PROXY
  const hub = await uploadImage(client, `${registry.host}/acme/hubbase`, { os: 'linux', architecture: 'amd64' }, '1');

  const h = proxy.host;
  const { dir, lib, pins } = fixture({
    base: `FROM ${h}/ext/base:1\n`,
    bad: `FROM ${h}/ext/bad:1\n`,
    gone: `FROM ${h}/ext/gone:1\n`,
    multi: `FROM quay.io/acme/unpinned:1 AS build\nFROM ${h}/ext/base:1\nCOPY --from=build / /\n`,
    hub: 'FROM acme/hubbase:1\n',
  }, {
    foo: [
      'Tags: ok\nDirectory: base\nArchitectures: amd64, arm64v8',
      'Tags: s390x\nDirectory: base\nArchitectures: amd64, arm64v8, s390x',
      'Tags: bad\nDirectory: bad\nArchitectures: amd64',
      'Tags: gone\nDirectory: gone\nArchitectures: amd64',
      'Tags: multi\nDirectory: multi\nArchitectures: amd64, arm64v8',
    ],
    hub: ['Tags: hub\nDirectory: hub\nArchitectures: amd64, arm64v8'],
  });
  writePin(pins, `${h}/ext/base:1`, `${index.digest}\n`);
  const badPin = writePin(pins, `${h}/ext/bad:1`, 'latest\n');
  const gonePin = writePin(pins, `${h}/ext/gone:1`, `${sha256(Buffer.from('not uploaded'))}\n`);
  writePin(pins, 'acme/hubbase:1', `${hub.digest}\n`);
  // the CI's file name for a host:port reference: the port's colon is the one replaced
  assert.equal(badPin, join(pins, `127.0.0.1___${h.split(':')[1]}`, 'ext', 'bad:1'));

  const lint = (format: string, repoName = 'foo', env: Record<string, string> = {}) =>
    bashbrewAsync(['--library', lib, 'lint', '--format', format, '--rule', 'from-architectures', repoName], env, dir);

  await t.test('registry up: the pinned index decides per arch', async () => {
    const r = await lint('json');
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/, 'no lookup should have been skipped');
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((f) => [f.tag, f.arch]), [['s390x', 's390x'], ['bad', 'amd64'], ['gone', 'amd64'], ['multi', null]]);
    assert.equal(findings[0]!.message, `foo:s390x (FROM ${h}/ext/base:1) [s390x]`);
    assert.equal(findings[1]!.message, `foo:bad (FROM ${h}/ext/bad:1) -- completely unsupported base! ` +
      `(malformed pin ${badPin}: "latest" is not a sha256:<64 hex> digest)`);
    assert.match(findings[2]!.message, new RegExp(`^foo:gone \\(FROM ${h}/ext/gone:1\\) -- completely unsupported base! ` +
      `\\(pin ${gonePin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(sha256:[0-9a-f]{64}\\): not found in its registry: .*HTTP 404.*\\)$`));
    // the unpinned build stage is naughty, the pinned final base is fine: as the CI's hasNice, not "completely unsupported"
    assert.equal(findings[3]!.message, `foo:multi (FROM quay.io/acme/unpinned:1) [amd64, arm64v8]`);
    // three entries and three arches use ext/base: its pinned index (and the member without a platform) fetched once
    assert.deepEqual(proxy.seen.filter((s) => s.startsWith('GET /v2/ext/base/manifests/')),
      [`GET /v2/ext/base/manifests/${index.digest}`, `GET /v2/ext/base/manifests/${arm64.digest}`]);
    // the malformed pin never reaches the registry
    assert.equal(proxy.seen.filter((s) => s.includes('/ext/bad/')).length, 0);
  });

  await t.test('text format', async () => {
    const r = await lint('text');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^\\nInvalid 'FROM' \\+ 'Architectures' combinations detected:\\n\\n - foo:s390x \\(FROM ${h}/ext/base:1\\) \\[s390x\\]\\n`));
    assert.match(r.stdout, /\n - foo:multi \(FROM quay\.io\/acme\/unpinned:1\) \[amd64, arm64v8\]\n\nRead https:\/\/github\.com\/docker-library\/official-images#multiple-architectures for more details\.\n/);
  });

  await t.test('DOCKERHUB_PUBLIC_PROXY serves a Docker Hub pin (single-arch image)', async () => {
    const r = await lint('json', 'hub', { DOCKERHUB_PUBLIC_PROXY: `${registry.url}/` });
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
    assert.deepEqual((JSON.parse(r.stdout) as JsonFinding[]).map((f) => [f.tag, f.arch, f.message]),
      [['hub', 'arm64v8', 'hub:hub (FROM acme/hubbase:1) [arm64v8]']]);
  });

  await t.test('registry down: a warning per pinned image, no finding for it', async () => {
    await proxy.close();
    await registry.stop();
    const r = await lint('json');
    assert.equal(r.code, 1, r.stderr);
    // the malformed pin is still a finding (no registry needed), the unpinned stage too; the rest is unchecked
    assert.deepEqual((JSON.parse(r.stdout) as JsonFinding[]).map((f) => [f.tag, f.arch]), [['bad', 'amd64'], ['multi', null]]);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    assert.equal(warnings.length, 2, r.stderr);
    assert.match(warnings[0]!, new RegExp(`^warning: from-architectures: skipped the pinned external image ${h}/ext/base:1@${index.digest} ` +
      '\\(not counted as a violation\\): its registry could not be queried: .*ECONNREFUSED'));
    assert.match(warnings[1]!, new RegExp(`^warning: from-architectures: skipped the pinned external image ${h}/ext/gone:1@sha256:`));
  });
});

test('from-architectures: DOCKER_CONFIG credentials for a pinned image\'s registry', { skip: noRegistry }, async (t) => {
  const user = { user: 'lint', password: 'pins' };
  const registry = await startRegistry({ htpasswd: user });
  t.after(() => registry.stop());
  const client = new RegistryClient({ credentials: () => ({ username: user.user, password: user.password }), backoffMs: 20 });
  const image = await uploadImage(client, `${registry.host}/private/base`, { os: 'linux', architecture: 'amd64' }, '1');
  const { dir, lib, pins } = fixture({ base: `FROM ${registry.host}/private/base:1\n` }, {
    foo: ['Tags: ok\nDirectory: base\nArchitectures: amd64'],
  });
  writePin(pins, `${registry.host}/private/base:1`, `${image.digest}\n`);
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({
    auths: { [registry.host]: { auth: Buffer.from(`${user.user}:${user.password}`).toString('base64') } },
  }));
  const lint = (env: Record<string, string>) =>
    bashbrewAsync(['--library', lib, 'lint', '--format', 'json', '--rule', 'from-architectures', 'foo'], env, dir);

  const withCreds = await lint({ DOCKER_CONFIG: dockerConfig });
  assert.equal(withCreds.code, 0, withCreds.stderr);
  assert.equal(withCreds.stdout, '[]\n');
  assert.equal(withCreds.stderr, '');

  // without credentials the registry refuses: unchecked (a warning), not a violation
  const anonymous = await lint({ DOCKER_CONFIG: join(dir, 'nowhere') });
  assert.equal(anonymous.code, 0, anonymous.stderr);
  assert.match(anonymous.stderr, /^warning: from-architectures: skipped the pinned external image .* its registry could not be queried: .*unauthorized \(HTTP 401\)/);
});
