// Entry point of the bundled CLI: wires the process to `run` and loads commands lazily.
import { run, type CommandAction } from './app.js';

const actions: Record<string, () => Promise<{ default: CommandAction }>> = {
  list: () => import('./commands/list.js'),
  cat: () => import('./commands/cat.js'),
  from: () => import('./commands/from.js'),
  fetch: () => import('./commands/fetch.js'),
  parents: () => import('./commands/parents.js'),
  children: () => import('./commands/children.js'),
  context: () => import('./commands/context.js'),
  build: () => import('./commands/build.js'),
  tag: () => import('./commands/tag.js'),
  push: () => import('./commands/push.js'),
  'put-shared': () => import('./commands/put-shared.js'),
  lint: () => import('./commands/lint.js'),
  'remote arches': () => import('./commands/remote-arches.js'),
  'ci github-matrix': async () => ({ default: (await import('./commands/ci.js')).githubMatrix }),
  'ci buildkite': async () => ({ default: (await import('./commands/ci.js')).buildkite }),
};

void run({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  loadAction: async (name) => {
    const load = actions[name];
    return load ? (await load()).default : null;
  },
}).then((code) => {
  process.exitCode = code;
});
