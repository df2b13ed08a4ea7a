// Object access through ONE long-lived `git cat-file --batch --follow-symlinks` per cache:
// reading a Dockerfile or walking a build context costs a line on a pipe, not a process each.
// Requests are answered strictly in order, so a FIFO of pending requests is all the
// bookkeeping needed. git rescans its packs when an object is not found, so objects fetched
// after the process started are seen too.
import { type ChildProcess } from 'node:child_process';
import { type Writable } from 'node:stream';
import { type GitRunContext, exitStatusText, spawnGit } from './run.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** An answer of cat-file for one object name. */
export type BatchReply =
  | { kind: 'object'; oid: string; type: ObjectType; data: Buffer }
  | { kind: 'missing' }
  // --follow-symlinks: a link leading out of the tree ("symlink", data = the link target), to
  // nothing ("dangling"), in circles ("loop"), or through a non-directory ("notdir")
  | { kind: 'symlink' | 'dangling' | 'loop' | 'notdir'; data: Buffer };

interface Pending {
  resolve: (reply: BatchReply) => void;
  reject: (err: Error) => void;
}

const OBJECT_HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag) (\d+)$/;
const LINK_HEADER = /^(symlink|dangling|loop|notdir) (\d+)$/;

/** The cache's object reader: starts the cat-file process on first use, again after close(). */
export class CatFileBatch {
  #process: BatchProcess | null = null;

  constructor(private readonly ctx: GitRunContext) {}

  /** Looks up an object name: an id, or COMMIT:PATH (symlinks inside the tree are followed). */
  get(name: string): Promise<BatchReply> {
    if (name.includes('\n')) {
      // cat-file reads one name per line; such a name cannot come from a manifest anyway
      return Promise.resolve({ kind: 'missing' });
    }
    if (this.#process === null || this.#process.ended) this.#process = new BatchProcess(this.ctx);
    return this.#process.get(name);
  }

  /** Ends the process; requests still pending fail. */
  async close(): Promise<void> {
    const process = this.#process;
    this.#process = null;
    await process?.close();
  }
}

/** One running `git cat-file --batch` and the FIFO of requests it has yet to answer. */
class BatchProcess {
  readonly #child: ChildProcess;
  readonly #stdin: Writable;
  readonly #exited: Promise<void>;
  #pending: Pending[] = [];
  #chunks: Buffer[] = [];
  #length = 0;
  // the reply being read: its header, and the size of the content that follows it
  #current: { header: string; size: number } | null = null;
  #stderr = '';
  ended = false;

  constructor(ctx: GitRunContext) {
    const child = spawnGit(ctx, ['cat-file', '--batch', '--follow-symlinks'], 'pipe');
    this.#child = child;
    this.#stdin = child.stdin!;
    this.#stdin.on('error', () => { /* EPIPE: reported by 'close' below */ });
    child.stdout!.on('data', (chunk: Buffer) => this.#onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => { this.#stderr += chunk.toString('utf8'); });
    this.#exited = new Promise<void>((resolve) => {
      child.on('error', (err) => {
        this.ended = true;
        this.#fail(err);
        resolve();
      });
      child.on('close', (code, signal) => {
        this.ended = true;
        const why = this.#stderr.trim();
        this.#fail(new Error(`git cat-file --batch ended (${exitStatusText({ code, signal })})${why ? `: ${why}` : ''}`));
        resolve();
      });
    });
    this.#setRef(false);
  }

  get(name: string): Promise<BatchReply> {
    return new Promise<BatchReply>((resolve, reject) => {
      if (this.ended) {
        reject(new Error('git cat-file --batch has ended'));
        return;
      }
      this.#pending.push({ resolve, reject });
      this.#setRef(true);
      this.#stdin.write(name + '\n');
    });
  }

  close(): Promise<void> {
    this.#setRef(true); // keep Node running until git has gone
    this.#stdin.end();
    return this.#exited;
  }

  // The process must not keep Node alive while idle (a caller that forgets close() still
  // exits), but must while a reply is awaited (or Node could exit with the promise unsettled).
  #setRef(ref: boolean): void {
    const child = this.#child;
    for (const h of [child, child.stdin, child.stdout, child.stderr] as unknown[]) {
      const handle = h as { ref?: () => void; unref?: () => void } | null;
      if (ref) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  #fail(err: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(err);
  }

  #onData(chunk: Buffer): void {
    // chunks are only joined once a whole header or a whole content is there (a large blob
    // arrives in many chunks; joining on each would be quadratic)
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    for (;;) {
      if (this.#current === null) {
        if (this.#length === 0) return;
        const buf = this.#joined();
        const nl = buf.indexOf(0x0a);
        if (nl < 0) return;
        const header = buf.subarray(0, nl).toString('latin1');
        this.#keep(buf.subarray(nl + 1));
        const size = replySize(header);
        if (size === null) {
          this.#reply({ kind: 'missing' });
          continue;
        }
        this.#current = { header, size };
      }
      const { header, size } = this.#current;
      if (this.#length < size + 1) return; // content, then one LF
      const buf = this.#joined();
      const data = Buffer.from(buf.subarray(0, size));
      this.#keep(buf.subarray(size + 1));
      this.#current = null;
      this.#reply(parseReply(header, data));
    }
  }

  #joined(): Buffer {
    const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [buf];
    return buf;
  }

  #keep(rest: Buffer): void {
    this.#chunks = rest.length === 0 ? [] : [rest];
    this.#length = rest.length;
  }

  #reply(reply: BatchReply): void {
    this.#pending.shift()?.resolve(reply);
    if (this.#pending.length === 0) this.#setRef(false);
  }
}

/** The size of the content that follows a reply header; null when no content follows. */
function replySize(header: string): number | null {
  const obj = OBJECT_HEADER.exec(header);
  if (obj !== null) return Number(obj[3]);
  const link = LINK_HEADER.exec(header);
  if (link !== null) return Number(link[2]);
  // "<name> missing", "<name> ambiguous" (and anything unexpected): no content
  return null;
}

function parseReply(header: string, data: Buffer): BatchReply {
  const obj = OBJECT_HEADER.exec(header);
  if (obj !== null) return { kind: 'object', oid: obj[1]!, type: obj[2] as ObjectType, data };
  const link = LINK_HEADER.exec(header)!;
  return { kind: link[1] as 'symlink' | 'dangling' | 'loop' | 'notdir', data };
}

/** One entry of a tree object; the name as raw bytes in a latin1 string (byte order = string order). */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** Parses a tree object ("MODE NAME\0<raw id>" records); hashLength 20 (SHA-1) or 32 (SHA-256). */
export function parseTree(data: Buffer, hashLength: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const nul = data.indexOf(0x00, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + hashLength > data.length) throw new Error('malformed tree object');
    entries.push({
      mode: data.subarray(i, space).toString('latin1'),
      name: data.subarray(space + 1, nul).toString('latin1'),
      oid: data.subarray(nul + 1, nul + 1 + hashLength).toString('hex'),
    });
    i = nul + 1 + hashLength;
  }
  return entries;
}

/** When a signature (author/committer line) was made, as go-git reads it. */
export interface GitWhen {
  /** Unix seconds. */
  seconds: number;
  /** The zone's offset east of UTC, in minutes (go-git's reading of it, see parseWhen). */
  offsetMinutes: number;
  /** The zone as written in the commit, e.g. "+0530" ("" when there is none). */
  zone: string;
}

export interface CommitInfo {
  tree: string;
  parents: string[];
  author: GitWhen;
  committer: GitWhen;
}

/** Go's zero time.Time, in unix seconds: what go-git leaves when a signature has no time. */
const GO_ZERO_TIME = -62135596800;
const NO_TIME: GitWhen = { seconds: GO_ZERO_TIME, offsetMinutes: 0, zone: '' };

/** Reads the headers of a commit object that matter here. */
export function parseCommit(data: Buffer): CommitInfo {
  const end = data.indexOf('\n\n');
  const headers = data.subarray(0, end < 0 ? data.length : end).toString('latin1').split('\n');
  const info: CommitInfo = { tree: '', parents: [], author: NO_TIME, committer: NO_TIME };
  for (const line of headers) {
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') info.tree = value;
    else if (key === 'parent') info.parents.push(value);
    else if (key === 'author') info.author = parseWhen(value);
    else if (key === 'committer') info.committer = parseWhen(value);
  }
  return info;
}

/**
 * go-git's Signature.Decode time part: "Name <email> 1700000000 +0100". The zone's hours and
 * minutes are parsed separately and the minutes negated only when the hours are negative, so
 * "-0030" reads as +00:30 there; kept, since ArchGitTime prints the zone.
 */
export function parseWhen(signature: string): GitWhen {
  const open = signature.lastIndexOf('<');
  const close = signature.lastIndexOf('>');
  if (open < 0 || close < 0 || close < open || close + 2 >= signature.length) return NO_TIME;
  const rest = signature.slice(close + 2);
  const space = rest.indexOf(' ');
  const ts = space < 0 ? rest : rest.slice(0, space);
  if (!/^[+-]?\d+$/.test(ts)) return NO_TIME;
  const seconds = Number(ts);
  const zone = space < 0 ? '' : rest.slice(space + 1, space + 6);
  if (zone.length < 5 || !/^[+-]?\d+$/.test(zone.slice(0, 3)) || !/^[+-]?\d+$/.test(zone.slice(3))) {
    return { seconds, offsetMinutes: 0, zone: '' };
  }
  const hours = parseInt(zone.slice(0, 3), 10);
  let minutes = parseInt(zone.slice(3), 10);
  if (hours < 0) minutes = -minutes;
  return { seconds, offsetMinutes: hours * 60 + minutes, zone };
}

/** ArchGitTime (gitfs.CommitTime): the committer's time if strictly later, else the author's. */
export function laterOfAuthorCommitter(info: CommitInfo): GitWhen {
  return info.committer.seconds > info.author.seconds ? info.committer : info.author;
}
