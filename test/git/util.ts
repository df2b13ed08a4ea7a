// Shared helpers of the git layer tests: temp caches, plain git for assertions, expected files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FetchRequest, GitCache } from '../../lib/git/cache.js';
import { ensureGitFixtures, fixtureCommits, fixtureUrl } from '../helpers/git-fixtures.js';
import { specDir } from '../helpers/paths.js';

ensureGitFixtures();
export const commits = fixtureCommits();

/** A labelled fixture commit, e.g. sha('osbase', 'a1'). */
export function sha(repo: string, label: string): string {
  const id = commits.get(`${repo} ${label}`);
  if (id === undefined) throw new Error(`no fixture commit ${repo} ${label}`);
  return id;
}

export { fixtureUrl };

export interface TestCache {
  cache: GitCache;
  dir: string;
  logs: string[];
  /** Closes the cache and removes its directory. */
  done(): Promise<void>;
}

export function tempCacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'bashbrew-git-test-'));
}

export function newCache(dir = tempCacheDir(), debug = false): TestCache {
  const logs: string[] = [];
  const cache = new GitCache({ cacheDir: dir, debug, log: (line) => logs.push(line) });
  return {
    cache,
    dir,
    logs,
    async done() {
      await cache.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function request(repo: string, gitFetch: string, gitCommit: string, pinTag = `amd64/${repo}/test`): FetchRequest {
  return { gitRepo: fixtureUrl(repo), gitFetch, gitCommit, pinTag };
}

/** Plain git in a repository (for assertions only). */
export function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    encoding: 'utf8',
    env: { ...process.env, GIT_DIR: gitDir, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `REF -> COMMIT` lines of every ref. */
export function refs(gitDir: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of git(gitDir, 'for-each-ref', '--format=%(refname) %(objectname)').split('\n')) {
    const [ref, id] = line.split(' ');
    if (ref && id) map.set(ref, id);
  }
  return map;
}

/** A file of the reference's expected outputs (graph-cases/expected/NAME). */
export function expected(name: string): string {
  return readFileSync(join(specDir, 'graph-cases', 'expected', name), 'utf8');
}

/** The pins of an expected .pins file: ref → commit. */
export function expectedPins(caseId: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of expected(`${caseId}.pins`).split('\n')) {
    const [id, ref] = line.split(' ');
    if (id && ref) map.set(ref, id);
  }
  return map;
}

/** Does the object exist in the repository? */
export function hasObject(gitDir: string, id: string): boolean {
  try {
    git(gitDir, 'cat-file', '-e', id);
    return true;
  } catch {
    return false;
  }
}

/** Environment for git config through variables (GIT_CONFIG_COUNT ...), restored by the returned function. */
export function withGitConfigEnv(config: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  const set = (k: string, v: string) => {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    process.env[k] = v;
  };
  const entries = Object.entries(config);
  set('GIT_CONFIG_COUNT', String(entries.length));
  entries.forEach(([k, v], i) => {
    set(`GIT_CONFIG_KEY_${i}`, k);
    set(`GIT_CONFIG_VALUE_${i}`, v);
  });
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
