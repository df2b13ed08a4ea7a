// A cache of parsed library files under $BASHBREW_CACHE, so that `bashbrew list --all` over a
// library that has not changed costs a stat per file instead of a parse (cold JavaScript parses
// the 144 official-images files in ~70 ms).
//
// One JSON file per library directory maps each parsed file's name to its record, validated by
// the file's size, mtime, ctime, inode and device and by the cache format. Records stay JSON
// strings until their file is asked for. Only files that parsed without error are cached, and
// not while their mtime is under two seconds old (a second write in the same tick could keep the
// stamp: git's "racy" rule). Writes go to a temporary file renamed into place, so a crash or a
// concurrent run never leaves a torn cache; an unreadable or foreign cache file is ignored.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, type Stats, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CachedEntry, Entry, type ParagraphLoader } from './entry.js';
import { Manifest } from './manifest.js';
import { lexParagraphs } from './paragraphs.js';

const FORMAT = 'bashbrew-ts/manifest-cache/3';

interface CachedFile {
  global: CachedEntry;
  entries: CachedEntry[];
}

interface Bucket {
  format: string;
  /** file name → stamp + "\n" + JSON of CachedFile */
  files: Record<string, string>;
}

/** Directory and name of an absolute, clean path (cheaper than node:path on the start-up path). */
function split(path: string): [dir: string, name: string] {
  const i = path.lastIndexOf('/');
  return [i <= 0 ? '/' : path.slice(0, i), path.slice(i + 1)];
}

function stampOf(st: Stats): string {
  // mtimeMs/ctimeMs keep sub-millisecond digits; the two-second rule covers same-tick rewrites
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
}

/** Reads an entry's paragraph back from its file (a cached entry keeps only its line). */
function paragraphLoader(path: string, line: number): ParagraphLoader {
  return () => {
    const { paragraphs } = lexParagraphs(readFileSync(path, 'utf8'));
    const p = line === 0 ? paragraphs[0] : paragraphs.find((x) => x.line === line);
    return { values: p?.values ?? new Map(), order: p?.order ?? [] };
  };
}

export class ManifestCache {
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Set<string>();

  /** `root` is the cache directory ($BASHBREW_CACHE); null disables caching. */
  constructor(private readonly root: string | null) {}

  private bucketPath(dir: string): string {
    return join(this.root!, 'manifests', createHash('sha256').update(dir).digest('hex').slice(0, 32) + '.json');
  }

  private bucket(dir: string): Bucket {
    let b = this.buckets.get(dir);
    if (b !== undefined) return b;
    b = { format: FORMAT, files: {} };
    try {
      const loaded = JSON.parse(readFileSync(this.bucketPath(dir), 'utf8')) as Bucket;
      if (loaded.format === FORMAT && typeof loaded.files === 'object' && loaded.files !== null) b = loaded;
    } catch {
      // missing or unreadable: start empty
    }
    this.buckets.set(dir, b);
    return b;
  }

  get(path: string, st: Stats): Manifest | null {
    if (this.root === null) return null;
    const [dir, name] = split(path);
    const record = this.bucket(dir).files[name];
    const stamp = stampOf(st);
    if (record === undefined || !record.startsWith(stamp + '\n')) return null;
    let data: CachedFile;
    try {
      data = JSON.parse(record.slice(stamp.length + 1)) as CachedFile;
    } catch {
      return null;
    }
    const global = Entry.fromCached(data.global, null, path, paragraphLoader(path, 0));
    const entries = data.entries.map((c) => Entry.fromCached(c, global, path, paragraphLoader(path, c[12])));
    return Manifest.restore(global, entries);
  }

  set(path: string, st: Stats, manifest: Manifest): void {
    if (this.root === null) return;
    if (Date.now() - st.mtimeMs < 2000) return;
    const [dir, name] = split(path);
    const data: CachedFile = {
      global: manifest.Global.toCached(null),
      entries: manifest.Entries.map((e) => e.toCached(manifest.Global)),
    };
    this.bucket(dir).files[name] = stampOf(st) + '\n' + JSON.stringify(data);
    this.dirty.add(dir);
  }

  /** Writes changed buckets atomically; failures only cost speed next time. */
  flush(): void {
    for (const dir of this.dirty) {
      const path = this.bucketPath(dir);
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(tmp, JSON.stringify(this.buckets.get(dir)));
        renameSync(tmp, path);
      } catch {
        // read-only cache or full disk: keep working uncached
      }
    }
    this.dirty.clear();
  }
}
