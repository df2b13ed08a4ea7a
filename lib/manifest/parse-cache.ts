// A cache of parsed library files under $BASHBREW_CACHE, so that `bashbrew list --all` over a
// library that has not changed costs a stat per file instead of a parse (cold JavaScript parses
// the 144 official-images files in ~70 ms; the cache loads them in a few).
//
// One cache file per library directory holds every parsed file of that directory, keyed by name
// and validated by the file's size, mtime, ctime, inode and device, and by this tool's cache
// format version. Only files that parsed without error are cached. Files modified within the last
// two seconds are not cached (their mtime may not change on a second write: git's "racy" rule).
// Writes go to a temporary file renamed into place, so a crash or a concurrent run never leaves a
// torn cache; an unreadable or foreign cache file is ignored and rewritten.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, type BigIntStats, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type CachedEntry, Entry } from './entry.js';
import { Manifest } from './manifest.js';

const FORMAT = 'bashbrew-ts/manifest-cache/1';

interface CachedFile {
  stamp: string;
  global: CachedEntry;
  entries: CachedEntry[];
}

interface Bucket {
  format: string;
  files: Map<string, CachedFile>;
}

function stampOf(st: BigIntStats): string {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}:${st.dev}`;
}

export class ManifestCache {
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Set<string>();

  /** `root` is the cache directory ($BASHBREW_CACHE); null disables caching. */
  constructor(private readonly root: string | null) {}

  private bucketPath(dir: string): string {
    return join(this.root!, 'manifests', createHash('sha256').update(dir).digest('hex').slice(0, 32) + '.v8');
  }

  private bucket(dir: string): Bucket {
    let b = this.buckets.get(dir);
    if (b !== undefined) return b;
    b = { format: FORMAT, files: new Map() };
    try {
      const loaded = deserialize(readFileSync(this.bucketPath(dir))) as Bucket;
      if (loaded.format === FORMAT && loaded.files instanceof Map) b = loaded;
    } catch {
      // missing or unreadable: start empty
    }
    this.buckets.set(dir, b);
    return b;
  }

  get(path: string, st: BigIntStats): Manifest | null {
    if (this.root === null) return null;
    const hit = this.bucket(dirname(path)).files.get(basename(path));
    if (hit === undefined || hit.stamp !== stampOf(st)) return null;
    return Manifest.restore(Entry.fromCached(hit.global, path), hit.entries.map((e) => Entry.fromCached(e, path)));
  }

  set(path: string, st: BigIntStats, manifest: Manifest): void {
    if (this.root === null) return;
    const ageMs = Date.now() - Number(st.mtimeNs / 1_000_000n);
    if (ageMs < 2000) return;
    const dir = dirname(path);
    this.bucket(dir).files.set(basename(path), {
      stamp: stampOf(st),
      global: manifest.Global.toCached(),
      entries: manifest.Entries.map((e) => e.toCached()),
    });
    this.dirty.add(dir);
  }

  /** Writes changed buckets atomically; failures only cost speed next time. */
  flush(): void {
    for (const dir of this.dirty) {
      const path = this.bucketPath(dir);
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(tmp, serialize(this.buckets.get(dir)));
        renameSync(tmp, path);
      } catch {
        // read-only cache or full disk: keep working uncached
      }
    }
    this.dirty.clear();
  }
}
