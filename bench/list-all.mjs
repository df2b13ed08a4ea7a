#!/usr/bin/env node
// Start-up benchmark: `bin/bashbrew list --all` over the official-images corpus, as a whole
// process, against Node's own bare start (`node -e 0`). Runs alternate so that machine noise
// hits both alike; prints the medians and their ratio (target: at most 1.3×).
//
//   node bench/list-all.mjs [RUNS]        (default 21 runs each)
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(process.env.BASHBREW_CORPUS_DIR ?? join(root, '../shared/corpus/official-images/library'));
const runs = Math.max(7, Number(process.argv[2] ?? 21));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, BASHBREW_LIBRARY: corpus, BASHBREW_CONFIG: '/nonexistent' };

function time(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, lines: r.stdout.toString().split('\n').length - 1 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const bare = [];
const ours = [];
let lines = 0;
time(process.execPath, ['-e', '0']); // warm the file cache for both
time(join(root, 'bin/bashbrew'), ['list', '--all']);
for (let i = 0; i < runs; i++) {
  bare.push(time(process.execPath, ['-e', '0']).ms);
  const r = time(join(root, 'bin/bashbrew'), ['list', '--all']);
  ours.push(r.ms);
  lines = r.lines;
}
const b = median(bare);
const o = median(ours);
console.log(`node -e 0:                 median ${b.toFixed(1)} ms over ${runs} runs`);
console.log(`bashbrew list --all (${lines} lines): median ${o.toFixed(1)} ms over ${runs} runs`);
console.log(`ratio: ${(o / b).toFixed(2)}x (target <= 1.30x)`);
