// Loading a library file from a repo reference: a name in the library directory, a path, or an
// http(s) URL, optionally followed by ":tag" (spec: manifest-format.md §9).
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ManifestError, ManifestNotFoundError, TagNotFoundError } from './errors.js';
import { cleanPath, goQuote } from './gostr.js';
import { type Manifest } from './manifest.js';
import { type ManifestCache } from './parse-cache.js';
import { parseManifest } from './parse.js';

export interface FetchedManifest {
  repoName: string;
  tagName: string;
  manifest: Manifest;
  /** Where the manifest was read from (a path or a URL). */
  source: string;
}

/** Go's filepath.Base. */
export function baseName(p: string): string {
  if (p === '') return '.';
  let end = p.length;
  while (end > 0 && p[end - 1] === '/') end--;
  if (end === 0) return '/';
  const trimmed = p.slice(0, end);
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Splits "path/name:tag" into the reference without the tag, the repo name and the tag. */
export function splitRepoRef(ref: string): { ref: string; repoName: string; tagName: string } {
  let repoName = baseName(ref);
  let tagName = '';
  const colon = repoName.indexOf(':');
  if (colon > 0) {
    tagName = repoName.slice(colon + 1);
    repoName = repoName.slice(0, colon);
    ref = ref.slice(0, ref.length - tagName.length - 1);
  }
  return { ref, repoName, tagName };
}

function isHttpUrl(ref: string): boolean {
  if (!/^https?:\/\//i.test(ref)) return false;
  try {
    const u = new URL(ref);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Decodes file bytes as UTF-8, refusing binary content with a clear message. */
function decodeText(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ManifestError('not a text file (invalid UTF-8): a library file must be RFC 2822 text', source, null);
  }
}

const OPEN_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/**
 * Opens and parses one candidate path (through the parse cache when given); null when it does
 * not exist. Other errors are returned as the reference words them (`open PATH: ...`).
 */
function loadCandidate(path: string, cache: ManifestCache | null): Manifest | null {
  // the common case first: an unchanged file served from the parse cache costs one stat
  if (cache !== null) {
    let st;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      st = undefined; // reported precisely by the open below
    }
    if (st === undefined) {
      // ENOENT (or an error the open below reports)
    } else if (st.isFile()) {
      const cached = cache.get(path, st);
      if (cached !== null) return cached;
    }
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return null;
    throw new ManifestError(`open ${path}: ${OPEN_ERRORS[code] ?? (err as Error).message}`, path, null);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ManifestError(`read ${path}: is a directory`, path, null);
    const cached = cache?.get(path, st) ?? null;
    if (cached !== null) return cached;
    const manifest = parseManifest(decodeText(readFileSync(fd), path), path);
    cache?.set(path, st, manifest);
    return manifest;
  } finally {
    closeSync(fd);
  }
}

async function readRemote(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new ManifestError(`Get ${goQuote(url)}: ${cause}`, url, null);
  }
  // like the reference, the status code is not checked: an error page is parsed (and fails)
  return decodeText(new Uint8Array(await res.arrayBuffer()), url);
}

/** manifest.Fetch: resolve, read and parse one reference, then check the requested tag. */
export async function fetchManifest(library: string, rawRef: string, cache: ManifestCache | null = null): Promise<FetchedManifest> {
  const { ref, repoName, tagName } = splitRepoRef(rawRef);
  let manifest: Manifest | null = null;
  let source = '';
  if (isHttpUrl(ref)) {
    source = ref;
    manifest = parseManifest(await readRemote(ref), ref);
  } else {
    const candidates: string[] = [];
    if (isAbsolute(ref) || ref.includes('/')) candidates.push(ref);
    if (!isAbsolute(ref)) candidates.push(cleanPath(library + '/' + ref));
    for (const candidate of candidates) {
      manifest = loadCandidate(candidate, cache);
      if (manifest === null) continue;
      source = candidate;
      break;
    }
    if (manifest === null) {
      throw new ManifestNotFoundError(`unable to find a manifest named ${goQuote(ref)} (in ${goQuote(library)} or as a remote URL)`);
    }
  }
  if (tagName !== '' && manifest.GetTag(tagName) === null && manifest.GetSharedTag(tagName).length === 0) {
    throw new TagNotFoundError(`tag not found in manifest for ${goQuote(repoName)}: ${goQuote(tagName)}`, source, null);
  }
  return { repoName, tagName, manifest, source };
}
