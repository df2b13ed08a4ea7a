// Runs the real `bin/bashbrew` with a clean environment, as the reference cases do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'bashbrew-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs bashbrew with only PATH, HOME, a fresh cache and config dir, plus `env`. */
export function bashbrew(args: string[], env: Record<string, string> = {}, cwd?: string): CliResult {
  const work = tempDir();
  const run = spawnSync(binPath, args, {
    cwd: cwd ?? work,
    env: { PATH: process.env.PATH ?? '', HOME: work, BASHBREW_CACHE: join(work, 'cache'),
      BASHBREW_CONFIG: join(work, 'config'), ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
