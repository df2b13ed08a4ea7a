// Registry credentials from the docker CLI's config (spec §7.3): $DOCKER_CONFIG/config.json or
// ~/.docker/config.json, the `auths` map with base64 `user:pass` in `auth` (or `username`/`password`).
// Credential helpers are consulted as the docker CLI does: `credHelpers[host]`, else `credsStore`, run as
// `docker-credential-NAME get` with the server address on stdin (a bashbrew-ts extension; the reference has none).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

export type CredentialLookup = (domain: string) => Credentials | undefined;

function configPath(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

function keysFor(domain: string): string[] {
  if (domain === 'docker.io' || domain === 'index.docker.io' || domain === 'registry-1.docker.io') {
    return ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io'];
  }
  return [domain, `https://${domain}/v1/`, `https://${domain}`, `http://${domain}`];
}

/** Reads the docker config once; the returned lookup maps a registry domain to its credentials. */
/** Runs `docker-credential-HELPER get`; undefined when it has nothing for the server. */
function fromHelper(helper: string, server: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  const run = spawnSync(`docker-credential-${helper}`, ['get'], { input: server, encoding: 'utf8', env, timeout: 30_000 });
  if (run.error !== undefined || run.status !== 0) return undefined;
  try {
    const parsed = JSON.parse(run.stdout) as { Username?: unknown; Secret?: unknown };
    if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return undefined;
    // an identity token comes back with the username <token>; it is not a password, so skip it
    if (parsed.Username === '<token>') return undefined;
    return { username: typeof parsed.Username === 'string' ? parsed.Username : '', password: parsed.Secret };
  } catch {
    return undefined;
  }
}

export function dockerConfigCredentials(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  let auths: Record<string, unknown> = {};
  let credHelpers: Record<string, unknown> = {};
  let credsStore: string | undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(configPath(env), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const config = parsed as { auths?: unknown; credHelpers?: unknown; credsStore?: unknown };
      if (typeof config.auths === 'object' && config.auths !== null) auths = config.auths as Record<string, unknown>;
      if (typeof config.credHelpers === 'object' && config.credHelpers !== null) credHelpers = config.credHelpers as Record<string, unknown>;
      if (typeof config.credsStore === 'string' && config.credsStore !== '') credsStore = config.credsStore;
    }
  } catch {
    // no config (or unreadable): anonymous
  }
  const cache = new Map<string, Credentials | undefined>();
  return (domain) => {
    if (!cache.has(domain)) cache.set(domain, lookup(domain));
    return cache.get(domain);
  };
  function lookup(domain: string): Credentials | undefined {
    const keys = keysFor(domain);
    for (const key of keys) {
      const helper = credHelpers[key];
      if (typeof helper === 'string' && helper !== '') return fromHelper(helper, key, env);
    }
    if (credsStore !== undefined) {
      for (const key of keys) {
        const found = fromHelper(credsStore, key, env);
        if (found !== undefined) return found;
      }
    }
    for (const key of keysFor(domain)) {
      const entry = auths[key];
      if (typeof entry !== 'object' || entry === null) continue;
      const { auth, username, password } = entry as { auth?: unknown; username?: unknown; password?: unknown };
      if (typeof auth === 'string' && auth !== '') {
        const decoded = Buffer.from(auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
      if (typeof username === 'string' && typeof password === 'string' && username !== '') return { username, password };
    }
    return undefined;
  }
}
