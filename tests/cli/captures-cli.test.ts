import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';

// Captured outputs, conditions and questions through the built CLI, with real bash.

const dirs: string[] = [];
function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-captures-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const STACK = /\n\s+at .+:\d+:\d+/;

function runbook(dir: string, steps: string, head = ''): string {
  const file = join(dir, 'rb.yaml');
  writeFileSync(file, `format: 1\nname: caps\n${head}phases:\n  - id: p\n    title: P\n    steps:\n${steps}`);
  return file;
}

function journal(dir: string): Array<Record<string, unknown>> {
  const logs = join(dir, 'logs');
  const run = readdirSync(logs).sort().pop()!;
  return readFileSync(join(logs, run, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('questions of an unattended run', () => {
  const ASK = `      - id: mark
        run: touch {{ vars.dir }}/ran
      - id: pick-node
        ask: Which node survived?
        choices: [pve1, pve2]
      - id: use
        run: echo {{ steps.pick-node.answer }} > {{ vars.dir }}/answer
`;
  it('a question nobody can answer stops the run before its first step, exit 2, naming the flag', async () => {
    const dir = workdir();
    const file = runbook(dir, ASK, 'vars:\n  dir: null\n');
    const r = await lifeboat(['run', file, '--yes', '--var', `dir=${dir}`, '--logs', join(dir, 'logs')]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('--answer pick-node=VALUE');
    expect(r.stdout + r.stderr).not.toMatch(STACK);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('--answer gives it; an answer the question does not take, or for a step that asks nothing, is refused at once', async () => {
    const dir = workdir();
    const file = runbook(dir, ASK, 'vars:\n  dir: null\n');
    const ok = await lifeboat(['run', file, '--yes', '--var', `dir=${dir}`, '--answer', 'pick-node=pve2', '--logs', join(dir, 'logs')]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'answer'), 'utf8')).toBe('pve2\n');
    expect(journal(dir).find((e) => e.kind === 'step.captured')).toMatchObject({ step: 'pick-node', values: { answer: 'pve2' }, by: 'flag' });
    for (const [answer, message] of [
      ['pick-node=pve9', '"pve9" is not one of pve1, pve2'],
      ['mark=x', 'step mark asks no question'],
      ['pick-nod=pve1', 'no step pick-nod'],
      ['pve1', 'expected STEP_ID=VALUE'],
    ]) {
      const bad = await lifeboat(['run', file, '--yes', '--var', `dir=${dir}`, '--answer', answer!, '--logs', join(dir, 'logs')]);
      expect(bad.code, answer).toBe(2);
      expect(bad.stderr, answer).toContain(message);
    }
  });
});

describe('captured values never become code', () => {
  it('hostile output captured and used in every place a value can stand: nothing it says runs', async () => {
    const dir = workdir();
    const m = (n: number) => join(dir, `PWNED-${n}`);
    // Each payload would create its own marker if it ever ran.
    const payloads = [`$(touch ${m(1)})`, `\`touch ${m(2)}\``, `'; touch ${m(3)}; '`, `"; touch ${m(4)}; "`, `a[$(touch ${m(5)})]`, `x\ntouch ${m(6)}`];
    const json = JSON.stringify({ items: payloads });
    writeFileSync(join(dir, 'out.json'), json);
    const places = ['echo {{ V }}', "echo '{{ V }}'", 'echo "{{ V }}"', 'cat <<EOF\n{{ V }}\nEOF', 'v={{ V }}; echo "$v"', 'printf %s "{{ V }}" | wc -c', 'test -n "{{ V }}" && echo set'];
    const steps = payloads.flatMap((_, i) =>
      places.map(
        (place, k) => `      - id: use-${i}-${k}
        on_failure: continue
        run: |
${place
  .replace(/\{\{ V \}\}/g, `{{ steps.list.all.items.${i} }}`)
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
`,
      ),
    );
    const arith = `      - id: arith
        on_failure: continue
        run: echo $(( {{ steps.list.all.items.4 }} + 1 ))
      - id: env-and-check
        on_failure: continue
        env:
          V: "{{ steps.list.all.items.0 }}"
        run: test "$V" = "$(cat ${dir}/v0)"
        verify:
          - run: test -n "{{ steps.list.all.items.1 }}"
      - id: condition
        when:
          - value: "{{ steps.list.all.items.5 }}"
            matches: touch
        run: "true"
`;
    writeFileSync(join(dir, 'v0'), payloads[0]!);
    const file = runbook(dir, `      - id: list\n        run: cat ${dir}/out.json\n        capture:\n          all: { json: true }\n${steps.join('')}${arith}`);
    const r = await lifeboat(['run', file, '--yes', '--logs', join(dir, 'logs')]);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
    expect([0, 1]).toContain(r.code);
    for (let n = 1; n <= payloads.length; n++) expect(existsSync(m(n)), `marker ${n}\n${r.stdout}`).toBe(false);
    const events = journal(dir);
    const finished = new Map(events.filter((e) => e.kind === 'step.finished').map((e) => [e.step as string, e]));
    // Every use ran, except a value with a line break in a here-document: refused, as a line of it could end the document.
    for (let i = 0; i < payloads.length; i++) {
      for (let k = 0; k < places.length; k++) {
        const refused = payloads[i]!.includes('\n') && places[k]!.startsWith('cat <<');
        expect(finished.get(`use-${i}-${k}`), `use-${i}-${k}`).toMatchObject(refused ? { status: 'failed', reason: expect.stringMatching(/is refused: .*line break/) } : { status: 'done' });
      }
    }
    // In arithmetic the value is refused, and nothing ran.
    expect(finished.get('arith')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/is refused: .*not a plain integer/) });
    expect(events.some((e) => e.kind === 'step.attempt' && e.step === 'arith')).toBe(false);
    expect(finished.get('env-and-check')?.status).toBe('done');
    expect(finished.get('condition')?.status).toBe('done');
  });
});

describe('a secret capture', () => {
  it('never reaches the screen, the journal or the snapshot: its step output is withheld, later output and records masked', async () => {
    const dir = workdir();
    const file = runbook(
      dir,
      `      - id: token
        run: printf 'tok-%s\\n' 9f8e7d6c5b
        capture:
          t: { stdout: true, secret: true }
      - id: use
        run: echo "using {{ steps.token.t }}"; echo "{{ steps.token.t }}" >&2
        verify:
          - run: test "{{ steps.token.t }}" = "$(printf 'tok-%s' 9f8e7d6c5b)"
      - id: fail
        run: echo "{{ steps.token.t }}"; exit 3
`,
    );
    const r = await lifeboat(['run', file, '--yes', '--logs', join(dir, 'logs')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('tok-9f8e7d6c5b');
    expect(r.stdout).toContain('using [secret:steps.token.t]');
    const logs = join(dir, 'logs');
    const run = readdirSync(logs)[0]!;
    for (const name of readdirSync(join(logs, run))) {
      expect(readFileSync(join(logs, run, name), 'utf8'), name).not.toContain('tok-9f8e7d6c5b');
    }
    expect(journal(dir).find((e) => e.kind === 'check.passed' && e.step === 'use')).toBeDefined();
  });
});

describe('a rehearsal and captured values', () => {
  it('--dry-run --probe runs a readonly step for real, so later commands show its values; nothing else runs', async () => {
    const dir = workdir();
    const file = runbook(
      dir,
      `      - id: list
        readonly: true
        run: printf '%s\\n' 101 102
        capture:
          ids: { lines: true }
      - id: use
        run: echo first {{ steps.list.ids.0 }} && touch ${dir}/ran
      - id: fan
        foreach: "{{ steps.list.ids }}"
        run: touch ${dir}/ran-{{ item }}
`,
    );
    const probed = await lifeboat(['run', file, '--dry-run', '--probe', '--logs', join(dir, 'logs')]);
    expect(probed.code, probed.stdout + probed.stderr).toBe(0);
    expect(probed.stdout).toContain(`echo first 101 && touch ${dir}/ran`);
    expect(probed.stdout).toMatch(/\[102\] touch .*ran-102/);
    const plain = await lifeboat(['run', file, '--dry-run', '--logs', join(dir, 'logs')]);
    expect(plain.stdout).toContain("echo first '{{ steps.list.ids.0 }}'");
    expect(plain.stdout).toContain('known only in a real run');
    expect(readdirSync(dir).filter((f) => f.startsWith('ran'))).toEqual([]);
  });
});

describe('resume and captured values', () => {
  it('killed after a capture, the resumed run uses the values captured before: the capturing step never runs again', async () => {
    const dir = workdir();
    const file = runbook(
      dir,
      `      - id: list
        run: echo "run $(date +%s%N)" | tee -a ${dir}/captured-times
        capture:
          stamp: { stdout: true }
      - id: crash
        idempotent: true
        run: if [ ! -e ${dir}/crashed ]; then touch ${dir}/crashed; kill -9 $PPID; sleep 1; fi
      - id: use
        run: echo "{{ steps.list.stamp }}" > ${dir}/used
`,
    );
    const first = await lifeboat(['run', file, '--yes', '--logs', join(dir, 'logs')]);
    expect(first.code).not.toBe(0);
    expect(existsSync(join(dir, 'used'))).toBe(false);
    const resumed = await lifeboat(['resume', 'last', '--yes', '--logs', join(dir, 'logs')]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const times = readFileSync(join(dir, 'captured-times'), 'utf8').trim().split('\n');
    expect(times).toHaveLength(1);
    expect(readFileSync(join(dir, 'used'), 'utf8').trim()).toBe(times[0]);
  });
});
