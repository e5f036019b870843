// Hostile values from --var, run locally by the real CLI: each one either stays its own text or is
// refused by validate (exit 2, file:line:col); the marker file a payload would create never exists.
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { workspace, type Workspace } from '../helpers/run-fixtures.js';

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
  writeFileSync(file, `name: inj\nvars: { v: "1" }\nphases:\n  - id: p\n    steps:\n      - id: s\n        run: |\n${run.split('\n').map((l) => `          ${l}`).join('\n')}\n`);
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
  it.each(SCRIPTS)('%s: each payload stays text or is refused with exit 2', async (script) => {
    w = workspace('lifeboat-inj-');
    const marker = w.path('PWNED');
    const file = runbook(script);
    for (const payload of payloads(marker)) {
      const result = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', w.steps, '--var', `v=${payload}`], { cwd: w.dir });
      expect(existsSync(marker), `${script} with ${JSON.stringify(payload)}`).toBe(false);
      expect([0, 1, 2], result.stderr).toContain(result.code);
      if (result.code === 2) {
        expect(result.stderr).toMatch(/rb\.yaml:\d+:\d+/);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    }
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
