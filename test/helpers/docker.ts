// Helpers of the tests that need a real Docker daemon. Run them through `node scripts/with-docker.mjs`, which
// points DOCKER_HOST at a daemon (starting a private one when needed) and sets BASHBREW_TEST_DOCKER=1, or
// BASHBREW_TEST_DOCKER=unavailable when Docker is not installed.
//
//   test('builds', (t) => {
//     if (!requireDocker(t)) return;          // skips without a daemon; fails under CI=true
//     const base = ensureBusyboxBase();       // 'bashbrew-test/busybox:latest', with /bin/sh and friends
//     const r = docker(['build', '-t', 'x', '-'], { input: contextTar({ Dockerfile: `FROM ${base}\n` }), classic: true });
//   });
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface DockerResult {
  /** The exit status, or null when killed by a signal (see `signal`) or not started (see `error`). */
  code: number | null;
  stdout: string;
  stderr: string;
  signal?: NodeJS.Signals | null;
  error?: Error;
}

export interface DockerOptions {
  /** Written to the command's standard input (e.g. a build context tar for `docker build -`). */
  input?: Buffer | string;
  /** Added to (and overriding) process.env. */
  env?: Record<string, string>;
  cwd?: string;
  /** Kills the command after this many milliseconds (default: 10 minutes). */
  timeoutMs?: number;
  /** Uses the classic builder: sets DOCKER_BUILDKIT=0 (for `docker build`). */
  classic?: boolean;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** True under CI (the CI variable is set and not false/0). */
export function inCI(): boolean {
  return truthy(process.env.CI);
}

/** Runs the docker CLI with an argument array (never through a shell). */
export function docker(args: string[], opts: DockerOptions = {}): DockerResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (opts.classic === true) env.DOCKER_BUILDKIT = '0';
  const run = spawnSync('docker', args, {
    cwd: opts.cwd,
    env,
    input: opts.input,
    encoding: 'utf8',
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 600_000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 28,
  });
  const result: DockerResult = { code: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
  if (run.signal !== null) result.signal = run.signal;
  if (run.error !== undefined) result.error = run.error;
  return result;
}

/** Like docker(), but throws (with the command's stderr) unless it exits 0; returns stdout. */
export function dockerOk(args: string[], opts: DockerOptions = {}): string {
  const result = docker(args, opts);
  if (result.code !== 0) {
    const why = result.error?.message ?? (result.signal ? `killed by ${result.signal}` : `exit ${result.code}`);
    throw new Error(`docker ${args.join(' ')}: ${why}\n${result.stderr.trim()}`);
  }
  return result.stdout;
}

let available: boolean | undefined;

/**
 * Whether a Docker daemon answers: BASHBREW_TEST_DOCKER=1 (set by scripts/with-docker.mjs) says yes,
 * BASHBREW_TEST_DOCKER=unavailable says no, otherwise a quick `docker version` decides (cached).
 */
export function dockerAvailable(): boolean {
  const flag = process.env.BASHBREW_TEST_DOCKER;
  if (flag === '1') return true;
  if (flag === 'unavailable') return false;
  available ??= docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5_000 }).code === 0;
  return available;
}

/**
 * Call first in a test that needs Docker: returns true when a daemon is available. Without one it fails the test
 * under CI (the CI variable set) and otherwise marks it skipped and returns false:
 * `if (!requireDocker(t)) return;`.
 */
export function requireDocker(t: TestContext): boolean {
  if (dockerAvailable()) return true;
  if (inCI()) {
    assert.fail('no Docker daemon under CI: run the tests through `node scripts/with-docker.mjs ...` ' +
      `(BASHBREW_TEST_DOCKER=${process.env.BASHBREW_TEST_DOCKER ?? '(unset)'}, ` +
      `DOCKER_HOST=${process.env.DOCKER_HOST ?? '(unset)'})`);
  }
  t.skip('no docker daemon');
  return false;
}

let buildx: boolean | undefined;

/** Whether the buildx CLI plugin is installed (`docker buildx version` works; needs no daemon). */
export function buildxAvailable(): boolean {
  buildx ??= docker(['buildx', 'version'], { timeoutMs: 10_000 }).code === 0;
  return buildx;
}

export interface ImageInfo {
  Id: string;
  Os: string;
  Architecture: string;
  /** '' when the image has no variant. */
  Variant: string;
  RepoTags: string[];
  /** The image config's labels ({} when none). */
  Labels: Record<string, string>;
}

interface RawInspect {
  Id?: unknown;
  Os?: unknown;
  Architecture?: unknown;
  Variant?: unknown;
  RepoTags?: unknown;
  Config?: { Labels?: unknown } | null;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** `docker image inspect REF`, or null when there is no such local image. */
export function imageInspect(ref: string): ImageInfo | null {
  const result = docker(['image', 'inspect', '--format', '{{json .}}', ref], { timeoutMs: 60_000 });
  if (result.code !== 0) {
    if (/no such image/i.test(result.stderr)) return null;
    throw new Error(`docker image inspect ${ref}: exit ${result.code}\n${result.stderr.trim()}`);
  }
  const raw = JSON.parse(result.stdout) as RawInspect;
  const labels: Record<string, string> = {};
  const rawLabels = raw.Config?.Labels;
  if (rawLabels !== null && typeof rawLabels === 'object') {
    for (const [key, value] of Object.entries(rawLabels)) labels[key] = str(value);
  }
  return {
    Id: str(raw.Id),
    Os: str(raw.Os),
    Architecture: str(raw.Architecture),
    Variant: str(raw.Variant),
    RepoTags: Array.isArray(raw.RepoTags) ? raw.RepoTags.map(str) : [],
    Labels: labels,
  };
}

/** A file of a build context: its content, and its mode (default 0644). */
export type ContextFile = string | Buffer | { content: string | Buffer; mode: number };

function octal(value: number, width: number): string {
  // width - 1 octal digits and a NUL
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar header of a regular file: mtime 0, owner root. */
export function tarHeader(name: string, size: number, mode = 0o644): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tarHeader: name too long: ${name}`);
  const header = Buffer.alloc(512);
  nameBytes.copy(header, 0);
  header.write(octal(mode, 8), 100, 'latin1');
  header.write(octal(0, 8), 108, 'latin1');
  header.write(octal(0, 8), 116, 'latin1');
  header.write(octal(size, 12), 124, 'latin1');
  header.write(octal(0, 12), 136, 'latin1');
  header.write('        ', 148, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  header.write('root', 265, 'latin1');
  header.write('root', 297, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}

/**
 * An uncompressed tar (ustar) of the given files, for `docker build -` (the context on standard input).
 * Names may contain '/' (no directory entries are needed); mtime 0, owner root.
 */
export function contextTar(files: Record<string, ContextFile>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, file] of Object.entries(files)) {
    const content = typeof file === 'string' || Buffer.isBuffer(file) ? file : file.content;
    const mode = typeof file === 'string' || Buffer.isBuffer(file) ? 0o644 : file.mode;
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const header = tarHeader(name, data.length, mode);
    blocks.push(header, data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The local image with a busybox userland (/bin/sh etc.) that tests build FROM. */
export const BUSYBOX_IMAGE = 'bashbrew-test/busybox:latest';
const BUSYBOX_LABEL = 'org.bashbrew-test.busybox-sha256';

function findBusybox(): string {
  for (const path of ['/bin/busybox', '/usr/bin/busybox']) {
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  throw new Error('busybox is not installed (apt-get install busybox-static)');
}

/** Throws unless `binary` is a static ELF executable (no PT_INTERP program header). */
function assertStatic(path: string, binary: Buffer): void {
  if (binary.length < 64 || binary.readUInt32BE(0) !== 0x7f454c46 || binary[4] !== 2 || binary[5] !== 1) {
    return; // not a 64-bit little-endian ELF: let the build tell
  }
  const phoff = Number(binary.readBigUInt64LE(32));
  const phentsize = binary.readUInt16LE(54);
  const phnum = binary.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    if (binary.readUInt32LE(phoff + i * phentsize) === 3) {
      throw new Error(`${path} is dynamically linked: a FROM scratch image needs busybox-static ` +
        '(apt-get install busybox-static)');
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function busyboxCurrent(hash: string): boolean {
  const info = imageInspect(BUSYBOX_IMAGE);
  return info !== null && info.Labels[BUSYBOX_LABEL] === hash;
}

/**
 * Builds (once per daemon and busybox binary) the local image bashbrew-test/busybox:latest: FROM scratch with
 * Debian's static /bin/busybox and its applets installed as symlinks in /bin. Several test processes may call it
 * at the same time: a lock directory in the temp dir (per DOCKER_HOST) makes them build it once. Returns the
 * image name.
 */
export function ensureBusyboxBase(): string {
  const path = findBusybox();
  const binary = readFileSync(path);
  const hash = createHash('sha256').update(binary).digest('hex');
  if (busyboxCurrent(hash)) return BUSYBOX_IMAGE;
  assertStatic(path, binary);

  const hostKey = createHash('sha256').update(process.env.DOCKER_HOST ?? 'default').digest('hex').slice(0, 12);
  const lock = join(tmpdir(), `bashbrew-test-busybox-${hostKey}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // someone else builds it: wait for them (or take over a lock left by a killed process)
    if (busyboxCurrent(hash)) return BUSYBOX_IMAGE;
    try {
      if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
    } catch {
      // released meanwhile
    }
    if (Date.now() > deadline) throw new Error(`ensureBusyboxBase: timed out waiting for the lock ${lock}`);
    sleepSync(250);
  }
  try {
    if (busyboxCurrent(hash)) return BUSYBOX_IMAGE;
    const dockerfile = [
      'FROM scratch',
      'COPY busybox /bin/',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      `LABEL ${BUSYBOX_LABEL}="${hash}"`,
      'CMD ["/bin/sh"]',
      '',
    ].join('\n');
    const tar = contextTar({ Dockerfile: dockerfile, busybox: { content: binary, mode: 0o755 } });
    const result = docker(['build', '--quiet', '-t', BUSYBOX_IMAGE, '-'], { input: tar, classic: true });
    if (result.code !== 0) {
      throw new Error(`building ${BUSYBOX_IMAGE} failed (exit ${result.code}):\n${result.stderr.trim()}`);
    }
    return BUSYBOX_IMAGE;
  } finally {
    rmdirSync(lock);
  }
}

/** Removes images, ignoring those that do not exist. */
export function removeImages(...refs: string[]): void {
  if (refs.length > 0) docker(['image', 'rm', '--force', ...refs], { timeoutMs: 120_000 });
}

/** The daemon's architecture in GOARCH spelling (amd64, arm64, ...), from `docker version`. */
export function daemonArch(): string {
  return dockerOk(['version', '--format', '{{.Server.Arch}}'], { timeoutMs: 10_000 }).trim();
}
