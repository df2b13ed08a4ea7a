// What the graph commands and templates need from git, per entry and architecture: the fetched
// commit and the Dockerfile's FROM metadata (spec §4.2, §4.3). Memoised per process, with the
// reference's error wording, and with a bounded number of fetches in flight at once.
import { limiter } from '../concurrency.js';
import { DockerfileError, type DockerfileMetadata, parseDockerfile } from '../dockerfile/from.js';
import { MultiError, wrap } from '../errors.js';
import { type GitCache } from '../git/cache.js';
import { type Entry } from '../manifest/entry.js';
import { goQuote, joinPath } from '../manifest/gostr.js';

const SCRATCH_METADATA: DockerfileMetadata = parseDockerfile('FROM scratch');
const MAX_PARALLEL_FETCHES = 4;

export class EntryGit {
  readonly #commits = new Map<string, Promise<string>>();
  readonly #metadata = new Map<string, Promise<DockerfileMetadata>>();
  /** Fetches in flight at once. */
  readonly #limited = limiter(MAX_PARALLEL_FETCHES);

  constructor(readonly git: GitCache, private readonly namespace: string) {}

  /**
   * The entry's commit for `arch`, fetched into the cache if needed (memoised by repo, fetch and
   * commit, as the reference does). Like the reference, records the resolved commit on the entry
   * as `ARCH-GitCommit`.
   */
  async fetchCommit(repoName: string, arch: string, entry: Entry): Promise<string> {
    const gitRepo = entry.ArchGitRepo(arch);
    const gitFetch = entry.ArchGitFetch(arch);
    const gitCommit = entry.ArchGitCommit(arch);
    const key = `${gitRepo}\n${gitFetch}\n${gitCommit}`;
    let pending = this.#commits.get(key);
    if (pending === undefined) {
      const pinTag = joinPath(arch, this.namespace, repoName, entry.Tags[0]!);
      pending = this.#limited(() => this.git.fetch({ gitRepo, gitFetch, gitCommit, pinTag }));
      this.#commits.set(key, pending);
    }
    const commit = await pending;
    entry.SetGitCommit(arch, commit);
    return commit;
  }

  /** The Dockerfile metadata of the entry for `arch` (oci-import entries are FROM scratch). */
  async dockerfileMetadata(repoName: string, arch: string, entry: Entry): Promise<DockerfileMetadata> {
    if (entry.ArchBuilder(arch) === 'oci-import') return SCRATCH_METADATA;
    let commit: string;
    try {
      commit = await this.fetchCommit(repoName, arch, entry);
    } catch (err) {
      throw wrap(`failed fetching Git repo for arch ${goQuote(arch)} from entry ${goQuote(entry.String())}`, err);
    }
    const file = joinPath(entry.ArchDirectory(arch), entry.ArchFile(arch));
    const key = `${commit}\n${file}`;
    let pending = this.#metadata.get(key);
    if (pending === undefined) {
      pending = this.#readMetadata(commit, file);
      this.#metadata.set(key, pending);
    }
    return pending;
  }

  async #readMetadata(commit: string, file: string): Promise<DockerfileMetadata> {
    const failed = `failed "git show" for ${goQuote(file)} from commit ${goQuote(commit)}`;
    let content: Buffer | null;
    try {
      content = await this.git.readFile(commit, file);
    } catch (err) {
      throw wrap(failed, err);
    }
    if (content === null) throw new MultiError([new Error(failed), new Error('file not found')]);
    try {
      // bytes, not text: Go measures lines in bytes, whatever the encoding
      return parseDockerfile(content);
    } catch (err) {
      const reason = err instanceof DockerfileError ? err : new Error(String(err));
      throw wrap(`failed parsing Dockerfile metadata for ${goQuote(file)} from commit ${goQuote(commit)}`, reason);
    }
  }

  async archDockerFroms(repoName: string, arch: string, entry: Entry): Promise<string[]> {
    return (await this.dockerfileMetadata(repoName, arch, entry)).froms;
  }
}
