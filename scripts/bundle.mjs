// Bundles the CLI into ES modules under dist/: one entry file plus a chunk per command (loaded
// with import() only when that command runs), so `bashbrew list` never parses the template
// engine. Start-up time is dominated by module loading, not by our code.
import { build } from 'esbuild';

import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['lib/cli/main.ts'],
  outdir: 'dist',
  entryNames: 'bashbrew',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: process.env.BASHBREW_NO_MINIFY ? false : true,
  legalComments: 'none',
  logLevel: 'warning',
});
