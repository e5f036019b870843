// A command's output is kept as a tail (its last 64 KiB, its last lines) for failure cards and
// failing checks. A secret printed so that the tail begins inside it must not show its end: the
// output is masked as a stream before any excerpt is cut from it. Searched everywhere a value could
// end up: every file under logs/, the screen, `logs show --output` and the HTML report.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withMaskedOutput } from '../../src/adapters/masked-output-runner.js';
import { createMasker } from '../../src/core/secrets/secret-masker.js';
import type { CommandRunner } from '../../src/ports/command-runner.js';
import { BIN, lifeboat } from '../helpers/cli.js';
import { eventsOf, readOnlyJournal, type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';
import { secretPlaces } from '../helpers/secret-places.js';
import { type Sshd, startSshd } from '../helpers/sshd.js';
import { sh, TmuxSession } from '../helpers/tmux.js';

const ws = workspacesPerTest('lifeboat-tail-');

// ASCII, so that characters and bytes count alike and the cut lands where it is aimed.
const SECRET = 'tail-secret-0123456789-abcdefghij-KLMNOPQRST-end';
const MULTI = 'multi-first-line-AAAA\nmulti-second-line-BBBB\nmulti-third-line-CCCC';
// Longer than the 60 characters a message quotes of a line.
const LONG = 'long-secret-line-abcdefghijklmnopqrstuvwxyz-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TAIL = 64 * 1024;

/** Every piece of a secret that would betray it: its last 8+ characters, its first ones, each long line of it. */
function pieces(secret: string): string[] {
  const out = new Set<string>();
  for (let n = 8; n <= secret.length; n++) {
    out.add(secret.slice(-n));
    out.add(secret.slice(0, n));
  }
  for (const line of secret.split('\n')) if (line.length >= 8) out.add(line);
  return [...out].flatMap((p) => [p, JSON.stringify(p).slice(1, -1)]);
}

async function expectNoPiece(w: Workspace, screen: string, secrets: string[]) {
  const places = await secretPlaces(w, screen);
  for (const secret of secrets) for (const piece of pieces(secret)) for (const [where, text] of places) expect(text.includes(piece), `${JSON.stringify(piece)} in ${where}`).toBe(false);
  return places;
}

/**
 * Scripts that print a secret so that the kept tail starts inside it: `cut` characters of the
 * secret before the tail's start (the 64 KiB character tail), or a multi-line secret whose first
 * line falls just before the last 12 (or 10) lines kept as an excerpt.
 */
function printers(secretRef: string, multiRef: string): string[] {
  const after = (n: number) => `head -c ${n} /dev/zero | tr '\\0' y`;
  return [
    // Secret, then filler: the last 64 KiB begin 12 characters before the secret's end.
    `printf '%s' "${secretRef}"; ${after(TAIL - 12 - 1)}; echo; exit 3`,
    // Same, through stderr, and with the cut after more of the secret.
    `printf '%s' "${secretRef}" >&2; ${after(TAIL - 30 - 1)} >&2; echo >&2; exit 3`,
    // Far more than the tail: the secret's end is at a cut made while the output grows.
    `${after(3 * TAIL)}; printf '%s' "${secretRef}"; ${after(TAIL - 9 - 1)}; echo; exit 3`,
    // A multi-line secret whose first line is the 13th line from the end, then its 11th, 10th, 9th.
    ...[10, 9, 8, 7].map((k) => `printf '%s\\n' "${multiRef}"; for i in $(seq 1 ${k}); do echo filler-$i; done; exit 3`),
  ];
}

function runbook(w: Workspace, checks: string[], on = ''): string {
  const file = w.path('runbook.yaml');
  writeFileSync(
    file,
    `format: 1
name: output-tail
secrets:
  one:
    file: ${w.path('one.txt')}
  multi:
    file: ${w.path('multi.txt')}
  long:
    file: ${w.path('long.txt')}
${on ? `hosts:\n  r: ${on}\n` : ''}phases:
  - id: p
${on ? '    on: r\n' : ''}    steps:
${checks
  .map(
    (c, i) => `      - id: step-${i + 1}
        run: ${JSON.stringify(c)}
        on_failure: continue
      - id: check-${i + 1}
        run: "true"
        verify:
          - run: ${JSON.stringify(c)}
            name: printer ${i + 1}
        on_failure: continue
`,
  )
  .join('')}      - id: age-quoted
        run: "true"
        verify:
          - age: { run: 'printf "%s\\n" "{{ secrets.long }}"' }
            max_age: 1d
        on_failure: continue
`,
  );
  writeFileSync(w.path('one.txt'), `${SECRET}\n`);
  writeFileSync(w.path('multi.txt'), `${MULTI}\n`);
  writeFileSync(w.path('long.txt'), `${LONG}\n`);
  return file;
}

async function runAndSearch(w: Workspace, file: string) {
  const r = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', w.steps], { cwd: w.dir });
  expect([0, 1], r.stderr).toContain(r.code);
  const { events } = readOnlyJournal(w.logs);
  const failedChecks = eventsOf(events, 'check.failed');
  expect(failedChecks.length).toBe(printers('', '').length + 1);
  // The excerpt is there, masked: what the check printed last is still shown.
  for (const e of failedChecks.slice(0, -1)) expect(String(e.output)).toMatch(/y{20}|filler-\d/);
  expect(String(failedChecks.at(-1)!.reason)).toContain('[secret:long]');
  await expectNoPiece(w, r.stdout + r.stderr, [SECRET, MULTI, LONG]);
}

describe('no tail or excerpt of output shows part of a secret', () => {
  it('locally: a tail that begins inside a secret, on stdout or stderr, in a step or a check', async () => {
    const w = ws();
    await runAndSearch(w, runbook(w, printers('{{ secrets.one }}', '{{ secrets.multi }}')));
  });

  describe('over ssh', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('a remote step and a remote check whose tail begins inside a secret', async () => {
      const w = ws();
      await runAndSearch(w, runbook(w, printers('{{ secrets.one }}', '{{ secrets.multi }}'), sshd.hostYaml()));
    });
  });
});

describe('the failure card of an interactive run', () => {
  it('shows the last lines of the masked output: a multi-line secret cut by the 10-line excerpt shows none of its lines', { timeout: 120_000 }, async () => {
    const w = ws();
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      `format: 1
name: card-tail
secrets:
  multi:
    file: ${w.path('multi.txt')}
phases:
  - id: p
    steps:
      - id: leaky
        run: |
          printf '%s\\n' "{{ secrets.multi }}"
          for i in $(seq 1 8); do echo filler-$i; done
          exit 3
`,
    );
    writeFileSync(w.path('multi.txt'), `${MULTI}\n`);
    const transcript = w.path('transcript.txt');
    const exitFile = w.path('exit-code');
    const command = `cd ${sh(w.dir)} && ${['node', BIN, 'run', file, '--logs', w.logs, '--transcript', transcript].map(sh).join(' ')}; echo $? > ${sh(exitFile)}`;
    const tmux = TmuxSession.start(command, { width: 120, height: 40 });
    try {
      await tmux.waitForText(/^❯ Run/m);
      tmux.press('Enter');
      const card = await tmux.waitForText(/^❯ Retry/m);
      // The card shows the excerpt: its last lines are there, the secret's lines masked.
      expect(card).toContain('last output:');
      expect(card).toContain('filler-8');
      await tmux.choose('Abort');
      await tmux.waitForText('Why abort?');
      tmux.press('Enter');
      expect(Number(await tmux.waitForFile(exitFile))).toBe(1);
      const screen = tmux.capture();
      for (const piece of pieces(MULTI)) {
        expect(screen.includes(piece), `${JSON.stringify(piece)} on the terminal`).toBe(false);
        expect(readFileSync(transcript, 'utf8').includes(piece), `${JSON.stringify(piece)} in the transcript`).toBe(false);
      }
    } finally {
      tmux.kill();
    }
  });
});

describe('lifeboat ready', () => {
  it('a check reason or excerpt quoting a secret is masked on screen, in --json and in the Prometheus file', async () => {
    const w = ws();
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      `format: 1
name: ready-secrets
secrets:
  one:
    file: ${w.path('one.txt')}
  long:
    file: ${w.path('long.txt')}
phases:
  - id: p
    steps:
      - id: s
        run: "true"
        precheck:
          - tcp: "{{ secrets.one }}"
          - run: "printf '%s' '{{ secrets.one }}'; head -c ${TAIL - 12 - 1} /dev/zero | tr '\\\\0' y; echo; exit 3"
            readonly: true
        verify:
          - age: { run: 'printf "%s\\\\n" "{{ secrets.long }}"' }
            max_age: 1d
`,
    );
    writeFileSync(w.path('one.txt'), `${SECRET}\n`);
    writeFileSync(w.path('long.txt'), `${LONG}\n`);
    const prom = w.path('lifeboat.prom');
    const text = await lifeboat(['ready', file, '--logs', w.logs, '--prometheus', prom], { cwd: w.dir });
    const json = await lifeboat(['ready', file, '--logs', w.logs, '--json'], { cwd: w.dir });
    expect(text.code, text.stdout + text.stderr).toBe(1);
    expect(json.stdout).toContain('[secret:');
    const places: Array<[string, string]> = [
      ['screen', text.stdout + text.stderr],
      ['--json', json.stdout + json.stderr],
      ['prometheus', readFileSync(prom, 'utf8')],
    ];
    for (const secret of [SECRET, LONG]) for (const piece of pieces(secret)) for (const [where, got] of places) expect(got.includes(piece), `${JSON.stringify(piece)} in ${where}`).toBe(false);
  });
});

describe('withMaskedOutput', () => {
  /** A runner that prints `text` in the given pieces, alternating stdout and stderr, and keeps no output itself. */
  const printing = (pieces: string[]): CommandRunner => ({
    async run(_spec, hooks = {}) {
      pieces.forEach((piece, i) => {
        hooks.onOutput?.(i % 2 ? 'stderr' : 'stdout', piece);
      });
      return { exitCode: 1, timedOut: false, aborted: false, durationMs: 1, output: '', stdout: '' };
    },
  });

  it('a secret at the start of the kept tail, in any chunking, never shows a piece of itself', async () => {
    const masker = createMasker(
      new Map([
        ['one', SECRET],
        ['multi', MULTI],
      ]),
    );
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 60; trial++) {
      const secret = trial % 2 ? SECRET : MULTI;
      const cut = 1 + random(secret.length - 1);
      const text = `${'z'.repeat(random(3 * TAIL))}${secret}${'y'.repeat(TAIL - cut)}\n${trial % 3 ? '' : 'last line\n'}`;
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + random(trial % 4 ? 70_000 : 40);
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      const seen: string[] = [];
      const result = await withMaskedOutput(printing(chunks), masker).run({ script: '', env: {} }, { onOutput: (_s, t) => seen.push(t) });
      // The hooks still receive the output as printed: the event sink masks it on its way.
      expect(seen.join('')).toBe(text);
      for (const piece of pieces(secret)) expect(result.output.includes(piece), `${JSON.stringify(piece)} (trial ${trial})`).toBe(false);
      expect(result.output.length).toBeLessThanOrEqual(TAIL);
      // What was printed last is kept; a first line cut short is dropped when a whole one follows.
      expect(result.output).toMatch(trial % 3 ? /y{100}\n$/ : /\nlast line\n$|^last line\n$/);
    }
  });

  it('an error message and output that were not streamed are masked whole', async () => {
    const masker = createMasker(new Map([['one', SECRET]]));
    const runner: CommandRunner = { run: async () => ({ timedOut: false, aborted: false, durationMs: 0, output: `said ${SECRET}`, stdout: SECRET, error: `failed: ${SECRET}` }) };
    const result = await withMaskedOutput(runner, masker).run({ script: '', env: {} });
    expect(result.output).toBe('said [secret:one]');
    expect(result.error).toBe('failed: [secret:one]');
    // stdout is matched and parsed, never shown: it stays as printed.
    expect(result.stdout).toBe(SECRET);
  });
});
