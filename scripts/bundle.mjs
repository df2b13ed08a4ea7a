// Bundles the CLI into one ES module so that a `bashbrew` process loads a single file:
// start-up time is dominated by module resolution, not by our code.
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/cli/main.ts'],
  outfile: 'dist/bashbrew.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
