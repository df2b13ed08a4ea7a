// `bashbrew list` (alias `ls`): repo:tag lines for the selected entries (spec §3.1).
import { joinPath } from '../../manifest/gostr.js';
import { entryToJSON } from '../../manifest/json.js';
import { type CommandContext } from '../app.js';
import { gatherRepos, refuseBuildOrder, RepoLoader } from '../repos.js';

export default async function list(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const repos = gatherRepos(ctx, flags.bool('all'));
  refuseBuildOrder(ctx);
  const uniq = flags.bool('uniq');
  const applyConstraints = flags.bool('apply-constraints');
  const archFilter = flags.bool('arch-filter');
  const onlyRepos = flags.bool('repos');
  const asJSON = flags.bool('json');
  const loader = new RepoLoader(ctx);
  const json: unknown[] = [];

  for (const arg of repos) {
    const r = await loader.load(arg);
    if (onlyRepos) {
      const refs = r.TagEntry === null ? [joinPath(globals.namespace, r.RepoName)] : r.Tags(globals.namespace, uniq, r.TagEntry);
      if (asJSON) json.push({ repo: r.RepoName, tag: r.TagName || null, references: refs });
      else out.out(refs.join('\n') + '\n');
      continue;
    }
    let text = '';
    for (const entry of r.Entries()) {
      if (applyConstraints && r.SkipConstraints(entry)) continue;
      if (archFilter && !entry.HasArchitecture(globals.arch)) continue;
      const refs = r.Tags(globals.namespace, uniq, entry);
      if (asJSON) json.push({ repo: r.RepoName, references: refs, entry: entryToJSON(entry) });
      else for (const ref of refs) text += ref + '\n';
    }
    out.out(text);
  }
  if (asJSON) out.out(JSON.stringify(json) + '\n');
}
