// Wires the git layer into a command: one GitCache per process (its cat-file process closed when
// the command ends), FROM lookups, build order, and the synchronous answers templates need.
import { lastStageFrom } from '../dockerfile/from.js';
import { GitCache } from '../git/cache.js';
import { type OrderContext, sortedEntries } from '../graph/build-order.js';
import { EntryGit } from '../graph/entry-git.js';
import { SyncView } from '../graph/sync-view.js';
import { type Entry } from '../manifest/entry.js';
import { goQuote } from '../manifest/gostr.js';
import { type Repo, type RepoGit } from '../manifest/repo.js';
import { GoTime } from '../template/go-time.js';
import { type CommandContext } from './app.js';

export class GitContext {
  readonly git: GitCache;
  readonly entryGit: EntryGit;
  readonly view = new SyncView();
  readonly order: OrderContext;
  #entryIds = new WeakMap<Entry, number>();
  #nextId = 0;

  constructor(ctx: CommandContext) {
    const { globals } = ctx;
    this.git = new GitCache({ cacheDir: globals.cache, debug: globals.debug, log: (line) => ctx.out.err(line + '\n') });
    ctx.defer(() => void this.git.close());
    this.entryGit = new EntryGit(this.git, globals.namespace);
    this.order = {
      arch: globals.arch,
      namespace: globals.namespace,
      noSort: globals.noSort,
      froms: (repo, arch, entry) => this.entryGit.archDockerFroms(repo.RepoName, arch, entry),
    };
  }

  /** A stable per-process id for an entry object, for SyncView keys. */
  #id(entry: Entry): number {
    let id = this.#entryIds.get(entry);
    if (id === undefined) {
      id = this.#nextId++;
      this.#entryIds.set(entry, id);
    }
    return id;
  }

  /** The context tar's sha256 of an entry for one arch, as `context --sha256` and templates use. */
  async archGitChecksum(repo: Repo, arch: string, entry: Entry): Promise<string> {
    const commit = await this.archCommit(repo, arch, entry);
    return this.git.scrubbedTarSha256(commit, entry.ArchDirectory(arch));
  }

  /** The commit of an entry for one arch, with the reference's `failed fetching "repo:tag"` wording. */
  async archCommit(repo: Repo, arch: string, entry: Entry): Promise<string> {
    try {
      return await this.entryGit.fetchCommit(repo.RepoName, arch, entry);
    } catch (err) {
      throw new Error(`failed fetching ${goQuote(repo.EntryIdentifier(entry))}: ${(err as Error).message}`);
    }
  }

  /** Synchronous answers for templates, rendered through `view.render`. */
  templateGit(): RepoGit {
    const v = this.view;
    const eg = this.entryGit;
    const key = (what: string, repo: Repo, arch: string, entry: Entry) => `${what}\n${repo.RepoName}\n${arch}\n${this.#id(entry)}`;
    return {
      archDockerFroms: (repo, arch, entry) =>
        v.get(key('froms', repo, arch, entry), () => eg.archDockerFroms(repo.RepoName, arch, entry), []),
      archLastStageFrom: (repo, arch, entry) =>
        v.get(key('last', repo, arch, entry), async () => lastStageFrom(await eg.dockerfileMetadata(repo.RepoName, arch, entry)), ''),
      archGitChecksum: (repo, arch, entry) =>
        v.get(key('checksum', repo, arch, entry), () => this.archGitChecksum(repo, arch, entry), ''),
      archGitTime: (repo, arch, entry) =>
        v.get(key('time', repo, arch, entry), async () => {
          const when = await this.git.commitWhen(await this.archCommit(repo, arch, entry));
          return new GoTime(when.seconds, when.offsetMinutes);
        }, new GoTime(0, 0)),
      sortedEntries: (repo, applyConstraints) =>
        v.get(`sorted\n${repo.RepoName}\n${repo.TagName}\n${applyConstraints}`, () => sortedEntries(repo, applyConstraints, this.order), repo.Entries()),
    };
  }

  /** `gitCache` template function: the cache repository, created if needed. */
  gitCacheDir(): string {
    return this.view.get('gitCache', () => this.git.ensureInit(), this.git.gitDir);
  }
}
