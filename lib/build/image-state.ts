// What Docker has, as far as this build knows: image inspections batched up front and answered
// from memory afterwards, invalidated for the tags a step (re)writes. Replaces the reference's
// one `docker inspect` per FROM per entry (a no-op rebuild of 50 entries costs two processes).
import { type DockerClient, type ImageInfo, ProcessExitError } from '../docker/run.js';
import { MultiError } from '../errors.js';
import { goQuoteList } from '../manifest/gostr.js';

export class ImageState {
  readonly #known = new Map<string, ImageInfo | null>();

  constructor(private readonly docker: DockerClient) {}

  /** Inspects every reference not known yet, in one process. */
  async prefetch(refs: Iterable<string>): Promise<void> {
    const wanted = [...new Set(refs)].filter((r) => !this.#known.has(r));
    if (wanted.length === 0) return;
    for (const [ref, info] of await this.docker.inspectImages(wanted)) this.#known.set(ref, info);
  }

  /** What is known without asking Docker: the image, null (missing), or undefined (not asked yet). */
  peek(ref: string): ImageInfo | null | undefined {
    return this.#known.get(ref);
  }

  async get(ref: string): Promise<ImageInfo | null> {
    if (!this.#known.has(ref)) await this.prefetch([ref]);
    return this.#known.get(ref) ?? null;
  }

  /**
   * The image ID of `ref`; a missing image fails as the reference's `docker inspect -f '{{.Id}}' REF` does (exit
   * status, command, docker's message).
   */
  async id(ref: string): Promise<string> {
    const info = await this.get(ref);
    if (info === null) {
      throw new MultiError([new ProcessExitError(1),
        new Error(`command: docker inspect -f "{{.Id}}" ${goQuoteList(['inspect', '-f', '{{.Id}}', ref])}\nError: No such object: ${ref}\n`)]);
    }
    return info.Id;
  }

  /** Knowledge about these references is stale (they were just built or tagged). */
  forget(refs: Iterable<string>): void {
    for (const r of refs) this.#known.delete(r);
  }

  /** These references now name this image (after a re-tag). */
  set(refs: Iterable<string>, info: ImageInfo): void {
    for (const r of refs) this.#known.set(r, info);
  }
}
