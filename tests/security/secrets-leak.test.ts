// Secrets tried as an attacker would: printed across pipe reads, over many lines, with regex
// characters and non-ASCII, as raw bytes, as part of a step id; locally and over a loopback sshd.
// Each run is searched everywhere a value could end up: every file under logs/, the screen,
// `logs show --output` and the HTML report.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { eventsOf, filesUnder, readOnlyJournal, type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';
import { secretPlaces } from '../helpers/secret-places.js';
import { type Sshd, startSshd } from '../helpers/sshd.js';

const ws = workspacesPerTest('lifeboat-secrets-');

const LONG = 'k3y.*+?^$(é€)[日]{1}|\\/-Ω';
const MULTI = 'first-line-secret\nsecond-line-secret £\n  third-line';

/** The forms a value takes in a journal (JSON), an HTML page or plain text. */
function forms(value: string): string[] {
  const html = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [...new Set([value, JSON.stringify(value).slice(1, -1), html, ...value.split('\n').filter((l) => l.trim().length >= 12)])];
}

/** Asserts that no secret shows anywhere: logs, screen, `logs show --output`, the HTML report. */
async function expectNoLeak(w: Workspace, screen: string, secrets: string[]) {
  const places = await secretPlaces(w, screen);
  for (const secret of secrets) for (const form of forms(secret)) for (const [where, text] of places) expect(text.includes(form), `${JSON.stringify(form)} in ${where}`).toBe(false);
  return places;
}

function runbookFile(w: Workspace, body: string, on = ''): string {
  const file = w.path('runbook.yaml');
  writeFileSync(
    file,
    `format: 1
name: secrets-leak
secrets:
  long:
    file: ${w.path('long.txt')}
  multi:
    file: ${w.path('multi.txt')}
  other:
    env: LB_LEAK_OTHER
${on}phases:
  - id: p
    steps:
${body}`,
  );
  writeFileSync(w.path('long.txt'), `${LONG}\n`);
  writeFileSync(w.path('multi.txt'), `${MULTI}\n`);
  return file;
}

const PRINTING_STEPS = `      - id: long-line
        run: |
          head -c 65530 /dev/zero | tr '\\0' x; printf '%s tail\\n' "{{ secrets.long }}"
          head -c 131067 /dev/zero | tr '\\0' y; printf '%s' "{{ secrets.long }}"; printf '%s\\n' "{{ secrets.long }}"
          printf '%s' "{{ secrets.long }}" >&2
      - id: multi-line
        run: |
          for i in 1 2 3; do printf '%s\\n' "{{ secrets.multi }}"; sleep 0.05; done
          printf 'x%.0s' $(seq 1 65533); printf '%s\\n' "{{ secrets.multi }}"
          printf '%s' "{{ secrets.multi }}" >&2; echo "failed: {{ secrets.multi }}"; exit 4
        on_failure: continue
`;

async function runYes(w: Workspace, file: string, env: Record<string, string> = {}) {
  return lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', w.steps], { cwd: w.dir, env: { LB_LEAK_OTHER: 'other-secret-value-Zq', ...env } });
}

describe('secrets never leak (local)', () => {
  it('a secret across 64 KiB pipe reads, a multi-line secret, regex characters and non-ASCII: masked everywhere', async () => {
    const w = ws();
    const r = await runYes(w, runbookFile(w, PRINTING_STEPS));
    expect(r.code).toBe(0);
    const places = await expectNoLeak(w, r.stdout + r.stderr, [LONG, MULTI, 'other-secret-value-Zq']);
    const journal = places.find(([where]) => where.endsWith('events.jsonl'))![1];
    expect(journal).toContain('[secret:long] tail');
    expect(journal.match(/\[secret:multi\]/g)!.length).toBeGreaterThanOrEqual(5);
    expect(eventsOf(readOnlyJournal(w.logs).events, 'step.finished').map((e) => [e.step, e.status])).toEqual([
      ['long-line', 'done'],
      ['multi-line', 'failed'],
    ]);
  });

  it('a child sees only the secrets its step uses: never the variable a secret was read from', async () => {
    const w = ws();
    const file = runbookFile(
      w,
      `      - id: uses-other
        run: env > ${w.path('env-1.txt')}; test "{{ secrets.other }}" = other-secret-value-Zq
      - id: uses-none
        run: env > ${w.path('env-2.txt')}
        verify:
          - run: env > ${w.path('env-3.txt')}
`,
    );
    const r = await runYes(w, file, { LIFEBOAT_SECRET_STRAY: 'stray-value-Qx' });
    expect(r.code).toBe(0);
    const first = w.read('env-1.txt')!;
    expect(first).toContain('LIFEBOAT_SECRET_other=other-secret-value-Zq');
    expect(first).not.toContain('LB_LEAK_OTHER');
    for (const name of ['env-2.txt', 'env-3.txt']) {
      const env = w.read(name)!;
      expect(env).not.toContain('other-secret-value-Zq');
      expect(env).not.toContain('LB_LEAK_OTHER');
      expect(env).not.toContain('stray-value-Qx');
      expect(env).not.toMatch(/^LIFEBOAT_SECRET_/m);
    }
    await expectNoLeak(w, r.stdout + r.stderr, ['other-secret-value-Zq']);
  });

  it('a secret file holding a NUL byte is refused (exit 2) without its value; nothing runs', async () => {
    const w = ws();
    const file = runbookFile(w, `      - id: use\n        run: printf '%s' "{{ secrets.long }}" > ${w.path('ran.txt')}\n`);
    for (const bytes of [Buffer.from('raw-key-\0-after-nul'), Buffer.from([0x00, 0x41, 0x42]), Buffer.from([0xff, 0x00, 0xfe, 0x41, 0x42, 0x43])]) {
      writeFileSync(w.path('long.txt'), bytes);
      const r = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', w.steps], { cwd: w.dir, env: { LB_LEAK_OTHER: 'x-other-value' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('NUL byte');
      expect(r.stderr).toContain('long');
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      for (const part of ['raw-key-', 'after-nul', 'AB', 'ABC']) expect(r.stdout + r.stderr).not.toContain(part);
      expect(w.read('ran.txt')).toBeUndefined();
      for (const f of filesUnder(w.logs)) expect(readFileSync(f, 'latin1')).not.toContain('after-nul');
    }
  });

  it('a raw key that is not UTF-8 reaches the command byte for byte, and its printed form is masked', async () => {
    const w = ws();
    const raw = Buffer.from([0xff, 0xfe, 0x41, 0x20, 0x0a, 0x80, 0xc3, 0x28, 0x5c, 0x78, 0x34, 0x31, 0x27, 0x22, 0x24, 0x0a]);
    const file = runbookFile(
      w,
      `      - id: use
        run: printf '%s' "{{ secrets.long }}" > ${w.path('got.bin')}; printf '%s\\n' "{{ secrets.long }}"
      - id: via-env
        run: printf '%s' "$KEY" > ${w.path('env.bin')}
        env:
          KEY: "{{ secrets.long }}"
`,
    );
    writeFileSync(w.path('long.txt'), raw);
    const r = await runYes(w, file);
    expect(r.code).toBe(0);
    expect(readFileSync(w.path('got.bin')).equals(raw)).toBe(true);
    expect(readFileSync(w.path('env.bin')).equals(raw)).toBe(true);
    // As a command prints it and the journal decodes it.
    await expectNoLeak(w, r.stdout + r.stderr, [raw.toString('utf8').trimEnd()]);
    expect(readFileSync(readOnlyJournal(w.logs).file, 'utf8')).toContain('[secret:long]');
  });

  it('a secret that is part of a step id or a status word leaves the journal structure alone: resume runs nothing twice', async () => {
    const w = ws();
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      `format: 1
name: secrets-structure
secrets:
  word:
    env: LB_WORD
phases:
  - id: import
    steps:
      - id: import-pool
        run: echo once >> ${w.path('count.txt')}; echo "using {{ secrets.word }}"
      - id: then-failed
        run: |
          test -f ${w.path('second')} || { touch ${w.path('second')}; echo "failed: {{ secrets.word }}"; exit 1; }
`,
    );
    for (const word of ['import', 'failed']) {
      writeFileSync(w.path('count.txt'), '');
      const env = { LB_WORD: word };
      const first = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir, env });
      expect(first.code).toBe(1);
      const { events, runId } = readOnlyJournal(w.logs);
      expect(eventsOf(events, 'step.finished').map((e) => [e.step, e.status])).toEqual([['import-pool', 'done']]);
      expect(
        eventsOf(events, 'step.output', 'import-pool')
          .map((e) => e.text)
          .join(''),
      ).toContain('using [secret:word]');
      // The snapshot describes the step the run stopped at: its id and status are structure, never masked.
      const snapshot = readFileSync(`${w.logs}/${runId}/snapshot.json`, 'utf8');
      expect(snapshot).toContain('"current":"then-failed"');
      expect(snapshot).toContain('"status":"failed"');
      const resumed = await lifeboat(['resume', runId, '--yes', '--logs', w.logs], { cwd: w.dir, env });
      expect(resumed.code).toBe(0);
      expect(w.read('count.txt')).toBe('once\n');
      const after = readOnlyJournal(w.logs).events;
      expect(eventsOf(after, 'step.finished').map((e) => [e.step, e.status])).toEqual([
        ['import-pool', 'done'],
        ['then-failed', 'done'],
      ]);
      expect(
        eventsOf(after, 'step.started')
          .map((e) => e.step)
          .filter((id) => id === 'import-pool'),
      ).toEqual(['import-pool']);
      for (const f of filesUnder(w.logs)) for (const line of readFileSync(f, 'utf8').split('\n')) expect(line).not.toMatch(/"(step|status|kind)":"[^"]*\[secret:/);
      rmSync(w.logs, { recursive: true, force: true });
      rmSync(w.path('second'), { force: true });
    }
  });
});

describe('secrets never leak (over ssh)', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('a remote step prints secrets across pipe reads and over many lines: masked everywhere; the remote sees only its secrets', async () => {
    const w = ws();
    runbookFile(
      w,
      `${PRINTING_STEPS}      - id: remote-env
        run: env > ${w.path('remote-env.txt')}
`,
      `hosts:\n  r: ${sshd.hostYaml()}\n`,
    );
    writeFileSync(w.path('runbook.yaml'), readFileSync(w.path('runbook.yaml'), 'utf8').replace('phases:\n  - id: p\n', 'phases:\n  - id: p\n    on: r\n'));
    const r = await runYes(w, w.path('runbook.yaml'));
    expect(r.code).toBe(0);
    await expectNoLeak(w, r.stdout + r.stderr, [LONG, MULTI, 'other-secret-value-Zq']);
    const env = w.read('remote-env.txt')!;
    expect(env).toContain('SSH_CONNECTION');
    expect(env).not.toContain('LB_LEAK_OTHER');
    expect(env).not.toMatch(/^LIFEBOAT_SECRET_/m);
  });

  it('a raw key that is not UTF-8 reaches the remote command byte for byte', async () => {
    const w = ws();
    const raw = Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0x80, 0x5c, 0x6e, 0x27, 0x24]);
    runbookFile(w, `      - id: use\n        run: printf '%s' "{{ secrets.long }}" > ${w.path('got.bin')}\n`, `hosts:\n  r: ${sshd.hostYaml()}\n`);
    writeFileSync(w.path('runbook.yaml'), readFileSync(w.path('runbook.yaml'), 'utf8').replace('phases:\n  - id: p\n', 'phases:\n  - id: p\n    on: r\n'));
    writeFileSync(w.path('long.txt'), raw);
    const r = await runYes(w, w.path('runbook.yaml'));
    expect(r.code).toBe(0);
    expect(readFileSync(w.path('got.bin')).equals(raw)).toBe(true);
  });
});
