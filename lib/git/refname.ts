// gitNormalizeForTagUsage (spec §4.2): turns any text (a pin such as "amd64/hello-world/latest",
// or a fetch key) into a valid tag name. Each run of something git refuses in a ref name becomes
// one "-"; then runs of "/" collapse to one.

// The alternation order matters (leftmost match, first alternative wins, like Go's RE2 here):
//   characters outside [0-9a-zA-Z/._-]; a component starting with dots; a component ending in
//   ".lock"; two or more dots; trailing "/" or "."; leading "/" or ".".
const BAD_TAG_CHARS = /(?:[^0-9a-zA-Z/._-]+|\/[.]+|[.]lock(?:\/|$)|[.][.]+|[/.]+$|^[/.]+)/g;
const MULTIPLE_SLASHES = /\/\/+/g;

export function normalisePinTag(name: string): string {
  return name.replace(BAD_TAG_CHARS, '-').replace(MULTIPLE_SLASHES, '/');
}
