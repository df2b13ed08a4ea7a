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
  | { kind: 'drop' };

export interface FaultProxy {
  host: string;
  /** Requests seen (method + path). */
  seen: string[];
  /** Queues a fault for the next request whose path matches. */
  inject(match: RegExp, fault: Fault): void;
  close(): Promise<void>;
}

/** A loopback HTTP proxy in front of `target` (host:port) that applies queued faults, then passes through. */
export async function startFaultProxy(target: string, bearer?: { user: string; password: string }): Promise<FaultProxy> {
  const faults: { match: RegExp; fault: Fault }[] = [];
  const seen: string[] = [];
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (bearer !== undefined) {
      // Docker Hub style token auth in front of an open registry: /token trades basic credentials for a token
      const expected = `Basic ${Buffer.from(`${bearer.user}:${bearer.password}`).toString('base64')}`;
      if ((req.url ?? '').startsWith('/token?')) {
        const url = new URL(req.url ?? '', 'http://x');
        const ok = req.headers.authorization === expected && url.searchParams.get('service') === 'test-registry' &&
          /^repository:[a-z0-9/]+:pull(,push)?$/.test(url.searchParams.get('scope') ?? '');
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
    const i = faults.findIndex((f) => f.match.test(req.url ?? ''));
    const fault = i >= 0 ? faults.splice(i, 1)[0]!.fault : undefined;
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end('injected fault\n');
      req.resume();
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const upstream = request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url,
      headers: { ...req.headers, host: target } }, (up) => {
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
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    inject: (match, fault) => faults.push({ match, fault }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
