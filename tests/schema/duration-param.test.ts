import { describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';

/** A template whose step's timeout, retry delay and wait are its duration params. */
const TEMPLATE = `params:
  limit: { type: duration, default: 5m }
  pause: { type: duration, default: 3s }
step:
  run: systemctl restart unbound
  timeout: "{{ params.limit }}"
  retry_delay: "{{ params.pause }}"
`;

function plan(withText: string, vars = '') {
  const runbook = `name: lab\n${vars}phases:\n  - id: dns\n    steps:\n      - id: restart\n        uses: dns/restart\n${withText}`;
  return buildPlan(
    { runbook: { path: 'runbook.yaml', text: runbook }, library: { dir: 'steps', templates: new Map([['dns/restart', { path: 'steps/dns/restart.yaml', text: TEMPLATE }]]), scripts: new Set() } },
    loadSchemaChecks(),
  );
}

describe('a duration template param as a step timeout', () => {
  it('takes the default, or the value given with `with:`', () => {
    const byDefault = plan('');
    expect(byDefault.problems).toEqual([]);
    expect(byDefault.plan!.phases[0]!.steps[0]).toMatchObject({ timeoutMs: 300_000, retryDelayMs: 3_000 });
    const given = plan('        with: { limit: 90s, pause: 1m }\n');
    expect(given.problems).toEqual([]);
    expect(given.plan!.phases[0]!.steps[0]).toMatchObject({ timeoutMs: 90_000, retryDelayMs: 60_000 });
  });

  it('a value that is no duration once interpolated is reported where it is given and where it is used, with what arrived', () => {
    const bad = plan('        with: { limit: "{{ vars.limit }}" }\n', 'vars:\n  limit: soon\n');
    expect(bad.plan).toBeUndefined();
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems[0]).toMatchObject({ file: 'runbook.yaml', line: 9, message: 'param `limit` has the wrong type', received: '"soon"' });
    expect(bad.problems[1]).toMatchObject({ file: 'steps/dns/restart.yaml', line: 6, message: 'invalid duration for `timeout`' });
    expect(bad.problems[1]!.received).toContain('"soon"');
  });

  it("a static value of the wrong type is still the param check's to report, once", () => {
    const bad = plan('        with: { limit: soon }\n');
    expect(bad.problems.map((p) => p.message)).toEqual(['param `limit` has the wrong type']);
  });
});

describe('a typed template param given a value known only at run time', () => {
  it('names what arrived: a captured value, a foreach item, a secret', () => {
    const runbook = (step: string, head = '') =>
      `name: lab\n${head}phases:\n  - id: dns\n    steps:\n      - id: probe\n        run: echo 90s\n        capture:\n          limit: { stdout: true }\n${step}`;
    const build = (text: string) =>
      buildPlan(
        { runbook: { path: 'runbook.yaml', text }, library: { dir: 'steps', templates: new Map([['dns/restart', { path: 'steps/dns/restart.yaml', text: TEMPLATE }]]), scripts: new Set() } },
        loadSchemaChecks(),
      );
    const captured = build(runbook('      - id: restart\n        uses: dns/restart\n        with: { limit: "{{ steps.probe.limit }}" }\n'));
    expect(captured.problems[0]).toMatchObject({
      message: 'param `limit` takes a duration, which a captured value cannot be proven to be before the run',
      received: '{{ steps.probe.limit }}, known only once step probe ran',
    });
    const item = build(runbook('      - id: restart\n        uses: dns/restart\n        foreach: [1m, 2m]\n        with: { limit: "{{ item }}" }\n'));
    expect(item.problems[0]).toMatchObject({
      message: 'param `limit` takes a duration, which a foreach item cannot be proven to be before the run',
      received: '{{ item }}, known only when each item runs',
    });
    const secret = build(runbook('      - id: restart\n        uses: dns/restart\n        with: { limit: "{{ secrets.t }}" }\n', 'secrets:\n  t: { env: T }\n'));
    expect(secret.problems[0]).toMatchObject({ message: 'param `limit` takes a duration, which a secret cannot be proven to be before the run', received: 'the secret t' });
  });
});
