// The deterministic fixture repositories of the graph reference cases (spec graph-cases/):
// bare repositories under /tmp/bars-git, served as file:// URLs. Built once by the spec's
// mk-git-fixtures script, rebuilt only when their commit ids do not match fixtures.txt.
// `node --test` runs test files in parallel processes, so the rebuild takes a lock directory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { specDir } from './paths.js';

export const FIXTURES_ROOT = '/tmp/bars-git';
const LOCK = `${FIXTURES_ROOT}.lock`;
const STALE_LOCK_MS = 5 * 60 * 1000;

function upToDate(): boolean {
  try {
    const want = readFileSync(join(specDir, 'graph-cases', 'fixtures.txt'), 'utf8');
    return readFileSync(join(FIXTURES_ROOT, 'commits.txt'), 'utf8') === want;
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lock(): void {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmdirSync(LOCK);
      } catch { /* gone meanwhile */ }
      sleepSync(100);
    }
  }
}

/** Makes sure the fixture repositories exist and are the expected ones; returns their root. */
export function ensureGitFixtures(): string {
  if (upToDate()) return FIXTURES_ROOT;
  lock();
  try {
    if (!upToDate()) {
      const run = spawnSync('bash', [join(specDir, 'graph-cases', 'mk-git-fixtures')], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`mk-git-fixtures failed (${run.status}):\n${run.stdout}${run.stderr}`);
      if (!upToDate()) throw new Error(`mk-git-fixtures made commits other than ${join(specDir, 'graph-cases', 'fixtures.txt')} (git version?)`);
    }
  } finally {
    rmdirSync(LOCK);
  }
  return FIXTURES_ROOT;
}

/** The labelled commits of fixtures.txt: "REPO LABEL" → commit id. */
export function fixtureCommits(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(join(specDir, 'graph-cases', 'fixtures.txt'), 'utf8').split('\n')) {
    const [repo, label, sha] = line.split(' ');
    if (repo && label && sha) map.set(`${repo} ${label}`, sha);
  }
  return map;
}

/** file:// URL of a fixture repository. */
export function fixtureUrl(name: string): string {
  return `file://${FIXTURES_ROOT}/${name}.git`;
}
