// Looking up an official image (repo:tag) in the library directory, for rules that check FROMs
// against their official parents. Manifests are parsed once per lint run (the cache is the caller's).
import { readFileSync } from 'node:fs';
import { type Entry } from '../manifest/entry.js';
import { type Manifest } from '../manifest/manifest.js';
import { parseManifest } from '../manifest/parse.js';

/** The library entry that `from` (repo[:tag], tag defaulting to latest) names, or null. */
export function officialEntry(library: string, cache: Map<string, Manifest | null>, from: string): Entry | null {
  const colon = from.indexOf(':');
  const repo = colon < 0 ? from : from.slice(0, colon);
  const tag = colon < 0 ? 'latest' : from.slice(colon + 1);
  if (repo === '' || repo.includes('/') || repo.startsWith('.')) return null;
  let m = cache.get(repo);
  if (m === undefined) {
    try {
      m = parseManifest(readFileSync(`${library}/${repo}`, 'utf8'), repo);
    } catch {
      m = null;
    }
    cache.set(repo, m);
  }
  if (m === null) return null;
  return m.GetTag(tag) ?? m.GetSharedTag(tag)[0] ?? null;
}
