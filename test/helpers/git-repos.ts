// Small deterministic git repositories for tests: bare repositories built with plumbing only
// (hash-object, update-index, write-tree, commit-tree, update-ref), with fixed author, committer
// and dates, so the same content always gives the same commit ids. git is spawned with argument
// arrays only, and never reads the user's or the system's config.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { binPath } from './paths.js';
import { type CliResult, tempDir } from './run-cli.js';

/** A file of a commit: its content, or a symlink to `target`, or an executable. */
export type TreeEntry = string | Buffer | { symlink: string } | { executable: string | Buffer };

export interface CommitOptions {
  /** Seconds since the epoch (author and committer); default 1700000000. */
  time?: number;
  parents?: string[];
  message?: string;
}

/** Environment of every git run here: fixed identity, no user or system config, English. */
export function fixedGitEnv(time = 1700000000): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_')) env[k] = v;
  }
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    GIT_AUTHOR_DATE: `@${time} +0000`,
    GIT_COMMITTER_DATE: `@${time} +0000`,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LC_ALL: 'C',
  };
}

/** Runs git in `cwd` (a bare repository: GIT_DIR is set to it); returns stdout, throws on failure. */
export function gitRun(gitDir: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): string {
  const run = spawnSync('git', args, {
    cwd: gitDir,
    env: { ...fixedGitEnv(), GIT_DIR: gitDir, ...opts.env },
    input: typeof opts.input === 'string' ? Buffer.from(opts.input, 'utf8') : opts.input,
    maxBuffer: 1 << 28,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) {
    throw new Error(`git ${JSON.stringify(args)} failed (${run.status ?? run.signal}):\n${run.stderr.toString('utf8')}`);
  }
  return run.stdout.toString('utf8');
}

/** A new bare repository whose HEAD is refs/heads/main. */
export function initBare(gitDir: string): string {
  mkdirSync(gitDir, { recursive: true });
  const run = spawnSync('git', ['init', '--quiet', '--bare', gitDir], { env: fixedGitEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git init failed: ${run.stderr}`);
  gitRun(gitDir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  return gitDir;
}

/** Writes one commit with exactly these files (paths with "/" make directories); returns its id. */
export function commitTree(gitDir: string, files: Record<string, TreeEntry>, opts: CommitOptions = {}): string {
  const index = join(gitDir, `tmp-index-${process.pid}`);
  rmSync(index, { force: true });
  try {
    const lines: string[] = [];
    for (const [path, entry] of Object.entries(files)) {
      let mode = '100644';
      let data: string | Buffer;
      if (typeof entry === 'string' || Buffer.isBuffer(entry)) data = entry;
      else if ('symlink' in entry) {
        mode = '120000';
        data = entry.symlink;
      } else {
        mode = '100755';
        data = entry.executable;
      }
      const blob = gitRun(gitDir, ['hash-object', '-w', '--stdin'], { input: data }).trim();
      lines.push(`${mode} ${blob}\t${path}`);
    }
    const env = { GIT_INDEX_FILE: index };
    gitRun(gitDir, ['update-index', '--index-info'], { input: lines.map((l) => l + '\n').join(''), env });
    const tree = gitRun(gitDir, ['write-tree'], { env }).trim();
    const args = ['commit-tree', tree, '-m', opts.message ?? 'test commit'];
    for (const parent of opts.parents ?? []) args.push('-p', parent);
    return gitRun(gitDir, args, { env: fixedGitEnv(opts.time) }).trim();
  } finally {
    rmSync(index, { force: true });
  }
}

/** Points a ref (e.g. refs/heads/main) at a commit. */
export function setRef(gitDir: string, ref: string, commit: string): void {
  gitRun(gitDir, ['update-ref', ref, commit]);
}

/** A bare repository DIR/git/NAME.git with one commit of `files` on refs/heads/main (fixed dates); its file:// URL. */
export function bareRepoWithCommit(dir: string, name: string, files: Record<string, TreeEntry>): { url: string; commit: string } {
  const gitDir = initBare(join(dir, 'git', `${name}.git`));
  const commit = commitTree(gitDir, files);
  setRef(gitDir, 'refs/heads/main', commit);
  return { url: `file://${gitDir}`, commit };
}

/** A library file: the global paragraph (Maintainers, GitRepo, extra fields), then the entries. */
export function libraryFile(gitRepo: string, entries: string[], globals: Record<string, string> = {}): string {
  let text = `Maintainers: Test (@test)\nGitRepo: ${gitRepo}\n`;
  for (const [k, v] of Object.entries(globals)) text += `${k}: ${v}\n`;
  for (const entry of entries) text += `\n${entry.trimEnd()}\n`;
  return text;
}

/**
 * Like run-cli's `bashbrew` (only PATH, HOME, a fresh cache and config dir, plus `env`), but
 * killed after `timeoutMs`: a command that loops forever fails the test instead of hanging it.
 * `timedOut` says whether it was killed.
 */
export function bashbrewTimed(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): CliResult & {
  timedOut: boolean;
  ms: number;
  /** stdout as written (`stdout` is its UTF-8 decoding). */
  stdoutBytes: Buffer;
} {
  const work = tempDir();
  const started = Date.now();
  const run = spawnSync(binPath, args, {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: work, BASHBREW_CACHE: join(work, 'cache'),
      BASHBREW_CONFIG: join(work, 'config'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const ms = Date.now() - started;
  rmSync(work, { recursive: true, force: true });
  const timedOut = run.error !== undefined && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  if (run.error !== undefined && !timedOut) throw run.error;
  const stdoutBytes = run.stdout ?? Buffer.alloc(0);
  return { code: run.status, stdout: stdoutBytes.toString('utf8'), stderr: (run.stderr ?? Buffer.alloc(0)).toString('utf8'), timedOut, ms, stdoutBytes };
}

/** The `$ git [...]` lines that --debug printed for one git subcommand, as argument arrays. */
export function debugGitCommands(stderr: string, subcommand: string): string[][] {
  const commands: string[][] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('$ git [')) continue;
    // Go's %q of each argument; for the ASCII arguments here that is a JSON string
    const args = [...line.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => JSON.parse(m[0]) as string);
    if (args[0] === subcommand) commands.push(args);
  }
  return commands;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface GitDaemon {
  port: number;
  /** `git://127.0.0.1:PORT/` */
  url: string;
  /** Everything the daemon said (with --verbose: each request). */
  log(): string;
  /**
   * The daemon's log once every connection so far has ended (its lines arrive only while this
   * process's event loop runs, and a synchronous bashbrew run blocks it).
   */
  settledLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A `git daemon` serving every repository under `basePath` on 127.0.0.1, started in `cwd`.
 * Resolves once it is ready to accept connections (it says "Ready to rumble"); retries on
 * another port if the one picked was taken meanwhile.
 */
export async function startGitDaemon(basePath: string, cwd: string): Promise<GitDaemon> {
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await startOn(basePath, cwd, port);
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw lastError ?? new Error('git daemon did not start');
}

function startOn(basePath: string, cwd: string, port: number): Promise<GitDaemon> {
  const child = spawn('git', ['daemon', '--verbose', '--reuseaddr', '--export-all', '--listen=127.0.0.1',
    `--port=${port}`, `--base-path=${basePath}`, basePath], {
    cwd,
    env: fixedGitEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const daemon: GitDaemon = {
    port,
    url: `git://127.0.0.1:${port}/`,
    log: () => stderr,
    async settledLog() {
      const deadline = Date.now() + 5000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        const connections = (stderr.match(/Connection from/g) ?? []).length;
        const ended = (stderr.match(/\] Disconnected/g) ?? []).length;
        if (connections === ended || Date.now() > deadline) return stderr;
      }
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000);
      await exit;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void daemon.stop().then(() => reject(new Error(`git daemon not ready after 10 s:\n${stderr}`)));
    }, 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (/Ready to rumble/.test(stderr)) {
        clearTimeout(timer);
        resolve(daemon);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`git daemon exited early:\n${stderr}`));
    });
  });
}
