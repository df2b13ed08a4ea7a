// TopSortGraph: pault.ag/go/topsort ordering as specified in commands-and-builds.md §6.2.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CycleError, TopSortGraph } from '../../lib/graph/topsort.js';

function graph(nodes: string[], edges: [string, string][] = []): TopSortGraph<string> {
  const g = new TopSortGraph<string>();
  for (const n of nodes) g.addNode(n, n);
  for (const [from, to] of edges) g.addEdge(from, to);
  return g;
}

describe('TopSortGraph', () => {
  test('spec example: [B, A, C] with A→B gives A, C, B', () => {
    assert.deepEqual(graph(['B', 'A', 'C'], [['A', 'B']]).sort(), ['A', 'C', 'B']);
  });

  test('spec example: [A, B, C] with A→B gives A, B, C (a child after its parent joins the same pass)', () => {
    assert.deepEqual(graph(['A', 'B', 'C'], [['A', 'B']]).sort(), ['A', 'B', 'C']);
  });

  test('without edges the insertion order is kept', () => {
    assert.deepEqual(graph(['z', 'a', 'm']).sort(), ['z', 'a', 'm']);
    assert.deepEqual(graph([]).sort(), []);
  });

  test('passes: each pass emits, in insertion order, whatever is ready at the moment it is visited', () => {
    // pass 1: b (a waits for c, c waits for b → b ready, then c sees b emitted), d; pass 2: a
    const g = graph(['a', 'b', 'c', 'd'], [['c', 'a'], ['b', 'c']]);
    assert.deepEqual(g.sort(), ['b', 'c', 'd', 'a']);
    // a chain listed backwards needs one pass per link
    assert.deepEqual(graph(['d', 'c', 'b', 'a'], [['a', 'b'], ['b', 'c'], ['c', 'd']]).sort(), ['a', 'b', 'c', 'd']);
  });

  test('a node waits for all of its parents', () => {
    const g = graph(['child', 'p1', 'x', 'p2'], [['p1', 'child'], ['p2', 'child']]);
    assert.deepEqual(g.sort(), ['p1', 'x', 'p2', 'child']);
  });

  test('duplicate edges are allowed', () => {
    const g = graph(['b', 'a'], [['a', 'b'], ['a', 'b'], ['a', 'b']]);
    assert.deepEqual(g.sort(), ['a', 'b']);
  });

  test('values are returned, not names', () => {
    const g = new TopSortGraph<{ id: number }>();
    const one = { id: 1 };
    const two = { id: 2 };
    g.addNode('two', two);
    g.addNode('one', one);
    g.addEdge('one', 'two');
    const out = g.sort();
    assert.equal(out[0], one);
    assert.equal(out[1], two);
  });

  test('re-adding a name keeps its first position and takes the later value (as Go does)', () => {
    const g = new TopSortGraph<string>();
    g.addNode('php', 'php (first argument)');
    g.addNode('wordpress', 'wordpress');
    g.addNode('php', 'php (second argument)');
    assert.deepEqual(g.sort(), ['php (second argument)', 'wordpress']);
  });

  test('a self-edge is ignored (callers never add one; in Go it would be a cycle)', () => {
    const g = graph(['a', 'b'], [['a', 'a'], ['b', 'b'], ['a', 'b']]);
    assert.deepEqual(g.sort(), ['a', 'b']);
  });

  test('addEdge with an unknown node throws', () => {
    const g = graph(['a']);
    assert.throws(() => g.addEdge('a', 'missing'), /doesn't exist/);
    assert.throws(() => g.addEdge('missing', 'a'), /doesn't exist/);
  });

  test('a cycle throws CycleError "Cycle detected :(" even when other nodes could be emitted', () => {
    const g = graph(['free', 'a', 'b', 'after'], [['a', 'b'], ['b', 'a'], ['b', 'after']]);
    assert.throws(() => g.sort(), (err: unknown) => {
      assert.ok(err instanceof CycleError);
      assert.equal(err.message, 'Cycle detected :(');
      return true;
    });
    assert.throws(() => graph(['x', 'y', 'z'], [['x', 'y'], ['y', 'z'], ['z', 'x']]).sort(), CycleError);
  });

  test('sort can be repeated and sees edges added in between', () => {
    const g = graph(['b', 'a']);
    assert.deepEqual(g.sort(), ['b', 'a']);
    g.addEdge('a', 'b');
    assert.deepEqual(g.sort(), ['a', 'b']);
    assert.deepEqual(g.sort(), ['a', 'b']);
  });

  test('large chain listed backwards stays fast enough', () => {
    const n = 2000;
    const g = new TopSortGraph<number>();
    for (let i = n - 1; i >= 0; i--) g.addNode(String(i), i);
    for (let i = 0; i + 1 < n; i++) g.addEdge(String(i), String(i + 1));
    const out = g.sort();
    assert.equal(out.length, n);
    assert.deepEqual(out.slice(0, 3), [0, 1, 2]);
  });
});
