// Templates are evaluated synchronously, but git answers asynchronously. A SyncView lets a
// template ask for git-backed values anyway: a value already known is returned (or its error
// thrown); an unknown one starts loading, is recorded as missing, and a placeholder is returned.
// The caller renders the template, and while anything was missing it awaits the loads and renders
// again (a template has no side effects beyond idempotent ones, so only the last rendering counts).
// Every value a rendering needs is discovered in one pass, so the loads run together.

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SyncView {
  readonly #settled = new Map<string, Settled>();
  readonly #loading = new Map<string, Promise<void>>();
  #missed = 0;

  /** The value for `key`, or `placeholder` after scheduling `load` (see the class comment). */
  get<T>(key: string, load: () => Promise<T>, placeholder: T): T {
    const s = this.#settled.get(key);
    if (s !== undefined) {
      if (s.ok) return s.value as T;
      throw s.error;
    }
    this.#missed++;
    if (!this.#loading.has(key)) {
      this.#loading.set(key, load().then(
        (value) => void this.#settled.set(key, { ok: true, value }),
        (error: unknown) => void this.#settled.set(key, { ok: false, error }),
      ));
    }
    return placeholder;
  }

  /**
   * Renders until nothing is missing. `render` may throw because of a placeholder; that only
   * counts when nothing was missing in that pass.
   */
  async render<T>(render: () => T): Promise<T> {
    for (;;) {
      this.#missed = 0;
      let result: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        result = { ok: true, value: render() };
      } catch (error) {
        result = { ok: false, error };
      }
      if (this.#missed === 0) {
        if (result.ok) return result.value;
        throw result.error;
      }
      await Promise.all(this.#loading.values());
      this.#loading.clear();
    }
  }
}
