// Test helpers for the registry client: uploading synthetic images and a fault-injecting loopback proxy.
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Descriptor, MEDIA_TYPES, type Platform, RegistryClient } from '../../lib/registry/client.js';
import { parseReference } from '../../lib/registry/reference.js';

export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Uploads a one-layer image whose config says `platform`; returns the manifest descriptor (no platform). */
export async function uploadImage(client: RegistryClient, repo: string, platform: Platform, tag?: string): Promise<Descriptor> {
  const ref = parseReference(repo);
  const layer = await client.putBlob(ref, Buffer.from(`layer for ${JSON.stringify(platform)}`), 'application/vnd.oci.image.layer.v1.tar');
  const config = await client.putBlob(ref, Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [layer.digest] }, config: {} })), MEDIA_TYPES.ociConfig);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers: [layer] }));
  return client.putManifest(ref, tag ?? sha256(manifest), MEDIA_TYPES.ociManifest, manifest);
}

/** Puts an index of `members` under `tag`; returns its descriptor. */
export async function uploadIndex(client: RegistryClient, repo: string, tag: string, members: Descriptor[]): Promise<Descriptor> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: members }));
  return client.putManifest(parseReference(repo), tag, MEDIA_TYPES.ociIndex, body);
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'corrupt' }
  /** Closes the connection: at once (the registry sees nothing), or after passing `afterBytes` of the request body on. */
  | { kind: 'drop'; afterBytes?: number }
  /** Passes the response on, but closes the connection after `afterBytes` of its body. */
  | { kind: 'cut'; afterBytes: number }
  /** Answers 307 with Location: `to` + the request's path (as registries send blob GETs to storage). */
  | { kind: 'redirect'; to: string };

export interface FaultMatch {
  /** Only requests with this method. */
  method?: string;
  /** The nth matching request from now on (default 1: the next one). */
  nth?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** Request body bytes that arrived at the proxy. */
  bodyBytes: number;
  range?: string;
  /** Whether it came with an Authorization header. */
  authorized: boolean;
  /** The token scopes asked for (GET /token). */
  scopes?: string[];
}

export interface FaultProxy {
  host: string;
  /** Requests seen (method + path). */
  seen: string[];
  /** The same, with body sizes and headers of interest. */
  requests: SeenRequest[];
  /** Queues a fault for a later request whose path matches. */
  inject(match: RegExp, fault: Fault, when?: FaultMatch): void;
  /** Drops the faults not used yet. */
  clear(): void;
  /** How many queued faults have not been used yet. */
  pending(): number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` (host:port) that applies queued faults, then passes through. The Host
 * header is kept, so the URLs the registry builds (upload Locations) point back at the proxy.
 */
export async function startFaultProxy(target: string, bearer?: { user: string; password: string }): Promise<FaultProxy> {
  const faults: { match: RegExp; fault: Fault; method?: string; skip: number }[] = [];
  const seen: string[] = [];
  const requests: SeenRequest[] = [];
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    const record: SeenRequest = { method: req.method ?? '', path: req.url ?? '', bodyBytes: 0, authorized: req.headers.authorization !== undefined };
    if (typeof req.headers.range === 'string') record.range = req.headers.range;
    requests.push(record);
    req.on('data', (chunk: Buffer) => {
      record.bodyBytes += chunk.length;
    });
    if (bearer !== undefined) {
      // Docker Hub style token auth in front of an open registry: /token trades basic credentials for a token
      const expected = `Basic ${Buffer.from(`${bearer.user}:${bearer.password}`).toString('base64')}`;
      if ((req.url ?? '').startsWith('/token?')) {
        const url = new URL(req.url ?? '', 'http://x');
        record.scopes = url.searchParams.getAll('scope');
        const ok = req.headers.authorization === expected && url.searchParams.get('service') === 'test-registry' &&
          record.scopes.length > 0 && record.scopes.every((scope) => /^repository:[a-z0-9/]+:pull(,push)?$/.test(scope));
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(ok ? JSON.stringify({ token: 'the-token' }) : '{}');
        return;
      }
      if (req.headers.authorization !== 'Bearer the-token') {
        const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(req.url ?? '')?.[1] ?? '';
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="test-registry",scope="repository:${repo}:pull"`,
          'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        req.resume();
        return;
      }
      delete req.headers.authorization;
    }
    // every matching request counts towards every queued fault's `nth`; the first one due applies
    let due = -1;
    faults.forEach((f, index) => {
      if (!f.match.test(req.url ?? '') || (f.method !== undefined && f.method !== req.method)) return;
      if (f.skip > 0) f.skip--;
      else if (due < 0) due = index;
    });
    const fault = due >= 0 ? faults.splice(due, 1)[0]!.fault : undefined;
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end('injected fault\n');
      req.resume();
      return;
    }
    if (fault?.kind === 'redirect') {
      res.writeHead(307, { Location: `${fault.to}${req.url ?? ''}` });
      res.end();
      req.resume();
      return;
    }
    if (fault?.kind === 'drop' && fault.afterBytes === undefined) {
      req.socket.destroy();
      return;
    }
    const upstream = request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (fault?.kind === 'corrupt') {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length > 0) body[body.length - 1] = body[body.length - 1]! === 0x7d ? 0x20 : 0x7d;
          const headers = { ...up.headers };
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(body);
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (fault?.kind === 'cut') {
        let left = fault.afterBytes;
        up.on('data', (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.subarray(0, left);
          left -= part.length;
          res.write(part, () => {
            if (left <= 0) {
              up.destroy();
              res.destroy();
            }
          });
        });
        return;
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    if (fault?.kind === 'drop') {
      // pass `afterBytes` of the body on, then cut both sides: the registry has seen a partial request
      let left = fault.afterBytes ?? 0;
      req.on('data', (chunk: Buffer) => {
        if (left <= 0) return;
        const part = chunk.subarray(0, left);
        left -= part.length;
        upstream.write(part, () => {
          if (left > 0) return;
          // give the registry a moment to take the bytes in before it sees the client go
          setTimeout(() => {
            upstream.destroy();
            req.socket.destroy();
          }, 50);
        });
      });
      req.on('end', () => {
        if (left > 0) upstream.end();
      });
      return;
    }
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    requests,
    inject: (match, fault, when = {}) => faults.push({ match, fault, method: when.method, skip: (when.nth ?? 1) - 1 }),
    pending: () => faults.length,
    clear: () => {
      faults.length = 0;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
