import { describe, expect, it } from 'vitest';
import { drive, finishedOf, of, oneStep } from '../helpers/engine-drive.js';

// Captured outputs, `when:` conditions and `ask:` questions, through the engine on fake ports:
// what runs (the scripts the runner is given), what is journaled, how each step ends.

const LIST = `      - id: list
        run: pvesh get backups
        capture:
          backups: { json: true }
          newest: { regex: 'vzdump-qemu-(\\d+)' }
          lines: { lines: true }
          raw: { stdout: true }
`;
const LISTED = '[{"volid":"nas:backup/vzdump-qemu-101.vma","vmid":101},{"volid":"nas:backup/vzdump-qemu-102.vma","vmid":102}]\n';

describe('captured outputs', () => {
  it('each way of reading the output is kept, journaled, and put into later commands escaped for where it stands', async () => {
    const plan = oneStep(`${LIST}      - id: use
        run: |
          echo {{ steps.list.newest }} "{{ steps.list.backups.1.volid }}" '{{ steps.list.raw }}'
          n={{ steps.list.backups.0.vmid }}; echo $(( n + {{ steps.list.backups.1.vmid }} ))
`);
    const r = await drive({ plan, run: { 'pvesh get backups': [{ out: LISTED, stdout: LISTED }] }, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('done');
    const captured = of(r.events, 'step.captured');
    expect(captured).toHaveLength(1);
    expect(captured[0]!.values).toEqual({
      backups: JSON.parse(LISTED),
      newest: '101',
      lines: [LISTED.trim()],
      raw: LISTED.trim(),
    });
    const script = r.specs[1]!.script;
    expect(script).toContain(`echo 101 "nas:backup/vzdump-qemu-102.vma" '${LISTED.trim()}'`);
    expect(script).toContain('n=101; echo $(( n + 102 ))');
  });

  it('an output that cannot be read fails the step with the capture named, and it is tried again like any failure', async () => {
    const plan = oneStep(`      - id: list
        run: pvesh get backups
        retries: 1
        retry_delay: 1s
        capture:
          newest: { regex: 'vzdump-qemu-(\\d+)' }
`);
    const r = await drive({ plan, run: { 'pvesh get backups': [{ stdout: 'nothing here\n' }, { stdout: 'vzdump-qemu-7\n' }] }, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('done');
    expect(of(r.events, 'step.captured').map((e) => e.values)).toEqual([{ newest: '7' }]);
    const notJson = await drive({
      plan: oneStep(`      - id: list\n        run: x\n        capture:\n          v: { json: true }\n`),
      run: { x: [{ stdout: 'Error: storage is offline\n' }] },
      by: 'unattended',
      unattended: true,
    });
    expect(notJson.outcome.status).toBe('failed');
    expect(notJson.outcome.message).toMatch(/^capture `v`: its output is not JSON .*storage is offline/);
    const long = await drive({
      plan: oneStep(`      - id: list\n        run: x\n        capture:\n          v: { stdout: true }\n`),
      run: { x: [{ stdout: 'x', stdoutTruncated: true }] },
      by: 'unattended',
      unattended: true,
    });
    expect(long.outcome.message).toMatch(/longer than 64 KiB/);
  });

  it('a captured value that no escaping can make safe is refused before anything runs: arithmetic takes only an integer', async () => {
    const plan = oneStep(`      - id: list
        run: get
        capture:
          v: { stdout: true }
      - id: count
        run: echo $(( {{ steps.list.v }} + 1 ))
`);
    const r = await drive({ plan, run: { get: [{ stdout: 'a[$(touch /tmp/pwned)]\n' }] }, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('failed');
    expect(r.specs.map((s) => s.script)).toEqual(['get']);
    expect(r.outcome.message).toMatch(/\{\{ steps\.list\.v \}\} is refused: .*not a plain integer/);
    const fine = await drive({ plan, run: { get: [{ stdout: '41\n' }] }, by: 'unattended', unattended: true });
    expect(fine.specs.map((s) => s.script)).toEqual(['get', 'echo $(( 41 + 1 ))']);
  });

  it('a secret capture is journaled masked and reaches a later command through the environment, never in its text', async () => {
    const plan = oneStep(`      - id: token
        run: get-token
        capture:
          t: { stdout: true, secret: true }
      - id: use
        run: login --token {{ steps.token.t }}
`);
    const r = await drive({ plan, run: { 'get-token': [{ stdout: 's3cr3t-value\n' }] }, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('done');
    expect(of(r.events, 'step.captured')[0]!.values).toEqual({ t: '[secret:steps.token.t]' });
    const use = r.specs[1]!;
    expect(use.script).not.toContain('s3cr3t');
    expect(use.script).toContain('"${LIFEBOAT_SECRET_steps_1token_1t}"');
    expect(use.env.LIFEBOAT_SECRET_steps_1token_1t).toBe('s3cr3t-value');
  });

  it('resumed, a later step is bound to the values the interrupted run captured: the step that captured them does not run again', async () => {
    const plan = oneStep(`${LIST}      - id: use
        run: echo {{ steps.list.newest }}
`);
    const r = await drive({
      plan,
      by: 'unattended',
      unattended: true,
      recorded: { list: { status: 'done', attempts: 1 } },
      captures: { list: { newest: '205' } },
    });
    expect(r.specs.map((s) => s.script)).toEqual(['echo 205']);
  });

  it('a value not known (its step did not capture it in this run) fails the step that needs it, saying why', async () => {
    const plan = oneStep(`${LIST}      - id: use
        run: echo {{ steps.list.newest }}
`);
    const r = await drive({ plan, by: 'unattended', unattended: true, recorded: { list: { status: 'skipped', attempts: 0 } } });
    expect(r.outcome.status).toBe('failed');
    expect(r.specs).toEqual([]);
    expect(r.outcome.message).toMatch(/\{\{ steps\.list\.newest \}\} is not known: step `list` has not captured anything/);
  });

  it('a rehearsal captures nothing: later commands show the reference in its place', async () => {
    const plan = oneStep(`${LIST}      - id: use
        run: echo {{ steps.list.newest }}
`);
    const r = await drive({ plan, by: 'unattended', unattended: true, dryRun: true });
    expect(r.outcome.status).toBe('done');
    expect(of(r.events, 'step.captured')).toEqual([]);
    expect(r.specs[1]!.script).toBe("echo '{{ steps.list.newest }}'");
  });
});

describe('conditions (when:)', () => {
  const decide = async (condition: string, value: string) => {
    const plan = oneStep(`      - id: info
        run: info
        capture:
          v: { stdout: true }
      - id: maybe
        run: act
        when:
${condition}
`);
    return drive({ plan, run: { info: [{ stdout: `${value}\n` }] }, by: 'unattended', unattended: true });
  };
  const cases: Array<[string, string, boolean]> = [
    ['equals: "2"', '2', true],
    ['equals: 2', '3', false],
    ['not_equals: "2"', '3', true],
    ['matches: "^pve[0-9]+$"', 'pve2', true],
    ['matches: "^pve[0-9]+$"', 'nas', false],
    ['in: [pve1, pve2]', 'pve2', true],
    ['not_in: [pve1, pve2]', 'pve2', false],
    ['greater_than: 1', '2', true],
    ['greater_than: 1', '1', false],
    ['greater_than: 1', 'many', false],
    ['less_than: 3', '2', true],
  ];
  it.each(cases)('%s with the value %j holds: %s', async (test, value, holds) => {
    const r = await decide(`          - value: "{{ steps.info.v }}"\n            ${test}`, value);
    expect(r.outcome.status).toBe('done');
    expect(r.specs.map((s) => s.script)).toEqual(holds ? ['info', 'act'] : ['info']);
    const decided = of(r.events, 'step.decided')[0]!;
    expect(decided).toMatchObject({ step: 'maybe', applies: holds, conditions: [{ held: holds, detail: `the value is ${JSON.stringify(value)}` }] });
    expect(finishedOf(r.events, 'maybe')[0]?.status).toBe(holds ? 'done' : 'not-applicable');
    if (!holds) expect(r.outcome.counts['not-applicable']).toBe(1);
  });

  it('every condition must hold; they are decided in order until one does not; a check is a condition too', async () => {
    const plan = oneStep(
      `      - id: maybe
        run: act
        when:
          - run: test -e /etc/pve/corosync.conf
          - value: "{{ vars.mode }}"
            equals: cluster
          - tcp: 10.0.0.1:22
`,
      'vars:\n  mode: standalone\n',
    );
    const r = await drive({ plan, by: 'unattended', unattended: true });
    expect(r.trace).toContain('check:when:test -e /etc/pve/corosync.conf');
    expect(r.trace.some((t) => t.startsWith('check:when:tcp'))).toBe(false);
    const decided = of(r.events, 'step.decided')[0]!;
    expect(decided.conditions.map((c) => c.held)).toEqual([true, false]);
    expect(finishedOf(r.events, 'maybe')[0]).toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/condition not met: standalone = "cluster"/) });
    const failing = await drive({ plan, by: 'unattended', unattended: true, checks: { 'when:test -e /etc/pve/corosync.conf': [{ ok: false, reason: 'exit 1' }] } });
    expect(finishedOf(failing.events, 'maybe')[0]).toMatchObject({ status: 'not-applicable', reason: 'condition not met: test -e /etc/pve/corosync.conf (exit 1)' });
  });

  it('a condition on a value nobody captured does not hold: the step is not applicable, not failed', async () => {
    const plan = oneStep(`${LIST}      - id: maybe
        run: act
        when:
          - value: "{{ steps.list.newest }}"
            equals: "101"
`);
    const r = await drive({ plan, by: 'unattended', unattended: true, recorded: { list: { status: 'skipped', attempts: 0 } } });
    expect(r.outcome.status).toBe('done');
    expect(finishedOf(r.events, 'maybe')[0]?.status).toBe('not-applicable');
  });
});

describe('questions (ask:)', () => {
  const ASK = `      - id: pick-node
        ask: Which node survived?
        choices: [pve1, pve2]
      - id: use
        run: echo {{ steps.pick-node.answer }}
`;
  it('the operator answers; the answer is kept as the step capture `answer`, with who gave it', async () => {
    const r = await drive({ plan: oneStep(ASK), answers: [{ menu: 'ask', step: 'pick-node', answer: 'pve2' }], fallback: { ...unattended(), before: () => ({ choice: 'run' }) } });
    expect(r.trace).toContain('ask:value:pick-node');
    expect(r.trace).not.toContain('ask:before:pick-node');
    expect(of(r.events, 'step.captured')[0]).toMatchObject({ step: 'pick-node', values: { answer: 'pve2' }, by: 'operator' });
    expect(r.specs.map((s) => s.script)).toEqual(['echo pve2']);
  });

  it('unattended, the answer comes from --answer, else the default; with neither the step fails naming the flag', async () => {
    const flagged = await drive({ plan: oneStep(ASK), by: 'unattended', unattended: true, givenAnswers: new Map([['pick-node', 'pve1']]) });
    expect(of(flagged.events, 'step.captured')[0]).toMatchObject({ values: { answer: 'pve1' }, by: 'flag' });
    const withDefault = await drive({ plan: oneStep(ASK.replace('choices: [pve1, pve2]', 'choices: [pve1, pve2]\n        default: pve2')), by: 'unattended', unattended: true });
    expect(of(withDefault.events, 'step.captured')[0]).toMatchObject({ values: { answer: 'pve2' }, by: 'default' });
    const nobody = await drive({ plan: oneStep(ASK), by: 'unattended', unattended: true });
    expect(nobody.outcome.status).toBe('failed');
    expect(nobody.outcome.message).toMatch(/--answer pick-node=VALUE/);
  });

  it('an answer the question does not take is refused', async () => {
    const r = await drive({ plan: oneStep(ASK), by: 'unattended', unattended: true, givenAnswers: new Map([['pick-node', 'pve9']]) });
    expect(r.outcome.message).toMatch(/"pve9" is not one of pve1, pve2/);
  });
});

function unattended() {
  return {
    before: () => ({ choice: 'run' as const }),
    failure: () => ({ choice: 'abort' as const }),
    interrupted: () => ({ choice: 'abort' as const }),
    confirm: () => false,
  };
}
