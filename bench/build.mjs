#!/usr/bin/env node
// Build benchmarks against a real Docker daemon (run through scripts/with-docker.mjs):
//  1. no-op rebuild of 50 cached entries: wall time and docker processes (a PATH shim counts them);
//  2. peak RSS of the `bashbrew build` process with a 1 GiB context against a 1 MiB one (the context
//     must stream: git archive → docker stdin);
//  3. --parallel 2 against --parallel 1 on independent builds that wait (RUN sleep on a busybox base).
//
//   node scripts/with-docker.mjs node bench/build.mjs [noop|rss|parallel ...]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const which = process.argv.slice(2).length ? process.argv.slice(2) : ['noop', 'rss', 'parallel'];
const work = mkdtempSync(join(tmpdir(), 'bashbrew-bench-build-'));
const ns = `bbbench${process.pid}`;
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'B', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'B',
  GIT_COMMITTER_EMAIL: 'b@b.invalid', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z', HOME: work };
const git = (cwd, ...a) => execFileSync('git', a, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 26 }).trim();

/** A repo with one directory per entry (files: name → content or {size}) and its library file. */
function library(name, entries) {
  const dir = join(work, 'src', name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (const [sub, files] of Object.entries(entries)) {
    mkdirSync(join(dir, sub), { recursive: true });
    for (const [f, content] of Object.entries(files)) {
      if (typeof content === 'string') writeFileSync(join(dir, sub, f), content);
      else execFileSync('sh', ['-c', 'head -c "$1" /dev/urandom > "$2"', 'sh', String(content.size), join(dir, sub, f)]);
    }
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'x');
  const commit = git(dir, 'rev-parse', 'HEAD');
  const lib = join(work, 'lib');
  mkdirSync(lib, { recursive: true });
  writeFileSync(join(lib, name), [`Maintainers: B (@b)\nGitRepo: file://${dir}\nGitCommit: ${commit}\nGitFetch: refs/heads/main`,
    ...Object.keys(entries).map((sub) => `Tags: ${sub}\nDirectory: ${sub}`)].join('\n\n') + '\n');
  return lib;
}

const shim = join(work, 'shim');
mkdirSync(shim);
const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
const dockerLog = join(work, 'docker.log');
writeFileSync(join(shim, 'docker'), `#!/bin/sh\necho "$1 $2" >> ${JSON.stringify(dockerLog)}\nexec ${JSON.stringify(realDocker)} "$@"\n`);
chmodSync(join(shim, 'docker'), 0o755);

function bashbrew(lib, args) {
  writeFileSync(dockerLog, '');
  const env = { PATH: `${shim}:${process.env.PATH}`, HOME: work, DOCKER_HOST: process.env.DOCKER_HOST ?? '',
    BASHBREW_LIBRARY: lib, BASHBREW_CACHE: join(work, 'cache'), BASHBREW_CONFIG: join(work, 'nocfg'), BASHBREW_BUILDKIT_SYNTAX: '' };
  const cmd = [join(root, 'bin/bashbrew'), ...args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`bashbrew ${args.join(' ')}: ${r.stderr}`);
  return { ms, docker: readFileSync(dockerLog, 'utf8').split('\n').filter(Boolean) };
}

try {
  if (which.includes('noop')) {
    const entries = {};
    for (let i = 0; i < 50; i++) entries[`e${i}`] = { Dockerfile: `FROM scratch\nCOPY f /f\n`, f: `entry ${i}\n` };
    const lib = library('noop', entries);
    const first = bashbrew(lib, ['--namespace', ns, 'build', 'noop']);
    const again = bashbrew(lib, ['--namespace', ns, 'build', 'noop']);
    const kinds = {};
    for (const c of again.docker) kinds[c] = (kinds[c] ?? 0) + 1;
    console.log(`no-op rebuild of 50 cached entries: ${again.ms.toFixed(0)} ms, ${again.docker.length} docker processes ${JSON.stringify(kinds)} (first build: ${first.ms.toFixed(0)} ms, ${first.docker.length} docker processes)`);
  }
  if (which.includes('rss')) {
    // the bashbrew (node) process's own peak RSS, read from /proc while it runs (git and docker
    // are separate processes with their own memory); the commit is fetched beforehand
    const peak = (lib, args) => new Promise((resolveRun, reject) => {
      const env = { PATH: process.env.PATH, HOME: work, DOCKER_HOST: process.env.DOCKER_HOST ?? '', BASHBREW_LIBRARY: lib,
        BASHBREW_CACHE: join(work, 'cache'), BASHBREW_CONFIG: join(work, 'nocfg') };
      const child = spawn(join(root, 'bin/bashbrew'), args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let hwm = 0;
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      const poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch { /* exited */ }
      }, 10);
      child.on('close', (code) => {
        clearInterval(poll);
        if (code !== 0) reject(new Error(err));
        else resolveRun(hwm);
      });
    });
    const small = library('small', { ctx: { Dockerfile: 'FROM scratch\nCOPY blob /blob\n', blob: { size: 1 << 20 } } });
    bashbrew(small, ['fetch', 'small']);
    const smallKB = await peak(small, ['--namespace', ns, 'build', 'small']);
    const big = library('big', { ctx: { Dockerfile: 'FROM scratch\nCOPY blob /blob\n', blob: { size: 1 << 30 } } });
    bashbrew(big, ['fetch', 'big']);
    const bigKB = await peak(big, ['--namespace', ns, 'build', 'big']);
    console.log(`peak RSS of bashbrew build: 1 MiB context ${smallKB} KB, 1 GiB context ${bigKB} KB: ratio ${(bigKB / smallKB).toFixed(2)}x (target <= 1.20x)`);
  }
  if (which.includes('parallel')) {
    // the busybox base the tests use (built once per daemon)
    const { ensureBusyboxBase } = await import(join(root, 'build/test/helpers/docker.js'));
    const base = ensureBusyboxBase();
    // two libraries with different content, so the second run cannot reuse the first one's cache
    const entries = (run) => Object.fromEntries([0, 1, 2, 3].map((i) => [`p${i}`, { Dockerfile: `FROM ${base}\nRUN sleep 5 && echo ${run}${i} > /x\n` }]));
    const lib = library('par1', entries('a'));
    library('par2', entries('b'));
    const one = bashbrew(lib, ['--namespace', ns, 'build', '--parallel', '1', 'par1']);
    const two = bashbrew(lib, ['--namespace', ns, 'build', '--parallel', '2', 'par2']);
    console.log(`4 independent builds (RUN sleep 5): --parallel 1 ${one.ms.toFixed(0)} ms, --parallel 2 ${two.ms.toFixed(0)} ms: ${(one.ms / two.ms).toFixed(2)}x (target >= 1.8x)`);
  }
} finally {
  spawnSync('sh', ['-c', `docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^(${ns}|bashbrew/cache)' | xargs -r docker rmi -f`], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
