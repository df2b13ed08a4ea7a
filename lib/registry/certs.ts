// Private CAs for registries, in docker's own layout: <certs.d>/<host[:port]>/*.crt are extra CA certificates for
// that registry (trusted in addition to the usual roots). certs.d is $BASHBREW_REGISTRY_CERTS_D, else
// /etc/docker/certs.d, so a machine already set up for `docker push` needs nothing more.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export const DEFAULT_CERTS_DIR = '/etc/docker/certs.d';

export function certsDirFromEnv(env: NodeJS.ProcessEnv): string {
  const dir = env.BASHBREW_REGISTRY_CERTS_D;
  return dir !== undefined && dir !== '' ? dir : DEFAULT_CERTS_DIR;
}

/**
 * The PEM text of every `*.crt` in <certsDir>/<host>, sorted by file name; undefined when there is none (a missing
 * directory is the normal case). An unreadable file is an error: silently ignoring a CA the user put there would
 * turn into a confusing certificate failure later.
 */
export function hostCACertificates(certsDir: string, host: string): string[] | undefined {
  const dir = join(certsDir, host);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.crt')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`reading the registry CA directory ${dir}: ${(err as Error).message}`);
  }
  if (names.length === 0) return undefined;
  return names.map((name) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (err) {
      throw new Error(`reading the registry CA certificate ${join(dir, name)}: ${(err as Error).message}`);
    }
  });
}

/**
 * The CA list for a host with private CAs: Node's roots and NODE_EXTRA_CA_CERTS (both of which an explicit `ca`
 * option would otherwise replace) plus the host's own.
 */
export function trustedCAs(hostCAs: string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...rootCertificates];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra !== undefined && extra !== '') {
    try {
      out.push(readFileSync(extra, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it)
    }
  }
  return [...out, ...hostCAs];
}
