import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { stepCard } from '../../src/adapters/step-card.js';
import { buildPlan } from '../../src/core/build-plan.js';
import type { PlanStep } from '../../src/core/plan-types.js';

const LONG = 'Skipped once the router port on the switch shows a link. Unattended, the check decides: the switch must have come back on by itself after the power cut.';

function stepOf(body: string): PlanStep {
  const text = `format: 1\nname: card\nphases:\n  - id: p\n    steps:\n${body}`;
  const { plan, problems } = buildPlan({ runbook: { path: 'card.yaml', text }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, loadSchemaChecks());
  expect(problems).toEqual([]);
  return plan!.phases[0]!.steps[0]!;
}

const context = { runId: 'r', runbook: 'card', phaseNumber: 1, phaseCount: 1, phaseTitle: 'P', stepNumber: 1, stepCount: 1, elapsedMs: 0 };

describe('the step card', () => {
  it('wraps a long description and manual instructions to its width, indented; a command stays whole', () => {
    const command = `echo ${'x'.repeat(90)}`;
    const step = stepOf(`      - id: a\n        title: Power on\n        description: ${JSON.stringify(LONG)}\n        run: ${JSON.stringify(command)}\n`);
    const card = stepCard(step, context, pc.createColors(false), 60);
    const description = card.split('\n').filter((l) => /^ {2}\S/.test(l) && !l.includes('Power on') && !l.includes('$') && !l.includes('no verify'));
    expect(description.join(' ').replace(/\s+/g, ' ').trim()).toBe(LONG);
    for (const line of description) expect(line.length).toBeLessThanOrEqual(60);
    expect(card).toContain(`  $ ${command}\n`);

    const manual = stepOf(`      - id: m\n        title: Switch\n        manual: ${JSON.stringify(LONG)}\n`);
    const instructions = stepCard(manual, context, pc.createColors(false), 60).split('\n').filter((l) => l.startsWith('    '));
    expect(instructions.join(' ').replace(/\s+/g, ' ').trim()).toBe(LONG);
    for (const line of instructions) expect(line.length).toBeLessThanOrEqual(60);
  });
});
