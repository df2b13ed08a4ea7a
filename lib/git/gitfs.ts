// A commit's tree seen the way the reference's pkg/gitfs sees it (spec §4.6.2), so the scrubbed
// context tar and its errors match: paths are looked up with go-git's Tree.FindEntry (and its
// error texts), symlinks are followed only where gitfs follows them (relative targets, resolved
// against the link's directory, never leaving the repository), submodules are empty
// directories. Names are raw bytes kept in latin1 strings, so string order is byte order.
import { goQuote } from '../manifest/gostr.js';
import { type BatchReply, type TreeEntry, parseTree } from './objects.js';

export interface ObjectSource {
  get(name: string): Promise<BatchReply>;
}

// go-git's filemode values, as git writes them in tree objects
export const MODE_DIR = 0o040000;
export const MODE_REGULAR = 0o100644;
export const MODE_EXECUTABLE = 0o100755;
export const MODE_SYMLINK = 0o120000;
export const MODE_SUBMODULE = 0o160000;

/** A file, directory, symlink or submodule of the commit (the root has no entry). */
export interface GitFsNode {
  /** Full path from the repository root ("." for the root), latin1. */
  name: string;
  /** go-git filemode, or MODE_DIR for the root. */
  mode: number;
  oid: string;
  /** Entries, for directories (not for submodules, which read as empty directories). */
  entries: TreeEntry[] | null;
}

const MAX_SYMLINK_HOPS = 40; // gitfs recurses without a limit; a cycle would overflow its stack

export class GitFs {
  private constructor(private readonly src: ObjectSource, private readonly hashLength: number, readonly root: GitFsNode) {}

  /** gitfs.CommitHash: the tree of a commit ("object not found" when there is no such commit). */
  static async open(src: ObjectSource, commit: string): Promise<GitFs> {
    const reply = await src.get(commit);
    if (reply.kind !== 'object' || reply.type !== 'commit') throw new Error('object not found');
    const treeId = /^tree ([0-9a-f]+)$/m.exec(reply.data.subarray(0, 200).toString('latin1'))?.[1];
    if (treeId === undefined) throw new Error('object not found');
    const hashLength = treeId.length / 2;
    const tree = await src.get(treeId);
    if (tree.kind !== 'object' || tree.type !== 'tree') throw new Error('object not found');
    const root: GitFsNode = { name: '.', mode: MODE_DIR, oid: treeId, entries: parseTree(tree.data, hashLength) };
    return new GitFs(src, hashLength, root);
  }

  /** fs.Sub(root, dir) as gitfs answers it: the directory a context is made of. */
  async sub(dir: string): Promise<GitFsNode> {
    if (!validPath(dir)) throw new Error(`sub ${dir}: invalid argument`);
    if (dir === '.') return this.root;
    const fi = await this.stat(this.root, toLatin1(dir), true, 0);
    if (!isDir(fi)) throw new Error(`${q(fi.name)} is not a directory`);
    return fi;
  }

  /** gitFS.stat: `name` relative to the directory `f`. */
  async stat(f: GitFsNode, name: string, followSymlinks: boolean, hops = 0): Promise<GitFsNode> {
    if (!isDir(f)) throw new Error(`cannot stat a child (${q(name)}) of non-directory ${q(f.name)}`);
    if (joinPath(f.name, name) === f.name) return f; // "." (FindEntry does not like it)
    let entry: TreeEntry;
    try {
      entry = await this.#findEntry(f, name);
    } catch (err) {
      throw new Error(`Tree(${q(f.name)}).FindEntry(${q(name)}): ${(err as Error).message}`);
    }
    return this.statEntry(f, name, entry, followSymlinks, hops);
  }

  /** gitFS.statEntry: the node for one entry of directory `f`. */
  async statEntry(f: GitFsNode, name: string, entry: TreeEntry, followSymlinks: boolean, hops = 0): Promise<GitFsNode> {
    const fi: GitFsNode = { name: joinPath(f.name, name), mode: parseInt(entry.mode, 8), oid: entry.oid, entries: null };
    if (fi.mode === MODE_SUBMODULE) return fi;
    if (fi.mode === MODE_DIR) {
      const tree = await this.src.get(fi.oid);
      if (tree.kind !== 'object' || tree.type !== 'tree') throw new Error(`Tree(${q(fi.name)}): object not found`);
      fi.entries = parseTree(tree.data, this.hashLength);
      return fi;
    }
    if (followSymlinks && fi.mode === MODE_SYMLINK) {
      const target = await this.resolveLink(fi);
      if (hops >= MAX_SYMLINK_HOPS) throw new Error(`too many levels of symbolic links: ${q(fi.name)}`);
      return this.stat(this.root, target, followSymlinks, hops + 1);
    }
    return fi;
  }

  /**
   * go-git's Tree.File: the blob at a path, not following symlinks (a symlink gives its target
   * text); null where go-git says "file not found" (no such entry, a directory, a submodule).
   */
  async file(path: string): Promise<Buffer | null> {
    let entry: TreeEntry;
    try {
      entry = await this.#findEntry(this.root, toLatin1(path));
    } catch {
      return null;
    }
    const reply = await this.src.get(entry.oid);
    return reply.kind === 'object' && reply.type === 'blob' ? reply.data : null;
  }

  /** The blob behind a file or symlink node. */
  async blob(fi: GitFsNode): Promise<Buffer> {
    const reply = await this.src.get(fi.oid);
    if (reply.kind !== 'object' || reply.type !== 'blob') throw new Error(`Size(${q(fi.name)}): object not found`);
    return reply.data;
  }

  /** gitFS.resolveLink: where a symlink leads, relative to the repository root. */
  async resolveLink(fi: GitFsNode): Promise<string> {
    let target = (await this.blob(fi)).toString('latin1');
    if (target === '') throw new Error(`unexpected: empty symlink ${q(fi.name)}`);
    if (target.startsWith('/')) throw new Error(`unsupported: ${q(fi.name)} is an absolute symlink (${q(target)})`);
    target = joinPath(dirname(fi.name), target);
    if (target.startsWith('../')) throw new Error(`unsupported: ${q(fi.name)} is a relative symlink outside the tree (${q(target)})`);
    return target;
  }

  // go-git Tree.FindEntry: every component but the last must be a directory
  async #findEntry(f: GitFsNode, path: string): Promise<TreeEntry> {
    const parts = path.split('/');
    let entries = f.entries!;
    for (const part of parts.slice(0, -1)) {
      const dir = entries.find((e) => e.name === part);
      if (dir === undefined) throw new Error('directory not found');
      const tree = await this.src.get(dir.oid);
      if (tree.kind !== 'object' || tree.type !== 'tree') throw new Error('object not found');
      entries = parseTree(tree.data, this.hashLength);
    }
    const entry = entries.find((e) => e.name === parts[parts.length - 1]);
    if (entry === undefined) throw new Error('entry not found');
    return entry;
  }
}

/** gitFS.IsDir: directories, the root, and submodules. */
export function isDir(fi: GitFsNode): boolean {
  return fi.mode === MODE_DIR || fi.mode === MODE_SUBMODULE;
}

/** io/fs.ValidPath. */
export function validPath(name: string): boolean {
  if (/[\ud800-\udfff]/.test(name)) return false; // not valid UTF-8 once encoded
  if (name === '.') return true;
  return name.split('/').every((elem) => elem !== '' && elem !== '.' && elem !== '..');
}

/** A manifest string as the raw bytes (UTF-8) tree names are compared with. */
export function toLatin1(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Go's %q of a raw (latin1-held) name. */
function q(latin1: string): string {
  return goQuote(Buffer.from(latin1, 'latin1').toString('utf8'));
}

/** Go's path.Join (lexical, "/" only). */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined === '' ? '' : cleanPath(joined);
}

/** Go's path.Dir. */
export function dirname(p: string): string {
  const slash = p.lastIndexOf('/');
  return cleanPath(p.slice(0, slash + 1));
}

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = out.join('/');
  return rooted ? '/' + s : s === '' ? '.' : s;
}
