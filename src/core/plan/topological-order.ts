/** A graph of named nodes in declaration order, each naming the nodes it needs. */
export interface NeedsGraph {
  nodes: readonly string[];
  needs: ReadonlyMap<string, readonly string[]>;
}

/** Orders nodes so each comes after what it needs, declaration order breaking ties; or returns a cycle. */
export function topologicalOrder(graph: NeedsGraph): { order: string[] } | { cycle: string[] } {
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, number[]>();
  for (const node of graph.nodes) {
    const needs = (graph.needs.get(node) ?? []).filter((n) => index.has(n));
    waiting.set(node, new Set(needs).size);
    for (const need of new Set(needs)) {
      const list = dependents.get(need) ?? [];
      list.push(index.get(node)!);
      dependents.set(need, list);
    }
  }
  const ready = new MinHeap();
  for (const node of graph.nodes) if (waiting.get(node) === 0) ready.push(index.get(node)!);
  const order: string[] = [];
  while (ready.size > 0) {
    const node = graph.nodes[ready.pop()]!;
    order.push(node);
    for (const d of dependents.get(node) ?? []) {
      const name = graph.nodes[d]!;
      const left = waiting.get(name)! - 1;
      waiting.set(name, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length === graph.nodes.length) return { order };
  return { cycle: findCycle(graph, new Set(order)) };
}

/** Finds one cycle among the nodes left unordered, as a path that returns to its start. */
function findCycle(graph: NeedsGraph, done: ReadonlySet<string>): string[] {
  const known = new Set(graph.nodes);
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const need of graph.needs.get(node) ?? []) {
      if (!known.has(need) || done.has(need)) continue;
      if (state.get(need) === 'open') return [...stack.slice(stack.indexOf(need)), need];
      if (!state.has(need)) {
        const found = visit(need);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'closed');
    return undefined;
  };
  for (const node of graph.nodes) {
    if (done.has(node) || state.has(node)) continue;
    const cycle = visit(node);
    // Needs point backwards (a needs b); show the cycle in restore direction (b -> a).
    if (cycle) return cycle.reverse();
  }
  return [];
}

class MinHeap {
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }
  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < items.length && items[l]! < mv) {
          m = l;
          mv = items[l]!;
        }
        if (r < items.length && items[r]! < mv) m = r;
        if (m === i) break;
        items[i] = items[m]!;
        i = m;
      }
      items[i] = last;
    }
    return top;
  }
}
