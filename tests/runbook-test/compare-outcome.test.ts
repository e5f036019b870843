import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { compareOutcome } from '../../src/core/runbook-test/compare-outcome.js';
import { observedRun } from '../../src/core/runbook-test/observed-run.js';
import { sameValue } from '../../src/core/runbook-test/same-value.js';
import type { TestCase } from '../../src/core/runbook-test/test-case.js';

// What a test run did, read from its events, and how it differs from what a case expects.

const finished = (step: string, status: 'done' | 'skipped' | 'not-applicable' | 'failed'): RunEvent => ({ kind: 'step.finished', step, position: '1.1', status, attempts: 1, durationMs: 0 });

const EVENTS: RunEvent[] = [
  { kind: 'step.attempt', step: 'info', attempt: 1, command: 'pvecm nodes' },
  { kind: 'step.captured', step: 'info', attempt: 1, values: { nodes: 2, members: ['pve1', 'pve2'] } },
  finished('info', 'done'),
  { kind: 'step.attempt', step: 'boot', attempt: 1, command: 'wait up to 60s', until: ['tcp pve1:22'] },
  finished('boot', 'done'),
  finished('vote', 'not-applicable'),
  { kind: 'step.attempt', step: 'restore', attempt: 1, command: 'qmrestore 101' },
];

const run = observedRun(['info', 'boot', 'vote', 'restore', 'start'], EVENTS, { status: 'failed', message: 'qmrestore exited 1', stoppedAt: 'restore' });

function caseWith(expect: TestCase['expect']): TestCase {
  return { name: 'c', file: 'f', at: ['tests', 0], line: 2, vars: {}, answers: {}, confirm: [], steps: {}, items: {}, expect };
}

describe('observedRun', () => {
  it('reads each step: its status (not reached without a finish), its commands (not a wait) and what it captured', () => {
    expect(run.steps.info).toEqual({ status: 'done', commands: ['pvecm nodes'], captured: { nodes: 2, members: ['pve1', 'pve2'] } });
    expect(run.steps.boot!.commands).toEqual([]);
    expect(run.steps.vote!.status).toBe('not-applicable');
    expect(run.steps.start).toEqual({ status: 'not-reached', commands: [], captured: {} });
  });

  it('the step a failed run stopped at failed, though the failure that stopped it recorded no finish', () => {
    expect(run.steps.restore!.status).toBe('failed');
  });
});

describe('compareOutcome', () => {
  it('finds nothing when what the case names matches, and compares nothing it does not name', () => {
    const expect_ = caseWith({
      status: 'failed',
      steps: { info: { status: 'done', captured: { nodes: '2', members: ['pve1', 'pve2'] } }, vote: { status: 'not-applicable' }, start: { status: 'not-reached' } },
    });
    expect(compareOutcome(expect_, run)).toEqual([]);
  });

  it('says, for each difference, what was expected and what happened', () => {
    const differences = compareOutcome(caseWith({ status: 'done', steps: { vote: { status: 'done' }, info: { captured: { nodes: 1, absent: 'x' } }, restore: { commands: ['qmrestore 202'] } } }), run);
    expect(differences).toEqual([
      { what: 'run', field: 'status', expected: 'done', got: 'failed (qmrestore exited 1)' },
      { what: 'vote', field: 'status', expected: 'done', got: 'not-applicable' },
      { what: 'info', field: 'captured nodes', expected: '1', got: '2' },
      { what: 'info', field: 'captured absent', expected: 'x', got: 'nothing' },
      { what: 'restore', field: 'commands', expected: '["qmrestore 202"]', got: '["qmrestore 101"]' },
    ]);
  });
});

describe('items of a foreach step', () => {
  const FAN: RunEvent[] = [
    { kind: 'step.items', step: 'restore', attempt: 1, keys: ['101', '102', '200'], pending: 3 },
    { kind: 'step.attempt', step: 'restore', item: '101', attempt: 1, command: 'qmrestore 101' },
    { kind: 'item.finished', step: 'restore', item: '101', status: 'failed', attempt: 1, durationMs: 0, reason: 'exited 1' },
    { kind: 'item.finished', step: 'restore', item: '102', status: 'done', via: 'precheck', attempt: 1, durationMs: 0 },
  ];
  const fan = observedRun(['restore', 'start'], FAN, { status: 'failed', stoppedAt: 'restore' });
  const withItems = (items: TestCase['items']): TestCase => ({ ...caseWith({ steps: {} }), items });

  it('reads each item listed: how it ended (not reached without a finish) and its commands; a step that lists none has none', () => {
    expect(fan.steps.restore!.items).toEqual({
      '101': { status: 'failed', commands: ['qmrestore 101'] },
      '102': { status: 'done', commands: [] },
      '200': { status: 'not-reached', commands: [] },
    });
    expect(fan.steps.restore!.commands).toEqual(['qmrestore 101']);
    expect(fan.steps.start!.items).toBeUndefined();
  });

  it('compares the items named, by key; an item the step never had is not reached', () => {
    expect(compareOutcome(caseWith({ steps: { restore: { items: { '101': { status: 'failed', commands: ['qmrestore 101'] }, '102': { status: 'done' } } } } }), fan)).toEqual([]);
    expect(compareOutcome(caseWith({ steps: { restore: { items: { '101': { status: 'done' }, '102': { commands: ['qmrestore 102'] }, '999': { status: 'done' } } } } }), fan)).toEqual([
      { what: 'restore', field: 'item 101 status', expected: 'done', got: 'failed' },
      { what: 'restore', field: 'item 102 commands', expected: '["qmrestore 102"]', got: '[]' },
      { what: 'restore', field: 'item 999 status', expected: 'done', got: 'not-reached' },
    ]);
  });

  it('an item pretended under a key the step never had is a difference; a step that listed no items is not judged', () => {
    expect(compareOutcome(withItems({ restore: { '101': [{ exit: 1 }], '10l': [{ exit: 1 }] } }), fan)).toEqual([
      { what: 'restore', field: 'item 10l', expected: 'an item with this key, as the case pretends', got: 'items 101, 102, 200' },
    ]);
    expect(compareOutcome(withItems({ start: { x: [{}] } }), fan)).toEqual([]);
  });
});

describe('sameValue', () => {
  it('text and numbers alike at any depth, keys in any order; a missing value or another shape differs', () => {
    expect(sameValue({ b: [1, 'x'], a: true }, { a: 'true', b: ['1', 'x'] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue([1], [1, 2])).toBe(false);
    expect(sameValue('x', undefined)).toBe(false);
    expect(sameValue(['1'], '["1"]')).toBe(false);
    expect(sameValue(null, null)).toBe(true);
  });
});
