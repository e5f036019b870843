// Hostile values from --var, run locally by the real CLI: each one either stays its own text or is
// refused by validate (exit 2, file:line:col); the marker file a payload would create never exists.
//
// Every (script, payload) is a step of one batch (tests/helpers/batched-runs.ts), with a var and a
// marker file of its own, so that a failure names both without starting the CLI once per payload.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BatchOutcome, type BatchStep, batchOutput, runBatch, stepYaml } from '../helpers/batched-runs.js';
import { lifeboat } from '../helpers/cli.js';
import { eventsOf, type Workspace, workspace } from '../helpers/run-fixtures.js';

let w: Workspace;
afterEach(() => w?.cleanup());

/** Payloads that would create `marker` if bash ever took them for code. */
function payloads(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `;touch ${marker};#`,
    `a[$(touch ${marker})]`,
    `x\ntouch ${marker}`,
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `-oProxyCommand=touch ${marker}`,
  ];
}

function runbook(run: string): string {
  const file = w.path('rb.yaml');
  writeFileSync(
    file,
    `name: inj\nvars: { v: "1" }\nphases:\n  - id: p\n    steps:\n      - id: s\n        run: |\n${run
      .split('\n')
      .map((l) => `          ${l}`)
      .join('\n')}\n`,
  );
  return file;
}

const SCRIPTS = [
  'n={{ vars.v }}; echo $(( n + 1 ))',
  'n={{ vars.v }}\n[[ $n -eq 1 ]] && echo one',
  'let "x = {{ vars.v }}"',
  'n="{{ vars.v }}"; m=$n; (( m > 0 )) && echo pos',
  'declare -i n={{ vars.v }}; echo $n',
  'echo $(( {{ vars.v }} + 1 ))',
  '[[ {{ vars.v }} -eq 1 ]]',
  'echo start # {{ vars.v }}',
  'echo $[1 << 2] {{ vars.v }}\necho done',
  "printf '%s\\n' {{ vars.v }} \"{{ vars.v }}\" '{{ vars.v }}'",
];

describe('no value given with --var is ever run locally', () => {
  // Script k with payload n is step s<k>-<n>, reading var v<k>_<n> (given with --var), whose payload
  // would create PWNED-<k>-<n>.
  let batchDir: Workspace;
  let batch: BatchOutcome;
  const values = new Map<string, string>();
  beforeAll(async () => {
    batchDir = workspace('lifeboat-inj-');
    const steps: BatchStep[] = [];
    SCRIPTS.forEach((script, k) => {
      payloads('').forEach((_, n) => {
        values.set(`v${k}_${n}`, payloads(batchDir.path(`PWNED-${k}-${n}`))[n]!);
        const run = script.replaceAll('{{ vars.v }}', `{{ vars.v${k}_${n} }}`);
        steps.push({
          id: `s${k}-${n}`,
          yaml: `on_failure: continue\nrun: |\n${run
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}`,
        });
      });
    });
    const declared = [...values.keys()].map((name) => `${name}: "1"`).join(', ');
    const vars = [...values].flatMap(([name, value]) => ['--var', `${name}=${value}`]);
    batch = await runBatch(batchDir, steps, (kept) => {
      const file = batchDir.path('rb.yaml');
      writeFileSync(file, `name: inj\nvars: { ${declared} }\nphases:\n  - id: p\n    steps:\n${kept.map(stepYaml).join('')}`);
      return ['run', file, '--yes', '--logs', batchDir.logs, '--steps', batchDir.steps, ...vars];
    });
  }, 300_000);
  afterAll(() => batchDir?.cleanup());

  it.each(SCRIPTS.map((script, k) => [script, k] as const))('%s: each payload stays text or is refused with exit 2', (script, k) => {
    payloads('').forEach((_, n) => {
      const id = `s${k}-${n}`;
      const what = `${script} with ${JSON.stringify(values.get(`v${k}_${n}`))}`;
      expect(existsSync(batchDir.path(`PWNED-${k}-${n}`)), what).toBe(false);
      const refusal = batch.refused.get(id);
      if (refusal) {
        expect(batch.first.code, `${what}\n${batchOutput(batch)}`).toBe(2);
        for (const problem of refusal) {
          expect(batch.first.stderr, what).toContain(problem);
          expect(problem, what).toMatch(/rb\.yaml:\d+:\d+/);
        }
        expect(batch.first.stderr, what).not.toMatch(/\n\s+at /);
        return;
      }
      // Not refused: it ran, in the run of the steps left (each may fail: on_failure: continue).
      expect(batch.ran, `${what}: neither refused nor run\n${batchOutput(batch)}`).toBeDefined();
      expect([0, 1], `${what}\n${batchOutput(batch)}`).toContain(batch.ran!.code);
      expect(eventsOf(batch.ran!.events, 'step.exited', id).length, `${what}: no step.exited\n${batchOutput(batch)}`).toBeGreaterThan(0);
    });
  });

  it('a value that is not an integer is refused where arithmetic reads it, with the position and a hint', async () => {
    w = workspace('lifeboat-inj-');
    const file = runbook('n={{ vars.v }}\necho $(( n + 1 ))');
    const result = await lifeboat(['validate', file, '--var', 'v=a[$(touch PWNED)]'], { cwd: w.dir });
    expect(result.code).toBe(2);
    // validate reports on one stream, stdout, so `validate … | less` shows it all.
    expect(result.stdout).toMatch(/rb\.yaml:8:13/);
    expect(result.stdout).toContain('not a plain integer');
    expect(existsSync(w.path('PWNED'))).toBe(false);
    const fine = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--var', 'v=41'], { cwd: w.dir });
    expect(fine.code).toBe(0);
  });

  it('the shipped zfs/snapshot-freshness template refuses a max_age_hours that is not a number', async () => {
    w = workspace('lifeboat-inj-');
    const file = w.path('rb.yaml');
    writeFileSync(file, `name: inj\nvars: { h: "26" }\nphases:\n  - id: p\n    steps:\n      - uses: zfs/snapshot-freshness\n        with: { dataset: tank, max_age_hours: "{{ vars.h }}" }\n`);
    const steps = new URL('../../steps', import.meta.url).pathname;
    const bad = await lifeboat(['validate', file, '--steps', steps, '--var', `h=a[$(touch ${w.path('PWNED')})]`], { cwd: w.dir });
    expect(bad.code).toBe(2);
    expect(existsSync(w.path('PWNED'))).toBe(false);
    const good = await lifeboat(['validate', file, '--steps', steps], { cwd: w.dir });
    expect(good.code).toBe(0);
  });
});
