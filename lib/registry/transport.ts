// HTTP(S) for the registry client, on node:http/node:https rather than the global fetch: Node 20's fetch cannot
// take a per-request CA (that needs the undici package), and registries with a private CA are common. This also
// lets request bodies stream (chunked blob uploads) and responses stream (blob copies).
//
// What it does: keep-alive agents (one per host that has a private CA), redirects for GET/HEAD (registries send
// blob GETs to storage; Authorization is dropped when the origin changes, as browsers and docker do), a deadline
// for buffered exchanges and an idle timeout for streamed ones, bounded response bodies, and byte counts.
import { type IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Readable, Transform, pipeline } from 'node:stream';
import tls from 'node:tls';
import { hostCACertificates, trustedCAs } from './certs.js';
import { CertificateError, DigestMismatchError, RegistryError } from './errors.js';
import { isInsecureHost } from './reference.js';

export interface TransportStats {
  /** Request body bytes handed to the network (uploads, manifests, ...). */
  requestBodyBytes: number;
  /** HTTP requests sent, including token fetches and redirect hops. */
  requests: number;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** A Buffer is sent with its Content-Length; a Readable is streamed (give Content-Length in headers). */
  body?: Buffer | Readable;
  /** Largest response body read into memory; more is a DigestMismatchError (a registry sending too much). */
  maxBytes: number;
  /** Hand 2xx response bodies back unread, as `stream` (other statuses are still read, for their errors). */
  stream?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The URL that answered (after redirects). */
  url: string;
  /** The body, unless it is streamed. */
  body: Buffer;
  stream?: Readable;
}

export interface TransportOptions {
  /** docker's certs.d layout: <certsDir>/<host>/*.crt. */
  certsDir: string;
  env: NodeJS.ProcessEnv;
  /** Deadline of a buffered exchange; idle timeout of a streamed one (ms). */
  timeoutMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** OpenSSL's verdicts on a certificate that the handshake got, as Node reports them in err.code. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'CERT_REJECTED', 'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'CERT_CHAIN_TOO_LONG',
  'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED',
]);

/** How long a loopback registry gets to answer a TLS hello before we decide it speaks plain HTTP. */
const PROBE_TIMEOUT_MS = 2_000;

/** A network-level failure (refused, reset, timed out, ...): worth retrying, unlike a RegistryError. */
export class NetworkError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class Transport {
  readonly stats: TransportStats = { requestBodyBytes: 0, requests: 0 };
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  /** Agents for hosts with a private CA (undefined: none for that host). */
  private readonly hostAgents = new Map<string, https.Agent | undefined>();
  /** Loopback hosts whose scheme a probe has settled. */
  private readonly schemes = new Map<string, 'http' | 'https'>();

  constructor(private readonly opts: TransportOptions) {}

  /**
   * scheme://host for a registry host. HTTPS, except for loopback hosts (docker and containerd talk plain HTTP to
   * those): they get HTTPS when certs.d has a CA for them, else when they answer a TLS hello (so a local registry
   * with TLS works, and an untrusted certificate is reported as such, not as a confusing HTTP error).
   */
  async origin(host: string): Promise<string> {
    if (!isInsecureHost(host)) return `https://${host}`;
    if (this.agentFor(host) !== undefined) return `https://${host}`;
    let scheme = this.schemes.get(host);
    if (scheme === undefined) {
      const verdict = await probeTLS(host);
      scheme = verdict === 'tls' ? 'https' : 'http';
      // "nothing listens" says nothing about the scheme: ask again next time
      if (verdict !== 'unknown') this.schemes.set(host, scheme);
    }
    return `${scheme}://${host}`;
  }

  /** Closes idle keep-alive connections. The client stays usable (new connections are opened as needed). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agent of this.hostAgents.values()) agent?.destroy();
    this.hostAgents.clear();
  }

  /**
   * One exchange, following redirects for GET and HEAD. Network failures reject with NetworkError, untrusted
   * certificates with CertificateError; a streamed request body's own error is passed through as it is.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = new URL(req.url);
    let headers = req.headers;
    const follow = req.method === 'GET' || req.method === 'HEAD';
    // a deadline only when nothing streams: a streamed body may rightly take longer (idle timeout instead)
    const deadline = req.stream !== true && !(req.body instanceof Readable);
    const controller = deadline ? new AbortController() : undefined;
    const timer = controller !== undefined ? setTimeout(() => controller.abort(), this.opts.timeoutMs) : undefined;
    try {
      for (let hops = 0; ; hops++) {
        const res = await this.exchange(url, req, headers, controller?.signal);
        const location = res.headers.location;
        if (follow && REDIRECTS.has(res.statusCode ?? 0) && location !== undefined && hops < MAX_REDIRECTS) {
          res.resume();
          const next = new URL(location, url);
          if (next.origin !== url.origin) {
            // credentials for the registry are not for its storage backend (S3 rejects them, and they would leak)
            headers = Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== 'authorization'));
          }
          url = next;
          continue;
        }
        const status = res.statusCode ?? 0;
        const responseHeaders = toHeaders(res);
        if (req.stream === true && status >= 200 && status < 300) {
          return { status, headers: responseHeaders, url: url.toString(), body: Buffer.alloc(0), stream: res };
        }
        const body = await readBounded(res, req.maxBytes, `${req.method} ${url}`);
        return { status, headers: responseHeaders, url: url.toString(), body };
      }
    } catch (err) {
      if (controller?.signal.aborted === true) {
        throw new NetworkError(`${req.method} ${url}: timed out after ${this.opts.timeoutMs} ms`, 'ETIMEDOUT');
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private exchange(url: URL, req: HttpRequest, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const agent = secure ? this.agentFor(url.host) ?? this.httpsAgent : this.httpAgent;
    const outHeaders: Record<string, string> = { ...headers };
    if (Buffer.isBuffer(req.body)) outHeaders['Content-Length'] = String(req.body.length);
    else if (req.body === undefined && ['PUT', 'POST', 'PATCH'].includes(req.method)) outHeaders['Content-Length'] = '0';
    const what = `${req.method} ${url}`;
    return new Promise<IncomingMessage>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        reject(this.describe(err, url, what));
      };
      const request = (secure ? https : http).request(url, { method: req.method, headers: outHeaders, agent, signal }, (res) => {
        settled = true;
        // an aborted response emits 'error'; whoever reads it listens too, this only keeps an unread one from
        // becoming an uncaught exception
        res.on('error', () => undefined);
        resolve(res);
      });
      this.stats.requests++;
      request.setTimeout(this.opts.timeoutMs, () => {
        request.destroy(new NetworkError(`${what}: no data for ${this.opts.timeoutMs} ms`, 'ETIMEDOUT'));
      });
      request.on('error', fail);
      if (req.body instanceof Readable) {
        const count = new Transform({
          transform: (chunk: Buffer, _encoding, done) => {
            this.stats.requestBodyBytes += chunk.length;
            done(null, chunk);
          },
        });
        // the body's own failure (say, its source died) is what the caller needs to see, not "socket hang up"
        pipeline(req.body, count, request, (err) => {
          if (err) fail(err);
        });
      } else {
        if (req.body !== undefined) this.stats.requestBodyBytes += req.body.length;
        request.end(req.body);
      }
    });
  }

  /** The https agent for a host with certs in certs.d (created once), or undefined. */
  private agentFor(host: string): https.Agent | undefined {
    if (!this.hostAgents.has(host)) {
      const cas = hostCACertificates(this.opts.certsDir, host);
      this.hostAgents.set(host, cas === undefined ? undefined : new https.Agent({ keepAlive: true, ca: trustedCAs(cas, this.opts.env) }));
    }
    return this.hostAgents.get(host);
  }

  private describe(err: unknown, url: URL, what: string): Error {
    if (err instanceof NetworkError || err instanceof RegistryError) return err;
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    if (code !== undefined && CERTIFICATE_ERRORS.has(code)) {
      const dir = `${this.opts.certsDir}/${url.host}`;
      const have = this.agentFor(url.host) !== undefined;
      return new CertificateError(`${url.origin}: the registry's TLS certificate is not trusted (${code}: ${message}); ` +
        (have ? `the CA certificates in ${dir}/ do not vouch for it` : `to trust a private CA, put its certificate in ${dir}/ca.crt`) +
        ' (the certs.d directory is $BASHBREW_REGISTRY_CERTS_D, else /etc/docker/certs.d)');
    }
    if (code !== undefined && code.startsWith('ERR_SSL_')) {
      // e.g. wrong version number: the server does not speak TLS there; retrying will not change that
      return new RegistryError(`${url.origin}: TLS handshake failed (${code}: ${message})`);
    }
    // errors from a streamed request body (its source) are not network errors: keep them as they are
    if (!isNetworkCode(code) && !(err instanceof Error && err.name === 'AbortError')) {
      if (err instanceof Error) return err;
    }
    return new NetworkError(`${what}: ${code !== undefined && !message.includes(code) ? `${code} ` : ''}${message}`, code);
  }
}

function isNetworkCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return code.startsWith('E') || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'UND_ERR_SOCKET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_');
}

function toHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    } catch {
      // a header the Fetch rules reject (odd bytes): nothing we read looks like that
    }
  }
  return headers;
}

async function readBounded(res: IncomingMessage, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      res.destroy();
      throw new DigestMismatchError(`${what}: body larger than the expected ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Whether a loopback host:port speaks TLS: 'tls' when a handshake completes (the certificate is not checked
 * here; real requests check it), 'plain' when something answers that is not TLS, 'unknown' when nothing answers.
 */
export function probeTLS(host: string): Promise<'tls' | 'plain' | 'unknown'> {
  let hostname = host;
  let port = 443;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (match !== null) {
    hostname = match[1]!.replace(/^\[|\]$/g, '');
    if (match[2] !== undefined) port = Number(match[2]);
  }
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: hostname, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'],
      // SNI with an IP address is not allowed (RFC 6066)
      ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
    });
    const done = (verdict: 'tls' | 'plain' | 'unknown'): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => done('tls'));
    socket.once('error', (err) => {
      const code = errorCode(err);
      done(code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' ? 'unknown' : 'plain');
    });
  });
}

/** A Readable that skips the first `count` bytes of `source` (for a server that ignored a Range header). */
export function skipBytes(source: Readable, count: number): Readable {
  let left = count;
  const skip = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        done();
        return;
      }
      const rest = chunk.subarray(left);
      left = 0;
      done(null, rest);
    },
  });
  // the source's failure reaches the reader through `skip`
  return pipeline(source, skip, () => undefined);
}
