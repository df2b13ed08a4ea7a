// Running docker: argument arrays only, a context streamed into stdin, output captured (shown on
// failure, as the reference does) or streamed under --debug, bounded by a timeout and an abort
// signal. Image inspection is batched: one process for many references.
import { spawn } from 'node:child_process';
import { type Readable } from 'node:stream';
import { goQuoteList } from '../manifest/gostr.js';
import { type DockerCommand } from './argv.js';

export { ProcessExitError } from '../errors.js';

export interface RunOptions {
  stdin?: Readable | string | null;
  /** true: stdout+stderr captured into `output`; false: passed through to ours (--debug). */
  capture?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Also copy the combined output here as it arrives (per-build logs). */
  tee?: (chunk: Buffer) => void;
  /** Docker's stdout goes here instead of the captured output (e.g. an OCI tarball from buildx). */
  stdout?: (stream: Readable) => void;
}

export interface RunResult {
  code: number;
  output: string;
  /** Set when the process was stopped by the timeout or the abort signal. */
  stopped: 'timeout' | 'aborted' | null;
}

/** A stream backed by an OS pipe (a child process's stdout) that can be given to another process. */
function isPipe(stream: Readable): boolean {
  const handle = (stream as unknown as { _handle?: { fd?: number } })._handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 && !stream.readableFlowing && stream.readableLength === 0;
}

export interface ImageInfo {
  Id: string;
  RepoTags: string[];
  Os: string;
  Architecture: string;
  Variant: string;
}

export class DockerClient {
  constructor(private readonly opts: { debug: boolean; log: (line: string) => void; env?: NodeJS.ProcessEnv }) {}

  /** Runs `docker ARGS`; resolves with the exit code (never rejects for a non-zero exit). */
  run(cmd: DockerCommand, o: RunOptions = {}): Promise<RunResult> {
    const capture = o.capture ?? !this.opts.debug;
    if (this.opts.debug) {
      for (const [k, v] of Object.entries(cmd.env)) this.opts.log(`$ export ${k}=${JSON.stringify(v)}`);
      this.opts.log(`$ docker ${goQuoteList(cmd.args)}`);
    }
    // A pipe from another process (git archive's stdout) is handed to docker as its stdin
    // directly: the context then flows kernel to kernel and never passes through this process.
    const direct = o.stdin !== undefined && o.stdin !== null && typeof o.stdin !== 'string' && isPipe(o.stdin) ? o.stdin : null;
    return new Promise((resolve, reject) => {
      const child = spawn('docker', cmd.args, {
        env: { ...(this.opts.env ?? process.env), ...cmd.env },
        stdio: [direct ?? (o.stdin === undefined || o.stdin === null ? 'ignore' : 'pipe'), capture || o.stdout ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      });
      // our copy of the pipe is not needed once docker has its own (and must go, so that git sees
      // docker leave)
      direct?.destroy();
      const chunks: Buffer[] = [];
      const collect = (c: Buffer) => {
        chunks.push(c);
        o.tee?.(c);
      };
      if (o.stdout) o.stdout(child.stdout!);
      else child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      let stopped: RunResult['stopped'] = null;
      const stop = (why: 'timeout' | 'aborted') => {
        stopped = why;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      };
      const timer = o.timeoutMs ? setTimeout(() => stop('timeout'), o.timeoutMs) : null;
      const onAbort = () => stop('aborted');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      // aborted before we got here (e.g. while git was fetching): the listener would never fire
      if (o.signal?.aborted) stop('aborted');
      // docker may exit before reading everything (a bad Dockerfile, a stopped build): not our
      // error, its exit status says what happened
      child.stdin?.on('error', () => undefined);
      if (typeof o.stdin === 'string') child.stdin!.end(o.stdin);
      else if (o.stdin && direct === null) {
        o.stdin.on('error', () => child.stdin!.destroy());
        o.stdin.pipe(child.stdin!);
      }
      child.on('error', (err) => {
        if (timer) clearTimeout(timer);
        reject(new Error(`cannot run docker: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        resolve({ code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1), output: Buffer.concat(chunks).toString('utf8'), stopped });
      });
    });
  }

  /**
   * `docker image inspect` of many references in one process. Missing images map to null. Docker
   * prints found images in argument order and names each missing one on stderr; when that cannot
   * be matched up, fall back to one process per reference.
   */
  async inspectImages(refs: readonly string[]): Promise<Map<string, ImageInfo | null>> {
    const out = new Map<string, ImageInfo | null>();
    const unique = [...new Set(refs)];
    if (unique.length === 0) return out;
    const batch = await this.#inspect(unique);
    if (batch !== null) return batch;
    for (const ref of unique) out.set(ref, (await this.#inspect([ref]))?.get(ref) ?? null);
    return out;
  }

  async #inspect(refs: readonly string[]): Promise<Map<string, ImageInfo | null> | null> {
    const args = ['image', 'inspect', '--format', '{{json .}}', ...refs];
    if (this.opts.debug) this.opts.log(`$ docker ${goQuoteList(args)}`);
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      const child = spawn('docker', args, { env: this.opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '';
      let se = '';
      child.stdout.on('data', (c: Buffer) => (so += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (se += c.toString('utf8')));
      child.on('error', (err) => reject(new Error(`cannot run docker: ${err.message}`)));
      child.on('close', (c) => resolve({ stdout: so, stderr: se, code: c ?? 1 }));
    });
    const missing = new Set<string>();
    for (const line of stderr.split('\n')) {
      const m = /No such image: (.+)$/.exec(line.trim());
      if (m) missing.add(m[1]!);
    }
    const found = refs.filter((r) => !missing.has(r));
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== found.length || (code !== 0 && missing.size === 0)) {
      if (code !== 0 && missing.size === 0 && refs.length === 1) throw new Error(`docker image inspect failed: ${stderr.trim()}`);
      return refs.length === 1 ? null : null;
    }
    const result = new Map<string, ImageInfo | null>();
    for (const r of missing) result.set(r, null);
    found.forEach((ref, i) => {
      const j = JSON.parse(lines[i]!) as Partial<ImageInfo>;
      result.set(ref, { Id: j.Id ?? '', RepoTags: j.RepoTags ?? [], Os: j.Os ?? '', Architecture: j.Architecture ?? '', Variant: j.Variant ?? '' });
    });
    return result;
  }
}
