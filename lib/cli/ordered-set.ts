// Go's dedupeSlice / dedupeSliceMap from the reference: insertion-ordered sets (per key).

export class OrderedSetMap<V> {
  readonly #m = new Map<string, Set<V>>();

  add(key: string, value: V): void {
    let s = this.#m.get(key);
    if (s === undefined) this.#m.set(key, (s = new Set()));
    s.add(value);
  }

  has(key: string): boolean {
    return this.#m.has(key);
  }

  list(key: string): V[] {
    return [...(this.#m.get(key) ?? [])];
  }
}
