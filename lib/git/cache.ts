// The git cache (spec §4.2, §4.3, §4.6): one bare repository under <cache>/git that every
// command fetches into and reads from. This class only wires the pieces together and holds the
// per-process state: the memo of fetches, the single cat-file process, the transfer queue.
import { Readable } from 'node:stream';
import { type ChildProcess } from 'node:child_process';
import { resolve as resolvePath, join } from 'node:path';
import { createHash } from 'node:crypto';
import { type CommitSource, type FetchContext, type FetchRequest, GitFetchError, deepenCommit, fetchCommit } from './fetch.js';
import { GitFs } from './gitfs.js';
import { initBareRepository } from './init.js';
import { CatFileBatch, type GitWhen, laterOfAuthorCommitter, parseCommit } from './objects.js';
import { normalisePinTag } from './refname.js';
import { GitCommandError, type GitExit, type GitRunContext, runGit, spawnGit } from './run.js';
import { scrubbedTarChunks } from './tarscrub.js';

export { GitFetchError, normalisePinTag, type FetchRequest, type CommitSource };
export { secureGitRepo } from './fetch.js';
export { GitCommandError };
export type { GitExit, GitWhen };

export interface GitCacheOptions {
  cacheDir: string;
  debug: boolean;
  /** One stderr line, no trailing "\n". */
  log: (line: string) => void;
  /** How long to wait for another git process's lock (ms); default 10 minutes. */
  lockTimeoutMs?: number;
}

/** The stdout of `git archive`, plus how git ended (never rejects). */
export type ArchiveStream = Readable & { readonly exit: Promise<GitExit> };

export class GitCache {
  readonly gitDir: string;
  readonly #run: GitRunContext;
  readonly #opts: Required<GitCacheOptions>;
  readonly #objects: CatFileBatch;
  readonly #fetches = new Map<string, Promise<string>>();
  readonly #sources = new Map<string, CommitSource>();
  #init: Promise<string> | null = null;
  // Transfers run one at a time: each shallow fetch holds the repository's shallow.lock for
  // its whole duration anyway, so overlapping them would only turn into lock retries.
  #transferQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: GitCacheOptions) {
    this.#opts = { lockTimeoutMs: 10 * 60 * 1000, ...opts };
    this.gitDir = join(resolvePath(opts.cacheDir), 'git');
    this.#run = { gitDir: this.gitDir, debug: opts.debug, log: opts.log };
    this.#objects = new CatFileBatch(this.#run);
  }

  /** Creates the bare repository if missing (gc.auto=0); returns gitDir. */
  ensureInit(): Promise<string> {
    if (this.#init === null) {
      this.#init = initBareRepository(this.gitDir, this.#opts).then(() => this.gitDir);
      this.#init.catch(() => { this.#init = null; });
    }
    return this.#init;
  }

  /**
   * Makes sure the entry's commit is in the cache (spec §4.2) and returns its full id. Memoised
   * per process by repo, fetch and commit (failures are not, like the reference).
   */
  fetch(req: FetchRequest): Promise<string> {
    const key = `${req.gitRepo}\n${req.gitFetch}\n${req.gitCommit}`;
    let pending = this.#fetches.get(key);
    if (pending === undefined) {
      pending = (async () => {
        await this.ensureInit();
        const commit = await fetchCommit(this.#fetchContext(), req);
        this.#sources.set(commit, { gitRepo: req.gitRepo, gitFetch: req.gitFetch });
        return commit;
      })();
      this.#fetches.set(key, pending);
      pending.catch(() => this.#fetches.delete(key));
    }
    return pending;
  }

  /**
   * Completes the history of a commit that was fetched shallowly (e.g. for a check that needs
   * its ancestors). The source defaults to where this process fetched it from.
   */
  async deepen(commit: string, source?: CommitSource): Promise<void> {
    const from = source ?? this.#sources.get(commit);
    if (from === undefined) throw new Error(`don't know where Git commit ${JSON.stringify(commit)} came from (fetch it first, or give its source)`);
    await this.ensureInit();
    await deepenCommit(this.#fetchContext(), commit, from);
  }

  /**
   * A file of a commit (gitShow, spec §4.3), or null when there is no such file; directories and
   * submodules are no file. A missing commit is an error ("object not found").
   *
   * A symlink is followed when it stays inside the repository (relative to its own directory).
   * The reference (go-git's Tree.File) does not follow: it reads a symlinked Dockerfile as the
   * link's target text, so it finds no FROM in it. `{ followSymlinks: false }` gives that.
   */
  async readFile(commit: string, path: string, opts: { followSymlinks?: boolean } = {}): Promise<Buffer | null> {
    await this.ensureInit();
    if (opts.followSymlinks === false) return (await GitFs.open(this.#objects, commit)).file(path);
    const reply = await this.#objects.get(`${commit}:${path}`);
    if (reply.kind === 'object') return reply.type === 'blob' ? reply.data : null;
    // a symlink that cannot be followed inside the commit: say so rather than "file not found"
    const target = reply.kind === 'missing' ? '' : reply.data.toString('utf8');
    if (reply.kind === 'symlink') throw new Error(`${JSON.stringify(path)} is a symlink pointing outside the repository (${JSON.stringify(target)})`);
    if (reply.kind === 'loop') throw new Error(`${JSON.stringify(path)} is a symlink loop`);
    const commitReply = await this.#objects.get(commit);
    if (commitReply.kind !== 'object' || commitReply.type !== 'commit') throw new Error('object not found');
    return null;
  }

  /**
   * A file of a commit as a stream, for blobs too big to hold (oci-import layers). The path is
   * resolved as readFile resolves it (symlinks followed inside the repository, the same errors
   * for one leading outside or in circles); no such file (or a directory) is the error
   * "file does not exist". The size is known up front; the content is read by a
   * `git cat-file blob` started on the first read (so a stream never read costs no process), and
   * the stream fails if git fails or gives other than `size` bytes. Destroying it ends git.
   */
  async openBlob(commit: string, path: string): Promise<{ size: number; stream: Readable }> {
    await this.ensureInit();
    const name = `${commit}:${path}`;
    // --batch-check: the object id and size (or why there is none) without the content
    const reply = name.includes('\n')
      ? ''
      : (await runGit(this.#run, ['cat-file', '--batch-check', '--follow-symlinks'], name + '\n')).toString('utf8');
    const nl = reply.indexOf('\n');
    const header = nl < 0 ? reply : reply.slice(0, nl);
    const found = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag) (\d+)$/.exec(header);
    if (found === null) {
      const link = /^(symlink|loop) \d+$/.exec(header);
      const target = link === null ? '' : reply.slice(nl + 1).replace(/\n$/, '');
      if (link?.[1] === 'symlink') throw new Error(`${JSON.stringify(path)} is a symlink pointing outside the repository (${JSON.stringify(target)})`);
      if (link?.[1] === 'loop') throw new Error(`${JSON.stringify(path)} is a symlink loop`);
      const commitReply = await this.#objects.get(commit);
      if (commitReply.kind !== 'object' || commitReply.type !== 'commit') throw new Error('object not found');
      throw new Error('file does not exist');
    }
    if (found[2] !== 'blob') throw new Error('file does not exist');
    const size = Number(found[3]);
    const args = ['cat-file', 'blob', found[1]!];
    const run = this.#run;
    let child: ChildProcess | null = null;
    let received = 0;
    let stderr = '';
    const stream = new Readable({
      read() {
        if (child !== null) {
          child.stdout!.resume();
          return;
        }
        const proc = spawnGit(run, args);
        child = proc;
        proc.stderr!.on('data', (chunk: Buffer) => { if (stderr.length < 65536) stderr += chunk.toString('utf8'); });
        proc.stdout!.on('data', (chunk: Buffer) => {
          if (stream.destroyed) return;
          received += chunk.length;
          if (!stream.push(chunk)) proc.stdout!.pause();
        });
        proc.on('error', (err) => stream.destroy(err));
        proc.on('close', (code, signal) => {
          if (stream.destroyed) return;
          if (code !== 0) stream.destroy(new GitCommandError(args, { code, signal, stderr }));
          else if (received !== size) stream.destroy(new Error(`${JSON.stringify(path)}: read ${received} bytes of a blob of ${size}`));
          else stream.push(null);
        });
      },
      destroy(err, callback) {
        const proc: ChildProcess | null = child;
        if (proc !== null && proc.exitCode === null && proc.signalCode === null) proc.kill();
        callback(err);
      },
    });
    return { size, stream };
  }

  /** ArchGitTime: unix seconds of the later of author and committer time. */
  async commitTime(commit: string): Promise<number> {
    return (await this.commitWhen(commit)).seconds;
  }

  /** ArchGitTime with its time zone (go-git's reading of it), for formatting. */
  async commitWhen(commit: string): Promise<GitWhen> {
    await this.ensureInit();
    const reply = await this.#objects.get(commit);
    if (reply.kind !== 'object' || reply.type !== 'commit') throw new Error('object not found');
    return laterOfAuthorCommitter(parseCommit(reply.data));
  }

  /** The scrubbed tar of DIR at COMMIT (spec §4.6.2), in chunks. */
  async *scrubbedTarChunks(commit: string, dir: string): AsyncGenerator<Buffer> {
    await this.ensureInit();
    const fs = await GitFs.open(this.#objects, commit);
    yield* scrubbedTarChunks(fs, dir);
  }

  /** The scrubbed tar of DIR at COMMIT (spec §4.6.2), as `context` prints it. */
  async scrubbedTar(commit: string, dir: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.scrubbedTarChunks(commit, dir)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** ArchGitChecksum: lowercase hex SHA-256 of the scrubbed tar, without holding the tar. */
  async scrubbedTarSha256(commit: string, dir: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of this.scrubbedTarChunks(commit, dir)) hash.update(chunk);
    return hash.digest('hex');
  }

  /**
   * `git archive --format=tar COMMIT:DIR/` (`COMMIT:` for "."), streamed (spec §4.6.1): the
   * docker build context. Like the reference, git's stderr is not shown; how git ended is in
   * `exit`, which the reference ignores (a broken context fails the build instead).
   */
  archive(commit: string, dir: string): ArchiveStream {
    const treeish = dir === '.' ? `${commit}:` : `${commit}:${dir}/`;
    const child = spawnGit(this.#run, ['archive', '--format=tar', treeish]);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const exit = new Promise<GitExit>((resolve) => {
      child.on('error', (err) => resolve({ code: null, signal: null, stderr: err.message }));
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    });
    return Object.assign(child.stdout!, { exit });
  }

  /** Ends the cat-file process. */
  async close(): Promise<void> {
    await this.#objects.close();
  }

  #fetchContext(): FetchContext {
    return {
      gitDir: this.gitDir,
      run: this.#run,
      objects: this.#objects,
      log: this.#opts.log,
      lockTimeoutMs: this.#opts.lockTimeoutMs,
      exclusive: (fn) => this.#exclusive(fn),
    };
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#transferQueue.then(fn, fn);
    this.#transferQueue = run.catch(() => undefined);
    return run;
  }
}
