// The machine-readable shape of an entry for `--json` output (a bashbrew-ts extension; the
// shape is documented in the README). Field names are camelCase; per-arch values are resolved.
import { ARCH_SCALAR_FIELDS, compareBytes, type Entry } from './entry.js';

export interface EntryJSON {
  tags: string[];
  sharedTags: string[];
  architectures: string[];
  maintainers: string[];
  gitRepo: string;
  gitFetch: string;
  gitCommit: string;
  directory: string;
  file: string;
  builder: string;
  constraints: string[];
  archValues: Record<string, string>;
  perArch: Record<string, Record<string, string>>;
  source: { file: string; line: number } | null;
}

const lower = (f: string) => f[0]!.toLowerCase() + f.slice(1);

export function entryToJSON(e: Entry): EntryJSON {
  const archValues: Record<string, string> = {};
  for (const k of [...e.ArchValues.keys()].sort(compareBytes)) archValues[k] = e.ArchValues.get(k)!;
  const perArch: Record<string, Record<string, string>> = {};
  for (const arch of e.Architectures) {
    const values: Record<string, string> = {};
    for (const f of ARCH_SCALAR_FIELDS) values[lower(f)] = e.archValue(arch, f);
    perArch[arch] = values;
  }
  return {
    tags: e.Tags, sharedTags: e.SharedTags, architectures: e.Architectures,
    maintainers: e.Maintainers.map((m) => m.String()),
    gitRepo: e.GitRepo, gitFetch: e.GitFetch, gitCommit: e.GitCommit, directory: e.Directory, file: e.File,
    builder: e.Builder, constraints: e.Constraints, archValues, perArch, source: e.source,
  };
}
