#!/usr/bin/env node
// Graph benchmark on a synthetic library: 2,000 entries over 50 local git repositories, each
// Dockerfile with 2–4 stages FROM other entries. Times `from --all`, `list --build-order --all`
// and `children` on a warm cache, and counts the git processes each run spawns (a PATH shim
// logs every `git` invocation): they must grow with repositories, not entries.
//
//   node bench/graph.mjs [REPOS] [ENTRIES_PER_REPO]      (default 50 × 40)
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPOS = Number(process.argv[2] ?? 50);
const PER_REPO = Number(process.argv[3] ?? 40);
const work = mkdtempSync(join(tmpdir(), 'bashbrew-bench-graph-'));
const gitEnv = {
  ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1', HOME: work,
};
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

// repositories and library files
const library = join(work, 'library');
mkdirSync(library);
for (let r = 0; r < REPOS; r++) {
  const dir = join(work, 'src', `repo${r}`);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (let e = 0; e < PER_REPO; e++) {
    const stages = 2 + ((r + e) % 3);
    const lines = [];
    for (let s = 0; s < stages - 1; s++) {
      // a FROM on an entry of an earlier repo (acyclic), or scratch for the first repo
      lines.push(r === 0 ? `FROM scratch AS s${s}` : `FROM repo${(r * 7 + e + s) % r}:v${(e + s) % PER_REPO} AS s${s}`);
      lines.push(`RUN echo stage ${s}`);
    }
    lines.push(r === 0 ? 'FROM scratch' : `FROM repo${(r + e) % r}:v${e}`, 'COPY --from=s0 /x /x');
    mkdirSync(join(dir, `v${e}`), { recursive: true });
    writeFileSync(join(dir, `v${e}`, 'Dockerfile'), lines.join('\n') + '\n');
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'entries');
  const commit = git(dir, 'rev-parse', 'HEAD');
  const paragraphs = [`Maintainers: Bench (@bench)\nGitRepo: file://${dir}\nGitCommit: ${commit}\nGitFetch: refs/heads/main\nArchitectures: amd64, arm64v8`];
  for (let e = 0; e < PER_REPO; e++) paragraphs.push(`Tags: v${e}\nDirectory: v${e}`);
  writeFileSync(join(library, `repo${r}`), paragraphs.join('\n\n') + '\n');
}

// a git shim that logs every invocation, ahead of the real git on PATH
const shimDir = join(work, 'shim');
const log = join(work, 'git-calls.log');
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
mkdirSync(shimDir);
writeFileSync(join(shimDir, 'git'), `#!/bin/sh\necho "$1" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(realGit)} "$@"\n`);
chmodSync(join(shimDir, 'git'), 0o755);

const env = { PATH: `${shimDir}:${process.env.PATH}`, HOME: work, BASHBREW_LIBRARY: library,
  BASHBREW_CACHE: join(work, 'cache'), BASHBREW_CONFIG: join(work, 'no-config') };
function run(args) {
  writeFileSync(log, '');
  const start = process.hrtime.bigint();
  const r = spawnSync(join(root, 'bin/bashbrew'), args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`bashbrew ${args.join(' ')} failed:\n${r.stderr}`);
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { ms, calls, lines: r.stdout.split('\n').length - 1 };
}

const entries = REPOS * PER_REPO;
const cold = run(['fetch', '--all']);
console.log(`library: ${REPOS} repositories, ${entries} entries (2 arches each)`);
console.log(`cold  fetch --all:             ${cold.ms.toFixed(0)} ms, ${cold.calls.length} git processes`);
for (const args of [['from', '--all'], ['list', '--build-order', '--all'], ['children', 'repo0'], ['fetch', '--all']]) {
  run(args); // warm
  const r = run(args);
  const kinds = {};
  for (const c of r.calls) kinds[c] = (kinds[c] ?? 0) + 1;
  console.log(`warm  ${args.join(' ').padEnd(24)} ${r.ms.toFixed(0).padStart(6)} ms, ${String(r.calls.length).padStart(4)} git processes ${JSON.stringify(kinds)}, ${r.lines} lines`);
}
rmSync(work, { recursive: true, force: true });
