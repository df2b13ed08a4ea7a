// `bashbrew parents` (ancestors, progenitors): the FROMs of a repo, level by level (spec §6.5).
import { type ParentsSource, walkParents } from '../../graph/parents.js';
import { type CommandContext } from '../app.js';
import { GitContext } from '../git-context.js';
import { RepoLoader } from '../repos.js';

export default async function parents(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  if (ctx.args.length < 1) throw new Error('need at least one repo');
  const uniq = flags.bool('uniq');
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  const opts = { depth: flags.int('depth'), applyConstraints: flags.bool('apply-constraints'), archFilter: flags.bool('arch-filter'), arch: globals.arch };
  const source: ParentsSource = {
    load: (name) => loader.loadRaw(name),
    froms: (r, arch, entry) => git.entryGit.archDockerFroms(r.RepoName, arch, entry),
  };
  const seen = new Set<string>();
  for (const arg of ctx.args) {
    for await (const from of walkParents(arg, opts, source)) {
      if (uniq) {
        if (seen.has(from)) continue;
        seen.add(from);
      }
      out.out(from + '\n');
    }
  }
}
