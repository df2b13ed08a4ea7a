// Proves the Docker test infrastructure against the real daemon (run through scripts/with-docker.mjs):
// builds FROM scratch, the busybox base and RUN steps, containers, buildx, and the throwaway registry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  buildxAvailable, contextTar, daemonArch, docker, dockerOk, ensureBusyboxBase, imageInspect, inCI, removeImages,
  requireDocker,
} from '../helpers/docker.js';
import { bcrypt, registryAvailable, startRegistry } from '../helpers/registry.js';

const tag = (name: string): string => `bashbrew-test/infra-${name}:${process.pid}`;

function requireRegistry(t: TestContext): boolean {
  if (registryAvailable()) return true;
  if (inCI()) assert.fail('docker-registry is not installed under CI (apt-get install docker-registry)');
  t.skip('docker-registry not installed');
  return false;
}

test('a FROM scratch image builds with the classic builder', (t) => {
  if (!requireDocker(t)) return;
  const image = tag('scratch');
  t.after(() => removeImages(image));
  const context = contextTar({ Dockerfile: 'FROM scratch\nCOPY hello.txt /\nLABEL x=y\n', 'hello.txt': 'hello\n' });
  dockerOk(['build', '--quiet', '-t', image, '-'], { input: context, classic: true });
  const info = imageInspect(image);
  assert.ok(info, `${image} is missing after the build`);
  assert.match(info.Id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(info.Os, 'linux');
  assert.equal(info.Architecture, daemonArch());
  assert.equal(typeof info.Variant, 'string');
  assert.ok(info.RepoTags.includes(image), `RepoTags ${JSON.stringify(info.RepoTags)}`);
  assert.equal(info.Labels.x, 'y');
  assert.equal(imageInspect(`bashbrew-test/no-such-image:${process.pid}`), null);
});

test('the busybox base: idempotent, and RUN steps work on it', (t) => {
  if (!requireDocker(t)) return;
  const base = ensureBusyboxBase();
  assert.equal(base, 'bashbrew-test/busybox:latest');
  const first = imageInspect(base);
  assert.ok(first);
  assert.equal(ensureBusyboxBase(), base);
  assert.equal(imageInspect(base)?.Id, first.Id, 'a second ensureBusyboxBase() must not rebuild');

  const image = tag('run');
  t.after(() => removeImages(image));
  const context = contextTar({ Dockerfile: `FROM ${base}\nRUN echo hi > /x && test -x /bin/sh\n` });
  dockerOk(['build', '--quiet', '-t', image, '-'], { input: context, classic: true });
  assert.ok(imageInspect(image));
  const run = docker(['run', '--rm', image, 'cat', '/x']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'hi\n');
});

test('containers run: docker run --rm bashbrew-test/busybox echo ok', (t) => {
  if (!requireDocker(t)) return;
  const base = ensureBusyboxBase();
  const run = docker(['run', '--rm', base, 'echo', 'ok']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'ok\n');
});

test('buildx is installed, and BuildKit RUN steps work', (t) => {
  if (!requireDocker(t)) return;
  if (!buildxAvailable()) {
    t.skip('docker-buildx is not installed');
    return;
  }
  assert.match(dockerOk(['buildx', 'version']), /buildx/);
  const base = ensureBusyboxBase();
  const image = tag('buildkit');
  t.after(() => removeImages(image));
  const context = contextTar({ Dockerfile: `FROM ${base}\nRUN echo bk > /y\n` });
  dockerOk(['buildx', 'build', '--load', '--quiet', '-t', image, '-'], { input: context });
  const run = docker(['run', '--rm', image, 'cat', '/y']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'bk\n');
});

test('bcrypt matches the reference vectors and the C library', () => {
  // OpenBSD's / Go's test vectors
  assert.equal(bcrypt('', 6, 'DCq7YPn5Rq63x1Lad4cll.'), '$2b$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.');
  assert.equal(bcrypt('abc', 6, 'If6bvum7DFjUnE9p2uDeDu'),
    '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i');
  const hash = bcrypt('s3cr:t p@ss');
  assert.match(hash, /^\$2b\$05\$[./A-Za-z0-9]{53}$/);
  // glibc/libxcrypt's crypt(3) through perl, when it is there and knows bcrypt
  const perl = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', 's3cr:t p@ss', hash], { encoding: 'utf8' });
  if (perl.status === 0 && perl.stdout.startsWith('$2b$')) assert.equal(perl.stdout, hash);
});

test('the registry answers /v2/ and takes a push', async (t) => {
  if (!requireRegistry(t)) return;
  const registry = await startRegistry();
  t.after(() => registry.stop());
  assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
  const response = await fetch(`http://${registry.host}/v2/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('docker-distribution-api-version'), 'registry/2.0');

  // the rest needs the daemon
  if (!requireDocker(t)) return;
  const remote = `${registry.host}/bashbrew-test/busybox:${process.pid}`;
  t.after(() => removeImages(remote));
  dockerOk(['tag', ensureBusyboxBase(), remote]);
  dockerOk(['push', '--quiet', remote]);
  const tags = await fetch(`http://${registry.host}/v2/bashbrew-test/busybox/tags/list`);
  assert.deepEqual(await tags.json(), { name: 'bashbrew-test/busybox', tags: [String(process.pid)] });
});

test('the registry with htpasswd: 401 without credentials, docker login and push with them', async (t) => {
  if (!requireRegistry(t)) return;
  const user = 'bashbrew';
  const password = 'p4ss:word';
  const registry = await startRegistry({ htpasswd: { user, password } });
  t.after(() => registry.stop());
  const anonymous = await fetch(`http://${registry.host}/v2/`);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="bashbrew-test"/);
  const basic = (u: string, p: string): Record<string, string> =>
    ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  assert.equal((await fetch(`http://${registry.host}/v2/`, { headers: basic(user, 'wrong') })).status, 401);
  assert.equal((await fetch(`http://${registry.host}/v2/`, { headers: basic(user, password) })).status, 200);

  // the rest needs the daemon
  if (!requireDocker(t)) return;
  // a private client config: docker login must not touch ~/.docker
  const config = mkdtempSync(join(tmpdir(), 'bashbrew-docker-config-'));
  t.after(() => rmSync(config, { recursive: true, force: true }));
  const env = { DOCKER_CONFIG: config };
  const remote = `${registry.host}/private/busybox:1`;
  t.after(() => removeImages(remote));
  dockerOk(['tag', ensureBusyboxBase(), remote]);
  const denied = docker(['push', remote], { env });
  assert.notEqual(denied.code, 0, 'a push without login must fail');
  dockerOk(['login', '--username', user, '--password-stdin', registry.host], { env, input: password });
  dockerOk(['push', '--quiet', remote], { env });
});
