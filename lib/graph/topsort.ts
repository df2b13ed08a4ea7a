// Port of pault.ag/go/topsort as bashbrew uses it for build order. Its output order is user-visible
// (`list --build-order`, build sequence), so the exact pass structure matters, not just validity:
// ties keep insertion order, and a child listed after its parent comes out in the same pass.

export class CycleError extends Error {
  constructor() {
    super('Cycle detected :(');
    this.name = 'CycleError';
  }
}

interface Node<T> {
  value: T;
  /** Targets of outbound edges, one entry per edge (duplicates kept so counts stay balanced). */
  children: number[];
  inboundCount: number;
}

export class TopSortGraph<T> {
  private readonly nodes: Node<T>[] = [];
  private readonly index = new Map<string, number>();

  addNode(name: string, value: T): void {
    // Re-adding a name keeps its first position but takes the new value, as in Go. bashbrew hits
    // this when two arguments share an identifier (`php:8 php:8.3` naming one entry, or `--all`
    // plus `php`): one node, the later Repo. Go also drops the node's edges, which would orphan
    // them; bashbrew adds every node before any edge, so edges are simply kept here.
    const existing = this.index.get(name);
    if (existing !== undefined) {
      this.nodes[existing].value = value;
      return;
    }
    this.index.set(name, this.nodes.length);
    this.nodes.push({ value, children: [], inboundCount: 0 });
  }

  addEdge(from: string, to: string): void {
    const f = this.index.get(from);
    const t = this.index.get(to);
    if (f === undefined || t === undefined) {
      throw new Error(`Either the root or target node doesn't exist (edge ${JSON.stringify(from)} -> ${JSON.stringify(to)})`);
    }
    // in Go a self-edge is an instant cycle; callers skip them, so dropping one here is harmless
    if (f === t) return;
    this.nodes[f].children.push(t);
    this.nodes[t].inboundCount++;
  }

  sort(): T[] {
    const n = this.nodes.length;
    // pending[i] = inbound edges of i whose source is not emitted yet; Go rescans the sources
    // instead, which is the same test ("all sources marked") at the moment the node is visited
    const pending = this.nodes.map((node) => node.inboundCount);
    const emitted = new Array<boolean>(n).fill(false);
    const out: T[] = [];
    while (out.length < n) {
      const before = out.length;
      for (let i = 0; i < n; i++) {
        if (emitted[i] || pending[i] !== 0) continue;
        emitted[i] = true;
        out.push(this.nodes[i].value);
        // decrementing now lets later nodes of this same pass see i as emitted, as Go's marks do
        for (const child of this.nodes[i].children) pending[child]--;
      }
      if (out.length === before) throw new CycleError();
    }
    return out;
  }
}
