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
