// `bashbrew list` (alias `ls`): repo:tag lines for the selected entries (spec §3.1).
import { joinPath } from '../../manifest/gostr.js';
import { entryToJSON } from '../../manifest/json.js';
import { type CommandContext } from '../app.js';
import { sortedEntries } from '../../graph/build-order.js';
import { goQuote } from '../../manifest/gostr.js';
import { wrap } from '../errors.js';
import { gatherRepos, RepoLoader } from '../repos.js';

export default async function list(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  let repos = gatherRepos(ctx, flags.bool('all'));
  const uniq = flags.bool('uniq');
  const applyConstraints = flags.bool('apply-constraints');
  const archFilter = flags.bool('arch-filter');
  const onlyRepos = flags.bool('repos');
  const asJSON = flags.bool('json');
  const buildOrder = flags.bool('build-order');
  // git (and the process machinery it loads) only for --build-order
  const git = buildOrder ? new (await import('../git-context.js')).GitContext(ctx) : null;
  const loader = new RepoLoader(ctx, git);
  if (buildOrder) repos = await loader.sortRepos(repos, applyConstraints);
  const json: unknown[] = [];

  for (const arg of repos) {
    const r = await loader.load(arg);
    if (onlyRepos) {
      const refs = r.TagEntry === null ? [joinPath(globals.namespace, r.RepoName)] : r.Tags(globals.namespace, uniq, r.TagEntry);
      if (asJSON) json.push({ repo: r.RepoName, tag: r.TagName || null, references: refs });
      else out.out(refs.join('\n') + '\n');
      continue;
    }
    let entries = r.Entries();
    if (buildOrder && git !== null) {
      try {
        entries = await sortedEntries(r, applyConstraints, git.order);
      } catch (err) {
        throw wrap(`failed sorting entries list for ${goQuote(arg)}`, err);
      }
    }
    // the lines of Repo.Tags, with the "ns/repo:" prefix made once per repo (this loop is most of
    // `list --all`, which must start and finish in little more than Node's own start-up)
    const prefix = joinPath(globals.namespace, r.RepoName) + ':';
    let text = '';
    for (const entry of entries) {
      if (applyConstraints && r.SkipConstraints(entry)) continue;
      if (archFilter && !entry.HasArchitecture(globals.arch)) continue;
      if (asJSON) {
        json.push({ repo: r.RepoName, references: r.Tags(globals.namespace, uniq, entry), entry: entryToJSON(entry) });
        continue;
      }
      const tags = entry.Tags;
      if (uniq) {
        text += prefix + tags[0] + '\n';
        continue;
      }
      for (let i = 0; i < tags.length; i++) text += prefix + tags[i] + '\n';
      const shared = entry.SharedTags;
      for (let i = 0; i < shared.length; i++) text += prefix + shared[i] + '\n';
    }
    out.out(text);
  }
  if (asJSON) out.out(JSON.stringify(json) + '\n');
}
