import { describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { topologicalOrder } from '../../src/core/plan/topological-order.js';

const SCHEMAS = loadSchemaChecks();

type Needs = Record<string, string[]>;

/** Builds a graph from nodes in declaration order and their needs. */
function order(nodes: string[], needs: Needs = {}) {
  return topologicalOrder({ nodes, needs: new Map(Object.entries(needs)) });
}

function orderOf(nodes: string[], needs: Needs = {}): string[] {
  const result = order(nodes, needs);
  if (!('order' in result)) throw new Error(`unexpected cycle ${result.cycle.join(' -> ')}`);
  return result.order;
}

function cycleOf(nodes: string[], needs: Needs): string[] {
  const result = order(nodes, needs);
  if (!('cycle' in result)) throw new Error(`expected a cycle, got order ${result.order.join(', ')}`);
  return result.cycle;
}

/** A cycle is a path that returns to its start, and each hop X -> Y is a real edge: Y needs X. */
function expectRealCycle(cycle: string[], needs: Needs): void {
  expect(cycle.length).toBeGreaterThanOrEqual(2);
  expect(cycle[cycle.length - 1]).toBe(cycle[0]);
  for (let i = 0; i + 1 < cycle.length; i++) {
    const [from, to] = [cycle[i]!, cycle[i + 1]!];
    expect(needs[to] ?? [], `${to} should need ${from}`).toContain(from);
  }
  // Each node appears once, apart from the start repeated at the end.
  expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
}

function expectRespectsNeeds(result: string[], nodes: string[], needs: Needs): void {
  expect([...result].sort()).toEqual([...nodes].sort());
  for (const [node, list] of Object.entries(needs)) {
    for (const need of list) {
      if (!nodes.includes(need)) continue;
      expect(result.indexOf(need), `${need} before ${node}`).toBeLessThan(result.indexOf(node));
    }
  }
}

/** The specification, written the slow and obvious way: repeatedly take the first declared node whose needs are all placed. */
function referenceOrder(nodes: string[], needs: Needs): string[] | undefined {
  const placed: string[] = [];
  while (placed.length < nodes.length) {
    const next = nodes.find((n) => !placed.includes(n) && (needs[n] ?? []).filter((m) => nodes.includes(m)).every((m) => placed.includes(m)));
    if (next === undefined) return undefined;
    placed.push(next);
  }
  return placed;
}

/** A small deterministic PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('topologicalOrder', () => {
  it('keeps declaration order when nothing needs anything', () => {
    expect(orderOf(['network', 'dns', 'storage', 'guests'])).toEqual(['network', 'dns', 'storage', 'guests']);
    expect(orderOf([])).toEqual([]);
  });

  it('puts what is needed first, even when it is declared last', () => {
    expect(orderOf(['guests', 'storage', 'network'], { guests: ['storage'], storage: ['network'] })).toEqual(['network', 'storage', 'guests']);
  });

  it('breaks ties by declaration order: among ready nodes the earliest declared goes first', () => {
    // a waits for c; b is ready from the start and declared before c.
    expect(orderOf(['a', 'b', 'c'], { a: ['c'] })).toEqual(['b', 'c', 'a']);
    // Once c is placed, a (declared first) beats d.
    expect(orderOf(['a', 'b', 'c', 'd'], { a: ['b'], d: ['b'] })).toEqual(['b', 'a', 'c', 'd']);
    expect(orderOf(['z', 'y', 'x'], { z: ['x'], y: ['x'] })).toEqual(['x', 'z', 'y']);
  });

  it('orders a diamond with both middle nodes in declaration order', () => {
    const needs = { storage: ['network'], dns: ['network'], guests: ['storage', 'dns'] };
    expect(orderOf(['network', 'storage', 'dns', 'guests'], needs)).toEqual(['network', 'storage', 'dns', 'guests']);
    expect(orderOf(['network', 'dns', 'storage', 'guests'], needs)).toEqual(['network', 'dns', 'storage', 'guests']);
    // Declared bottom-up, the tie between the middle nodes still follows declaration.
    expect(orderOf(['guests', 'dns', 'storage', 'network'], needs)).toEqual(['network', 'dns', 'storage', 'guests']);
  });

  it('handles a double diamond and a need listed twice', () => {
    const needs = { b: ['a'], c: ['a', 'a'], d: ['b', 'c', 'b'], e: ['d'], f: ['d'], g: ['e', 'f'] };
    expect(orderOf(['g', 'f', 'e', 'd', 'c', 'b', 'a'], needs)).toEqual(['a', 'c', 'b', 'd', 'f', 'e', 'g']);
  });

  it('ignores needs that name no node (those are reported elsewhere)', () => {
    expect(orderOf(['a', 'b'], { a: ['ghost'], b: ['a'] })).toEqual(['a', 'b']);
  });

  it('is deterministic: the same graph always gives the same order', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    const needs = { n1: ['n6'], n3: ['n1'], n4: ['n2', 'n6'], n5: ['n6'] };
    const first = orderOf(nodes, needs);
    for (let i = 0; i < 20; i++) expect(orderOf(nodes, needs)).toEqual(first);
    expect(first).toEqual(['n2', 'n6', 'n1', 'n3', 'n4', 'n5']);
  });

  it('matches the slow reference ordering on many random DAGs', () => {
    const rand = prng(42);
    for (let round = 0; round < 300; round++) {
      const count = 1 + Math.floor(rand() * 12);
      // A random topological numbering, then nodes declared in a shuffled order: needs only point to lower numbers.
      const names = Array.from({ length: count }, (_, i) => `s${i}`);
      const needs: Needs = {};
      for (let i = 1; i < count; i++) {
        const list = names.slice(0, i).filter(() => rand() < 0.3);
        if (list.length) needs[names[i]!] = list;
      }
      const declared = [...names].sort(() => rand() - 0.5);
      const result = orderOf(declared, needs);
      expectRespectsNeeds(result, declared, needs);
      expect(result, JSON.stringify({ declared, needs })).toEqual(referenceOrder(declared, needs));
    }
  });

  describe('cycles', () => {
    it('a two-node cycle is reported as a path that returns to its start', () => {
      const needs = { network: ['dns'], dns: ['network'] };
      const cycle = cycleOf(['network', 'dns'], needs);
      expect(cycle).toEqual(['network', 'dns', 'network']);
      expectRealCycle(cycle, needs);
    });

    it('a three-node cycle, in restore direction', () => {
      const needs = { a: ['c'], b: ['a'], c: ['b'] };
      const cycle = cycleOf(['a', 'b', 'c'], needs);
      expect(cycle).toEqual(['a', 'b', 'c', 'a']);
      expectRealCycle(cycle, needs);
    });

    it('a node that needs itself', () => {
      expect(cycleOf(['a', 'b'], { a: ['a'] })).toEqual(['a', 'a']);
    });

    it('only the nodes on the cycle, not the ones merely waiting for it', () => {
      const needs = { app: ['db'], db: ['disk'], disk: ['db'], web: ['app'] };
      const cycle = cycleOf(['network', 'app', 'db', 'disk', 'web'], needs);
      expectRealCycle(cycle, needs);
      expect(new Set(cycle)).toEqual(new Set(['db', 'disk']));
    });

    it('a cycle behind a valid prefix, and random graphs with a back edge', () => {
      const rand = prng(7);
      for (let round = 0; round < 200; round++) {
        const count = 2 + Math.floor(rand() * 10);
        const names = Array.from({ length: count }, (_, i) => `s${i}`);
        const needs: Needs = {};
        for (let i = 1; i < count; i++) {
          const list = names.slice(0, i).filter(() => rand() < 0.3);
          if (list.length) needs[names[i]!] = list;
        }
        // A chain s_lo -> ... -> s_hi made certain, then closed by s_lo needing s_hi.
        const lo = Math.floor(rand() * (count - 1));
        const hi = lo + 1 + Math.floor(rand() * (count - lo - 1));
        for (let i = lo + 1; i <= hi; i++) needs[names[i]!] = [...new Set([...(needs[names[i]!] ?? []), names[i - 1]!])];
        needs[names[lo]!] = [...(needs[names[lo]!] ?? []), names[hi]!];
        const declared = [...names].sort(() => rand() - 0.5);
        expectRealCycle(cycleOf(declared, needs), needs);
      }
    });
  });
});

describe('restore order inside buildPlan', () => {
  const build = (yaml: string) => buildPlan({ runbook: { path: 'order.yaml', text: yaml }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, SCHEMAS);

  it('numbers phases and steps in restore order', () => {
    const { plan, problems } = build(
      [
        'name: order',
        'phases:',
        '  - id: guests',
        '    needs: [storage, dns]',
        '    steps: [{ id: start, run: "true" }]',
        '  - id: dns',
        '    needs: [network]',
        '    steps: [{ id: unbound, run: "true" }]',
        '  - id: storage',
        '    needs: [network]',
        '    steps:',
        '      - { id: mount, run: "true", needs: [import] }',
        '      - { id: share, run: "true", needs: [mount] }',
        '      - { id: import, run: "true" }',
        '  - id: network',
        '    steps: [{ id: link, run: "true" }]',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(plan!.phases.map((p) => [p.number, p.id])).toEqual([
      [1, 'network'],
      [2, 'dns'],
      [3, 'storage'],
      [4, 'guests'],
    ]);
    expect(plan!.phases[2]!.steps.map((s) => `${s.position} ${s.id}`)).toEqual(['3.1 import', '3.2 mount', '3.3 share']);
  });

  it('reports a phase cycle as network -> dns -> network, at a `needs` of the cycle', () => {
    const yaml = [
      'name: cyclic',
      'phases:',
      '  - id: network',
      '    needs: [dns]',
      '    steps: [{ id: link, run: "true" }]',
      '  - id: dns',
      '    needs: [network]',
      '    steps: [{ id: unbound, run: "true" }]',
    ].join('\n');
    const { plan, problems } = build(yaml);
    expect(plan).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      message: 'dependency cycle among phases: network -> dns -> network',
      file: 'order.yaml',
      line: 4,
      path: 'phases[0].needs',
    });
    expect(problems[0]!.hint).toBeDefined();
  });

  it('reports a step cycle inside a phase', () => {
    const { problems } = build(
      [
        'name: cyclic',
        'phases:',
        '  - id: storage',
        '    steps:',
        '      - { id: a, run: "true", needs: [c] }',
        '      - { id: b, run: "true", needs: [a] }',
        '      - { id: c, run: "true", needs: [b] }',
      ].join('\n'),
    );
    expect(problems.map((p) => p.message)).toEqual(['dependency cycle among steps of phase `storage`: a -> b -> c -> a']);
  });
});
