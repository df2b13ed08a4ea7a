// `bashbrew cat`: render a Go text/template per repo (spec §3.8, §9).
import { readFileSync } from 'node:fs';
import { defaultEntry, Entry, Maintainer } from '../../manifest/entry.js';
import { goQuote } from '../../manifest/gostr.js';
import { entryToJSON } from '../../manifest/json.js';
import { parseTemplate, type TemplateFunc } from '../../template/index.js';
import { declareExactArity, goSignature, templatelibFuncs } from '../../template/templatelib.js';
import { Manifest } from '../../manifest/manifest.js';
import { Repo } from '../../manifest/repo.js';
import { OCIPlatform, SUPPORTED_ARCHES } from '../../architecture.js';
import { type CommandContext } from '../app.js';
import { wrap } from '../errors.js';
import { GitContext } from '../git-context.js';
import { gatherRepos, RepoLoader } from '../repos.js';

/** `archFilter ARCH ENTRIES...`: the entries (slices flattened) that have ARCH. */
function archFilter(arch: unknown, ...args: unknown[]): Entry[] {
  if (args.length < 1) throw new Error('"archFilter" requires at least one argument');
  const entries: Entry[] = [];
  for (const arg of args) {
    if (Array.isArray(arg) && arg.every((e) => e instanceof Entry)) entries.push(...(arg as Entry[]));
    else if (arg instanceof Entry) entries.push(arg);
    else throw new Error(`"archFilter" encountered unknown type: ${Array.isArray(arg) ? '[]interface {}' : typeof arg}`);
  }
  return entries.filter((e) => e.HasArchitecture(String(arch)));
}

declareExactArity(Repo, Manifest, Entry, Maintainer, OCIPlatform);

export default async function cat(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  let repos = gatherRepos(ctx, flags.bool('all'));
  // templates may ask for git-backed values (FROMs, checksums, build order): git is set up lazily
  const git = new GitContext(ctx);
  const loader = new RepoLoader(ctx, git);
  // never applies constraints: that would need modifying the entries themselves
  if (flags.bool('build-order')) repos = await loader.sortRepos(repos, false);

  if (flags.bool('json')) {
    const docs = [];
    for (const arg of repos) {
      const r = await loader.load(arg);
      const entries = r.TagName === '' ? r.Manifest.Entries : r.TagEntries;
      docs.push({ repo: r.RepoName, tag: r.TagName || null, global: entryToJSON(r.Manifest.Global), entries: entries.map(entryToJSON) });
    }
    out.out(JSON.stringify(docs) + '\n');
    return;
  }

  let format = flags.string('format');
  const formatFile = flags.string('format-file');
  let name = '--format';
  let parseContext = `failed parsing --format ${goQuote(format)}`;
  if (formatFile !== '') {
    try {
      format = readFileSync(formatFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory'
        : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      const verb = code === 'EISDIR' ? 'read' : 'open';
      throw wrap(`failed reading --format-file ${goQuote(formatFile)}`, new Error(`${verb} ${formatFile}: ${reason}`));
    }
    name = formatFile;
    parseContext = `failed parsing --format-file ${goQuote(formatFile)}`;
  }

  let index = 0;
  const funcs: Record<string, TemplateFunc> = {
    ...templatelibFuncs(ctx.env),
    i: goSignature(() => index, []),
    arch: goSignature(() => globals.arch, []),
    namespace: goSignature(() => globals.namespace, []),
    archNamespace: goSignature((arch: unknown) => globals.archNamespaces.get(String(arch)) ?? '', ['string']),
    gitCache: goSignature(() => git.gitCacheDir(), []),
    ociPlatform: goSignature((arch: unknown) => SUPPORTED_ARCHES.get(String(arch)) ?? null, ['string']),
    archFilter: goSignature(archFilter, ['string'], 'any'),
    defaults: goSignature(() => defaultEntry(), []),
  };
  let template;
  try {
    template = parseTemplate(name, format, funcs);
  } catch (err) {
    throw wrap(parseContext, err);
  }

  for (index = 0; index < repos.length; index++) {
    const arg = repos[index]!;
    const r = await loader.load(arg);
    let text: string;
    try {
      text = await git.view.render(() => template.execute(r));
    } catch (err) {
      throw wrap(`failed executing template for repo ${goQuote(arg)}`, err);
    }
    out.out(text.endsWith('\n') ? text : text + '\n');
  }
}
