// Bundles the CLI into one CommonJS file, dist/bashbrew.cjs, loaded by bin/bashbrew with a plain
// require: start-up time is dominated by module loading, and Node 20 loads one CommonJS file
// markedly faster than an ES module graph (measured: ~20 ms less for `bashbrew --version`).
// Commands are still imported lazily in the source; V8 compiles functions only when first called.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['lib/cli/main.ts'],
  outfile: 'dist/bashbrew.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: !process.env.BASHBREW_NO_MINIFY,
  legalComments: 'none',
  logLevel: 'warning',
  // the sources are ES modules; import.meta.url is all they use of it
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
});

// V8's code cache for the bundle, made by one representative run (`list --all` over the bundled
// example library); bin/bashbrew loads it. Not essential: without it the bundle compiles as usual.
try {
  execFileSync(process.execPath, ['bin/bashbrew', '--library', 'library', 'list', '--all'], {
    stdio: 'ignore',
    env: { ...process.env, BASHBREW_WRITE_CODE_CACHE: '1', BASHBREW_PARSE_CACHE: '0', BASHBREW_CONFIG: '/nonexistent' },
  });
} catch (err) {
  console.warn(`bundle: no code cache (${err.message})`);
}
