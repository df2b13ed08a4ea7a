// A small OCI distribution API client (spec §7.3): manifests and blobs over HTTP(S), Docker Hub style bearer-token
// auth and basic auth (credentials from the docker config), digests verified on every read and before every blob
// commit, bounded retries with backoff on 429 (Retry-After), 5xx and connection failures. Blobs are uploaded in
// streamed chunks (upload.ts), mounted across repositories, or copied between registries without being held in
// memory; TLS trusts docker's certs.d CAs (transport.ts, certs.ts).
import { createHash } from 'node:crypto';
import { envWholeNumber } from '../config/env-number.js';
import { digestError, digestOf, parseDigest } from '../oci/digest.js';
import { Readable } from 'node:stream';
import { certsDirFromEnv } from './certs.js';
import { type CredentialLookup, type Credentials, dockerConfigCredentials } from './credentials.js';
import { DigestMismatchError, RegistryError } from './errors.js';
import { type ImageReference, apiHost, registryBaseURL } from './reference.js';
import { type HttpRequest, type HttpResponse, NetworkError, Transport, type TransportStats, skipBytes } from './transport.js';
import { type BlobOpener, type UploadIO, uploadBlobStream } from './upload.js';

export { CertificateError, DigestMismatchError, RegistryError } from './errors.js';
export type { BlobOpener } from './upload.js';
export type { TransportStats } from './transport.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest];

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

/** Largest manifest we read when its size is not known in advance (as containerd: 4 MiB). */
const MAX_MANIFEST_SIZE = 4 << 20;

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  platform?: Platform;
  artifactType?: string;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). */
export function parseAuthenticate(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const match of (space < 0 ? '' : header.slice(space + 1)).matchAll(re)) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3] ?? '';
  }
  return { scheme, params };
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Checks `data` against `digest` (sha256/sha384/sha512, as go-digest validates it); throws DigestMismatchError. */
export function verifyDigest(data: Buffer, digest: string, what: string): void {
  const invalid = digestError(digest);
  if (invalid !== null) throw new DigestMismatchError(`${what}: ${invalid}: ${JSON.stringify(digest)}`);
  const actual = digestOf(data, parseDigest(digest));
  if (actual !== digest) {
    throw new DigestMismatchError(`${what}: digest mismatch: expected ${digest}, got ${actual} (${data.length} bytes)`);
  }
}

/** Chunk size of streamed uploads: big enough that per-request overhead does not matter, small enough to hold. */
export const DEFAULT_CHUNK_SIZE = 16 << 20;

export interface RegistryClientOptions {
  env?: NodeJS.ProcessEnv;
  credentials?: CredentialLookup;
  /** Retries after the first attempt (default 4); also bounds chunk retries and upload restarts. */
  retries?: number;
  /** First backoff in ms, doubled each retry (default 500). */
  backoffMs?: number;
  /** Upper bound of one wait, also for Retry-After (default 30 s). */
  maxWaitMs?: number;
  /** Deadline of one buffered request, idle timeout of a streamed one, in ms (default 60 s). */
  timeoutMs?: number;
  /** Docker Hub reads go here first (default: $DOCKERHUB_PUBLIC_PROXY). */
  dockerHubProxy?: string;
  /** Bytes per PATCH of a streamed upload (default 16 MiB); smaller blobs go in one PUT. The most held in memory. */
  chunkSize?: number;
  /** docker's certs.d directory: <certsDir>/<host>/*.crt (default $BASHBREW_REGISTRY_CERTS_D, else /etc/docker/certs.d). */
  certsDir?: string;
}

interface RequestOptions {
  method: HttpRequest['method'];
  headers?: Record<string, string>;
  body?: Buffer;
  /** Largest body accepted. */
  maxBytes?: number;
  /** The scope actions for a bearer token (pull, or pull,push). */
  actions: string;
  repo: string;
  domain: string;
  /** All the token scopes, when they are more than repository:<repo>:<actions> (a cross-repository mount). */
  scopes?: string[];
  /** Hand back 2xx bodies unread, as a stream. */
  stream?: boolean;
  /** No retries (a best-effort cleanup). */
  once?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Small answers (upload status, errors, tokens): anything bigger is not what we asked for. */
const SMALL_BODY = 1 << 20;

export class RegistryClient {
  /** Requests sent and request body bytes, over the client's life (for tests and benchmarks). */
  readonly stats: TransportStats;
  private readonly credentials: CredentialLookup;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxWaitMs: number;
  private readonly timeoutMs: number;
  private readonly chunkSize: number;
  private readonly hubProxy: string | undefined;
  private readonly transport: Transport;
  /** Authorization header per domain + scopes. */
  private readonly authCache = new Map<string, string>();

  constructor(opts: RegistryClientOptions = {}) {
    const env = opts.env ?? process.env;
    this.credentials = opts.credentials ?? dockerConfigCredentials(env);
    // the environment can tune the retry policy for a CI whose registry is slow or flaky (and for the tests)
    this.retries = opts.retries ?? envWholeNumber(env, 'BASHBREW_REGISTRY_RETRIES', 0) ?? 4;
    this.backoffMs = opts.backoffMs ?? envWholeNumber(env, 'BASHBREW_REGISTRY_BACKOFF_MS', 1) ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 30_000;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1) throw new Error(`registry client: bad chunkSize ${opts.chunkSize}`);
    const proxy = opts.dockerHubProxy ?? env.DOCKERHUB_PUBLIC_PROXY;
    this.hubProxy = proxy !== undefined && proxy !== '' ? proxy.replace(/\/+$/, '') : undefined;
    this.transport = new Transport({ certsDir: opts.certsDir ?? certsDirFromEnv(env), env, timeoutMs: this.timeoutMs });
    this.stats = this.transport.stats;
  }

  /** Closes idle keep-alive connections (they do not keep the process alive either way). */
  close(): void {
    this.transport.close();
  }

  // ---- reads ----

  /**
   * GETs a manifest (by the reference's digest, else its tag) and verifies it: against the digest asked for, else
   * against Docker-Content-Digest when the registry sent one. The descriptor's digest is the verified one.
   */
  async getManifest(ref: ImageReference, reference = ref.digest ?? ref.tag ?? 'latest', expected?: Descriptor): Promise<{ desc: Descriptor; body: Buffer }> {
    const maxBytes = expected?.size ?? MAX_MANIFEST_SIZE;
    const res = await this.request(await this.url(ref, 'manifests', reference), {
      method: 'GET', headers: { Accept: MANIFEST_ACCEPT.join(', ') }, maxBytes,
      actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    const what = `manifest ${ref.domain}/${ref.path}@${reference}`;
    if (res.status !== 200) throw this.statusError(res, what);
    if (expected !== undefined && res.body.length !== expected.size) {
      throw new DigestMismatchError(`${what}: size mismatch: expected ${expected.size} bytes, got ${res.body.length}`);
    }
    const announced = res.headers.get('docker-content-digest') ?? undefined;
    const wanted = reference.includes(':') ? reference : expected?.digest ?? announced;
    if (wanted !== undefined) verifyDigest(res.body, wanted, what);
    if (announced !== undefined && wanted !== announced) verifyDigest(res.body, announced, `${what} (Docker-Content-Digest)`);
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    try {
      const parsed: unknown = JSON.parse(res.body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { mediaType?: unknown }).mediaType === 'string') {
        mediaType = (parsed as { mediaType: string }).mediaType;
      }
    } catch (err) {
      throw new RegistryError(`${what}: invalid JSON: ${(err as Error).message}`);
    }
    return { desc: { mediaType, digest: wanted ?? sha256(res.body), size: res.body.length }, body: res.body };
  }

  /** HEAD of a manifest: its descriptor, or null when the registry does not have it. */
  async headManifest(ref: ImageReference, reference = ref.digest ?? ref.tag ?? 'latest'): Promise<Descriptor | null> {
    const res = await this.request(await this.url(ref, 'manifests', reference), {
      method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT.join(', ') }, actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.statusError(res, `manifest ${ref.domain}/${ref.path}@${reference}`);
    const digest = res.headers.get('docker-content-digest') ?? (reference.includes(':') ? reference : '');
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { mediaType, digest, size: Number(res.headers.get('content-length') ?? 0) };
  }

  /** GETs a blob and verifies its digest (and size, when given). */
  async getBlob(ref: ImageReference, digest: string, size?: number): Promise<Buffer> {
    const res = await this.request(await this.url(ref, 'blobs', digest), {
      method: 'GET', maxBytes: size ?? 1 << 30, actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    const what = `blob ${ref.domain}/${ref.path}@${digest}`;
    if (res.status !== 200) throw this.statusError(res, what);
    if (size !== undefined && res.body.length !== size) {
      throw new DigestMismatchError(`${what}: size mismatch: expected ${size} bytes, got ${res.body.length}`);
    }
    verifyDigest(res.body, digest, what);
    return res.body;
  }

  /** Whether the repository has the blob. */
  async hasBlob(ref: ImageReference, digest: string): Promise<boolean> {
    return this.blobExists(ref, digest, 'pull');
  }

  // ---- writes ----

  /** Uploads a blob held in memory unless the repository already has it. Returns its descriptor. */
  async putBlob(ref: ImageReference, data: Buffer, mediaType = 'application/octet-stream'): Promise<Descriptor> {
    const desc = { mediaType, digest: sha256(data), size: data.length };
    await this.uploadBlob(ref, desc, () => Readable.from([data]));
    return desc;
  }

  /**
   * Uploads a blob from a stream unless the repository has it ('exists': not one body byte sent). `open(start)`
   * gives the bytes from `start` on; it is called again to resume after a failure. The bytes are hashed as they
   * are read: a source that does not match desc.digest/size ends in DigestMismatchError, its upload cancelled and
   * nothing committed. Chunks of `chunkSize` (at most that much in memory); see upload.ts for the recovery rules.
   */
  async uploadBlob(ref: ImageReference, desc: Pick<Descriptor, 'digest' | 'size'>, open: BlobOpener): Promise<'exists' | 'uploaded'> {
    if (await this.blobExists(ref, desc.digest, 'pull,push')) return 'exists';
    await uploadBlobStream(await this.uploadIO(ref, desc.digest), desc, open);
    return 'uploaded';
  }

  /**
   * Mounts a blob of `from` (same registry) into `ref`: true when the registry did; false when it cannot (another
   * registry, a blob it does not find or may not read there), after cancelling the upload it started instead.
   */
  async mountBlob(ref: ImageReference, digest: string, from: ImageReference): Promise<boolean> {
    if (apiHost(from.domain) !== apiHost(ref.domain)) return false;
    const base = await this.base(ref.domain);
    const url = `${base}/v2/${ref.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.path)}`;
    const push = {
      actions: 'pull,push', repo: ref.path, domain: ref.domain,
      // one token for both repositories: reading the source is part of the permission check
      scopes: [`repository:${ref.path}:pull,push`, `repository:${from.path}:pull`],
    };
    const res = await this.request(url, { ...push, method: 'POST', maxBytes: SMALL_BODY });
    if (res.status === 201) return true;
    const what = `mounting blob ${digest} from ${from.domain}/${from.path} into ${ref.domain}/${ref.path}`;
    if (res.status !== 202) throw this.statusError(res, what);
    const location = res.headers.get('location');
    if (location !== null) {
      try {
        await this.request(new URL(location, url).toString(), { ...push, method: 'DELETE', once: true, maxBytes: SMALL_BODY });
      } catch {
        // an abandoned session expires on the registry's side anyway
      }
    }
    return false;
  }

  /**
   * Gets a blob of `from` into `to`: 'exists' when `to` has it, 'mounted' when the registry mounted it (same
   * registry), else 'copied': streamed from `from` (Range requests to resume) into a verified upload.
   */
  async copyBlob(from: ImageReference, to: ImageReference, desc: Pick<Descriptor, 'digest' | 'size'>): Promise<'exists' | 'mounted' | 'copied'> {
    if (await this.blobExists(to, desc.digest, 'pull,push')) return 'exists';
    if (await this.mountBlob(to, desc.digest, from)) return 'mounted';
    await uploadBlobStream(await this.uploadIO(to, desc.digest), desc, (start) => this.openBlob(from, desc.digest, start));
    return 'copied';
  }

  /** PUTs a manifest or index under a tag or its digest. Returns its descriptor. */
  async putManifest(ref: ImageReference, reference: string, mediaType: string, body: Buffer): Promise<Descriptor> {
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new DigestMismatchError(`putting manifest ${ref.domain}/${ref.path}@${reference}: its body is ${digest}`);
    }
    const res = await this.request(await this.url(ref, 'manifests', reference), {
      method: 'PUT', body, headers: { 'Content-Type': mediaType }, actions: 'pull,push', repo: ref.path, domain: ref.domain,
    });
    if (res.status !== 201) throw this.statusError(res, `putting manifest ${ref.domain}/${ref.path}:${reference}`);
    const announced = res.headers.get('docker-content-digest');
    if (announced !== null && announced !== digest) {
      throw new DigestMismatchError(`putting manifest ${ref.domain}/${ref.path}:${reference}: registry says ${announced}, expected ${digest}`);
    }
    return { mediaType, digest, size: body.length };
  }

  // ---- plumbing ----

  private async base(domain: string): Promise<string> {
    return this.transport.origin(apiHost(domain));
  }

  private async url(ref: ImageReference, kind: 'manifests' | 'blobs', reference: string): Promise<string> {
    return `${await this.base(ref.domain)}/v2/${ref.path}/${kind}/${reference}`;
  }

  /** HEAD of a blob, with the scope the caller goes on with (one token for HEAD and upload). */
  private async blobExists(ref: ImageReference, digest: string, actions: string): Promise<boolean> {
    const res = await this.request(await this.url(ref, 'blobs', digest), {
      method: 'HEAD', actions, repo: ref.path, domain: ref.domain,
    });
    if (res.status === 404) return false;
    if (res.status === 200) return true;
    throw this.statusError(res, `blob ${ref.domain}/${ref.path}@${digest}`);
  }

  /**
   * The blob's bytes from `start` on, streamed and not verified (the upload that reads them verifies). A server
   * that ignores Range gets its first `start` bytes skipped here.
   */
  private async openBlob(ref: ImageReference, digest: string, start: number): Promise<Readable> {
    const res = await this.request(await this.url(ref, 'blobs', digest), {
      method: 'GET', headers: start > 0 ? { Range: `bytes=${start}-` } : {}, stream: true, maxBytes: SMALL_BODY,
      actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    const what = `blob ${ref.domain}/${ref.path}@${digest}`;
    const stream = res.stream;
    if (stream === undefined) throw this.statusError(res, what);
    if (res.status === 200) return start > 0 ? skipBytes(stream, start) : stream;
    const range = res.headers.get('content-range') ?? '';
    if (res.status === 206 && range.startsWith(`bytes ${start}-`)) return stream;
    stream.destroy();
    throw new RegistryError(`${what}: asked for bytes ${start}-, got HTTP ${res.status} (Content-Range: ${range || 'none'})`, res.status);
  }

  private async uploadIO(ref: ImageReference, digest: string): Promise<UploadIO> {
    const push = { actions: 'pull,push', repo: ref.path, domain: ref.domain };
    return {
      what: `uploading blob ${digest} to ${ref.domain}/${ref.path}`,
      startURL: `${await this.base(ref.domain)}/v2/${ref.path}/blobs/uploads/`,
      chunkSize: this.chunkSize,
      retries: this.retries,
      backoffMs: this.backoffMs,
      maxWaitMs: this.maxWaitMs,
      request: (method, url, o = {}) => this.request(url, { ...push, ...o, method, maxBytes: SMALL_BODY }),
      patch: (url, headers, body) => this.patchOnce(url, headers, body, push),
      statusError: (res, what) => this.statusError(res, what),
      hasBlob: () => this.blobExists(ref, digest, 'pull,push'),
    };
  }

  /** One PATCH with a streamed body. A 401 (an expired token) gets a fresh token for the caller's next try. */
  private async patchOnce(url: string, headers: Record<string, string>, body: Readable, opts: { actions: string; repo: string; domain: string }): Promise<HttpResponse> {
    const scopes = this.scopesOf(opts);
    const cacheKey = `${opts.domain} ${scopes.join(' ')}`;
    const res = await this.transport.send({
      method: 'PATCH', url, headers: this.headersWith(headers, this.authCache.get(cacheKey)), body, maxBytes: SMALL_BODY,
    });
    if (res.status === 401) {
      const header = await this.authenticate(res, opts, scopes);
      if (header !== undefined) this.authCache.set(cacheKey, header);
    }
    return res;
  }

  private statusError(res: HttpResponse, what: string): RegistryError {
    let detail = '';
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
      if (Array.isArray(parsed.errors)) {
        detail = parsed.errors.map((e) => [e.code, e.message].filter((p) => p).join(': ')).join('; ');
      }
    } catch {
      // not a distribution error body
    }
    const status = res.status === 404 ? 'not found' : res.status === 401 ? 'unauthorized' : res.status === 403 ? 'denied' : `unexpected status`;
    return new RegistryError(`${what}: ${status} (HTTP ${res.status})${detail ? `: ${detail}` : ''}`, res.status);
  }

  /**
   * One request. Docker Hub reads go to DOCKERHUB_PUBLIC_PROXY first (its path prefix kept) and to the real registry
   * when the proxy fails or does not have the object; pushes always go to the real registry.
   */
  private async request(url: string, opts: RequestOptions): Promise<HttpResponse> {
    const hub = registryBaseURL('docker.io');
    if (this.hubProxy !== undefined && opts.domain === 'docker.io' && opts.actions === 'pull' && url.startsWith(`${hub}/`)) {
      try {
        const res = await this.requestWithRetries(this.hubProxy + url.slice(hub.length), { ...opts, domain: `proxy ${this.hubProxy}` });
        if (res.status >= 200 && res.status < 300) return res;
      } catch (err) {
        if (err instanceof DigestMismatchError) throw err;
        // fall back to the real registry
      }
    }
    return this.requestWithRetries(url, opts);
  }

  private scopesOf(opts: { actions: string; repo: string; scopes?: string[] }): string[] {
    return opts.scopes ?? [`repository:${opts.repo}:${opts.actions}`];
  }

  /** One request with auth and retries; the body is read (and bounded) before returning, unless streamed. */
  private async requestWithRetries(url: string, opts: RequestOptions): Promise<HttpResponse> {
    const scopes = this.scopesOf(opts);
    const cacheKey = `${opts.domain} ${scopes.join(' ')}`;
    const retries = opts.once === true ? 0 : this.retries;
    let authRetried = false;
    let lastProblem = '';
    for (let attempt = 0; ; attempt++) {
      let waitMs = this.backoffMs * 2 ** attempt;
      let res: HttpResponse | undefined;
      try {
        res = await this.transport.send({
          method: opts.method, url, headers: this.headersWith(opts.headers ?? {}, this.authCache.get(cacheKey)),
          body: opts.body, maxBytes: opts.maxBytes ?? MAX_MANIFEST_SIZE, stream: opts.stream,
        });
      } catch (err) {
        // certificate problems, oversized bodies: final; only the network gets another chance
        if (!(err instanceof NetworkError)) throw err;
        lastProblem = err.message;
      }
      if (res !== undefined) {
        if (res.status === 401 && !authRetried) {
          authRetried = true;
          const header = await this.authenticate(res, opts, scopes);
          if (header !== undefined) {
            this.authCache.set(cacheKey, header);
            attempt--;
            continue;
          }
        }
        if (res.status !== 429 && res.status < 500) return res;
        res.stream?.destroy();
        lastProblem = `HTTP ${res.status}`;
        const retryAfter = res.headers.get('retry-after');
        if (retryAfter !== null) {
          const seconds = Number(retryAfter);
          const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
          if (Number.isFinite(ms) && ms >= 0) waitMs = ms;
        }
      }
      if (attempt >= retries) {
        throw new RegistryError(`${opts.method} ${url}: giving up after ${attempt + 1} attempts: ${lastProblem}`, res?.status);
      }
      await sleep(Math.min(waitMs, this.maxWaitMs));
    }
  }

  private headersWith(headers: Record<string, string>, authorization: string | undefined): Record<string, string> {
    const out: Record<string, string> = { 'User-Agent': 'bashbrew-ts', ...headers };
    if (authorization !== undefined) out.Authorization = authorization;
    return out;
  }

  /** Answers a 401 challenge: a bearer token from the realm, or basic auth. undefined when nothing can be done. */
  private async authenticate(res: HttpResponse, opts: { actions: string; domain: string }, scopes: string[]): Promise<string | undefined> {
    const header = res.headers.get('www-authenticate');
    const creds: Credentials | undefined = this.credentials(opts.domain);
    if (header === null) return undefined;
    const { scheme, params } = parseAuthenticate(header);
    const basic = creds !== undefined ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') return basic;
    if (scheme !== 'bearer' || params.realm === undefined) return undefined;
    const tokenURL = new URL(params.realm);
    if (params.service !== undefined) tokenURL.searchParams.set('service', params.service);
    if (scopes.length === 1 && params.scope !== undefined && !opts.actions.includes('push')) tokenURL.searchParams.set('scope', params.scope);
    else for (const scope of scopes) tokenURL.searchParams.append('scope', scope);
    const tokenRes = await this.transport.send({
      method: 'GET', url: tokenURL.toString(), headers: this.headersWith(basic !== undefined ? { Authorization: basic } : {}, undefined), maxBytes: SMALL_BODY,
    });
    if (tokenRes.status !== 200) {
      throw new RegistryError(`fetching a token from ${tokenURL.origin}${tokenURL.pathname}: HTTP ${tokenRes.status}`, tokenRes.status);
    }
    let parsed: { token?: unknown; access_token?: unknown };
    try {
      parsed = JSON.parse(tokenRes.body.toString('utf8')) as typeof parsed;
    } catch {
      throw new RegistryError(`fetching a token from ${tokenURL.origin}${tokenURL.pathname}: the answer is not JSON`);
    }
    const token = typeof parsed.token === 'string' ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : undefined;
    if (token === undefined) throw new RegistryError(`fetching a token from ${tokenURL.origin}${tokenURL.pathname}: no token in the answer`);
    return `Bearer ${token}`;
  }
}
