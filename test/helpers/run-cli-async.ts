// `bashbrew` like run-cli's (only PATH, HOME, a fresh cache and config dir, plus `env`), but without blocking the
// test process: tests that serve something from their own process (a loopback proxy, an HTTP server) cannot use
// spawnSync, which would stop that server from answering the command it is serving.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { binPath } from './paths.js';
import { type CliResult, tempDir } from './run-cli.js';

/** Runs bin/bashbrew; killed (SIGKILL) after `timeoutMs`, which then fails with the output so far. */
export function bashbrewAsync(args: string[], env: Record<string, string> = {}, cwd?: string, timeoutMs = 120_000): Promise<CliResult> {
  const work = tempDir();
  const child = spawn(binPath, args, {
    cwd: cwd ?? work,
    env: { PATH: process.env.PATH ?? '', HOME: work, BASHBREW_CACHE: join(work, 'cache'),
      BASHBREW_CONFIG: join(work, 'config'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
      const result = { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (timedOut) reject(new Error(`bashbrew ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr so far:\n${result.stderr}`));
      else resolve(result);
    });
  });
}
