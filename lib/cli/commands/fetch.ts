// `bashbrew fetch`: make sure every needed commit is in the git cache (spec §3.10).
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { entryLookups, gatherRepos, RepoLoader } from '../repos.js';

export default async function fetch(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);

  for (const arg of repos) {
    const r = await loader.load(arg);
    const fetches = entryLookups(ctx, r, flags.bool('apply-constraints'), flags.bool('arch-filter'),
      (entry, arch) => git.entryGit.fetchCommit(r.RepoName, arch, entry));
    for (const { entry, lookups } of fetches) {
      for (const { arch, result } of lookups) {
        let id: string;
        try {
          id = await result;
        } catch (err) {
          throw wrap(`failed fetching git repo for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())} on arch ${goQuote(arch)})`, err);
        }
        if (globals.debug) out.err(`DEBUG: fetched ${id} (${goQuote(r.EntryIdentifier(entry))}, ${goQuote(arch)})\n`);
      }
    }
  }
}
