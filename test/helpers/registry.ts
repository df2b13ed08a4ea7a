// A throwaway Docker registry for the tests: Debian's `docker-registry serve CONFIG` (distribution 2.x) on
// 127.0.0.1 and a free port, filesystem storage in a temp dir, deletes enabled, optionally with htpasswd auth and
// optionally with TLS (a fresh CA, made with the openssl CLI, laid out for clients as docker's certs.d).
// The Docker daemon treats 127.0.0.0/8 registries as insecure, so `docker push 127.0.0.1:PORT/x` works over HTTP.
//
//   const registry = await startRegistry({ htpasswd: { user: 'u', password: 'p' }, tls: true });
//   t.after(() => registry.stop());
//   ... `${registry.host}/library/foo:1`, BASHBREW_REGISTRY_CERTS_D=registry.certsDir ...
import { freePort } from './git-repos.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RegistryOptions {
  /** Turns on htpasswd (basic) auth with this one user. */
  htpasswd?: { user: string; password: string };
  /** Serves HTTPS with a certificate for IP 127.0.0.1 from a CA made for this registry. */
  tls?: boolean;
}

export interface Registry {
  /** 127.0.0.1:PORT */
  host: string;
  /** http://127.0.0.1:PORT (https:// with `tls`) */
  url: string;
  /** With `tls`: a certs.d directory holding <host>/ca.crt (docker's layout), for BASHBREW_REGISTRY_CERTS_D. */
  certsDir?: string;
  /** With `tls`: the CA certificate (PEM file). */
  caFile?: string;
  /** The temp dir with the config, the storage (data/) and the log (registry.log). */
  dir: string;
  /** Stops the registry and removes its temp dir. */
  stop(): Promise<void>;
}

const REGISTRY_CANDIDATES = ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry', '/usr/bin/registry'];

/** The registry binary (Debian's docker-registry), or undefined when it is not installed. */
export function registryBinary(): string | undefined {
  if (process.env.BASHBREW_TEST_REGISTRY) return process.env.BASHBREW_TEST_REGISTRY;
  for (const path of REGISTRY_CANDIDATES) {
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function registryAvailable(): boolean {
  return registryBinary() !== undefined;
}

// ---- bcrypt, for the htpasswd file (distribution accepts only bcrypt there) ----

let blowfishInit: Uint32Array | undefined;

/**
 * Blowfish's initial P-array and S-boxes: the first 1042 32-bit words of the fractional part of pi, computed here
 * (Machin's formula in BigInt fixed point) instead of pasting the 4 KiB table.
 */
function blowfishConstants(): Uint32Array {
  if (blowfishInit !== undefined) return blowfishInit;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const arctanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let power = one / x;
    let sum = power;
    for (let k = 1n; power !== 0n; k++) {
      power /= x2;
      const term = power / (2n * k + 1n);
      sum = k % 2n === 1n ? sum - term : sum + term;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const fraction = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = Number((fraction >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
  if (out[0] !== 0x243f6a88 || out[17] !== 0x8979fb1b || out[18] !== 0xd1310ba6 || out[words - 1] !== 0x3ac372e6) {
    throw new Error('blowfish constants: pi digits came out wrong');
  }
  blowfishInit = out;
  return out;
}

class EksBlowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  private readonly lr = new Uint32Array(2);

  constructor() {
    const init = blowfishConstants();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return ((((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) >>> 0) ^ s[512 + ((x >>> 8) & 0xff)]!) +
      s[768 + (x & 0xff)]!) >>> 0;
  }

  /** Encrypts lr[0], lr[1] in place. */
  encipher(lr: Uint32Array): void {
    const p = this.p;
    let l = lr[0]!;
    let r = lr[1]!;
    l = (l ^ p[0]!) >>> 0;
    for (let i = 1; i <= 16; i += 2) {
      r = (r ^ this.f(l) ^ p[i]!) >>> 0;
      l = (l ^ this.f(r) ^ p[i + 1]!) >>> 0;
    }
    lr[0] = (r ^ p[17]!) >>> 0;
    lr[1] = l;
  }

  /** Mixes `key` into P, then re-derives P and S, XORing in `salt` (when given) as it goes. */
  expand(key: Buffer, salt: Buffer | undefined): void {
    let keyPos = 0;
    const keyWord = (): number => {
      let word = 0;
      for (let i = 0; i < 4; i++) {
        word = ((word << 8) | key[keyPos]!) >>> 0;
        keyPos = (keyPos + 1) % key.length;
      }
      return word;
    };
    let saltPos = 0;
    const saltWord = (): number => {
      if (salt === undefined) return 0;
      let word = 0;
      for (let i = 0; i < 4; i++) {
        word = ((word << 8) | salt[saltPos]!) >>> 0;
        saltPos = (saltPos + 1) % salt.length;
      }
      return word;
    };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ keyWord()) >>> 0;
    const lr = this.lr;
    lr[0] = 0;
    lr[1] = 0;
    for (const table of [this.p, this.s]) {
      for (let i = 0; i < table.length; i += 2) {
        lr[0] = (lr[0]! ^ saltWord()) >>> 0;
        lr[1] = (lr[1]! ^ saltWord()) >>> 0;
        this.encipher(lr);
        table[i] = lr[0]!;
        table[i + 1] = lr[1]!;
      }
    }
  }
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function bcryptBase64(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += BCRYPT_ALPHABET[b0 >> 2]! + BCRYPT_ALPHABET[((b0 & 3) << 4) | (b1 >> 4)]!;
    if (i + 1 < bytes.length) out += BCRYPT_ALPHABET[((b1 & 15) << 2) | (b2 >> 6)]!;
    if (i + 2 < bytes.length) out += BCRYPT_ALPHABET[b2 & 63]!;
  }
  return out;
}

function bcryptBase64Decode(text: string, length: number): Buffer {
  const values = [...text].map((char) => {
    const value = BCRYPT_ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`bcrypt: bad salt character ${JSON.stringify(char)}`);
    return value;
  });
  const out = Buffer.alloc(length);
  let bit = 0;
  let acc = 0;
  let pos = 0;
  for (const value of values) {
    acc = (acc << 6) | value;
    bit += 6;
    if (bit >= 8) {
      bit -= 8;
      if (pos < length) out[pos++] = (acc >> bit) & 0xff;
    }
  }
  return out;
}

/**
 * bcrypt ($2b$) of `password`, as htpasswd -B and Go's x/crypto/bcrypt make them. `salt` is 22 characters of
 * bcrypt's base64 (random when omitted). Cost 4..31 (default 5: fast, tests only).
 */
export function bcrypt(password: string, cost = 5, salt?: string): string {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error(`bcrypt: bad cost ${cost}`);
  const saltText = salt ?? bcryptBase64(randomBytes(16)).slice(0, 22);
  if (saltText.length !== 22) throw new Error('bcrypt: the salt must be 22 characters');
  const saltBytes = bcryptBase64Decode(saltText, 16);
  // the key is the password and its NUL, at most 72 bytes
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.alloc(1)]).subarray(0, 72);
  const state = new EksBlowfish();
  state.expand(key, saltBytes);
  for (let round = 0; round < 2 ** cost; round++) {
    state.expand(key, undefined);
    state.expand(saltBytes, undefined);
  }
  const magic = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const text = new Uint32Array(6);
  for (let i = 0; i < 6; i++) text[i] = magic.readUInt32BE(i * 4);
  const pair = new Uint32Array(2);
  for (let i = 0; i < 6; i += 2) {
    pair[0] = text[i]!;
    pair[1] = text[i + 1]!;
    for (let round = 0; round < 64; round++) state.encipher(pair);
    text[i] = pair[0]!;
    text[i + 1] = pair[1]!;
  }
  const hash = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) hash.writeUInt32BE(text[i]!, i * 4);
  // the encoded salt is re-encoded from its 16 bytes (its last character keeps only 2 significant bits)
  return `$2b$${String(cost).padStart(2, '0')}$${bcryptBase64(saltBytes)}${bcryptBase64(hash.subarray(0, 23))}`;
}

/** One htpasswd line (`user:$2b$...`) for distribution's htpasswd auth. */
export function htpasswdLine(user: string, password: string): string {
  if (user.includes(':') || user.includes('\n')) throw new Error(`htpasswd: bad user name ${JSON.stringify(user)}`);
  return `${user}:${bcrypt(password)}`;
}

// ---- the registry process ----


function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function openssl(args: string[], cwd: string): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error !== undefined) throw new Error(`openssl ${args[0]}: ${run.error.message} (is openssl installed?)`);
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`);
}

/**
 * A CA and a server certificate for IP 127.0.0.1 signed by it, in `dir` (ca.crt, server.crt, server.key). Own
 * openssl config files, so the machine's openssl.cnf does not matter; P-256 keys, quick to make.
 */
export function makeTestCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.cnf'), ['[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = v3_ca',
    '[dn]', 'CN = bashbrew-ts test CA', '[v3_ca]', 'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', ''].join('\n'));
  writeFileSync(join(dir, 'server.cnf'), ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'CN = 127.0.0.1', ''].join('\n'));
  writeFileSync(join(dir, 'server.ext'), ['subjectAltName = IP:127.0.0.1', 'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature', 'extendedKeyUsage = serverAuth', 'authorityKeyIdentifier = keyid', ''].join('\n'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', '-config', 'ca.cnf', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2'], dir);
  openssl(['req', '-new', '-config', 'server.cnf', ...ec, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

function config(dir: string, port: number, auth: boolean, tls?: { certFile: string; keyFile: string }): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (tls !== undefined) {
    lines.push('  tls:', `    certificate: ${JSON.stringify(tls.certFile)}`, `    key: ${JSON.stringify(tls.keyFile)}`);
  }
  if (auth) {
    lines.push('auth:', '  htpasswd:', '    realm: bashbrew-test', `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** GET url → status (node:http(s), so that a test CA can be trusted). */
function getStatus(url: string, ca: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: 2_000, ...(ca !== undefined ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls GET /v2/ until it answers 200 or 401. Returns false when the process exited first or on timeout. */
async function waitForV2(url: string, ca: string | undefined, exited: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    try {
      const status = await getStatus(`${url}/v2/`, ca);
      if (status === 200 || status === 401) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

/**
 * Starts a registry (see the top of this file) and waits until /v2/ answers. Stop it with `stop()` (a leftover one
 * is killed when the test process exits).
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const binary = registryBinary();
  if (binary === undefined) {
    throw new Error('docker-registry is not installed (apt-get install docker-registry)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'bashbrew-registry-'));
  const auth = opts.htpasswd !== undefined;
  if (opts.htpasswd !== undefined) {
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine(opts.htpasswd.user, opts.htpasswd.password)}\n`);
  }
  let tls: ReturnType<typeof makeTestCertificates> | undefined;
  try {
    if (opts.tls === true) tls = makeTestCertificates(join(dir, 'tls'));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const ca = tls !== undefined ? readFileSync(tls.caFile, 'utf8') : undefined;
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  // REGISTRY_* variables would override the config file
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('REGISTRY_')) env[key] = value;

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, config(dir, port, auth, tls));
    const logFile = join(dir, 'registry.log');
    const logFd = openSync(logFile, 'w');
    const child = spawn(binary, ['serve', configFile], { stdio: ['ignore', logFd, logFd], env });
    closeSync(logFd);
    child.unref();
    running.add(child);
    let exited = false;
    const exit = new Promise<void>((resolve) => {
      const done = (): void => {
        exited = true;
        running.delete(child);
        resolve();
      };
      child.on('exit', done);
      child.on('error', done);
    });
    const host = `127.0.0.1:${port}`;
    const url = `${tls !== undefined ? 'https' : 'http'}://${host}`;
    if (await waitForV2(url, ca, () => exited, 20_000)) {
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> => {
        stopping ??= (async () => {
          if (!exited) {
            child.kill('SIGTERM');
            let timer: NodeJS.Timeout | undefined;
            const timedOut = await Promise.race([exit.then(() => false),
              new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), 10_000); })]);
            clearTimeout(timer);
            if (timedOut) {
              child.kill('SIGKILL');
              await exit;
            }
          }
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopping;
      };
      const registry: Registry = { host, url, dir, stop };
      if (tls !== undefined) {
        registry.caFile = tls.caFile;
        registry.certsDir = join(dir, 'certs.d');
        mkdirSync(join(registry.certsDir, host), { recursive: true });
        writeFileSync(join(registry.certsDir, host, 'ca.crt'), ca!);
      }
      return registry;
    }
    lastError = tail(logFile);
    if (!exited) child.kill('SIGKILL');
    await exit;
    // a port taken between freePort() and the registry's listen: try another one
    if (!/address already in use/i.test(lastError)) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not answer on /v2/; the end of its log:\n${lastError}`);
}
