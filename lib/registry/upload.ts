// Streaming blob uploads (OCI distribution: POST a session, PATCH chunks, PUT ?digest=), with the bytes hashed as
// they are read so a blob is never committed under a digest it does not have, at most one chunk of the blob in
// memory, and bounded recovery: a failed chunk is resumed from the offset the registry reports (the source is
// re-opened there), a lost session is started again from scratch.
//
// A blob of at most one chunk goes monolithically (POST, then one PUT with the body): it is read and verified
// first, so even that path never sends bytes that do not match.
import { type Hash, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DigestMismatchError, RegistryError } from './errors.js';
import { type HttpResponse, NetworkError } from './transport.js';

/** Opens the blob's bytes from `start` on (called again to resume after a failure). */
export type BlobOpener = (start: number) => Readable | Promise<Readable>;

export interface BlobToUpload {
  digest: string;
  size: number;
}

/** What an upload needs from the client: requests authenticated for push on the target repository. */
export interface UploadIO {
  /** e.g. `blob sha256:… to registry.example/library/debian`, for messages. */
  what: string;
  /** …/v2/<repo>/blobs/uploads/ */
  startURL: string;
  chunkSize: number;
  retries: number;
  backoffMs: number;
  maxWaitMs: number;
  /** A request with a buffered body, retried on 5xx/429/network failures unless `once`. */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts?: { headers?: Record<string, string>; body?: Buffer; once?: boolean }): Promise<HttpResponse>;
  /** One PATCH with a streamed body: never retried here (the body can be read once); a 401 refreshes the token. */
  patch(url: string, headers: Record<string, string>, body: Readable): Promise<HttpResponse>;
  statusError(res: HttpResponse, what: string): RegistryError;
  /** Whether the target repository has the blob now. */
  hasBlob(): Promise<boolean>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DIGEST_ALGORITHMS = ['sha256', 'sha384', 'sha512'];

/** Errors of a source that may go away on a second try (its server dropped us); anything else is final. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE']);

function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (err instanceof RegistryError) return err.status !== undefined && (err.status >= 500 || err.status === 429);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Reads a Readable in pieces of at most `max` bytes, keeping only the piece the stream gave last. */
class SourceReader {
  private readonly iterator: AsyncIterator<unknown>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes; null at the end. */
  async read(max: number): Promise<Buffer | null> {
    while (this.pending.length === 0) {
      const next = await this.iterator.next();
      if (next.done === true) return null;
      const value = next.value;
      this.pending = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value) : Buffer.from(value as Uint8Array);
    }
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** A source failure, kept apart from the registry's failures: it decides between retrying and giving up. */
class SourceFailure extends Error {
  constructor(override readonly cause: unknown, readonly transient: boolean) {
    super(describe(cause));
  }
}

async function openAt(open: BlobOpener, start: number): Promise<SourceReader> {
  try {
    return new SourceReader(await open(start));
  } catch (err) {
    throw new SourceFailure(err, isTransient(err));
  }
}

async function readFrom(reader: SourceReader, max: number): Promise<Buffer | null> {
  try {
    return await reader.read(max);
  } catch (err) {
    throw new SourceFailure(err, isTransient(err));
  }
}

/**
 * The offset a registry has from its Range header (`0-<last byte>`). distribution says `0-0` both for nothing and
 * for one byte; `expected` settles that.
 */
export function rangeOffset(range: string | null, expected: number): number | undefined {
  if (range === null) return undefined;
  const match = /^(?:bytes[= ])?0-(\d+)$/.exec(range.trim());
  if (match === null) return undefined;
  const end = Number(match[1]);
  if (end === 0) return expected <= 1 ? expected : 0;
  return end + 1;
}

function waitAfter(io: UploadIO, failures: number, res?: HttpResponse): number {
  const retryAfter = res?.headers.get('retry-after');
  if (retryAfter !== null && retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, io.maxWaitMs);
  }
  return Math.min(io.backoffMs * 2 ** (failures - 1), io.maxWaitMs);
}

function checkDescriptor(blob: BlobToUpload, what: string): string {
  const algorithm = blob.digest.slice(0, Math.max(0, blob.digest.indexOf(':')));
  if (!DIGEST_ALGORITHMS.includes(algorithm) || !/^[a-z0-9]+:[0-9a-f]+$/.test(blob.digest)) {
    throw new DigestMismatchError(`${what}: unsupported or malformed digest ${JSON.stringify(blob.digest)}`);
  }
  if (!Number.isSafeInteger(blob.size) || blob.size < 0) throw new DigestMismatchError(`${what}: bad size ${blob.size}`);
  return algorithm;
}

function finalDigest(hash: Hash, blob: BlobToUpload, algorithm: string, what: string): void {
  const actual = `${algorithm}:${hash.digest('hex')}`;
  if (actual !== blob.digest) {
    throw new DigestMismatchError(`${what}: digest mismatch: the source's ${blob.size} bytes are ${actual}, not ${blob.digest}; nothing was committed`);
  }
}

/** Uploads a blob the repository does not have yet. Throws DigestMismatchError for a source that does not match. */
export async function uploadBlobStream(io: UploadIO, blob: BlobToUpload, open: BlobOpener): Promise<void> {
  const algorithm = checkDescriptor(blob, io.what);
  if (blob.size <= io.chunkSize) await monolithic(io, blob, open, algorithm);
  else await chunked(io, blob, open, algorithm);
}

/** POSTs a new upload session; returns its URL. */
async function startSession(io: UploadIO): Promise<string> {
  const res = await io.request('POST', io.startURL);
  if (res.status !== 202) throw io.statusError(res, `${io.what}: starting the upload`);
  return sessionURL(io, res, io.startURL);
}

function sessionURL(io: UploadIO, res: HttpResponse, current: string): string {
  const location = res.headers.get('location');
  if (location === null) {
    if (res.status === 204) return current; // a status answer may leave the URL as it is
    throw new RegistryError(`${io.what}: the registry answered ${res.status} without a Location`, res.status);
  }
  return new URL(location, current).toString();
}

/** Cancels an upload session; best effort (it may be gone already, and the registry expires it anyway). */
async function cancel(io: UploadIO, url: string): Promise<void> {
  try {
    await io.request('DELETE', url, { once: true });
  } catch {
    // nothing more to do
  }
}

/** The final PUT ?digest=. true when the blob is there, false when the session was lost (start again). */
async function commit(io: UploadIO, url: string, blob: BlobToUpload, body: Buffer): Promise<boolean> {
  const target = new URL(url);
  target.searchParams.set('digest', blob.digest);
  const res = await io.request('PUT', target.toString(), { body, headers: { 'Content-Type': 'application/octet-stream' } });
  if (res.status === 201) return true;
  // a retried PUT whose first try went through finds no session; the blob tells
  if (res.status === 404) return io.hasBlob();
  await cancel(io, url);
  throw io.statusError(res, `${io.what}: committing the upload`);
}

/** Reads the whole (small) blob, verified, then POST + PUT. */
async function monolithic(io: UploadIO, blob: BlobToUpload, open: BlobOpener, algorithm: string): Promise<void> {
  let data: Buffer | undefined;
  for (let failures = 0; data === undefined;) {
    try {
      data = await readWhole(await openAt(open, 0), blob, io.what);
    } catch (err) {
      if (!(err instanceof SourceFailure)) throw err;
      if (!err.transient || ++failures > io.retries) {
        throw new RegistryError(`${io.what}: reading the source: ${err.message}${err.transient ? ` (giving up after ${failures} attempts)` : ''}`);
      }
      await sleep(waitAfter(io, failures));
    }
  }
  finalDigest(createHash(algorithm).update(data), blob, algorithm, io.what);
  for (let restarts = 0; ; restarts++) {
    const url = await startSession(io);
    if (await commit(io, url, blob, data)) return;
    if (restarts >= io.retries) throw new RegistryError(`${io.what}: giving up: the registry lost the upload session ${restarts + 1} times`);
  }
}

async function readWhole(reader: SourceReader, blob: BlobToUpload, what: string): Promise<Buffer> {
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = await readFrom(reader, blob.size - total + 1);
      if (piece === null) break;
      total += piece.length;
      if (total > blob.size) throw new DigestMismatchError(`${what}: size mismatch: the source has more than the expected ${blob.size} bytes`);
      chunks.push(piece);
    }
    if (total < blob.size) throw new DigestMismatchError(`${what}: size mismatch: the source ended after ${total} of ${blob.size} bytes`);
    return Buffer.concat(chunks);
  } finally {
    reader.close();
  }
}

/** Where a chunked upload is: the session URL, what the registry has confirmed, the hash of exactly those bytes. */
interface Progress {
  url: string;
  offset: number;
  hash: Hash;
  reader: SourceReader;
}

type ChunkOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; problem: string; res?: HttpResponse }
  | { kind: 'lost'; problem: string };

async function chunked(io: UploadIO, blob: BlobToUpload, open: BlobOpener, algorithm: string): Promise<void> {
  for (let restarts = 0; ; restarts++) {
    const url = await startSession(io);
    let progress: Progress | undefined;
    let lost: string;
    try {
      progress = { url, offset: 0, hash: createHash(algorithm), reader: await openWithRetries(io, open, 0) };
      const result = await sendChunks(io, blob, open, progress);
      if (result === 'sent') {
        await expectEnd(progress.reader, blob, io.what);
        finalDigest(progress.hash, blob, algorithm, io.what);
        if (await commit(io, progress.url, blob, Buffer.alloc(0))) return;
        lost = 'the session was gone when committing';
      } else {
        lost = result.lost;
      }
    } catch (err) {
      await cancel(io, progress?.url ?? url);
      if (err instanceof SourceFailure) throw new RegistryError(`${io.what}: reading the source: ${err.message}`);
      throw err;
    } finally {
      progress?.reader.close();
    }
    await cancel(io, progress.url);
    if (restarts >= io.retries) {
      throw new RegistryError(`${io.what}: giving up after ${restarts + 1} upload sessions: the registry lost the last one (${lost})`);
    }
  }
}

/** Opens the source, retrying transient failures (a source registry dropping us) with backoff. */
async function openWithRetries(io: UploadIO, open: BlobOpener, start: number): Promise<SourceReader> {
  for (let failures = 0; ;) {
    try {
      return await openAt(open, start);
    } catch (err) {
      if (!(err instanceof SourceFailure) || !err.transient || ++failures > io.retries) throw err;
      await sleep(waitAfter(io, failures));
    }
  }
}

async function expectEnd(reader: SourceReader, blob: BlobToUpload, what: string): Promise<void> {
  const more = await readFrom(reader, 1);
  if (more !== null) throw new DigestMismatchError(`${what}: size mismatch: the source has more than the expected ${blob.size} bytes; nothing was committed`);
}

/** Sends every chunk, recovering failed ones. 'sent', or the reason the session is gone. */
async function sendChunks(io: UploadIO, blob: BlobToUpload, open: BlobOpener, progress: Progress): Promise<'sent' | { lost: string }> {
  let failures = 0;
  while (progress.offset < blob.size) {
    const length = Math.min(io.chunkSize, blob.size - progress.offset);
    const outcome = await sendChunk(io, blob, progress, length);
    if (outcome.kind === 'ok') {
      failures = 0;
      continue;
    }
    if (outcome.kind === 'lost') return { lost: outcome.problem };
    failures++;
    if (failures > io.retries) {
      throw new RegistryError(`${io.what}: giving up after ${failures} attempts at bytes ${progress.offset}-${progress.offset + length - 1}: ${outcome.problem}`);
    }
    await sleep(waitAfter(io, failures, outcome.res));
    const resumed = await resume(io, open, progress, length);
    if (resumed !== undefined) return { lost: `${outcome.problem}; then ${resumed}` };
  }
  return 'sent';
}

/** One PATCH of `length` bytes at progress.offset, hashed as they go; progress moves only when the registry says so. */
async function sendChunk(io: UploadIO, blob: BlobToUpload, progress: Progress, length: number): Promise<ChunkOutcome> {
  const start = progress.offset;
  const hash = progress.hash.copy();
  let sent = 0;
  let sourceError: SourceFailure | undefined;
  const reader = progress.reader;
  const what = io.what;
  async function* body(): AsyncGenerator<Buffer> {
    while (sent < length) {
      let piece: Buffer | null;
      try {
        piece = await readFrom(reader, length - sent);
      } catch (err) {
        sourceError = err as SourceFailure;
        throw err;
      }
      if (piece === null) {
        sourceError = new SourceFailure(new DigestMismatchError(`${what}: size mismatch: the source ended after ${start + sent} of ${blob.size} bytes; nothing was committed`), false);
        throw sourceError;
      }
      hash.update(piece);
      sent += piece.length;
      yield piece;
    }
  }
  let res: HttpResponse;
  try {
    res = await io.patch(progress.url, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      'Content-Range': `${start}-${start + length - 1}`,
    }, Readable.from(body(), { objectMode: false }));
  } catch (err) {
    const failure = sourceError ?? (err instanceof SourceFailure ? err : undefined);
    if (failure !== undefined) {
      if (failure.cause instanceof DigestMismatchError) throw failure.cause;
      if (!failure.transient) throw failure;
      return { kind: 'retry', problem: `reading the source: ${failure.message}` };
    }
    if (err instanceof NetworkError) return { kind: 'retry', problem: err.message };
    throw err;
  }
  if (res.status === 202 && sent === length) {
    const confirmed = rangeOffset(res.headers.get('range'), start + length);
    progress.url = sessionURL(io, res, progress.url);
    if (confirmed !== undefined && confirmed !== start + length) {
      return { kind: 'retry', problem: `the registry reports ${confirmed} bytes after sending bytes ${start}-${start + length - 1}` };
    }
    progress.hash = hash;
    progress.offset = start + length;
    return { kind: 'ok' };
  }
  if (res.status === 404) return { kind: 'lost', problem: io.statusError(res, 'PATCH').message };
  // 401: the token expired mid-upload (io.patch got a new one); 416: the registry is elsewhere; 5xx/429: its trouble
  if (res.status === 401 || res.status === 416 || res.status === 429 || res.status >= 500 || res.status === 202) {
    return { kind: 'retry', problem: io.statusError(res, 'PATCH').message, res };
  }
  throw io.statusError(res, `${io.what}: sending bytes ${start}-${start + length - 1}`);
}

/**
 * After a failed chunk: asks the registry how much it has (GET on the session → Range) and re-opens the source
 * there. The source is re-opened at the confirmed offset and, when the registry kept part of the failed chunk,
 * those bytes are read again only to hash them. Returns why the session is lost, or undefined to carry on.
 */
async function resume(io: UploadIO, open: BlobOpener, progress: Progress, length: number): Promise<string | undefined> {
  const res = await io.request('GET', progress.url);
  if (res.status === 404) return `the session is gone (${io.statusError(res, 'upload status').message})`;
  if (res.status < 200 || res.status >= 300) throw io.statusError(res, `${io.what}: asking for the upload status`);
  const has = rangeOffset(res.headers.get('range'), progress.offset);
  if (has === undefined || has < progress.offset || has > progress.offset + length) {
    return `the registry reports ${has ?? 'no'} bytes (Range: ${res.headers.get('range') ?? 'none'}) where ${progress.offset} were confirmed`;
  }
  progress.url = sessionURL(io, res, progress.url);
  progress.reader.close();
  progress.reader = await openWithRetries(io, open, progress.offset);
  while (progress.offset < has) {
    const piece = await readFrom(progress.reader, has - progress.offset);
    if (piece === null) throw new DigestMismatchError(`${io.what}: size mismatch: the source ended after ${progress.offset} bytes`);
    progress.hash.update(piece);
    progress.offset += piece.length;
  }
  return undefined;
}
