#!/usr/bin/env node
// Runs a command with DOCKER_HOST pointing at a working Docker daemon:
//
//   node scripts/with-docker.mjs CMD ARGS...
//
// 1. DOCKER_HOST is set and its daemon answers: reuse it.
// 2. The default socket /var/run/docker.sock answers: reuse it.
// 3. dockerd is installed: start a private daemon in a temp dir, run CMD, stop the daemon and remove the
//    temp dir (also when this wrapper gets SIGINT/SIGTERM).
// 4. dockerd is missing: as root with CI set, `apt-get install -y docker.io` and go to 3; otherwise run CMD
//    anyway with BASHBREW_TEST_DOCKER=unavailable (the docker tests then skip, see test/helpers/docker.ts).
//
// CMD gets BASHBREW_TEST_DOCKER=1 when a daemon is available. Exits with CMD's exit status.
// Plain Node ESM, no dependencies. Messages go to stderr, prefixed with "with-docker:".
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const DEFAULT_SOCKET = '/var/run/docker.sock';
const CHECK_TIMEOUT_MS = 5_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

function log(message) {
  process.stderr.write(`with-docker: ${message}\n`);
}

function truthy(value) {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Finds an executable on PATH, also looking in the sbin directories (dockerd lives in /usr/sbin). */
function which(name) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves to the server version when `docker version` answers on `host` within a few seconds, else undefined. */
function daemonVersion(dockerCli, host) {
  return new Promise((resolve) => {
    execFile(dockerCli, ['version', '--format', '{{.Server.Version}}'],
      { env: { ...process.env, DOCKER_HOST: host }, timeout: CHECK_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function installDockerIo() {
  log('dockerd is not installed: apt-get install -y docker.io (root, CI)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker.io'],
    { env, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  return install();
}

/** Other dockerd processes of this machine (they own the default bridge docker0 and its addresses). */
function otherDockerdRunning() {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'dockerd') return true;
    } catch {
      // gone
    }
  }
  return false;
}

/**
 * When another dockerd runs, the private daemon gets a bridge of its own (two daemons on docker0 would hand out
 * the same container addresses). Returns the bridge name, or undefined to keep the default bridge.
 */
function createPrivateBridge(ip) {
  const used = spawnSync(ip, ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
  const routes = spawnSync(ip, ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '';
  const candidates = [];
  for (let second = 18; second <= 31; second++) candidates.push(second);
  candidates.sort(() => Math.random() - 0.5);
  const free = candidates.find((second) => !`${used}\n${routes}`.includes(`172.${second}.`));
  if (free === undefined) return undefined;
  const name = `bbd${Math.random().toString(16).slice(2, 8)}`;
  const run = (args) => spawnSync(ip, args, { encoding: 'utf8' });
  const steps = [
    ['link', 'add', 'name', name, 'type', 'bridge'],
    ['addr', 'add', `172.${free}.0.1/16`, 'dev', name],
    ['link', 'set', name, 'up'],
  ];
  for (const step of steps) {
    const result = run(step);
    if (result.status !== 0) {
      log(`could not create a private bridge (ip ${step.join(' ')}: ${(result.stderr ?? '').trim()}); using docker0`);
      run(['link', 'del', name]);
      return undefined;
    }
  }
  return name;
}

/** Removes the iptables rules that dockerd left for `bridge`, best effort. */
function removeBridgeRules(bridge) {
  const iptables = which('iptables');
  if (iptables === undefined) return;
  for (const table of ['nat', 'filter']) {
    const rules = spawnSync(iptables, ['-t', table, '-S'], { encoding: 'utf8' }).stdout ?? '';
    for (const rule of rules.split('\n')) {
      if (!rule.startsWith('-A ') || !rule.split(' ').includes(bridge) || rule.includes('"')) continue;
      spawnSync(iptables, ['-t', table, '-D', ...rule.split(' ').slice(1)], { stdio: 'ignore' });
    }
  }
}

/** Mount points under `dir` (deepest first), from /proc/self/mountinfo. */
function mountsUnder(dir) {
  let info = '';
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = info.split('\n').map((line) => line.split(' ')[4]).filter((point) => point !== undefined)
    .map((point) => point.replace(/\\(\d{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class PrivateDaemon {
  constructor(dockerd, dockerCli) {
    this.dockerd = dockerd;
    this.dockerCli = dockerCli;
    // unix socket paths are limited to 108 bytes: keep the directory short
    const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
    this.dir = mkdtempSync(join(base, 'bbd-'));
    this.socket = join(this.dir, 'docker.sock');
    this.host = `unix://${this.socket}`;
    this.logFile = join(this.dir, 'dockerd.log');
    this.bridge = undefined;
    this.child = undefined;
    this.exited = false;
    this.stopping = undefined;
  }

  /** Starts dockerd and waits until it answers; `cancelled()` true aborts the wait. */
  async start(cancelled = () => false) {
    const args = ['--host', this.host, '--data-root', join(this.dir, 'data'), '--exec-root', join(this.dir, 'x'),
      '--pidfile', join(this.dir, 'docker.pid')];
    const ip = which('ip');
    if (otherDockerdRunning() && ip !== undefined) {
      this.bridge = createPrivateBridge(ip);
      if (this.bridge !== undefined) args.push('--bridge', this.bridge);
    }
    log(`starting a private dockerd in ${this.dir}${this.bridge ? ` (bridge ${this.bridge})` : ''}`);
    const logFd = openSync(this.logFile, 'a');
    // its own process group: a Ctrl-C in the terminal reaches the command, and the wrapper stops the daemon after
    this.child = spawn(this.dockerd, args, { stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
      this.child.on('error', (error) => {
        this.exited = true;
        resolve({ code: null, signal: null, error });
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (cancelled()) throw new Error('interrupted while dockerd was starting');
      if (this.exited) {
        const { code, signal, error } = await this.exitPromise;
        throw new Error(`dockerd exited during start-up (${error ? error.message : signal ?? `exit ${code}`}); ` +
          `the end of its log:\n${tail(this.logFile)}`);
      }
      if (existsSync(this.socket)) {
        const version = await daemonVersion(this.dockerCli, this.host);
        if (version !== undefined) return version;
      }
      await sleep(250);
    }
    throw new Error(`dockerd did not answer on ${this.host} within ${START_TIMEOUT_MS / 1000} s; ` +
      `the end of its log:\n${tail(this.logFile)}`);
  }

  stop() {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  async doStop() {
    if (this.child !== undefined && !this.exited) {
      this.child.kill('SIGTERM');
      const killed = await Promise.race([this.exitPromise.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
      if (killed) {
        log(`dockerd did not stop within ${STOP_TIMEOUT_MS / 1000} s: SIGKILL`);
        this.child.kill('SIGKILL');
        await Promise.race([this.exitPromise, sleep(5_000)]);
      }
    }
    // the containerd that dockerd started stops with it; after a SIGKILL it may be left behind
    for (const pidFile of [join(this.dir, 'x', 'containerd', 'containerd.pid')]) {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        if (pid > 0 && alive(pid)) {
          process.kill(pid, 'SIGKILL');
          await sleep(500);
        }
      } catch {
        // no such file
      }
    }
    const umount = which('umount');
    for (const point of mountsUnder(this.dir)) {
      if (umount !== undefined) spawnSync(umount, ['-l', point], { stdio: 'ignore' });
    }
    try {
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      log(`could not remove ${this.dir}: ${error.message}`);
    }
    if (this.bridge !== undefined) {
      const ip = which('ip');
      if (ip !== undefined) spawnSync(ip, ['link', 'del', this.bridge], { stdio: 'ignore' });
      removeBridgeRules(this.bridge);
    }
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    process.stderr.write('usage: node scripts/with-docker.mjs CMD [ARGS...]\n');
    return 2;
  }
  const env = { ...process.env };
  let daemon;
  let child;
  let received;
  const forward = (signal) => {
    received ??= signal;
    // the command may share our terminal's process group and have the signal already; forwarding is harmless
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  const signalStatus = () => 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[received] ?? 1);

  let dockerCli = which('docker');
  const candidates = [];
  if (process.env.DOCKER_HOST) candidates.push(process.env.DOCKER_HOST);
  if (existsSync(DEFAULT_SOCKET)) candidates.push(`unix://${DEFAULT_SOCKET}`);
  let reused;
  if (dockerCli !== undefined) {
    for (const host of candidates) {
      const version = await daemonVersion(dockerCli, host);
      if (version !== undefined) {
        reused = host;
        log(`using the Docker daemon at ${host} (${version})`);
        break;
      }
      if (host === process.env.DOCKER_HOST) log(`DOCKER_HOST=${host} does not answer`);
    }
  }

  if (reused !== undefined) {
    env.DOCKER_HOST = reused;
    env.BASHBREW_TEST_DOCKER = '1';
  } else {
    let dockerd = which('dockerd');
    if ((dockerd === undefined || dockerCli === undefined) && isRoot() && truthy(process.env.CI)) {
      if (installDockerIo()) {
        dockerd = which('dockerd');
        dockerCli = which('docker');
      } else {
        log('apt-get install docker.io failed');
      }
    }
    if (dockerd === undefined || dockerCli === undefined) {
      log(`${dockerd === undefined ? 'dockerd' : 'the docker CLI'} is not installed: running without Docker ` +
        '(BASHBREW_TEST_DOCKER=unavailable; apt-get install docker.io to run the docker tests)');
      env.BASHBREW_TEST_DOCKER = 'unavailable';
    } else {
      daemon = new PrivateDaemon(dockerd, dockerCli);
      try {
        const version = await daemon.start(() => received !== undefined);
        log(`private dockerd ${version} answers on ${daemon.host}`);
      } catch (error) {
        log(error.message);
        await daemon.stop();
        return received !== undefined ? signalStatus() : 1;
      }
      if (received !== undefined) {
        await daemon.stop();
        return signalStatus();
      }
      env.DOCKER_HOST = daemon.host;
      env.BASHBREW_TEST_DOCKER = '1';
    }
  }

  if (received !== undefined) return signalStatus();
  child = spawn(command, args, { stdio: 'inherit', env });
  const status = await new Promise((resolve) => {
    child.on('error', (error) => {
      log(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      if (code !== null) resolve(code);
      else resolve(128 + ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1));
    });
  });
  if (daemon !== undefined) {
    log('stopping the private dockerd');
    await daemon.stop();
  }
  if (received !== undefined && status === 0) return signalStatus();
  return status;
}

main().then((code) => process.exit(code), (error) => {
  log(error.stack ?? String(error));
  process.exit(1);
});
