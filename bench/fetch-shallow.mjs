#!/usr/bin/env node
// Fetch benchmark: what the git cache transfers for one pinned commit, shallow (bashbrew-ts:
// `git fetch --depth 1 URL SHA:REF`) against full (the reference: the whole branch history).
// A local repository with many commits (fixed dates, a few KB of new content per commit) is made
// once; each run fetches into a fresh cache. Bytes = size of the cache's objects directory
// afterwards. Prints the medians and the ratio (target: at most 5% of the bytes).
//
//   npm run build && node bench/fetch-shallow.mjs [COMMITS] [RUNS]     (default 1000 commits, 5 runs)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { GitCache } = await import(join(root, 'build/lib/git/cache.js'));

const COMMITS = Math.max(1000, Number(process.argv[2] ?? 1000));
const RUNS = Math.max(1, Number(process.argv[3] ?? 5));
const FILES = 20; // files in the tree
const CHANGED = 2; // files rewritten per commit
const FILE_BYTES = 2048; // content of each rewritten file

const work = mkdtempSync(join(tmpdir(), 'bashbrew-bench-fetch-'));
const env = { ...process.env, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', HOME: work };
for (const k of Object.keys(env)) if (k.startsWith('GIT_') && k !== 'GIT_CONFIG_NOSYSTEM') delete env[k];
const git = (args, opts = {}) => execFileSync('git', args, { env, maxBuffer: 1 << 30, ...opts });

// xorshift32: the same "random" content on every machine
let seed = 0x9e3779b9;
function random() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed;
}
function content(commit, file) {
  let s = `# file ${file}, commit ${commit}\n`;
  while (s.length < FILE_BYTES) s += `${random().toString(16).padStart(8, '0')} ${random().toString(36)} ${random().toString(16)}\n`;
  return s;
}

/** The source repository, through fast-import (a few seconds for 1,000 commits). */
function makeSource() {
  const src = join(work, 'source.git');
  git(['init', '--bare', '--quiet', '-b', 'main', src]);
  const parts = [];
  for (let i = 1; i <= COMMITS; i++) {
    const ts = 1600000000 + i * 3600;
    const msg = `release ${i}`;
    parts.push('commit refs/heads/main\n');
    parts.push(`author Bench <bench@bashbrew.invalid> ${ts} +0000\ncommitter Bench <bench@bashbrew.invalid> ${ts} +0000\n`);
    parts.push(`data ${Buffer.byteLength(msg)}\n${msg}\n`);
    const files = i === 1 ? Array.from({ length: FILES }, (_, f) => f) : Array.from({ length: CHANGED }, (_, k) => (i * CHANGED + k) % FILES);
    for (const f of files) {
      const data = content(i, f);
      parts.push(`M 100644 inline data/file-${String(f).padStart(2, '0')}.txt\ndata ${Buffer.byteLength(data)}\n${data}\n`);
    }
    const df = `FROM debian:bookworm-slim\nENV VERSION 1.${i}\nCOPY data/ /data/\n`;
    parts.push(`M 100644 inline Dockerfile\ndata ${Buffer.byteLength(df)}\n${df}\n`);
  }
  git(['--git-dir', src, 'fast-import', '--quiet'], { input: parts.join('') });
  git(['--git-dir', src, 'gc', '--quiet', '--aggressive']); // a packed server, like a real one
  return src;
}

function bytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? bytes(p) : st.size;
  }
  return total;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function shallowRun(url, commit) {
  const cacheDir = mkdtempSync(join(work, 'cache-'));
  const cache = new GitCache({ cacheDir, debug: false, log: (l) => console.error(l) });
  await cache.ensureInit();
  const start = process.hrtime.bigint();
  const got = await cache.fetch({ gitRepo: url, gitFetch: 'refs/heads/main', gitCommit: commit, pinTag: 'amd64/bench/latest' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await cache.close();
  if (got !== commit) throw new Error(`fetched ${got}, want ${commit}`);
  const size = bytes(join(cacheDir, 'git', 'objects'));
  rmSync(cacheDir, { recursive: true, force: true });
  return { ms, size };
}

function fullRun(url, commit) {
  const gitDir = mkdtempSync(join(work, 'full-'));
  git(['init', '--bare', '--quiet', gitDir]);
  const start = process.hrtime.bigint();
  git(['--git-dir', gitDir, 'fetch', '--quiet', '--no-tags', url, 'refs/heads/main:refs/heads/main']);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  git(['--git-dir', gitDir, 'cat-file', '-e', `${commit}^{commit}`]);
  const size = bytes(join(gitDir, 'objects'));
  rmSync(gitDir, { recursive: true, force: true });
  return { ms, size };
}

try {
  const t0 = Date.now();
  const src = makeSource();
  const url = `file://${src}`;
  // the pinned commit: not the tip (the branch moved on since the manifest was written)
  const commit = git(['--git-dir', src, 'rev-parse', 'main~10']).toString().trim();
  const count = git(['--git-dir', src, 'rev-list', '--count', 'main']).toString().trim();
  console.log(`source: ${count} commits, ${FILES} files, ${CHANGED} x ${FILE_BYTES} B rewritten per commit, packed ${bytes(join(src, 'objects'))} B (made in ${Date.now() - t0} ms)`);
  console.log(`pinned commit: ${commit} (main~10); ${RUNS} runs each, fresh cache per run`);

  const shallow = [];
  const full = [];
  for (let i = 0; i < RUNS; i++) {
    shallow.push(await shallowRun(url, commit));
    full.push(fullRun(url, commit));
  }
  const s = { ms: median(shallow.map((r) => r.ms)), size: median(shallow.map((r) => r.size)) };
  const f = { ms: median(full.map((r) => r.ms)), size: median(full.map((r) => r.size)) };
  const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
  console.log(`shallow (bashbrew-ts): ${String(s.size).padStart(10)} B  ${s.ms.toFixed(1).padStart(8)} ms`);
  console.log(`full (reference):      ${String(f.size).padStart(10)} B  ${f.ms.toFixed(1).padStart(8)} ms`);
  console.log(`ratio: ${pct(s.size, f.size)} of the bytes (target <= 5%), ${pct(s.ms, f.ms)} of the time`);
  process.exitCode = s.size <= 0.05 * f.size ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
