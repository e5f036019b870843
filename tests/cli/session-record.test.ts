// A run's record as people and tools meet it: the journal read by pino-pretty with no flags,
// damaged records told as data errors (exit 2, no stack), and a lock compromised mid-run said
// when it happens without spoiling a restore that succeeds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { readOnlyJournal, type Workspace, workspace } from '../helpers/run-fixtures.js';

const spaces: Workspace[] = [];
afterEach(() =>
  spaces.splice(0).forEach((ws) => {
    ws.cleanup();
  }),
);

function space(): Workspace {
  const ws = workspace('lifeboat-record-');
  spaces.push(ws);
  return ws;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A runbook of the given steps (id, title, run) in one phase. */
function runbook(ws: Workspace, name: string, steps: Array<{ id: string; title: string; run: string }>): string {
  const file = ws.path(`${name}.yaml`);
  const body = steps.map((s) => `      - id: ${s.id}\n        title: ${s.title}\n        run: ${JSON.stringify(s.run)}\n`).join('');
  writeFileSync(file, `format: 1\nname: ${name}\nphases:\n  - id: p\n    title: Phase\n    steps:\n${body}`);
  return file;
}

describe('the journal read by pino-pretty', () => {
  it('shows every event with its message, with no flags', async () => {
    const ws = space();
    const file = runbook(ws, 'pretty', [
      { id: 'hello', title: 'Say hello', run: 'echo hello' },
      { id: 'bye', title: 'Say goodbye', run: 'echo bye' },
    ]);
    const run = await lifeboat(['run', file, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    expect(run.code, run.stderr).toBe(0);
    const { file: journal, lines } = readOnlyJournal(ws.logs);
    const pretty = await execa(join(ROOT, 'node_modules/.bin/pino-pretty'), [], { input: readFileSync(journal), env: { NO_COLOR: '1', FORCE_COLOR: '0' }, reject: false });
    expect(pretty.exitCode, pretty.stderr).toBe(0);
    const shown = pretty.stdout.split('\n').filter((line) => /^\[[^\]]+\] (INFO|WARN)/.test(line));
    // One headline per event, each with the event's own message.
    expect(shown).toHaveLength(lines.length);
    for (const line of lines) {
      const { msg } = JSON.parse(line) as { msg: string };
      expect(msg.length).toBeGreaterThan(0);
      expect(pretty.stdout).toContain(msg);
    }
    expect(shown.some((line) => line.includes('1.1 Say hello: started'))).toBe(true);
    expect(shown.some((line) => line.includes('run done'))).toBe(true);
  });
});

describe('damaged run records', () => {
  it.each([
    ['not JSON', (_text: string) => '{"runId":', /run\.json: the run's metadata cannot be used \(it is not valid JSON/],
    [
      'vars of the wrong type',
      (text: string) => JSON.stringify({ ...(JSON.parse(text) as object), request: { ...(JSON.parse(text) as { request: object }).request, vars: [5] } }),
      /run\.json: the run's metadata cannot be used \(request vars that are not \[name, value\] pairs/,
    ],
  ])('a run.json %s: resume exits 2 with a clear message and no stack trace', async (_name, damage, message) => {
    const ws = space();
    const file = runbook(ws, 'damaged', [{ id: 'fails', title: 'Fails', run: 'exit 4' }]);
    const run = await lifeboat(['run', file, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    expect(run.code, run.stderr).toBe(1);
    const { runDir, runId } = readOnlyJournal(ws.logs);
    const meta = join(runDir, 'run.json');
    writeFileSync(meta, damage(readFileSync(meta, 'utf8')));
    const resumed = await lifeboat(['resume', runId, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).toMatch(message);
    expect(resumed.stderr).toContain('hint:');
    expect(resumed.stderr).not.toMatch(/internal error|^\s+at /m);
  });

  it('a journal line in the middle that is JSON but no event: resume exits 2 naming the line, no stack trace', async () => {
    const ws = space();
    const file = runbook(ws, 'nullish', [{ id: 'fails', title: 'Fails', run: 'exit 4' }]);
    await lifeboat(['run', file, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    const { file: journal, lines, runId } = readOnlyJournal(ws.logs);
    writeFileSync(journal, [lines[0], 'null', ...lines.slice(1)].map((l) => `${l}\n`).join(''));
    const resumed = await lifeboat(['resume', runId, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).toContain("events.jsonl:2: the run's journal is damaged");
    expect(resumed.stderr).not.toMatch(/internal error|^\s+at /m);
  });
});

describe('a lock compromised mid-run', () => {
  it('replaced by another holder: said on screen and in the journal while the step runs; the restore still exits 0', async () => {
    const ws = space();
    const lock = join(ws.logs, 'compromised.lock');
    const other = JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00Z', runId: 'other' });
    // The step replaces the lock, then ends only once the journal records the loss (the bracket
    // keeps the pattern from matching the command's own record).
    const wait = `for i in $(seq 1 300); do grep -q 'lock was [l]ost' ${sh(ws.logs)}/*/events.jsonl && exit 0; sleep 0.1; done; exit 1`;
    const file = runbook(ws, 'compromised', [
      { id: 'replace', title: 'Replace the lock', run: `printf '%s' ${sh(other)} > ${sh(`${lock}.new`)} && mv ${sh(`${lock}.new`)} ${sh(lock)}; ${wait}` },
      { id: 'after', title: 'Goes on', run: 'echo still here' },
    ]);
    const run = await lifeboat(['run', file, '--yes', '--logs', ws.logs], { cwd: ws.dir });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const warning = 'the run lock was lost (run other (pid 1 on elsewhere) took it)';
    expect(run.stdout).toContain(warning);
    expect(run.stderr).not.toMatch(/internal error/);
    const { events } = readOnlyJournal(ws.logs);
    const kinds = events.map((e) => (e.kind === 'run.note' ? `note:${String(e.message)}` : `${e.kind}:${String(e.step ?? '')}`));
    const noted = kinds.findIndex((k) => k.startsWith(`note:${warning}`));
    expect(noted).toBeGreaterThan(-1);
    expect(events[noted]!.level).toBe('warn');
    // Recorded when it happened: while the step that replaced the lock was still running.
    expect(noted).toBeLessThan(kinds.indexOf('step.exited:replace'));
    expect(events.at(-1)).toMatchObject({ kind: 'run.finished', status: 'done' });
    // The other holder's lock is left to it.
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ runId: 'other' });
  });
});
