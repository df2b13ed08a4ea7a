// `bashbrew build` with BUILDX_BUILDER (spec §4.7.2, §4.8): buildx's `--output type=oci` tarball
// kept in the OCI store under $BASHBREW_CACHE/oci/<arch>/ and loaded into Docker from there.
//
// The docker-driver builder exports type=oci only when the daemon uses the containerd image
// store, so this test starts a PRIVATE dockerd of its own with the containerd snapshotter (own
// socket, data root, exec root, pidfile; its own bridge when another dockerd runs), whatever
// DOCKER_HOST says, and stops it at the end. Skipped (with the reason) when that is impossible:
// not root, no dockerd or buildx, or no containerd snapshotter; under CI that fails instead.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Readable } from 'node:stream';
import { OciStore, OciStoreError } from '../../lib/build/oci-store.js';
import { contextTar, inCI } from '../helpers/docker.js';
import { registryAvailable, startRegistry } from '../helpers/registry.js';
import { RegistryClient } from '../../lib/registry/client.js';
import { parseReference } from '../../lib/registry/reference.js';
import { bareRepoWithCommit, libraryFile } from '../helpers/git-repos.js';
import { bashbrew, tempDir, type CliResult } from '../helpers/run-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A timer that does not keep the process alive (a race against a child's exit). */
const after = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

function which(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (dir === '') continue;
    try {
      if (statSync(join(dir, name)).isFile()) return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

function otherDockerdRunning(): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'dockerd') return true;
    } catch {
      // gone
    }
  }
  return false;
}

/** A private dockerd with the containerd image store (as scripts/with-docker.mjs starts one). */
class PrivateDaemon {
  readonly dir = mkdtempSync('/tmp/bbx-');
  readonly host = `unix://${join(this.dir, 'd.sock')}`;
  readonly log = join(this.dir, 'dockerd.log');
  bridge: string | undefined;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;

  docker(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: this.host }, input, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  async start(dockerd: string): Promise<void> {
    writeFileSync(join(this.dir, 'daemon.json'), JSON.stringify({ features: { 'containerd-snapshotter': true } }));
    const args = ['--config-file', join(this.dir, 'daemon.json'), '--host', this.host, '--data-root', join(this.dir, 'data'),
      '--exec-root', join(this.dir, 'x'), '--pidfile', join(this.dir, 'd.pid')];
    const ip = which('ip');
    if (otherDockerdRunning() && ip !== undefined) {
      // two daemons on docker0 would hand out the same addresses: a bridge of our own
      const text = `${spawnSync(ip, ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout}\n${spawnSync(ip, ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout}`;
      const second = [...Array(14).keys()].map((i) => 18 + i).find((n) => !text.includes(`172.${n}.`));
      if (second !== undefined) {
        const name = `bbx${randomBytes(3).toString('hex')}`;
        const ok = [['link', 'add', 'name', name, 'type', 'bridge'], ['addr', 'add', `172.${second}.0.1/16`, 'dev', name], ['link', 'set', name, 'up']]
          .every((a) => spawnSync(ip, a).status === 0);
        if (ok) {
          this.bridge = name;
          args.push('--bridge', name);
        } else spawnSync(ip, ['link', 'del', name]);
      }
    }
    const fd = openSync(this.log, 'a');
    const child = spawn(dockerd, args, { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    this.child = child;
    let gone = false;
    this.exited = new Promise((resolve) => child.on('exit', () => {
      gone = true;
      resolve();
    }));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`dockerd exited during start-up:\n${readFileSync(this.log, 'utf8').slice(-3000)}`);
      if (existsSync(join(this.dir, 'd.sock')) && this.docker(['version', '--format', '{{.Server.Version}}']).code === 0) return;
      await sleep(250);
    }
    throw new Error(`dockerd did not answer within 60 s:\n${readFileSync(this.log, 'utf8').slice(-3000)}`);
  }

  async stop(): Promise<void> {
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      if (await Promise.race([this.exited!.then(() => false), after(20_000).then(() => true)])) {
        this.child.kill('SIGKILL');
        await Promise.race([this.exited, after(5_000)]);
      }
    }
    try {
      const pid = Number(readFileSync(join(this.dir, 'x', 'containerd', 'containerd.pid'), 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // stopped with dockerd
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .filter((p) => p.startsWith(`${this.dir}/`)).sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    if (this.bridge !== undefined) {
      spawnSync('ip', ['link', 'del', this.bridge]);
      for (const table of ['nat', 'filter']) {
        const rules = spawnSync('iptables', ['-t', table, '-S'], { encoding: 'utf8' }).stdout ?? '';
        for (const rule of rules.split('\n')) {
          if (rule.startsWith('-A ') && rule.split(' ').includes(this.bridge) && !rule.includes('"')) {
            spawnSync('iptables', ['-t', table, '-D', ...rule.split(' ').slice(1)]);
          }
        }
      }
    }
  }
}

/** Skips (or fails under CI) with the reason. */
function unavailable(t: TestContext, why: string): void {
  if (inCI()) assert.fail(`buildx OCI store test cannot run under CI: ${why}`);
  t.skip(why);
}

function ok(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

test('buildkit with BUILDX_BUILDER: OCI output kept in the store, loaded into Docker, reused and verified', async (t) => {
  const dockerd = which('dockerd');
  if (dockerd === undefined || which('docker') === undefined) return unavailable(t, 'dockerd or the docker CLI is not installed');
  if (process.getuid?.() !== 0) return unavailable(t, 'starting a private dockerd needs root');
  if (spawnSync('docker', ['buildx', 'version']).status !== 0) return unavailable(t, 'docker buildx is not installed');

  const daemon = new PrivateDaemon();
  t.after(() => daemon.stop());
  await daemon.start(dockerd);
  const info = daemon.docker(['info', '--format', '{{json .DriverStatus}}']);
  if (!info.stdout.includes('io.containerd.snapshotter')) return unavailable(t, `the daemon does not use the containerd snapshotter (${info.stdout.trim()})`);
  // the docker-driver builder of this daemon
  const builders = daemon.docker(['buildx', 'ls']).stdout.split('\n');
  const builderLine = builders.find((l) => /^\S+\*?\s+docker\s*$/.test(l.trim()) || /^\S+\*?\s+docker\s/.test(l));
  const builder = builderLine?.trim().split(/\s+/)[0]?.replace(/\*$/, '');
  if (builder === undefined) return unavailable(t, `no docker-driver buildx builder:\n${builders.join('\n')}`);
  const goArch = daemon.docker(['version', '--format', '{{.Server.Arch}}']).stdout.trim();
  const arch = ({ amd64: 'amd64', arm64: 'arm64v8', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[goArch];
  if (arch === undefined) return unavailable(t, `no bashbrew arch for ${goArch}`);

  // a real git repository (fixed dates) with a FROM scratch entry
  const work = tempDir('bbtest-bx-');
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const id = randomBytes(4).toString('hex');
  const ns = `bbtest-${id}`;
  const bxRepo = bareRepoWithCommit(work, 'bx', { 'v1/Dockerfile': 'FROM scratch\nCOPY hello.txt /\n', 'v1/hello.txt': `hello ${id}\n` });
  const commit = bxRepo.commit;
  mkdirSync(join(work, 'library'));
  writeFileSync(join(work, 'library', 'bx'), libraryFile(bxRepo.url,
    [`Tags: 1.0, latest\nArchitectures: ${arch}\nGitCommit: ${commit}\nDirectory: v1\nBuilder: buildkit`], { GitFetch: 'refs/heads/main' }));
  const cache = join(work, 'cache');
  const env = { BASHBREW_CACHE: cache, BASHBREW_BUILDKIT_SYNTAX: '', BUILDX_BUILDER: builder, DOCKER_HOST: daemon.host };
  const run = () => bashbrew(['--library', join(work, 'library'), '--namespace', ns, '--arch', arch, 'build', 'bx'], env, work);
  const inspect = (ref: string): string | null => {
    const r = daemon.docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
    return r.code === 0 ? r.stdout.trim() : null;
  };

  // 1. a fresh build: buildx's OCI tarball into the store, then into Docker with every tag
  let started = Date.now();
  const first = run();
  const buildMs = Date.now() - started;
  ok(first, 'build');
  const m = /^Building (bashbrew\/cache:[0-9a-f]{64}) \(bx:1\.0\)\nImporting (sha256:[0-9a-f]{64}) into Docker\n/.exec(first.stdout);
  assert.ok(m, first.stdout);
  const [, cacheTag, manifestDigest] = m as unknown as [string, string, string];
  const tags = [cacheTag, `${ns}/bx:1.0`, `${ns}/bx:latest`];
  assert.match(first.stdout, /Loaded image: /);
  const imageId = inspect(cacheTag);
  assert.ok(imageId, `${cacheTag} should exist`);
  for (const tag of tags) assert.equal(inspect(tag), imageId, tag);
  const run1 = daemon.docker(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', tags[1]!]);
  assert.equal(run1.stdout.trim(), `linux/${goArch}`);

  // the store: oci-layout, index.json naming every build tag (cache tag first), the attestation kept
  const store = join(cache, 'oci', arch);
  assert.deepEqual(JSON.parse(readFileSync(join(store, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(readFileSync(join(store, 'index.json'), 'utf8')) as { schemaVersion: number; manifests: Descriptor[] };
  assert.equal(index.schemaVersion, 2);
  assert.deepEqual(index.manifests.map((d) => d.annotations?.['org.opencontainers.image.ref.name']), tags);
  assert.equal(new Set(index.manifests.map((d) => d.digest)).size, 1);
  const top = index.manifests[0]!;
  const blob = (digest: string) => join(store, 'blobs', 'sha256', digest.slice('sha256:'.length));
  assert.equal(top.mediaType, 'application/vnd.oci.image.index.v1+json');
  const inner = JSON.parse(readFileSync(blob(top.digest), 'utf8')) as { manifests: Descriptor[] };
  const attestation = inner.manifests.find((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
  assert.ok(attestation, `no attestation manifest in ${JSON.stringify(inner)}`);
  assert.ok(existsSync(blob(attestation.digest)));
  const image = inner.manifests.find((d) => d !== attestation);
  assert.equal(image?.digest, manifestDigest);
  const manifest = JSON.parse(readFileSync(blob(manifestDigest), 'utf8')) as { config: Descriptor; layers: Descriptor[] };
  for (const d of [manifest.config, ...manifest.layers]) assert.equal(statSync(blob(d.digest)).size, d.size);
  assert.deepEqual(readdirSync(join(store, 'tmp')), [], 'no temp files left');
  assert.ok(!existsSync(join(store, 'index.json.lock')));
  const blobCount = readdirSync(join(store, 'blobs', 'sha256')).length;

  // 2. a rerun: a hit in the store, imported again with every tag (a deleted tag comes back)
  assert.equal(daemon.docker(['image', 'rm', tags[2]!]).code, 0);
  assert.equal(inspect(tags[2]!), null);
  started = Date.now();
  const second = run();
  const hitMs = Date.now() - started;
  ok(second, 'second build');
  assert.ok(second.stdout.startsWith(`Using ${cacheTag} (bx:1.0)\nImporting ${manifestDigest} into Docker\n`), second.stdout);
  for (const tag of tags) assert.equal(inspect(tag), imageId, tag);
  assert.equal(readdirSync(join(store, 'blobs', 'sha256')).length, blobCount);

  // 2b. push from the store: the exact index buildx made (attestation included) reaches the registry
  if (registryAvailable()) {
    const registry = await startRegistry();
    t.after(() => registry.stop());
    const target = `${registry.host}/x`;
    const pushed = bashbrew(['--library', join(work, 'library'), '--namespace', ns, '--arch', arch, 'push', '--target-namespace', target, 'bx'], env, work);
    ok(pushed, 'push');
    assert.equal(pushed.stdout, `Pushing ${top.digest} to ${target}/bx:1.0, ${target}/bx:latest\n`);
    const client = new RegistryClient({ env: {} });
    const repo = parseReference(`${target}/bx`);
    for (const tag of ['1.0', 'latest']) assert.equal((await client.getManifest(repo, tag)).desc.digest, top.digest, tag);
    const att = JSON.parse((await client.getManifest(repo, attestation.digest)).body.toString('utf8')) as { layers: Descriptor[] };
    for (const d of att.layers) assert.equal(sha((await client.getBlob(repo, d.digest, d.size))), d.digest);
    client.close();
    const again = bashbrew(['--library', join(work, 'library'), '--namespace', ns, '--arch', arch, 'push', '--target-namespace', target, 'bx'], env, work);
    ok(again, 'second push');
    assert.equal(again.stderr, 'skipping bx:1.0 (remote tags all up-to-date)\n');
  } else {
    t.diagnostic('docker-registry is not installed: push from the store not checked here');
  }

  // 3. a corrupt layer in the store: a clear error, nothing tagged
  const layer = blob(manifest.layers[0]!.digest);
  const bytes = readFileSync(layer);
  bytes[bytes.length - 1] ^= 0xff;
  rmSync(layer, { force: true });
  writeFileSync(layer, bytes);
  assert.equal(daemon.docker(['image', 'rm', ...tags]).code, 0);
  const third = run();
  assert.notEqual(third.code, 0, third.stdout);
  assert.match(third.stdout, /^Using bashbrew\/cache:[0-9a-f]{64} \(bx:1\.0\)\nImporting sha256:/);
  assert.match(third.stderr, /failed importing "bashbrew\/cache:[0-9a-f]{64}" into Docker for "bx" \(tags "1\.0, latest"\)/);
  assert.ok(third.stderr.includes(`${manifest.layers[0]!.digest}" (from OCI store "${store}"): unexpected digest`), third.stderr);
  for (const tag of tags) assert.equal(inspect(tag), null, `${tag} must not be tagged`);

  t.diagnostic(`build ${buildMs} ms, store hit + load ${hitMs} ms, ${blobCount} blobs`);
});

// ---------------------------------------------------------------------------------------------
// the store itself (no Docker): crafted tarballs as buildx writes them

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A two-platform OCI layout tarball (amd64 + arm64 and an attestation manifest), named `name`. */
function layoutTarball(name: string, corrupt = false): { tar: Buffer; top: string; amd64: string; arm64: string } {
  const files: Record<string, Buffer> = {};
  const put = (b: Buffer) => {
    files[`blobs/sha256/${sha(b).slice(7)}`] = b;
    return { digest: sha(b), size: b.length };
  };
  const layer = put(Buffer.from(`layer ${name}`));
  const manifests = ['amd64', 'arm64'].map((arch) => {
    const config = put(Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
    const m = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }] })));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, platform: { architecture: arch, os: 'linux' } };
  });
  const att = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(Buffer.from('{}')) }, layers: [] })));
  const inner = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
    ...manifests,
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...att, platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': manifests[0]!.digest } },
  ] })));
  if (corrupt) files[`blobs/sha256/${layer.digest.slice(7)}`] = Buffer.from(`LAYER ${name}`);
  files['oci-layout'] = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
  files['index.json'] = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
    { mediaType: 'application/vnd.oci.image.index.v1+json', ...inner, annotations: { 'io.containerd.image.name': `docker.io/${name}`, 'org.opencontainers.image.ref.name': name.split(':')[1]! } },
  ] }));
  return { tar: contextTar(files), top: inner.digest, amd64: manifests[0]!.digest, arm64: manifests[1]!.digest };
}

/** A stream of `data` in small chunks (headers and contents split across chunks). */
const chunked = (data: Buffer, size = 100) => Readable.from((function* () {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
})());

test('OCI store: import, name, resolve per arch (attestation skipped), concurrent index updates', async (t) => {
  const dir = tempDir('bbtest-store-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new OciStore(join(dir, 'amd64'));
  const names = Array.from({ length: 8 }, (_, i) => `bashbrew/cache:${String(i).repeat(64)}`);
  const tarballs = names.map((n) => layoutTarball(n));
  // eight builds of one arch at once: each import and index update; none may lose another's tags
  await Promise.all(names.map(async (n, i) => {
    const imported = await store.importTarball(chunked(tarballs[i]!.tar, 37 + i * 50));
    await store.record([n, `ns/x${i}:1.0`], imported);
  }));
  const index = JSON.parse(readFileSync(join(dir, 'amd64', 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  assert.deepEqual(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).sort(),
    [...names, ...names.map((_, i) => `ns/x${i}:1.0`)].sort());
  assert.deepEqual(readdirSync(join(dir, 'amd64', 'tmp')), []);
  assert.ok(!existsSync(join(dir, 'amd64', 'index.json.lock')));

  const d = await store.lookup(`ns/x3:1.0`);
  assert.equal(d?.digest, tarballs[3]!.top);
  const image = await store.resolve(d!, 'amd64');
  assert.equal(image?.manifest.digest, tarballs[3]!.amd64);
  assert.equal(image?.configJSON.architecture, 'amd64');
  assert.equal((await store.resolve(d!, 'arm64v8'))?.manifest.digest, tarballs[3]!.arm64);
  assert.equal(await store.resolve(d!, 's390x'), null);
  assert.equal(await store.lookup('ns/nope:1'), null);
});

test('OCI store: a blob that does not match its digest, or a truncated tarball, leaves nothing behind', async (t) => {
  const dir = tempDir('bbtest-store-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new OciStore(join(dir, 'amd64'));
  const blobsOf = () => readdirSync(join(dir, 'amd64', 'blobs', 'sha256'));

  const bad = layoutTarball('bashbrew/cache:bad', true);
  await assert.rejects(store.importTarball(chunked(bad.tar)), (err: Error) =>
    err instanceof OciStoreError && /in the OCI tarball: unexpected digest sha256:[0-9a-f]{64} \(\d+ bytes\), expected sha256:/.test(err.message));
  const good = layoutTarball('bashbrew/cache:good');
  await assert.rejects(store.importTarball(chunked(good.tar.subarray(0, 1536 + 300))), /unexpected end of tar stream/);
  for (const name of blobsOf()) {
    const content = readFileSync(join(dir, 'amd64', 'blobs', 'sha256', name));
    assert.equal(sha(content), `sha256:${name}`, 'only verified blobs are stored');
  }
  assert.deepEqual(readdirSync(join(dir, 'amd64', 'tmp')), []);
  assert.ok(!existsSync(join(dir, 'amd64', 'index.json')), 'nothing named');

  // the good one, whole: imported; its name found in buildx's index by the first tag
  await store.record(['bashbrew/cache:good', 'ns/good:1'], await store.importTarball(chunked(good.tar, 4096)));
  assert.equal((await store.lookup('ns/good:1'))?.digest, good.top);
  await assert.rejects(store.record(['bashbrew/cache:other'], await store.importTarball(chunked(good.tar))), /no image named "bashbrew\/cache:other"/);
});
