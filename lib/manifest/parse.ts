// Paragraphs → entries → validation → merging, exactly as bashbrew's manifest.Parse2822
// (spec: manifest-format.md §3–§6). Errors carry the reference's text plus file and line.
import { SUPPORTED_ARCHES } from '../architecture.js';
import { compareBytes, defaultEntry, Entry, isArchKey, Maintainer } from './entry.js';
import { ManifestError } from './errors.js';
import { goQuote, trimStripSet } from './gostr.js';
import { lexParagraphs, type Paragraph } from './paragraphs.js';
import { Manifest } from './manifest.js';

const GIT_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const GIT_FETCH = /^refs\/(?:heads|tags)\/[^*?:]+$/;
const VALID_TAG = /^\w[\w.-]{0,127}$/;
// Go's \s is [\t\n\f\r ] (no \v, no Unicode spaces), hence the explicit classes.
const MAINTAINER = /^([^\t\n\f\r <>()][^<>()]*)(?:[\t\n\f\r ]+<([^\t\n\f\r <>()]+)>)?[\t\n\f\r ]+[(]@([^\t\n\f\r <>()]+)[)]$/;
export const MAINTAINERS_FORMAT = 'Full Name <contact-email-or-url> (@github-handle) OR Full Name (@github-handle)';

const LIST_FIELDS = ['Maintainers', 'Tags', 'SharedTags', 'Architectures'] as const;
const SCALAR_FIELDS = ['GitRepo', 'GitFetch', 'GitCommit', 'Directory', 'File', 'Builder'] as const;

function splitList(value: string): string[] {
  return trimStripSet(value).split(',').map(trimStripSet);
}

/**
 * Decodes one paragraph onto `entry` (go-debian's reflection decoder plus bashbrew's wrapper):
 * scalars replace, lists append, SharedTags/Architectures are inherited-or-replaced.
 */
function decodeParagraph(entry: Entry, para: Paragraph, fail: (msg: string, key?: string) => never): void {
  const sharedTags = entry.SharedTags;
  const arches = entry.Architectures;
  entry.SharedTags = [];
  entry.Architectures = [];
  entry.setParagraph(para.values, para.order);

  // The decoder walks the struct fields in declaration order and stops at the first failure.
  if (para.values.has('Values')) fail('Unknown type of field: map[string]string', 'Values');
  if (para.values.has('Paragraph')) fail("Type 'Paragraph' does not implement control.Unmarshallable", 'Paragraph');
  for (const field of LIST_FIELDS) {
    const raw = para.values.get(field);
    if (raw === undefined) continue;
    const items = splitList(raw);
    if (field === 'Maintainers') {
      for (const item of items) {
        const m = MAINTAINER.exec(item);
        if (m === null) fail(`invalid Maintainers: ${goQuote(item)} (expected format ${goQuote(MAINTAINERS_FORMAT)})`, field);
        entry.Maintainers.push(new Maintainer(m[1]!, m[2] ?? '', m[3]!));
      }
    } else {
      entry[field].push(...items);
    }
  }
  for (const field of SCALAR_FIELDS) {
    const raw = para.values.get(field);
    if (raw !== undefined) entry[field] = raw;
  }
  if (para.values.has('ArchValues')) fail('Unknown type of field: map[string]string', 'ArchValues');
  const constraints = para.values.get('Constraints');
  if (constraints !== undefined) entry.Constraints.push(...splitList(constraints));

  if (entry.SharedTags.length === 0) entry.SharedTags = sharedTags;
  if (entry.Architectures.length === 0) entry.Architectures = arches;
  entry.Architectures = [...new Set(entry.Architectures)].sort(compareBytes);
  for (const [key, value] of para.values) if (isArchKey(key)) entry.ArchValues.set(key, value);
}

function invalidArchitectures(entry: Entry): string[] {
  return entry.Architectures.filter((a) => !SUPPORTED_ARCHES.has(a));
}

/**
 * Parses a library file. `file` is only used to locate errors and entries. Throws ManifestError
 * with the reference's message for the first problem found.
 */
export function parseManifest(text: string, file: string | null = null): Manifest {
  const { paragraphs, error } = lexParagraphs(text);
  let nextIndex = 0;
  const next = (): Paragraph | null => {
    if (nextIndex < paragraphs.length) return paragraphs[nextIndex++]!;
    if (error !== null) throw new ManifestError(error.message, file, error.line);
    return null;
  };
  const failer = (para: Paragraph) => (msg: string, key?: string): never => {
    throw new ManifestError(msg, file, (key !== undefined ? para.keyLines.get(key) : undefined) ?? para.line);
  };

  const globalPara = next();
  if (globalPara === null) throw new ManifestError('EOF', file, null);
  const global = defaultEntry().Clone();
  decodeParagraph(global, globalPara, failer(globalPara));
  global.setSource({ file: file ?? '', line: globalPara.line });
  const failGlobal = failer(globalPara);
  if (global.Maintainers.length < 1) failGlobal('missing Maintainers');
  if (global.Tags.length > 0) failGlobal('global Tags not permitted', 'Tags');
  const badGlobalArches = invalidArchitectures(global);
  if (badGlobalArches.length > 0) {
    failGlobal(`invalid global Architectures: ${goQuote(badGlobalArches.join(', '))}`, 'Architectures');
  }

  const manifest = new Manifest(global);
  for (let para = next(); para !== null; para = next()) {
    const entry = global.Clone();
    const fail = failer(para);
    decodeParagraph(entry, para, fail);
    entry.setSource({ file: file ?? '', line: para.line });
    const tags = () => goQuote(entry.TagsString());
    if (!GIT_FETCH.test(entry.GitFetch)) {
      fail(`Tags ${tags()} has invalid GitFetch (must be "refs/heads/..." or "refs/tags/..."): ${goQuote(entry.GitFetch)}`, 'GitFetch');
    }
    if (!GIT_COMMIT.test(entry.GitCommit)) {
      fail(`Tags ${tags()} has invalid GitCommit (must be a commit, not a tag or ref): ${goQuote(entry.GitCommit)}`, 'GitCommit');
    }
    addEntry(manifest, entry, fail);
  }
  return manifest;
}

/** Manifest2822.AddEntry: the remaining entry checks, then merge-or-append (spec §5 E3–E12, §6). */
function addEntry(manifest: Manifest, entry: Entry, fail: (msg: string, key?: string) => never): void {
  if (entry.Tags.length < 1) fail('missing Tags');
  // quoted lazily: only an error needs it
  const tags = () => goQuote(entry.TagsString());
  if (entry.GitRepo === '' || entry.GitFetch === '' || entry.GitCommit === '') {
    fail(`Tags ${tags()} missing one of GitRepo, GitFetch, or GitCommit`);
  }
  entry.DeduplicateSharedTags();
  entry.CleanDirectoryValues();

  const invalidTags = [...entry.Tags, ...entry.SharedTags].filter((t) => !VALID_TAG.test(t));
  if (invalidTags.length > 0) fail(`Tags ${tags()} has invalid (Shared)Tags: ${goQuote(invalidTags.join(', '))}`, 'Tags');
  const badArches = invalidArchitectures(entry);
  if (badArches.length > 0) fail(`Tags ${tags()} has invalid Architectures: ${goQuote(badArches.join(', '))}`, 'Architectures');

  const seen = new Set<string>();
  for (const tag of entry.Tags) {
    const other = manifest.GetTag(tag);
    if (other !== null) {
      fail(`Tags ${tags()} includes duplicate tag: ${goQuote(tag)} (duplicated in ${goQuote(other.TagsString())})`, 'Tags');
    }
    const shared = manifest.firstWithSharedTag(tag);
    if (shared !== null) {
      fail(`Tags ${tags()} includes tag conflicting with a shared tag: ${goQuote(tag)} (shared tag in ${goQuote(shared.TagsString())})`, 'Tags');
    }
    if (seen.has(tag)) fail(`Tags ${tags()} includes duplicate tag: ${goQuote(tag)}`, 'Tags');
    seen.add(tag);
  }
  for (const tag of entry.SharedTags) {
    const other = manifest.GetTag(tag);
    if (other !== null) {
      fail(`Tags ${tags()} includes conflicting shared tag: ${goQuote(tag)} (duplicated in ${goQuote(other.TagsString())})`, 'SharedTags');
    }
    if (seen.has(tag)) fail(`Tags ${tags()} includes duplicate tag: ${goQuote(tag)} (in SharedTags)`, 'SharedTags');
    seen.add(tag);
  }
  manifest.addOrMerge(entry);
}
