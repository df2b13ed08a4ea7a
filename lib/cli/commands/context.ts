// `bashbrew context`: the scrubbed build context of one entry for one arch, as a tar or its
// sha256 (spec §3.11).
import { goQuote, joinPath } from '../../manifest/gostr.js';
import { type CommandContext } from '../app.js';
import { GitContext } from '../git-context.js';
import { RepoLoader } from '../repos.js';

const EXACTLY_ONE = "'context' expects to act on exactly one architecture of one entry of one repo";

export default async function context(ctx: CommandContext): Promise<void> {
  const { globals, out } = ctx;
  if (ctx.args.length !== 1) throw new Error(`${EXACTLY_ONE} (got ${ctx.args.length} repos)`);
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  const r = await loader.loadRaw(ctx.args[0]!);
  if (r.TagEntry === null) throw new Error(`${EXACTLY_ONE} (no specific entry of ${goQuote(r.RepoName)} selected)`);
  if (r.TagEntries.length !== 1) throw new Error(`${EXACTLY_ONE} (got ${r.TagEntries.length} entires)`);
  const entry = r.TagEntry;
  if (!entry.HasArchitecture(globals.arch)) {
    throw new Error(`${goQuote(joinPath(globals.namespace, r.RepoName) + ':' + entry.Tags[0]!)} does not include architecture ${goQuote(globals.arch)}`);
  }
  if (!ctx.flags.bool('sha256') && ctx.stdoutIsTTY) throw new Error('cowardly refusing to output a tar to a terminal');
  const commit = await git.archCommit(r, globals.arch, entry);
  const dir = entry.ArchDirectory(globals.arch);
  if (ctx.flags.bool('sha256')) {
    out.out((await git.git.scrubbedTarSha256(commit, dir)) + '\n');
    return;
  }
  // streamed: a context can be large
  out.flush();
  for await (const chunk of git.git.scrubbedTarChunks(commit, dir)) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}
