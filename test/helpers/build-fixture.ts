// A build-test fixture shared by test/build/*.integration.test.ts: real git repositories
// (file:// URLs, fixed dates), library files in a temp dir, the real bin/bashbrew, and cleanup of
// every image a test made.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext } from 'node:test';
import { daemonArch, docker, imageInspect, removeImages } from './docker.js';
import { bareRepoWithCommit, libraryFile, type TreeEntry } from './git-repos.js';
import { bashbrew, tempDir, type CliResult } from './run-cli.js';

/** bashbrew arch and OCI platform of the daemon (the image platform a FROM scratch build gets). */
export function daemonPlatform(): { arch: string; platform: string; goArch: string } {
  const goArch = daemonArch();
  const map: Record<string, [string, string]> = {
    amd64: ['amd64', 'linux/amd64'], arm64: ['arm64v8', 'linux/arm64/v8'], ppc64le: ['ppc64le', 'linux/ppc64le'],
    s390x: ['s390x', 'linux/s390x'], riscv64: ['riscv64', 'linux/riscv64'], 386: ['i386', 'linux/386'],
  };
  const found = map[goArch];
  if (found === undefined) throw new Error(`no bashbrew arch for the daemon's ${goArch}`);
  return { arch: found[0], platform: found[1], goArch };
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The cache tag of spec §5: the lines joined with "\n", sha256, lowercase hex. */
export function cacheTagOf(lines: string[]): string {
  return 'bashbrew/cache:' + sha256(lines.join('\n'));
}

export interface JsonStep {
  repo: string;
  identifier: string;
  arch: string;
  builder: string;
  action: string;
  cacheTag: string;
  tags: string[];
  parents: { from: string; id: string }[];
  context: string;
  file: string;
  platform: string | null;
  argv: string[] | null;
  env: Record<string, string>;
}

export class Fixture {
  readonly dir = tempDir('bbtest-build-');
  readonly id = randomBytes(4).toString('hex');
  readonly ns = `bbtest-${this.id}`;
  readonly lib = join(this.dir, 'library');
  readonly cache = join(this.dir, 'cache');
  /** More namespaces whose images the cleanup removes. */
  readonly namespaces = new Set<string>([this.ns]);
  readonly cacheTags = new Set<string>();
  /** Run first at cleanup (e.g. stopping a bashbrew still running, so it leaves no build behind). */
  readonly beforeCleanup: (() => Promise<void>)[] = [];
  readonly arch: string;
  readonly platform: string;
  readonly archList: string;

  constructor(t: TestContext) {
    mkdirSync(this.lib);
    const p = daemonPlatform();
    this.arch = p.arch;
    this.platform = p.platform;
    this.archList = [...new Set(['amd64', 'arm64v8', p.arch])].join(', ');
    t.after(() => this.cleanup());
  }

  /** A bare repository `NAME.git` with one commit of `files` on refs/heads/main (fixed dates). */
  repo(name: string, files: Record<string, TreeEntry>): { url: string; commit: string } {
    return bareRepoWithCommit(this.dir, name, files);
  }

  /** library/NAME with these entries (GitFetch refs/heads/main). */
  library(name: string, url: string, entries: string[]): void {
    writeFileSync(join(this.lib, name), libraryFile(url, entries, { GitFetch: 'refs/heads/main' }));
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = { BASHBREW_CACHE: this.cache, BASHBREW_BUILDKIT_SYNTAX: '', ...extra };
    if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST;
    return env;
  }

  /** bashbrew --library LIB --namespace NS ARGS (cache tags it prints are removed at the end). */
  run(args: string[], extraEnv: Record<string, string> = {}): CliResult {
    const r = bashbrew(['--library', this.lib, '--namespace', this.ns, ...args], this.env(extraEnv), this.dir);
    for (const m of `${r.stdout}\n${r.stderr}`.matchAll(/bashbrew\/cache:[0-9a-f]{64}/g)) this.cacheTags.add(m[0]);
    return r;
  }

  async cleanup(): Promise<void> {
    for (const fn of this.beforeCleanup) await fn();
    const refs = [...this.cacheTags];
    const listed = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { timeoutMs: 60_000 }).stdout;
    for (const ref of listed.split('\n')) {
      if ([...this.namespaces].some((ns) => ref.startsWith(`${ns}/`))) refs.push(ref);
    }
    removeImages(...refs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function ok(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

export function mustInspect(ref: string): NonNullable<ReturnType<typeof imageInspect>> {
  const info = imageInspect(ref);
  assert.ok(info, `${ref} should exist`);
  return info;
}

export function parseSteps(r: CliResult): JsonStep[] {
  ok(r, 'build --dry-run --json');
  const steps = JSON.parse(r.stdout) as JsonStep[];
  assert.ok(Array.isArray(steps), r.stdout);
  return steps;
}
