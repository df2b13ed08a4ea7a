// Typed errors of the manifest layer. `message` is the reference tool's exact text; the location
// (file, line) is extra information that the CLI may show on a line of its own.

export class ManifestError extends Error {
  constructor(message: string, readonly file: string | null = null, readonly line: number | null = null) {
    super(message);
    this.name = 'ManifestError';
  }

  /** "FILE:LINE" (or just FILE) for human-facing output; null when unknown. */
  get location(): string | null {
    if (this.file === null) return null;
    return this.line === null ? this.file : `${this.file}:${this.line}`;
  }
}

/** `unable to find a manifest named ...` (Go: manifest.ManifestNotFoundError). */
export class ManifestNotFoundError extends ManifestError {}

/** `tag not found in manifest for ...` (Go: manifest.TagNotFoundError). */
export class TagNotFoundError extends ManifestError {}
