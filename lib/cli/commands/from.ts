// `bashbrew from`: each tag with the FROMs of its entry (spec §3.9).
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { entryLookups, gatherRepos, RepoLoader } from '../repos.js';

export default async function from(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const uniq = flags.bool('uniq');
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);

  for (const arg of repos) {
    const r = await loader.load(arg);
    const lookups = entryLookups(ctx, r, flags.bool('apply-constraints'), flags.bool('arch-filter'),
      (entry, arch) => git.entryGit.archDockerFroms(r.RepoName, arch, entry));
    for (const { entry, lookups: perArch } of lookups) {
      const froms = new Set<string>();
      for (const { arch, result } of perArch) {
        try {
          for (const f of await result) froms.add(f);
        } catch (err) {
          throw wrap(`failed fetching/scraping FROM for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())}, arch ${goQuote(arch)})`, err);
        }
      }
      const fromsText = [...froms].join(' ');
      let text = '';
      for (const tag of r.Tags(globals.namespace, uniq, entry)) text += `${tag}: ${fromsText}\n`;
      out.out(text);
    }
  }
}
