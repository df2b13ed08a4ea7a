// The cache hash (spec §5): what makes `bashbrew/cache:<hash>` mean "this exact source, these
// exact parent images (and this builder) were already built". Must equal the reference's.
import { createHash } from 'node:crypto';
import { type Entry } from '../manifest/entry.js';

/**
 * The hashed lines for one entry and arch: GitRepo, GitCommit, Directory, File, Builder (only when
 * set, so builder-less entries keep their historical hashes), then one parent image id per FROM
 * occurrence (duplicates kept; `scratch` for scratch).
 */
export function cacheHashLines(entry: Entry, arch: string, parentIds: readonly string[]): string[] {
  const lines = [entry.ArchGitRepo(arch), entry.ArchGitCommit(arch), entry.ArchDirectory(arch), entry.ArchFile(arch)];
  const builder = entry.ArchBuilder(arch);
  if (builder !== '') lines.push(builder);
  lines.push(...parentIds);
  return lines;
}

export function cacheHash(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export function cacheTagFor(lines: readonly string[]): string {
  return 'bashbrew/cache:' + cacheHash(lines);
}
