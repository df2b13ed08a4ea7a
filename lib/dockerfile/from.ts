// Port of bashbrew's pkg/dockerfile: the deliberately naive, line-based FROM discovery used for
// dependency ordering and `ArchLastStageFrom`. It must agree with the Go reference byte for byte,
// quirks included (no --platform, no ARG expansion, no escape directive), because its output decides
// build order and cache keys. Where the reference panics we throw DockerfileError instead.
import { decodeLossless } from '../lossless-text.js';

export interface DockerfileMetadata {
  /** One per FROM, already resolved through earlier stage names. */
  stageFroms: string[];
  /** Names from `FROM image AS name`, duplicates kept. */
  stageNames: string[];
  /** Stage name → resolved FROM value; a later definition of a name wins. */
  stageNameFroms: Map<string, string>;
  /** Every FROM plus every external COPY --from= / RUN --mount=…,from= reference, in order. */
  froms: string[];
}

export class DockerfileError extends Error {
  /**
   * What was collected before the reference stopped; only set for `bufio.Scanner: token too long`,
   * where Go returns the metadata together with the error.
   */
  readonly partial?: DockerfileMetadata;

  constructor(message: string, partial?: DockerfileMetadata) {
    super(message);
    this.name = 'DockerfileError';
    if (partial !== undefined) this.partial = partial;
  }
}

/** bufio.MaxScanTokenSize: a line (in UTF-8 bytes, excluding its "\n") must be shorter than this. */
const MAX_TOKEN_BYTES = 64 * 1024;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's unicode.IsSpace. None of its characters are astral, so UTF-16 code units suffice. */
function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000;
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

function trimRightSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** strings.Fields. */
function fields(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isGoSpace(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Whether the UTF-8 encoding of s is at least `limit` bytes, without encoding it. */
function utf8AtLeast(s: string, limit: number): boolean {
  // a UTF-16 unit never needs more than 3 bytes (a surrogate pair takes 4 for 2 units)
  if (s.length * 3 < limit) return false;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      bytes += 4;
      i++;
    } else bytes += 3; // BMP, or a lone surrogate (U+FFFD once encoded)
    if (bytes >= limit) return true;
  }
  return false;
}

/**
 * bufio.Scanner with ScanLines over the whole text: "\n" separates, one trailing "\r" is dropped,
 * no empty token after a final "\n". A line that does not fit the 64 KiB buffer stops scanning for
 * good, like Scanner's ErrTooLong (later lines are never seen, even by a continuation).
 */
class LineScanner {
  private pos = 0;
  /** 1-based number of the line last returned. */
  lineNo = 0;
  tooLong = false;

  constructor(private readonly text: string) {}

  next(): string | null {
    if (this.tooLong || this.pos >= this.text.length) return null;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl < 0 ? this.text.length : nl;
    const raw = this.text.slice(this.pos, end);
    // the "\r" is still in Go's buffer when the limit is checked, so it counts
    if (utf8AtLeast(raw, MAX_TOKEN_BYTES)) {
      this.tooLong = true;
      return null;
    }
    this.pos = nl < 0 ? end : end + 1;
    this.lineNo++;
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }
}

/**
 * The same scanner over the file's bytes: line lengths are counted in bytes exactly as Go does,
 * even where the content is not valid UTF-8 (each line is decoded on its own for parsing).
 */
class ByteLineScanner {
  private pos = 0;
  lineNo = 0;
  tooLong = false;

  constructor(private readonly bytes: Uint8Array) {}

  next(): string | null {
    if (this.tooLong || this.pos >= this.bytes.length) return null;
    const nl = this.bytes.indexOf(0x0a, this.pos);
    const end = nl < 0 ? this.bytes.length : nl;
    if (end - this.pos >= MAX_TOKEN_BYTES) {
      this.tooLong = true;
      return null;
    }
    const lineEnd = end > this.pos && this.bytes[end - 1] === 0x0d ? end - 1 : end;
    // bytes that are not UTF-8 are kept (lib/lossless-text.ts): a FROM is printed as it is written
    const raw = decodeLossless(this.bytes.subarray(this.pos, lineEnd));
    this.pos = nl < 0 ? end : end + 1;
    this.lineNo++;
    return raw;
  }
}

/** strconv.Atoi on a 64-bit platform: optional sign, ASCII digits, int64 range (else an error). */
function goAtoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** latestizeRepoTag: the reference only looks for any colon, so ports and digests count as tags. */
function latestize(ref: string): string {
  return ref !== 'scratch' && !ref.includes(':') ? `${ref}:latest` : ref;
}

/** Resolves a COPY --from= / RUN --mount from= value: stage name, then stage number, then image. */
function resolveFrom(meta: DockerfileMetadata, value: string, what: string, lineNo: number): string {
  const named = meta.stageNameFroms.get(value);
  if (named !== undefined) return latestize(named);
  const n = goAtoi(value);
  if (n !== undefined && n < BigInt(meta.stageFroms.length)) {
    // Go indexes StageFroms with it and panics; nothing sensible to return
    if (n < 0n) throw new DockerfileError(`invalid stage index ${n} in ${what} on line ${lineNo}`);
    return latestize(meta.stageFroms[Number(n)]);
  }
  return latestize(value);
}

/** The values of the `--…` flags directly after the instruction (scanning stops at the first non-flag). */
function* flagsWithPrefix(words: string[], prefix: string): Generator<string> {
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('--')) return;
    if (w.startsWith(prefix)) yield w.slice(prefix.length);
  }
}

export function parseDockerfile(text: string | Uint8Array): DockerfileMetadata {
  const meta: DockerfileMetadata = { stageFroms: [], stageNames: [], stageNameFroms: new Map(), froms: [] };
  const scanner = typeof text === 'string' ? new LineScanner(text) : new ByteLineScanner(text);

  for (let raw = scanner.next(); raw !== null; raw = scanner.next()) {
    const lineNo = scanner.lineNo;
    let line = trimRightSpace(trimLeftSpace(raw));
    // parser directives (# escape=, # syntax=) are ignored too, and a comment never continues
    if (line === '' || line.charCodeAt(0) === 0x23 /* # */) continue;

    while (line.endsWith('\\')) {
      const next = scanner.next();
      if (next === null) {
        line = line.slice(0, -1);
        break;
      }
      // whitespace after the backslash is tolerated, but leading whitespace is kept verbatim
      const cont = trimRightSpace(next);
      if (cont === '') continue; // moby/moby#33719: empty continuation lines
      if (trimLeftSpace(cont).charCodeAt(0) === 0x23) continue; // moby/moby#29005: comments inside
      line = line.slice(0, -1) + cont;
    }

    const words = fields(line);
    if (words.length === 0) continue;
    // Go's ToUpper uses simple case mappings and JS full ones, but no character upper-cases
    // differently in a way that could turn a word into FROM, COPY, RUN or AS
    switch (words[0].toUpperCase()) {
      case 'FROM': {
        if (words.length < 2) {
          throw new DockerfileError(`FROM instruction without an image on line ${lineNo}`);
        }
        // only stage names resolve here: `FROM 0` is an image called "0"
        const from = latestize(meta.stageNameFroms.get(words[1]) ?? words[1]);
        meta.stageFroms.push(from);
        meta.froms.push(from);
        if (words.length === 4 && words[2].toUpperCase() === 'AS') {
          meta.stageNames.push(words[3]);
          meta.stageNameFroms.set(words[3], from);
        }
        break;
      }
      case 'COPY':
        for (const value of flagsWithPrefix(words, '--from=')) {
          meta.froms.push(resolveFrom(meta, value, 'COPY --from', lineNo));
        }
        break;
      case 'RUN':
        for (const csv of flagsWithPrefix(words, '--mount=')) {
          let type = '';
          let from = '';
          for (const opt of csv.split(',')) {
            if (opt.startsWith('type=')) type = opt.slice(5);
            else if (opt.startsWith('from=')) from = opt.slice(5);
          }
          // the reference ignores BuildKit's implicit type=bind
          if (type !== 'bind' || from === '') continue;
          meta.froms.push(resolveFrom(meta, from, 'RUN --mount', lineNo));
        }
        break;
      default:
        break;
    }
  }

  if (scanner.tooLong) throw new DockerfileError('bufio.Scanner: token too long', meta);
  return meta;
}

/** What `ArchLastStageFrom` reports: the final stage's base. */
export function lastStageFrom(meta: DockerfileMetadata): string {
  const n = meta.stageFroms.length;
  // the reference indexes out of range here
  if (n === 0) throw new DockerfileError('the Dockerfile has no FROM instruction');
  return meta.stageFroms[n - 1];
}
