// `bashbrew from`: each tag with the FROMs of its entry (spec §3.9).
import { goQuote } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { entrySelection, gatherRepos, RepoLoader } from '../repos.js';

export default async function from(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  const uniq = flags.bool('uniq');
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);

  for (const arg of repos) {
    const r = await loader.load(arg);
    const { selected, arches } = entrySelection(ctx, r, flags.bool('apply-constraints'), flags.bool('arch-filter'));
    const entries = r.Entries();
    // every lookup of the repo starts at once (the git layer bounds the fetches)
    const lookups = entries.map((entry) => (selected(entry, false) ? arches(entry) : []).map((arch) => {
      const froms = git.entryGit.archDockerFroms(r.RepoName, arch, entry);
      froms.catch(() => undefined); // handled below, in order
      return { arch, froms };
    }));
    for (const [i, entry] of entries.entries()) {
      if (!selected(entry, true)) continue;
      const froms = new Set<string>();
      for (const lookup of lookups[i]!) {
        try {
          for (const f of await lookup.froms) froms.add(f);
        } catch (err) {
          throw wrap(`failed fetching/scraping FROM for ${goQuote(r.RepoName)} (tags ${goQuote(entry.TagsString())}, arch ${goQuote(lookup.arch)})`, err);
        }
      }
      const fromsText = [...froms].join(' ');
      let text = '';
      for (const tag of r.Tags(globals.namespace, uniq, entry)) text += `${tag}: ${fromsText}\n`;
      out.out(text);
    }
  }
}
