// From planned units to the data the CI renderers take: per-entry facts read from git (FROMs for
// an arch) and, for the GitHub matrix, the same-repo chaining generate.sh derives from
// `bashbrew parents` and `bashbrew list --uniq`.
import { SUPPORTED_ARCHES } from '../architecture.js';
import { type PlannedUnit } from '../build/units.js';
import { wrap } from '../errors.js';
import { type ParentsSource, walkParents } from '../graph/parents.js';
import { type Entry } from '../manifest/entry.js';
import { goQuote } from '../manifest/gostr.js';
import { type Repo } from '../manifest/repo.js';
import { type BuildkiteArchPlan } from './buildkite.js';
import { type MatrixItem } from './github-matrix.js';

export interface CiSource extends ParentsSource {
  /** --namespace */
  namespace: string;
  /** --arch */
  arch: string;
  /** Called as each entry is looked at (generate.sh says "Processing TAG ..." on stderr). */
  progress?: (tag: string) => void;
}

/** Two same-repo parents: generate.sh stops there. */
export class MultipleParentsError extends Error {}

/** `grep "^PREFIX"`: a basic regular expression, in which "." is any character. */
function grepStart(prefix: string): (line: string) => boolean {
  const source = [...prefix].map((c) => (c === '.' ? '.' : c.replace(/[\\^$*+?()[\]{}|]/g, '\\$&'))).join('');
  const re = new RegExp('^' + source, 'su');
  return (line) => re.test(line);
}

async function froms(src: Pick<CiSource, 'froms'>, repo: Repo, arch: string, entry: Entry): Promise<string[]> {
  try {
    return await src.froms(repo, arch, entry);
  } catch (err) {
    throw wrap(`failed fetching/scraping FROM for ${goQuote(repo.RepoName)} (tags ${goQuote(entry.TagsString())}, arch ${goQuote(arch)})`, err);
  }
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/**
 * The matrix items of units in `list --build-order --uniq` order (spec §10 steps 4–6): the
 * entry's facts for `--arch` if it has it, else for its first arch, and the job it folds into.
 */
export async function matrixItems(units: readonly PlannedUnit[], src: CiSource): Promise<MatrixItem[]> {
  const items: MatrixItem[] = [];
  const walk = { applyConstraints: false, archFilter: false, arch: src.arch };
  for (const { repo, entry } of units) {
    const tag = repo.Tags(src.namespace, true, entry)[0]!;
    src.progress?.(tag);
    const arch = entry.HasArchitecture(src.arch) ? src.arch : entry.Architectures[0]!;
    const platform = SUPPORTED_ARCHES.get(arch);
    if (platform === undefined) throw new Error(`unknown architecture ${goQuote(arch)} (tags ${goQuote(entry.TagsString())})`);
    const meta = {
      name: entry.Tags[0]!,
      tags: repo.Tags(src.namespace, false, entry),
      directory: entry.ArchDirectory(arch),
      file: entry.ArchFile(arch),
      builder: entry.ArchBuilder(arch),
      constraints: entry.Constraints.slice(),
      froms: await froms(src, repo, arch, entry),
      platform: platform.String(),
    };

    // `bashbrew parents --depth=1 IMAGE | grep "^REPO:"`, IMAGE being the tag without namespace
    const image = tag.slice(tag.lastIndexOf('/') + 1);
    const sameRepo = grepStart(tag.slice(0, tag.indexOf(':')) + ':');
    const self = repo.EntryRepo(entry);
    const direct = (await collect(walkParents(image, { ...walk, depth: 1 }, src, self))).filter(sameRepo);
    let chainTo: string | null = null;
    if (direct.length > 1) {
      throw new MultipleParentsError(`'${tag}' has multiple parents in the same repository and this script can't handle that yet!\n${direct.join('\n')}`);
    }
    if (direct.length === 1) {
      // the "ultimate" same-repo parent: the last such line of an unlimited `parents`
      const all = (await collect(walkParents(image, { ...walk, depth: 0 }, src, self))).filter(sameRepo);
      const parent = all[all.length - 1]!;
      // normalised with `bashbrew list --uniq`
      const parentImage = parent.slice(parent.lastIndexOf('/') + 1);
      let r: Repo;
      try {
        r = await src.load(parentImage);
      } catch (err) {
        throw wrap(`failed fetching repo ${goQuote(parentImage)}`, err);
      }
      chainTo = r.Entries().flatMap((e) => r.Tags(src.namespace, true, e)).join('\n');
    }
    items.push({ tag, meta, chainTo });
  }
  return items;
}

/** The Buildkite data of the units `bashbrew --arch ARCH build` builds (constraints applied). */
export async function buildkiteArchPlan(arch: string, units: readonly PlannedUnit[], src: Pick<CiSource, 'namespace' | 'froms'>): Promise<BuildkiteArchPlan> {
  const pending = units.map(({ repo, entry }) => {
    const p = froms(src, repo, arch, entry);
    p.catch(() => undefined); // handled below, in order
    return p;
  });
  const out: BuildkiteArchPlan = { arch, units: [] };
  for (const [i, { repo, entry }] of units.entries()) {
    out.units.push({
      repo: repo.RepoName,
      group: repo.TagName !== '' ? `${repo.RepoName}:${repo.TagName}` : repo.RepoName,
      entry: repo.EntryIdentifier(entry),
      images: [...new Set([...repo.Tags('', false, entry), ...repo.Tags(src.namespace, false, entry)])],
      froms: await pending[i]!,
    });
  }
  return out;
}
