// A small OCI distribution API client (spec §7.3): manifests and blobs over HTTP(S), Docker Hub style bearer-token
// auth and basic auth (credentials from the docker config), digests verified on every read, bounded retries with
// backoff on 429 (Retry-After), 5xx and connection failures.
import { createHash } from 'node:crypto';
import { type CredentialLookup, type Credentials, dockerConfigCredentials } from './credentials.js';
import { type ImageReference, registryBaseURL } from './reference.js';

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

/** A registry error with the HTTP status (when there was a response). */
export class RegistryError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** A read whose bytes do not match the digest asked for (or announced). Never retried. */
export class DigestMismatchError extends RegistryError {}

export interface RegistryClientOptions {
  env?: NodeJS.ProcessEnv;
  credentials?: CredentialLookup;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff in ms, doubled each retry (default 500). */
  backoffMs?: number;
  /** Upper bound of one wait, also for Retry-After (default 30 s). */
  maxWaitMs?: number;
  /** Timeout of one request in ms (default 60 s). */
  timeoutMs?: number;
  /** Docker Hub reads go here first (default: $DOCKERHUB_PUBLIC_PROXY). */
  dockerHubProxy?: string;
}

interface Response_ {
  status: number;
  headers: Headers;
  body: Buffer;
}

interface RequestOptions {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: Buffer;
  /** Largest body accepted. */
  maxBytes?: number;
  /** The scope actions for a bearer token (pull, or pull,push). */
  actions: string;
  repo: string;
  domain: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`.trim();
  }
  return err.message;
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

/** Checks `data` against `digest` (sha256/sha384/sha512); throws DigestMismatchError. */
export function verifyDigest(data: Buffer, digest: string, what: string): void {
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  if (!['sha256', 'sha384', 'sha512'].includes(algorithm)) {
    throw new DigestMismatchError(`${what}: unsupported digest algorithm in ${JSON.stringify(digest)}`);
  }
  const actual = `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
  if (actual !== digest.toLowerCase()) {
    throw new DigestMismatchError(`${what}: digest mismatch: expected ${digest}, got ${actual} (${data.length} bytes)`);
  }
}

export class RegistryClient {
  private readonly credentials: CredentialLookup;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxWaitMs: number;
  private readonly timeoutMs: number;
  private readonly hubProxy: string | undefined;
  /** Authorization header per domain + scope. */
  private readonly authCache = new Map<string, string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.credentials = opts.credentials ?? dockerConfigCredentials(opts.env ?? process.env);
    this.retries = opts.retries ?? 4;
    this.backoffMs = opts.backoffMs ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 30_000;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    const proxy = opts.dockerHubProxy ?? (opts.env ?? process.env).DOCKERHUB_PUBLIC_PROXY;
    this.hubProxy = proxy !== undefined && proxy !== '' ? proxy.replace(/\/+$/, '') : undefined;
  }

  // ---- reads ----

  /**
   * GETs a manifest (by the reference's digest, else its tag) and verifies it: against the digest asked for, else
   * against Docker-Content-Digest when the registry sent one. The descriptor's digest is the verified one.
   */
  async getManifest(ref: ImageReference, reference = ref.digest ?? ref.tag ?? 'latest', expected?: Descriptor): Promise<{ desc: Descriptor; body: Buffer }> {
    const maxBytes = expected?.size ?? MAX_MANIFEST_SIZE;
    const res = await this.request(this.url(ref, 'manifests', reference), {
      method: 'GET', headers: { Accept: MANIFEST_ACCEPT.join(', ') }, maxBytes,
      actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    const what = `manifest ${ref.domain}/${ref.path}@${reference}`;
    if (res.status !== 200) throw await this.statusError(res, what);
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
    const res = await this.request(this.url(ref, 'manifests', reference), {
      method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT.join(', ') }, actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    if (res.status === 404) return null;
    if (res.status !== 200) throw await this.statusError(res, `manifest ${ref.domain}/${ref.path}@${reference}`);
    const digest = res.headers.get('docker-content-digest') ?? (reference.includes(':') ? reference : '');
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { mediaType, digest, size: Number(res.headers.get('content-length') ?? 0) };
  }

  /** GETs a blob and verifies its digest (and size, when given). */
  async getBlob(ref: ImageReference, digest: string, size?: number): Promise<Buffer> {
    const res = await this.request(this.url(ref, 'blobs', digest), {
      method: 'GET', maxBytes: size ?? 1 << 30, actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    const what = `blob ${ref.domain}/${ref.path}@${digest}`;
    if (res.status !== 200) throw await this.statusError(res, what);
    if (size !== undefined && res.body.length !== size) {
      throw new DigestMismatchError(`${what}: size mismatch: expected ${size} bytes, got ${res.body.length}`);
    }
    verifyDigest(res.body, digest, what);
    return res.body;
  }

  /** Whether the repository has the blob. */
  async hasBlob(ref: ImageReference, digest: string): Promise<boolean> {
    const res = await this.request(this.url(ref, 'blobs', digest), {
      method: 'HEAD', actions: 'pull', repo: ref.path, domain: ref.domain,
    });
    if (res.status === 404) return false;
    if (res.status === 200) return true;
    throw await this.statusError(res, `blob ${ref.domain}/${ref.path}@${digest}`);
  }

  // ---- writes ----

  /** Uploads a blob (monolithic POST + PUT) unless the repository already has it. Returns its descriptor. */
  async putBlob(ref: ImageReference, data: Buffer, mediaType = 'application/octet-stream'): Promise<Descriptor> {
    const digest = sha256(data);
    const desc = { mediaType, digest, size: data.length };
    if (await this.hasBlob(ref, digest)) return desc;
    const opts = { actions: 'pull,push', repo: ref.path, domain: ref.domain };
    const start = await this.request(`${registryBaseURL(ref.domain)}/v2/${ref.path}/blobs/uploads/`, { ...opts, method: 'POST' });
    if (start.status !== 202) throw await this.statusError(start, `starting blob upload to ${ref.domain}/${ref.path}`);
    const location = start.headers.get('location');
    if (location === null) throw new RegistryError(`starting blob upload to ${ref.domain}/${ref.path}: no Location`);
    const url = new URL(location, `${registryBaseURL(ref.domain)}/`);
    url.searchParams.set('digest', digest);
    const put = await this.request(url.toString(), {
      ...opts, method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw await this.statusError(put, `uploading blob ${digest} to ${ref.domain}/${ref.path}`);
    return desc;
  }

  /** PUTs a manifest or index under a tag or its digest. Returns its descriptor. */
  async putManifest(ref: ImageReference, reference: string, mediaType: string, body: Buffer): Promise<Descriptor> {
    const digest = sha256(body);
    const res = await this.request(this.url(ref, 'manifests', reference), {
      method: 'PUT', body, headers: { 'Content-Type': mediaType }, actions: 'pull,push', repo: ref.path, domain: ref.domain,
    });
    if (res.status !== 201) throw await this.statusError(res, `putting manifest ${ref.domain}/${ref.path}:${reference}`);
    const announced = res.headers.get('docker-content-digest');
    if (announced !== null && announced !== digest) {
      throw new DigestMismatchError(`putting manifest ${ref.domain}/${ref.path}:${reference}: registry says ${announced}, expected ${digest}`);
    }
    return { mediaType, digest, size: body.length };
  }

  // ---- plumbing ----

  private url(ref: ImageReference, kind: 'manifests' | 'blobs', reference: string): string {
    return `${registryBaseURL(ref.domain)}/v2/${ref.path}/${kind}/${reference}`;
  }

  private async statusError(res: Response_, what: string): Promise<RegistryError> {
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
  private async request(url: string, opts: RequestOptions): Promise<Response_> {
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

  /** One request with auth and retries; the body is read (and bounded) before returning. */
  private async requestWithRetries(url: string, opts: RequestOptions): Promise<Response_> {
    const scope = `repository:${opts.repo}:${opts.actions}`;
    const cacheKey = `${opts.domain} ${scope}`;
    let authRetried = false;
    let lastProblem = '';
    for (let attempt = 0; ; attempt++) {
      let waitMs = this.backoffMs * 2 ** attempt;
      let res: Response_ | undefined;
      try {
        res = await this.send(url, opts, this.authCache.get(cacheKey));
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        lastProblem = describeNetworkError(err);
      }
      if (res !== undefined) {
        if (res.status === 401 && !authRetried) {
          authRetried = true;
          const header = await this.authenticate(res, opts, scope);
          if (header !== undefined) {
            this.authCache.set(cacheKey, header);
            attempt--;
            continue;
          }
        }
        if (res.status !== 429 && res.status < 500) return res;
        lastProblem = `HTTP ${res.status}`;
        const retryAfter = res.headers.get('retry-after');
        if (retryAfter !== null) {
          const seconds = Number(retryAfter);
          const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
          if (Number.isFinite(ms) && ms >= 0) waitMs = ms;
        }
      }
      if (attempt >= this.retries) {
        throw new RegistryError(`${opts.method} ${url}: giving up after ${attempt + 1} attempts: ${lastProblem}`, res?.status);
      }
      await sleep(Math.min(waitMs, this.maxWaitMs));
    }
  }

  private async send(url: string, opts: RequestOptions, authorization: string | undefined): Promise<Response_> {
    const headers: Record<string, string> = { 'User-Agent': 'bashbrew-ts', ...opts.headers };
    if (authorization !== undefined) headers.Authorization = authorization;
    const init: RequestInit = { method: opts.method, headers, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) };
    if (opts.body !== undefined) {
      init.body = new Uint8Array(opts.body);
      headers['Content-Length'] = String(opts.body.length);
    }
    const response = await fetch(url, init);
    const body = await readBounded(response, opts.maxBytes ?? MAX_MANIFEST_SIZE, `${opts.method} ${url}`);
    return { status: response.status, headers: response.headers, body };
  }

  /** Answers a 401 challenge: a bearer token from the realm, or basic auth. undefined when nothing can be done. */
  private async authenticate(res: Response_, opts: RequestOptions, scope: string): Promise<string | undefined> {
    const header = res.headers.get('www-authenticate');
    const creds: Credentials | undefined = this.credentials(opts.domain);
    if (header === null) return undefined;
    const { scheme, params } = parseAuthenticate(header);
    const basic = creds !== undefined ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') return basic;
    if (scheme !== 'bearer' || params.realm === undefined) return undefined;
    const tokenURL = new URL(params.realm);
    if (params.service !== undefined) tokenURL.searchParams.set('service', params.service);
    tokenURL.searchParams.set('scope', params.scope !== undefined && !opts.actions.includes('push') ? params.scope : scope);
    const tokenRes = await this.send(tokenURL.toString(), { ...opts, method: 'GET', body: undefined, headers: basic !== undefined ? { Authorization: basic } : {}, maxBytes: 1 << 20 }, undefined);
    if (tokenRes.status !== 200) {
      throw new RegistryError(`fetching a token from ${tokenURL.origin}${tokenURL.pathname}: HTTP ${tokenRes.status}`, tokenRes.status);
    }
    const parsed = JSON.parse(tokenRes.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    const token = typeof parsed.token === 'string' ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : undefined;
    if (token === undefined) throw new RegistryError(`fetching a token from ${tokenURL.origin}${tokenURL.pathname}: no token in the answer`);
    return `Bearer ${token}`;
  }
}

async function readBounded(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new DigestMismatchError(`${what}: body larger than the expected ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
