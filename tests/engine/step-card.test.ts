import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { failureCard, menuQuestion, stepCard } from '../../src/adapters/step-card.js';
import type { PlanStep } from '../../src/core/model/plan-types.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';

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
    const instructions = stepCard(manual, context, pc.createColors(false), 60)
      .split('\n')
      .filter((l) => l.startsWith('    '));
    expect(instructions.join(' ').replace(/\s+/g, ' ').trim()).toBe(LONG);
    for (const line of instructions) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('the failure card fits a small console: the title gives way, what failed and its duration never wrap', () => {
    const step = stepOf(`      - id: unbound\n        title: "Router: start Unbound again (it failed at boot)"\n        run: "false"\n`);
    const plain = pc.createColors(false);
    const summary = 'its 8-line command exited 1 after 214ms';
    for (const width of [80, 120]) {
      const [head] = failureCard(step, { summary, tail: [] }, plain, width).split('\n');
      expect(head!.length).toBeLessThan(width);
      expect(head).toMatch(/^✖ 1\.1 Router: .* failed: its 8-line command exited 1 after 214ms$/);
    }
    expect(failureCard(step, { summary, tail: [] }, plain, 120)).toContain('Router: start Unbound again (it failed at boot) failed:');
    expect(failureCard(step, { summary, tail: [] }, plain, 50).split('\n').slice(0, 2)).toEqual(['✖ 1.1 Router: start Unbound again (it fa… failed:', `  ${summary}`]);
    // A summary too long for one line goes below the step, wrapped between words: 214ms stays whole.
    const long = `\`${'zpool import -f -d /dev/disk/by-id tank'}\` exited 1 after 1m 03s, and the pool is still not there: see the output`;
    const card = failureCard(step, { summary: long, tail: [] }, plain, 60).split('\n').filter(Boolean);
    expect(card[0]).toMatch(/^✖ 1\.1 Router: .* failed:$/);
    for (const line of card) expect(line.length).toBeLessThan(60);
    expect(card.slice(1).join(' ').replace(/\s+/g, ' ').trim()).toBe(long);
    expect(card.some((l) => /(^| )1m 03s,/.test(l))).toBe(true);
  });

  it('a menu question names its step and fits one line', () => {
    const step = stepOf(`      - id: dns\n        title: "Put the NAS's current address (192.168.10.20) back in the zone file"\n        run: "true"\n`);
    const q = menuQuestion(step, 80);
    expect(q).toMatch(/^1\.1 Put the NAS.*… — what now\?$/);
    expect(q.length + 2 + 16).toBeLessThan(80);
  });
});

describe('what a host told, on a card', () => {
  it('a failure card shows the last output and the summary terminal-safe: no escape sequence reaches the terminal', () => {
    const step = stepOf('      - id: a\n        title: Start Unbound\n        run: systemctl start unbound\n');
    const card = failureCard(step, { summary: 'exited 1 \u001b]0;pwned\u0007after 2s', tail: ['\u001b[2J\u001b[Hall good', 'bell\u0007'] }, pc.createColors(false), 80);
    expect(card).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(card).toContain('    all good\n');
    expect(card).toContain('    bell^G\n');
    // The summary is shown whole, its control characters visible.
    expect(card).toContain('failed: exited 1 ^[]0;pwned^Gafter 2s');
  });
});
