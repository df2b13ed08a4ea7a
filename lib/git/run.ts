// Running the git binary: always an argument array (never a shell), in the cache repository,
// with a predictable environment, and failures worded like the reference's helpers (spec §8):
//   exit status N
//   command: git ["arg" "arg"]
//   <captured stderr>
import { type ChildProcess, spawn } from 'node:child_process';
import { goQuoteList } from '../manifest/gostr.js';

export interface GitRunContext {
  /** The repository every command runs in (cwd and GIT_DIR); null for commands that make one. */
  gitDir: string | null;
  /** The working directory when gitDir is null. */
  cwd?: string;
  debug: boolean;
  log: (line: string) => void;
}

/** What a finished git process left behind. */
export interface GitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

// Variables that point git at some other repository (from `git rev-parse --local-env-vars`). A
// bashbrew started from a git hook or a CI step can inherit them; they would silently redirect
// every command away from the cache. (Config passed through the environment, GIT_CONFIG_COUNT
// and friends, is kept: CI uses it for credentials.)
const REPO_LOCAL_ENV = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_OBJECT_DIRECTORY', 'GIT_DIR', 'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE', 'GIT_GRAFT_FILE', 'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS',
  'GIT_REPLACE_REF_BASE', 'GIT_PREFIX', 'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR', 'GIT_NAMESPACE',
  'GIT_QUARANTINE_PATH',
];

export function gitEnv(gitDir: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPO_LOCAL_ENV) delete env[name];
  // never wait for a password on a terminal nobody watches; stable (English) messages to parse
  env.GIT_TERMINAL_PROMPT = '0';
  env.LC_ALL = 'C';
  // An explicit GIT_DIR (rather than repository discovery from the cwd) keeps working when the
  // user's config says safe.bareRepository=explicit, and keeps argv as the reference had it
  // (the debug echo of `git archive` shows no --git-dir).
  if (gitDir !== null) env.GIT_DIR = gitDir;
  return env;
}

/** Go's *exec.ExitError text. */
export function exitStatusText(exit: Pick<GitExit, 'code' | 'signal'>): string {
  if (exit.signal !== null) return `signal: ${signalName(exit.signal)}`;
  return `exit status ${exit.code ?? -1}`;
}

function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGPIPE: 'broken pipe',
    SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGHUP: 'hangup', SIGQUIT: 'quit',
  };
  return names[signal] ?? signal;
}

/** A git command that failed: message in the reference's external-command format. */
export class GitCommandError extends Error {
  constructor(readonly args: readonly string[], readonly exit: GitExit) {
    super(`${exitStatusText(exit)}\ncommand: git ${goQuoteList(args)}\n${exit.stderr}`);
  }
}

/** `$ git ["a" "b"]`, with the password of any URL hidden. */
export function debugLine(args: readonly string[]): string {
  return `$ git ${goQuoteList(args.map(redactUrl))}`;
}

function redactUrl(arg: string): string {
  return arg.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

/** Spawns git; the caller owns the streams. Logs the command first when debugging. */
export function spawnGit(ctx: GitRunContext, args: readonly string[], stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  if (ctx.debug) ctx.log(debugLine(args));
  return spawn('git', [...args], {
    cwd: ctx.gitDir ?? ctx.cwd,
    env: gitEnv(ctx.gitDir),
    stdio: [stdin, 'pipe', 'pipe'],
    windowsHide: true,
  });
}

export interface GitResult extends GitExit {
  stdout: Buffer;
}

/** Runs git to completion, collecting stdout and stderr; never throws for an exit status. */
export function runGitRaw(ctx: GitRunContext, args: readonly string[], input?: string | Buffer): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(ctx, args, input === undefined ? 'ignore' : 'pipe');
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs git and returns its stdout; a non-zero exit becomes a GitCommandError. */
export async function runGit(ctx: GitRunContext, args: readonly string[], input?: string | Buffer): Promise<Buffer> {
  const result = await runGitRaw(ctx, args, input);
  if (result.code !== 0) throw new GitCommandError(args, result);
  return result.stdout;
}

// Another git process holds a lock we need (ref, packed-refs, shallow, config), or changed the
// shallow file under us. Both clear up by themselves; anything else is a real failure.
const LOCK_CONTENTION = [
  /Unable to create '[^']*\.lock': File exists/,
  /could not lock config file .*: File exists/,
  /shallow file has changed since we read it/,
];

export function isLockContention(stderr: string): boolean {
  return LOCK_CONTENTION.some((re) => re.test(stderr));
}

export interface RetryOptions {
  /** Give up after this long (ms); a lock left by a crashed git never clears. */
  timeoutMs: number;
}

/** Runs git, retrying with backoff while it fails only because another git holds a lock. */
export async function runGitRetrying(ctx: GitRunContext, args: readonly string[], retry: RetryOptions): Promise<GitResult> {
  const deadline = Date.now() + retry.timeoutMs;
  let delay = 25;
  for (;;) {
    const result = await runGitRaw(ctx, args);
    if (result.code === 0 || !isLockContention(result.stderr) || Date.now() >= deadline) return result;
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 1000);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
