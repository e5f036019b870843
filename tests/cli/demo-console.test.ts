import { afterEach, describe, expect, it } from 'vitest';
import { BIN, lifeboat, ROOT } from '../helpers/cli.js';
import { eventsOf, readOnlyJournal, type Workspace, workspace } from '../helpers/run-fixtures.js';
import { requireTmux, sh, TmuxSession } from '../helpers/tmux.js';

/**
 * The demo runbook walked in a real terminal at the size of an IPMI console (80x24) and at
 * 120x40: a skip with a reason, a failure, a shell that fixes it, a retry, an abort with a
 * reason. The screen must name the step in each question and never wrap a result line; the
 * journal must hold the shell, the waiting and the abort's reason.
 */

let session: TmuxSession | undefined;
let space: Workspace | undefined;

afterEach(() => {
  session?.kill();
  session = undefined;
  space?.cleanup();
  space = undefined;
});

for (const [width, height] of [
  [80, 24],
  [120, 40],
] as const) {
  describe(`the demo at ${width}x${height}`, () => {
    it('skip, failure, shell, retry and abort: said on screen, kept in the journal', async () => {
      requireTmux();
      const w = workspace('lifeboat-console-');
      space = w;
      const lab = w.path('lab');
      const exitFile = w.path('exit-code');
      const args = ['node', BIN, 'run', `${ROOT}runbooks/demo.yaml`, '--logs', w.logs, '--var', `lab=${lab}`];
      const tmux = TmuxSession.start(`cd ${sh(w.dir)} && ${args.map(sh).join(' ')}; echo $? > ${sh(exitFile)}`, { width, height, env: { SHELL: '/bin/sh' } });
      session = tmux;
      // Each question names its step; the history line of the step before it is printed first.
      const answer = async (question: string, choice: string) => {
        await tmux.waitForText(`? ${question}`, 60_000);
        await tmux.choose(choice, 60_000);
      };

      await answer('1.1 Stage last night', 'Run');
      await answer('2.1 Power on the core switch — what now?', 'Done: check it');
      await answer('2.2 Switch the router', 'Run');
      let screen = await tmux.waitForText('? 2.3 Wait for the router to boot — what now?', 60_000);
      // A wait step says what it waits for, not that an exit code decides.
      expect(screen).toContain('wait until its checks pass (up to 1m)');
      await tmux.choose('Run');
      await answer('2.4 Router: bring the LAN interface lan0 up', 'Skip…');
      await tmux.waitForText('Why skip this step?');
      tmux.type('lan0 comes later');
      tmux.press('Enter');
      await answer('2.5 Router: switch IP forwarding', 'Run');
      await answer('3.1 Put the NAS', 'Run');
      await answer('3.2 Router: start Unbound', 'Run');

      // Unbound fails (lan0 is down): the failure menu names the step too.
      screen = await tmux.waitForText(/\? 3\.2 Router: start Unbound.* — what now\?\n❯ Retry/, 60_000);
      await tmux.choose('Open a shell');
      await tmux.waitForText('Exit it to come back to this step');
      tmux.type(`echo up > ${lab}/router/link/lan0; exit 3`);
      tmux.press('Enter');
      screen = await tmux.waitForText(/Back from the shell on this machine after \S+ \(exit 3\)/, 30_000);
      await tmux.choose('Retry');
      await answer('3.3 ', 'Abort');
      await tmux.waitForText('Why abort?');
      tmux.type('enough for today');
      tmux.press('Enter');
      screen = await tmux.waitForText('Run log:', 30_000);
      expect(Number(await tmux.waitForFile(exitFile))).toBe(1);

      // The skip's reason is said once; the precheck of a step is not printed above its card.
      expect(screen.match(/why: lan0 comes later/g)).toHaveLength(1);
      expect(screen).not.toContain('skip: lan0 comes later');
      expect(screen).toContain('stopped by the operator: enough for today');
      // The closing summary: wall time, active time with the waiting, the target not judged on an unfinished run.
      expect(screen).toMatch(/elapsed\s+\S+ since the run started/);
      expect(screen).toMatch(/active\s+\S+, of which \S+ waiting for the operator/);
      expect(screen).toMatch(/target\s+RTO 10m \(the run did not finish\)/);
      expect(screen).toMatch(/2 Network: \S+ · RTO 2m ✔ within/);
      expect(screen).toMatch(/Follow up:/);
      expect(screen).toMatch(/! 2\.4 .*skipped: lan0 comes later/);
      expect(screen).toMatch(/! 3\.2 Router: start Unbound[\s\S]{0,60}shell on\s+this\s+machine/);
      expect(screen).not.toMatch(/(not yet|precheck not met): .*\n+Lifeboat · homelab-demo/);
      expect(screen).toMatch(/step 2\.2 of 5[\s\S]*2\.2 Switch the router.* — what now\? Run\n {2}· precheck not met: the router has booted\n/);
      // Every result line fits the console: a duration is never split over two rows.
      const rows = tmux.captureRows();
      const history = rows.filter((r) => /^[✔✖↷] \d\.\d /.test(r) && !r.includes(' — what now?') && !r.includes(' failed: '));
      expect(history.length).toBeGreaterThanOrEqual(7);
      for (const row of history) expect(row).toMatch(/(\d+ms|\d+\.\ds|\dm( \d\ds)?|already done|skipped|run goes on)\s*$/);
      // The failure card keeps what failed and its duration on the row that names the step.
      const cards = rows.filter((r) => /^✖ 3\.2 .* failed: /.test(r));
      expect(cards.length).toBeGreaterThanOrEqual(2);
      for (const row of cards) expect(row).toMatch(/failed: its \d+-line command exited 1 after \d+ms$/);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(width);
      // The step card's header never wraps (joined, a wrapped line would be longer than the console).
      const joined = tmux.capture().split('\n');
      const headers = joined.filter((l) => /^(Lifeboat · homelab-demo|Phase \d\/7 )/.test(l));
      expect(headers.length).toBeGreaterThanOrEqual(16);
      for (const line of headers) expect([...line].length, line).toBeLessThan(width);
      for (const line of joined.filter((l) => l.startsWith('Phase '))) expect(line).toMatch(/▸ step \d\.\d of \d +elapsed \d\d:\d\d:\d\d$/);
      // No duration is cut where the terminal wrapped a row (`214m` / `s`).
      const cut = rows.flatMap((r, i) => ([...r].length === width && /\d(\.\d+)?m?$/.test(r) && /^m?s\b/.test(rows[i + 1] ?? '') ? [`${r}⏎${rows[i + 1]}`] : []));
      expect(cut).toEqual([]);

      const { events } = readOnlyJournal(w.logs);
      const [opened] = eventsOf(events, 'shell.opened', 'unbound');
      const [closed] = eventsOf(events, 'shell.closed', 'unbound');
      expect(opened).toMatchObject({ where: 'this machine' });
      expect(closed).toMatchObject({ where: 'this machine', exitCode: 3 });
      expect(typeof closed!.durationMs).toBe('number');
      const retry = eventsOf(events, 'operator.choice', 'unbound').find((e) => e.choice === 'retry')!;
      expect(retry.waitedMs).toBeGreaterThan(0);
      const done = eventsOf(events, 'step.finished', 'unbound')[0]!;
      expect(done).toMatchObject({ status: 'done', attempts: 2 });
      expect(done.waitedMs).toBeGreaterThan(0);
      expect(eventsOf(events, 'operator.choice').at(-1)).toMatchObject({ choice: 'abort', reason: 'stopped by the operator: enough for today' });
      expect(eventsOf(events, 'step.finished', 'router-lan')[0]).toMatchObject({ status: 'skipped', reason: 'lan0 comes later' });

      // `logs list` fits the same console: no line wraps.
      tmux.kill();
      const list = TmuxSession.start(`${['node', BIN, 'logs', 'list', '--logs', w.logs].map(sh).join(' ')}`, { width, height });
      session = list;
      const listed = await list.waitForText(/aborted/, 30_000);
      expect(listed).toContain('homelab-demo');
      for (const line of listed.split('\n')) expect([...line].length, line).toBeLessThan(width);
    });
  });
}

describe('the terminal closed under a question', () => {
  it('records the run as interrupted (not running, not aborted), and logs list says so', async () => {
    requireTmux();
    const w = workspace('lifeboat-hangup-');
    space = w;
    const args = ['node', BIN, 'run', `${ROOT}runbooks/demo.yaml`, '--logs', w.logs, '--var', `lab=${w.path('lab')}`];
    const tmux = TmuxSession.start(`cd ${sh(w.dir)} && ${args.map(sh).join(' ')}`, { width: 80, height: 24 });
    session = tmux;
    await tmux.waitForText('? 1.1 Stage last night', 60_000);
    await tmux.choose('Run', 60_000);
    await tmux.waitForText('? 2.1 Power on the core switch — what now?', 60_000);
    // The terminal goes away (an ssh session dropped, a console closed): input ends, SIGHUP follows.
    tmux.kill();
    session = undefined;
    const deadline = Date.now() + 30_000;
    let runs: Array<{ runId: string; status: string; step?: string }> = [];
    while (Date.now() < deadline) {
      const list = await lifeboat(['logs', 'list', '--json', '--logs', w.logs]);
      runs = JSON.parse(list.stdout).runs;
      if (runs[0]?.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'interrupted', step: 'power-on-switch' });
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'run.finished')).toHaveLength(1);
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'interrupted', stoppedAt: 'power-on-switch' });
  });
});
