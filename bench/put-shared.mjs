#!/usr/bin/env node
// put-shared of 20 tags × 4 arches against a real registry (Debian's docker-registry on 127.0.0.1), with the
// registry look-ups concurrent (BASHBREW_REGISTRY_CONCURRENCY, default 8) against sequential (=1):
//  - "put": a fresh target namespace (every member manifest is copied into the target repo, 20 indexes put);
//  - "no-op": the same again (every tag up to date: look-ups only).
// Loopback answers in well under a millisecond, which hides what concurrency is for; so each run is also made
// through a small proxy adding LATENCY_MS (default 20) per request, like a registry across a network.
//
//   npm run build && node bench/put-shared.mjs [LATENCY_MS]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { startRegistry } = await import(join(root, 'build/test/helpers/registry.js'));
const { uploadImage } = await import(join(root, 'build/test/registry/helpers.js'));
const { RegistryClient } = await import(join(root, 'build/lib/registry/client.js'));

const latencyMs = Number(process.argv[2] ?? 20);
const TAGS = 20;
const ARCHES = { amd64: { architecture: 'amd64', os: 'linux' }, arm64v8: { architecture: 'arm64', os: 'linux', variant: 'v8' },
  arm32v7: { architecture: 'arm', os: 'linux', variant: 'v7' }, ppc64le: { architecture: 'ppc64le', os: 'linux' } };
const RUNS = 5;

const work = mkdtempSync(join(tmpdir(), 'bashbrew-bench-put-shared-'));
const registry = await startRegistry();

/** A proxy that waits `ms` before passing each request on. */
async function latencyProxy(target, ms) {
  const [host, port] = target.split(':');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    setTimeout(() => {
      const up = request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    }, ms);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { host: `127.0.0.1:${server.address().port}`, count: () => requests, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

function bashbrew(args, env) {
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(join(root, 'bin/bashbrew'), args, { env: { PATH: process.env.PATH, HOME: work, BASHBREW_CACHE: join(work, 'cache'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? ok(Number(process.hrtime.bigint() - started) / 1e6) : fail(new Error(`exit ${code}: ${err}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const client = new RegistryClient({ env: {} });
  const lib = join(work, 'library');
  mkdirSync(lib);
  const entries = [];
  for (let i = 1; i <= TAGS; i++) {
    for (const [arch, platform] of Object.entries(ARCHES)) {
      await uploadImage(client, `${registry.host}/${arch}/bench`, { ...platform, 'os.features': [`t${i}`] }, `t${i}`);
    }
    // a Directory each: entries that differ only in their tags would be merged into one by the parser
    entries.push(`Tags: t${i}\nArchitectures: ${Object.keys(ARCHES).join(', ')}\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: t${i}`);
  }
  writeFileSync(join(lib, 'bench'), `Maintainers: B (@b)\nGitRepo: https://example.invalid/bench.git\n\n${entries.join('\n\n')}\n`);

  console.log(`put-shared of ${TAGS} tags × ${Object.keys(ARCHES).length} arches (medians of ${RUNS} runs)`);
  for (const latency of [0, latencyMs]) {
    const proxy = await latencyProxy(registry.host, latency);
    const host = proxy.host;
    const nsArgs = Object.keys(ARCHES).flatMap((a) => ['--arch-namespace', `${a}=${host}/${a}`]);
    const results = {};
    const requests = {};
    for (const concurrency of ['1', '8']) {
      const put = [];
      const noop = [];
      for (let run = 0; run < RUNS; run++) {
        const target = `${host}/target-${latency}-${concurrency}-${run}`;
        const env = { BASHBREW_REGISTRY_CONCURRENCY: concurrency };
        let before = proxy.count();
        put.push(await bashbrew(['--library', lib, ...nsArgs, 'put-shared', '--target-namespace', target, 'bench'], env));
        requests.put = proxy.count() - before;
        before = proxy.count();
        noop.push(await bashbrew(['--library', lib, ...nsArgs, 'put-shared', '--target-namespace', target, 'bench'], env));
        requests.noop = proxy.count() - before;
      }
      results[concurrency] = { put: median(put), noop: median(noop) };
    }
    const s = results['1'];
    const c = results['8'];
    console.log(`  latency ${String(latency).padStart(2)} ms: put    sequential ${s.put.toFixed(0)} ms, concurrent ${c.put.toFixed(0)} ms (${(s.put / c.put).toFixed(2)}×)`);
    console.log(`                  no-op  sequential ${s.noop.toFixed(0)} ms, concurrent ${c.noop.toFixed(0)} ms (${(s.noop / c.noop).toFixed(2)}×)`);
    if (latency === 0) console.log(`  HTTP requests per run: put ${requests.put}, no-op ${requests.noop}`);
    await proxy.close();
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
