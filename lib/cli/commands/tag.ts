// `bashbrew tag` (spec §3.3): `docker tag NS/repo:tag TARGET-NS/repo:tag` for each entry's tags.
import { tag as tagCommand } from '../../docker/argv.js';
import { DockerClient, ProcessExitError } from '../../docker/run.js';
import { goQuote, goQuoteList, joinPath } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { MultiError } from '../errors.js';
import { gatherRepos, RepoLoader } from '../repos.js';

export default async function tag(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const targetNamespace = flags.string('target-namespace');
  if (targetNamespace === '') throw new Error('"--target-namespace" is a required flag for "tag"');
  const uniq = flags.bool('uniq');
  const dryRun = flags.bool('dry-run');
  const loader = new RepoLoader(ctx);
  const docker = new DockerClient({ debug: globals.debug, log: (line) => out.err(line + '\n') });

  for (const arg of repos) {
    const r = await loader.load(arg);
    for (const entry of r.Entries()) {
      if (r.SkipConstraints(entry)) continue;
      const tags = [...entry.Tags, ...entry.SharedTags];
      for (const t of uniq ? tags.slice(0, 1) : tags) {
        const source = joinPath(globals.namespace, `${r.RepoName}:${t}`);
        const target = joinPath(targetNamespace, `${r.RepoName}:${t}`);
        out.out(`Tagging ${target}\n`);
        out.flush();
        if (dryRun) continue;
        const command = tagCommand(source, target);
        const res = await docker.run(command);
        if (res.code !== 0) {
          throw new MultiError([new Error(`failed tagging ${goQuote(source)} as ${goQuote(target)}`),
            new ProcessExitError(res.code), new Error(`command: docker tag ${goQuoteList([source, target]).slice(1, -1)}\n${res.output}`)]);
        }
      }
    }
  }
}
