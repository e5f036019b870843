import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { stepDetails } from '../../src/adapters/step-card.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';

// How each step is proven is shown wherever a step is: plan, plan --json, docs (on paper) and the
// step card's details. Every check's command or target and what must hold, not only its name.

const RUNBOOK = `format: 1
name: proof
phases:
  - id: nas
    steps:
      - id: import-pool
        run: zpool import tank
        precheck:
          - name: pool imported
            run: zpool list -H -o name tank
            stdout: ^tank$
        verify:
          - run: zpool status -x tank
            exit: 0
            stdout: healthy
          - name: shares up
            http: http://127.0.0.1:8080/health
            status: 204
            timeout: 5s
          - dns: nas.home.arpa
            server: 127.0.0.1
            expect: 192.168.10.20
          - path: /tank/.restored
            exists: false
          - tcp: 127.0.0.1:445
      - id: wait-ssh
        wait:
          until:
            - tcp: 127.0.0.1:22
          timeout: 2m
`;

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-checks-'));
const file = join(dir, 'proof.yaml');
writeFileSync(file, RUNBOOK);
const args = [file, '--steps', join(dir, 'steps')];

const EXPECTED_LINES = [
  'pool imported: zpool list -H -o name tank → exit 0, stdout matches /^tank$/',
  'zpool status -x tank → exit 0, stdout matches /healthy/',
  'shares up: http http://127.0.0.1:8080/health → status 204',
  'dns nas.home.arpa → A record from 127.0.0.1 includes 192.168.10.20',
  'path /tank/.restored → is absent',
  'tcp 127.0.0.1:445 → accepts a connection',
  'tcp 127.0.0.1:22 → accepts a connection',
];

describe('how each step is proven', () => {
  it('plan shows every check with its command or target and expectations', async () => {
    const r = await lifeboatInProcess(['plan', ...args]);
    expect(r.code, r.stderr).toBe(0);
    for (const line of EXPECTED_LINES) expect(r.stdout).toContain(line);
    expect(r.stdout).toContain('timeout 5.0s');
  });

  it('plan --json gives each check its target and its expectations as fields', async () => {
    const r = await lifeboatInProcess(['plan', ...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { phases: Array<{ steps: Array<{ precheck: unknown[]; verify: unknown[]; wait?: { until: unknown[] } }> }> };
    const [importPool, waitSsh] = plan.phases[0]!.steps;
    expect(importPool!.precheck[0]).toMatchObject({ kind: 'run', label: 'pool imported', target: 'zpool list -H -o name tank', exit: 0, stdout: '^tank$' });
    expect(importPool!.verify).toMatchObject([
      { kind: 'run', target: 'zpool status -x tank', exit: 0, stdout: 'healthy', expects: 'exit 0, stdout matches /healthy/' },
      { kind: 'http', target: 'http://127.0.0.1:8080/health', status: 204, timeoutMs: 5000 },
      { kind: 'dns', target: 'nas.home.arpa', dns: { type: 'A', server: '127.0.0.1', expect: ['192.168.10.20'] } },
      { kind: 'path', target: '/tank/.restored', exists: false },
      { kind: 'tcp', target: '127.0.0.1:445', expects: 'accepts a connection' },
    ]);
    expect(waitSsh!.wait!.until[0]).toMatchObject({ kind: 'tcp', target: '127.0.0.1:22' });
  });

  it('docs is a paper fallback: a checkbox per step and per check, each check with what must hold', async () => {
    const r = await lifeboatInProcess(['docs', ...args]);
    expect(r.code, r.stderr).toBe(0);
    for (const line of EXPECTED_LINES) expect(r.stdout).toContain(`- [ ] \`${line}\``);
    expect(r.stdout).toContain('- [ ] **1.1 done**');
    expect(r.stdout).toContain('- [ ] **1.2 done**');
    const boxes = r.stdout.split('\n').filter((l) => l.startsWith('- [ ] '));
    expect(boxes).toHaveLength(EXPECTED_LINES.length + 2);
  });

  it("the step card's details show each check's command and expectations", () => {
    const { plan, problems } = buildPlan({ runbook: { path: 'proof.yaml', text: RUNBOOK }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, loadSchemaChecks());
    expect(problems).toEqual([]);
    const s = pc.createColors(false);
    const details = stepDetails(plan!.phases[0]!.steps[0]!, s);
    for (const line of EXPECTED_LINES.slice(0, 6)) expect(details).toContain(line);
    expect(details).toContain('(timeout 5.0s)');
    const waitDetails = stepDetails(plan!.phases[0]!.steps[1]!, s);
    expect(waitDetails).toContain('up to 2m');
    expect(waitDetails).toContain('tcp 127.0.0.1:22 → accepts a connection');
  });
});
