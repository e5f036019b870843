import { describe, expect, it } from 'vitest';
import { oneQuestionAtATime } from '../../src/engine/one-question.js';
import type { CommandRunner, CommandSpec } from '../../src/ports/command-runner.js';
import type { Prompter } from '../../src/ports/prompter.js';
import { drive, of, planOf } from '../helpers/engine-drive.js';

// Steps whose waits are over run side by side, up to the run's concurrency; each is an actor of the machine.

/** A runner whose commands take `ms` of real time (a command `fail…` exits 1), noting starts and ends in order. */
function timedRunner(ms: number) {
  let running = 0;
  const seen = { most: 0, log: [] as string[] };
  const runner: CommandRunner = {
    async run(spec: CommandSpec) {
      running += 1;
      seen.most = Math.max(seen.most, running);
      seen.log.push(`start ${spec.script}`);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      seen.log.push(`end ${spec.script}`);
      const exitCode = spec.script.startsWith('fail') ? 1 : 0;
      return { exitCode, timedOut: false, aborted: false, durationMs: ms, output: '', stdout: '' };
    },
  };
  return { runner, seen };
}

const TWO_CHAINS = `
name: chains
phases:
  - id: a
    steps:
      - { id: a1, run: "echo a1" }
      - { id: a2, run: "echo a2" }
      - { id: a3, run: "echo a3" }
  - id: b
    steps:
      - { id: b1, run: "echo b1" }
      - { id: b2, run: "echo b2" }
  - id: c
    needs: [a, b]
    steps:
      - { id: c1, run: "echo c1" }
`;

const earlier = (log: string[], a: string, b: string) => log.indexOf(a) < log.indexOf(b);

describe('steps side by side', () => {
  it('by default one at a time, in restore order', async () => {
    const { runner, seen } = timedRunner(5);
    const r = await drive({ plan: planOf(TWO_CHAINS), runner, unattended: true, by: 'unattended' });
    expect(r.outcome.status).toBe('done');
    expect(seen.most).toBe(1);
    expect(of(r.events, 'step.started').map((e) => e.step)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
  });

  it('with concurrency 2 two independent chains run together; each chain keeps its order; a phase waits for the phases it needs', async () => {
    const { runner, seen } = timedRunner(20);
    const r = await drive({ plan: planOf(TWO_CHAINS), runner, unattended: true, by: 'unattended', concurrency: 2 });
    expect(r.outcome.status).toBe('done');
    expect(r.outcome.counts).toMatchObject({ done: 6, pending: 0 });
    expect(seen.most).toBe(2);
    const log = seen.log;
    // a1 and b1 start before either ends.
    expect(earlier(log, 'start echo b1', 'end echo a1')).toBe(true);
    // Within a phase, a step without needs follows the one written before it.
    expect(earlier(log, 'end echo a1', 'start echo a2')).toBe(true);
    expect(earlier(log, 'end echo a2', 'start echo a3')).toBe(true);
    expect(earlier(log, 'end echo b1', 'start echo b2')).toBe(true);
    // c needs a and b: c1 starts after every step of both ended.
    for (const step of ['a3', 'b2']) expect(earlier(log, `end echo ${step}`, 'start echo c1')).toBe(true);
    // Every step's start is journaled before anything it ran, and each ends once.
    const kinds = r.events.filter((e) => 'step' in e && (e.kind === 'step.started' || e.kind === 'step.attempt')).map((e) => `${e.kind}:${(e as { step: string }).step}`);
    for (const step of ['a1', 'a2', 'a3', 'b1', 'b2', 'c1']) expect(kinds.indexOf(`step.started:${step}`)).toBeLessThan(kinds.indexOf(`step.attempt:${step}`));
    expect(
      of(r.events, 'step.finished')
        .map((e) => e.step)
        .sort(),
    ).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
  });

  it('the runbook key `concurrency:` does the same; never more at once than it allows', async () => {
    const { runner, seen } = timedRunner(10);
    const plan = planOf(`
name: wide
concurrency: 3
phases:
${['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => `  - id: ${p}\n    steps:\n      - { id: ${p}-s, run: "echo ${p}" }\n`).join('')}`);
    const r = await drive({ plan, runner, unattended: true, by: 'unattended' });
    expect(r.outcome.status).toBe('done');
    expect(seen.most).toBe(3);
  });

  it('steps of one phase naming their needs run side by side; a step using a captured value waits for the step that captures it', async () => {
    const { runner, seen } = timedRunner(20);
    const plan = planOf(`
name: needs
phases:
  - id: early
    steps:
      - { id: list, run: "echo list", capture: { out: { stdout: true } } }
  - id: p
    steps:
      - { id: base, run: "echo base" }
      - { id: left, run: "echo left", needs: [base] }
      - { id: right, run: "echo right", needs: [base] }
      - { id: free, run: "echo free {{ steps.list.out }}", needs: [] }
`);
    const r = await drive({ plan, runner, unattended: true, by: 'unattended', concurrency: 4 });
    expect(r.outcome.status).toBe('done');
    const log = seen.log;
    expect(earlier(log, 'start echo right', 'end echo left')).toBe(true);
    expect(earlier(log, 'end echo base', 'start echo left')).toBe(true);
    // `free` needs nothing of its phase, but uses list's value: it starts once list ended, beside base.
    expect(earlier(log, 'end echo list', "start echo free ''")).toBe(true);
    expect(seen.log.some((l) => l.startsWith('start echo free'))).toBe(true);
  });

  it('a failure stops what has not started; what runs beside it ends first; the run stops at the failed step', async () => {
    const { runner, seen } = timedRunner(20);
    const plan = planOf(`
name: stop
phases:
  - id: a
    steps:
      - { id: a1, run: "fail a1" }
      - { id: a2, run: "echo a2" }
  - id: b
    steps:
      - { id: b1, run: "echo b1" }
      - { id: b2, run: "echo b2" }
`);
    const r = await drive({ plan, runner, unattended: true, by: 'unattended', concurrency: 2 });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.stoppedAt?.id).toBe('a1');
    expect(seen.log).toContain('end echo b1');
    expect(seen.log.some((l) => l.includes('a2') || l.includes('b2'))).toBe(false);
    expect(r.outcome.counts).toMatchObject({ done: 1, failed: 1, pending: 2 });
  });

  it('only one question is on screen at a time: a second waits for the first answer, while work goes on', async () => {
    let asking = 0;
    let most = 0;
    const order: string[] = [];
    const slow = (id: string) => async () => {
      asking += 1;
      most = Math.max(most, asking);
      order.push(`ask ${id}`);
      await new Promise((res) => setTimeout(res, 30));
      asking -= 1;
      order.push(`answered ${id}`);
      return { choice: 'run' as const };
    };
    const inner = {
      by: 'operator' as const,
      beforeStep: (step: { id: string }) => slow(step.id)(),
      afterFailure: async () => ({ choice: 'abort' as const }),
      afterInterruption: async () => ({ choice: 'abort' as const }),
      stillRunning: async () => 'wait' as const,
      ask: async () => 'x',
      confirm: async () => true,
    } as unknown as Prompter;
    const one = oneQuestionAtATime(inner);
    const step = (id: string) => ({ id }) as never;
    // A question that throws still lets the next one be asked.
    const broken = oneQuestionAtATime({ ...inner, confirm: async () => Promise.reject(new Error('no terminal')) });
    await expect(broken.confirm(step('x'), undefined)).rejects.toThrow('no terminal');
    await expect(broken.beforeStep(step('y'), {} as never)).resolves.toEqual({ choice: 'run' });
    let worked = false;
    const work = new Promise((res) => setTimeout(res, 10)).then(() => {
      worked = asking > 0;
    });
    const answers = await Promise.all([one.beforeStep(step('a'), {} as never), one.beforeStep(step('b'), {} as never), work]);
    expect(answers.slice(0, 2)).toEqual([{ choice: 'run' }, { choice: 'run' }]);
    expect(most).toBe(1);
    expect(order).toEqual(['ask y', 'answered y', 'ask a', 'answered a', 'ask b', 'answered b']);
    expect(worked).toBe(true);
  });

  it('manual steps side by side are each asked, one after the other, and the run goes on', async () => {
    const { runner, seen } = timedRunner(10);
    const plan = planOf(`
name: ask
phases:
  - id: a
    steps:
      - { id: a1, manual: "Plug in the disk shelf." }
  - id: b
    steps:
      - { id: b1, manual: "Power on the switch." }
  - id: c
    steps:
      - { id: c1, run: "echo c1" }
`);
    const r = await drive({ plan, runner, concurrency: 3, answers: [], fallback: { before: () => ({ choice: 'run' }) } as never });
    expect(r.outcome.status).toBe('done');
    expect(r.trace.filter((t) => t.startsWith('ask:before'))).toEqual(['ask:before:a1', 'ask:before:b1', 'ask:before:c1']);
    expect(seen.log).toContain('end echo c1');
  });
});
