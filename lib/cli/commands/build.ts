// `bashbrew build` (spec §3.2, §4): build order, constraints, cache, builders. Extensions:
// --parallel, --keep-going, --timeout, --logs, --dry-run --json.
import { join } from 'node:path';
import { ImageState } from '../../build/image-state.js';
import { stepToJSON, type BuildStep } from '../../build/plan.js';
import { planUnits } from '../../build/units.js';
import { BuildRunner, type BuildUnit, type PullPolicy } from '../../build/runner.js';
import { DockerClient } from '../../docker/run.js';
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { ExitError } from '../errors.js';
import { GitContext } from '../git-context.js';
import { gatherRepos, RepoLoader } from '../repos.js';

/** "90s", "15m", "1h", or plain seconds. */
function parseDuration(text: string): number | null {
  if (text === '' || text === '0') return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new Error(`invalid value for --timeout: ${goQuote(text)} (expected e.g. "90s", "15m", "1h")`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

export default async function build(ctx: CommandContext): Promise<void> {
  const { flags, globals, out, env } = ctx;
  let repos = gatherRepos(ctx, flags.bool('all'));
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  repos = await loader.sortRepos(repos, true);
  const pull = flags.string('pull');
  if (pull !== 'always' && pull !== 'missing' && pull !== 'never') throw new Error(`invalid value for --pull: ${goQuote(pull)}`);
  const parallel = flags.int('parallel');
  if (parallel < 1) throw new Error(`invalid value for --parallel: ${parallel} (at least 1)`);
  const asJSON = flags.bool('json');
  if (asJSON && !flags.bool('dry-run')) throw new Error('--json needs --dry-run (it prints the plan)');

  const units: BuildUnit[] = await planUnits(loader, repos, { applyConstraints: true, order: git.order, sortRepos: false });

  const log = (line: string) => out.err(line + '\n');
  const docker = new DockerClient({ debug: globals.debug, log });
  const abort = new AbortController();
  let signalCode = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signalCode = sig === 'SIGINT' ? 130 : 143;
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const steps: BuildStep[] = [];
  const runner = new BuildRunner({ git: git.git, entryGit: git.entryGit, docker, images: new ImageState(docker) }, {
    arch: globals.arch, namespace: globals.namespace, uniq: flags.bool('uniq'), pull: pull as PullPolicy,
    dryRun: flags.bool('dry-run'), parallel, keepGoing: flags.bool('keep-going'),
    timeoutMs: parseDuration(flags.string('timeout')), logsDir: flags.string('logs') || null, debug: globals.debug,
    ociStore: join(globals.cache, 'oci'),
    buildkit: { syntax: env.BASHBREW_BUILDKIT_SYNTAX, buildxBuilder: env.BUILDX_BUILDER ?? '', sbomGenerator: env.BASHBREW_BUILDKIT_SBOM_GENERATOR },
  }, {
    // progress lines are shown as they happen (Output buffers stdout until exit otherwise)
    line: (text) => {
      if (asJSON) return;
      out.out(text + '\n');
      out.flush();
    },
    passthrough: (text) => {
      if (asJSON) return;
      out.out(text);
      out.flush();
    },
    step: (s) => steps.push(s),
    // one line per build on a terminal's stderr (stdout keeps the reference's lines)
    warn: (text) => out.err(text + '\n'),
    progress: ({ unit, index, total, state, ms }) => {
      if (!ctx.stderrIsTTY || asJSON) return;
      const what = `[${index}/${total}] ${unit.repo.EntryIdentifier(unit.entry)} (${globals.arch})`;
      out.err(state === 'start' ? `${what} ...\n` : `${what} ${state} in ${(ms / 1000).toFixed(1)}s\n`);
    },
  }, abort.signal);
  try {
    await runner.run(units);
  } catch (err) {
    if (signalCode !== 0) throw new ExitError(`interrupted: stopped the running builds; nothing unfinished was tagged`, signalCode);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (asJSON) out.out(JSON.stringify(steps.map(stepToJSON), null, 2) + '\n');
}
