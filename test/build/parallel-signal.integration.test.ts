// `bashbrew build --parallel` and interrupts against a real Docker daemon: real git repositories
// (file:// URLs, fixed dates), library files in a temp dir, the real bin/bashbrew.
// Run through `node scripts/with-docker.mjs` (see test/helpers/docker.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docker, dockerOk, ensureBusyboxBase, imageInspect, removeImages, requireDocker } from '../helpers/docker.js';
import { classicBuild } from '../../lib/docker/argv.js';
import { DockerClient } from '../../lib/docker/run.js';
import { binPath } from '../helpers/paths.js';
import { tempDir } from '../helpers/run-cli.js';
import { Fixture, ok } from '../helpers/build-fixture.js';

// ---------------------------------------------------------------------------------------------

const uptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/**
 * Repo `sleepy` with two independent entries (`a`, `b`: RUN sleep, recording /proc/uptime — the
 * host's clock, shared by every container — at start and end), and repo `kid` FROM NS/sleepy:a
 * recording when it started.
 */
function sleepyFixture(fx: Fixture, seconds: number): void {
  const busybox = ensureBusyboxBase();
  const step = (name: string) =>
    // (fx.id in the command: the daemon's layer cache must not answer for another fixture's step)
    `FROM ${busybox}\nRUN cut -d' ' -f1 /proc/uptime > /${name}-start && sleep ${seconds} && cut -d' ' -f1 /proc/uptime > /${name}-end # ${fx.id}\n`;
  const sleepy = fx.repo('sleepy', { 'a/Dockerfile': step('a'), 'b/Dockerfile': step('b') });
  fx.library('sleepy', sleepy.url, ['a', 'b'].map((d) =>
    `Tags: ${d}\nArchitectures: ${fx.archList}\nGitCommit: ${sleepy.commit}\nDirectory: ${d}`));
  const kid = fx.repo('kid', { Dockerfile: `FROM ${fx.ns}/sleepy:a\nRUN cut -d' ' -f1 /proc/uptime > /kid-start # ${fx.id}\n` });
  fx.library('kid', kid.url, [`Tags: 1\nArchitectures: ${fx.archList}\nGitCommit: ${kid.commit}`]);
}

function readFloat(image: string, path: string): number {
  const r = docker(['run', '--rm', image, 'cat', path]);
  assert.equal(r.code, 0, `${image} ${path}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

test('--parallel 2 builds independent entries concurrently, children after their parents', (t) => {
  if (!requireDocker(t)) return;
  const seconds = 4;
  const serial = new Fixture(t);
  const parallel = new Fixture(t);
  sleepyFixture(serial, seconds);
  sleepyFixture(parallel, seconds);

  let start = Date.now();
  const r1 = serial.run(['--arch', serial.arch, 'build', '--parallel', '1', 'kid', 'sleepy']);
  const serialMs = Date.now() - start;
  ok(r1, '--parallel 1');
  // the reference's order and output
  assert.deepEqual(r1.stdout.trimEnd().split('\n').map((l) => l.replace(/[0-9a-f]{64}/, 'H')),
    ['Building bashbrew/cache:H (sleepy:a)', 'Building bashbrew/cache:H (sleepy:b)', 'Building bashbrew/cache:H (kid:1)']);

  const logs = join(parallel.dir, 'logs');
  start = Date.now();
  const r2 = parallel.run(['--arch', parallel.arch, 'build', '--parallel', '2', '--logs', logs, 'kid', 'sleepy']);
  const parallelMs = Date.now() - start;
  ok(r2, '--parallel 2');
  const lines = r2.stdout.trimEnd().split('\n').map((l) => l.replace(/[0-9a-f]{64}/, 'H'));
  assert.deepEqual([...lines].sort(),
    ['Building bashbrew/cache:H (kid:1)', 'Building bashbrew/cache:H (sleepy:a)', 'Building bashbrew/cache:H (sleepy:b)']);
  assert.equal(lines.at(-1), 'Building bashbrew/cache:H (kid:1)', 'the child is announced after its parent');

  const ratio = serialMs / parallelMs;
  t.diagnostic(`--parallel 1: ${serialMs} ms, --parallel 2: ${parallelMs} ms (${ratio.toFixed(2)}x)`);
  assert.ok(ratio >= 1.5, `--parallel 2 (${parallelMs} ms) should be >= 1.5x faster than --parallel 1 (${serialMs} ms)`);

  // the builds themselves: a and b overlapped; the kid started after a had finished
  const ns = parallel.ns;
  const aStart = readFloat(`${ns}/sleepy:a`, '/a-start');
  const aEnd = readFloat(`${ns}/sleepy:a`, '/a-end');
  const bStart = readFloat(`${ns}/sleepy:b`, '/b-start');
  const bEnd = readFloat(`${ns}/sleepy:b`, '/b-end');
  const kidStart = readFloat(`${ns}/kid:1`, '/kid-start');
  t.diagnostic(`a ${aStart}-${aEnd}, b ${bStart}-${bEnd}, kid ${kidStart}`);
  assert.ok(aStart < bEnd && bStart < aEnd, 'a and b ran at the same time');
  assert.ok(kidStart >= aEnd, `the kid started (${kidStart}) before its parent ended (${aEnd})`);
  // and in the serial run, nothing overlapped
  const s = serial.ns;
  assert.ok(readFloat(`${s}/sleepy:b`, '/b-start') >= readFloat(`${s}/sleepy:a`, '/a-end'));

  // one log per build, with the build's output
  const files = readdirSync(logs).sort();
  assert.equal(files.length, 3, files.join(', '));
  for (const want of ['kid_1', 'sleepy_a', 'sleepy_b']) assert.ok(files.some((f) => f.includes(want)), `${want}: ${files.join(', ')}`);
  for (const f of files) assert.match(readFileSync(join(logs, f), 'utf8'), /Successfully built|Step 1\/2/, f);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  child: ReturnType<typeof spawn>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function spawnCli(fx: Fixture, args: string[]): Running {
  const work = tempDir();
  const child = spawn(binPath, ['--library', fx.lib, '--namespace', fx.ns, ...args], {
    cwd: fx.dir,
    env: { PATH: process.env.PATH ?? '', HOME: work, BASHBREW_CONFIG: join(work, 'config'), ...fx.env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => {
      rmSync(work, { recursive: true, force: true });
      for (const m of out.matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)) fx.cacheTags.add(m[0]);
      resolve({ code, signal, at: Date.now() });
    }));
  // a test that failed half-way: stop bashbrew the way a user would (it stops its docker build; a
  // SIGKILL would leave the build running in the daemon, tagging after the cleanup)
  fx.beforeCleanup.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const ended = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!ended) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function runningWith(marker: string): boolean {
  return dockerOk(['ps', '--no-trunc', '--format', '{{.Command}}'], { timeoutMs: 30_000 }).includes(marker);
}

test('SIGINT during a build: exit 130 within seconds, nothing tagged, the rerun picks up', async (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const marker = `long-${fx.id}`;
  // sleeps 30 s only until DEADLINE (host uptime, seconds), so the rerun is quick with the same hash
  const deadline = Math.ceil(uptime()) + 12;
  const { url, commit } = fx.repo('intr', {
    'quick/Dockerfile': 'FROM scratch\nCOPY f /f\n',
    'quick/f': fx.id,
    'long/Dockerfile': `FROM ${busybox}\nRUN echo ${marker}; if [ "$(cut -d. -f1 /proc/uptime)" -lt ${deadline} ]; then sleep 30; fi\n`,
  });
  fx.library('intr', url, ['quick', 'long'].map((d) => `Tags: ${d}\nArchitectures: ${fx.archList}\nGitCommit: ${commit}\nDirectory: ${d}`));

  const run = spawnCli(fx, ['--arch', fx.arch, 'build', 'intr']);
  await until('the long build to start its RUN step', 30_000, () => runningWith(marker) || run.child.exitCode !== null);
  assert.equal(run.child.exitCode, null, `bashbrew ended early:\n${run.stdout()}\n${run.stderr()}`);
  assert.match(run.stdout(), /^Building bashbrew\/cache:[0-9a-f]{64} \(intr:quick\)\nBuilding bashbrew\/cache:[0-9a-f]{64} \(intr:long\)\n$/);
  for (const m of run.stdout().matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)) fx.cacheTags.add(m[0]);
  const longTag = /bashbrew\/cache:[0-9a-f]{64}(?= \(intr:long\))/.exec(run.stdout())![0];

  const sent = Date.now();
  run.child.kill('SIGINT');
  const end = await Promise.race([run.exited, sleep(15_000).then(() => null)]);
  assert.ok(end, 'bashbrew did not exit within 15 s of SIGINT');
  assert.equal(end.code, 130, `exit ${end.code} (${end.signal})\n${run.stderr()}`);
  assert.ok(end.at - sent < 10_000, `exited ${end.at - sent} ms after SIGINT`);
  t.diagnostic(`exited ${end.at - sent} ms after SIGINT`);

  // the build container is stopped too, and nothing is tagged for the unfinished build
  await until('the build container to go away', 20_000, () => !runningWith(marker));
  assert.equal(imageInspect(longTag), null);
  assert.equal(imageInspect(`${fx.ns}/intr:long`), null);
  assert.ok(imageInspect(`${fx.ns}/intr:quick`), 'the finished build keeps its tags');

  // rerun once the deadline passed (the RUN step no longer sleeps): cache hit, then the build
  const wait = (deadline + 1 - uptime()) * 1000;
  if (wait > 0) await sleep(wait);
  const again = fx.run(['--arch', fx.arch, 'build', 'intr']);
  ok(again, 'rerun');
  assert.match(again.stdout, /^Using bashbrew\/cache:[0-9a-f]{64} \(intr:quick\)\n/);
  assert.ok(again.stdout.endsWith(`Building ${longTag} (intr:long)\n`), again.stdout);
  assert.ok(imageInspect(`${fx.ns}/intr:long`));
});

test('--timeout stops a long build: non-zero, says so, nothing tagged', (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const { url, commit } = fx.repo('slow', { Dockerfile: `FROM ${busybox}\nRUN echo slow-${fx.id}; sleep 30\n` });
  fx.library('slow', url, [`Tags: 1\nArchitectures: ${fx.archList}\nGitCommit: ${commit}`]);
  const start = Date.now();
  const r = fx.run(['--arch', fx.arch, 'build', '--timeout', '3s', 'slow']);
  const ms = Date.now() - start;
  assert.notEqual(r.code, 0);
  assert.ok(ms < 20_000, `took ${ms} ms`);
  assert.match(r.stderr, /^failed building "slow" \(tags "1"\)$/m);
  assert.match(r.stderr, /^build timed out after 3s$/m);
  const cacheTag = /bashbrew\/cache:[0-9a-f]{64}/.exec(r.stdout)?.[0];
  assert.ok(cacheTag, r.stdout);
  assert.equal(imageInspect(cacheTag), null);
  assert.equal(imageInspect(`${fx.ns}/slow:1`), null);
});

test('SIGTERM during a build: exit 143, nothing tagged', async (t) => {
  if (!requireDocker(t)) return;
  const fx = new Fixture(t);
  const busybox = ensureBusyboxBase();
  const marker = `term-${fx.id}`;
  const { url, commit } = fx.repo('term', { Dockerfile: `FROM ${busybox}\nRUN echo ${marker}; sleep 30\n` });
  fx.library('term', url, [`Tags: 1\nArchitectures: ${fx.archList}\nGitCommit: ${commit}`]);
  const run = spawnCli(fx, ['--arch', fx.arch, 'build', 'term']);
  await until('the build to start its RUN step', 30_000, () => runningWith(marker) || run.child.exitCode !== null);
  assert.equal(run.child.exitCode, null, `bashbrew ended early:\n${run.stdout()}\n${run.stderr()}`);
  for (const m of run.stdout().matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)) fx.cacheTags.add(m[0]);
  run.child.kill('SIGTERM');
  const end = await Promise.race([run.exited, sleep(15_000).then(() => null)]);
  assert.ok(end, 'bashbrew did not exit within 15 s of SIGTERM');
  assert.equal(end.code, 143, `exit ${end.code} (${end.signal})\n${run.stderr()}`);
  await until('the build container to go away', 20_000, () => !runningWith(marker));
  assert.equal(imageInspect(`${fx.ns}/term:1`), null);
  for (const tag of fx.cacheTags) assert.equal(imageInspect(tag), null);
});

test('a build whose abort signal fired before docker started (e.g. during the git fetch) is stopped at once', async (t) => {
  if (!requireDocker(t)) return;
  const busybox = ensureBusyboxBase();
  const id = randomBytes(4).toString('hex');
  const client = new DockerClient({ debug: false, log: () => undefined });
  const abort = new AbortController();
  abort.abort();
  const start = Date.now();
  const res = await client.run(classicBuild([`bbtest-${id}/aborted:1`], '', null),
    { stdin: `FROM ${busybox}\nRUN echo ${id}; sleep 30\n`, signal: abort.signal });
  t.after(() => removeImages(`bbtest-${id}/aborted:1`));
  assert.equal(res.stopped, 'aborted');
  assert.notEqual(res.code, 0);
  assert.ok(Date.now() - start < 10_000, `took ${Date.now() - start} ms`);
  assert.equal(imageInspect(`bbtest-${id}/aborted:1`), null);
});
