import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the interactive tests cannot run without tmux, and how to get it. */
export const TMUX_MISSING =
  'tmux is not installed, and the interactive `lifeboat run` tests drive a real terminal with it. ' +
  '.ci/run installs it (apt-get install tmux); on your machine: `sudo apt-get install tmux` (or brew install tmux).';

/** Fails (never skips) when tmux is missing. */
export function requireTmux(): void {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(TMUX_MISSING);
}

/** Quotes one word for sh. */
export function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One tmux server (on its own socket, in its own temp folder, so parallel tests never meet)
 * with one session running one command in a real terminal of `width` x `height`.
 */
export class TmuxSession {
  private constructor(
    readonly socket: string,
    readonly name: string,
    private readonly dir: string,
  ) {}

  /** Starts `command` (a sh command line) in a detached session; the pane stays after it exits. */
  static start(command: string, options: { width?: number; height?: number; env?: Record<string, string> } = {}): TmuxSession {
    requireTmux();
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-tmux-'));
    const session = new TmuxSession(join(dir, 'sock'), 'lifeboat', dir);
    const { width = 120, height = 40 } = options;
    session.tmux(
      ['-f', '/dev/null', 'new-session', '-d', '-s', session.name, '-x', String(width), '-y', String(height), command, ';', 'set-option', '-t', session.name, 'remain-on-exit', 'on'],
      options.env,
    );
    return session;
  }

  private tmux(args: string[], env?: Record<string, string>): string {
    const result = spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** The screen and its scrollback as plain text (no colours), lines joined where they wrapped. */
  capture(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-2000', '-t', this.name]);
  }

  /** The screen and its scrollback row by row, as the terminal shows them: wrapped lines stay wrapped. */
  captureRows(): string[] {
    return this.tmux(['capture-pane', '-p', '-S', '-2000', '-t', this.name]).split('\n');
  }

  /** Presses keys by tmux name: Enter, Down, Up, C-c, BSpace… */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /**
   * Polls the screen until `what` shows (text or pattern, in the screen after `after` chars), and
   * returns the screen. Fails with the screen when it has not shown within `timeoutMs`: a bound on
   * waiting, not a measurement.
   */
  async waitForText(what: string | RegExp, timeoutMs = 20_000, after = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      const tail = screen.slice(after);
      if (typeof what === 'string' ? tail.includes(what) : what.test(tail)) return screen;
      if (Date.now() > deadline) {
        throw new Error(`gave up after ${timeoutMs / 1000}s waiting for ${String(what)} on the terminal, which shows:\n${screen.replace(/\n+$/, '')}`);
      }
      await sleep(100);
    }
  }

  /** The menu line the cursor (❯) is on, in the latest menu on screen. */
  highlighted(): string | undefined {
    const lines = this.capture()
      .split('\n')
      .filter((l) => /^❯ /.test(l));
    return lines.at(-1)?.slice(2).trim();
  }

  /** The entries of the latest open select menu (after the last `? ` question), in screen order. */
  menuEntries(): string[] {
    const lines = this.capture().split('\n');
    const question = lines.map((l) => /^\? /.test(l)).lastIndexOf(true);
    if (question < 0) return [];
    const entries: string[] = [];
    for (const line of lines.slice(question + 1)) {
      if (!/^[❯ ] \S/.test(line)) break;
      entries.push(line.slice(2).trim());
    }
    return entries;
  }

  /**
   * Moves through a select menu, a key at a time as a person would (down, or up when `label` is
   * above the cursor), until `label` is highlighted, then presses Enter.
   */
  async choose(label: string, timeoutMs = 20_000): Promise<void> {
    await this.waitForText(/^❯ /m, timeoutMs);
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const current = this.highlighted();
      if (current === label) {
        this.press('Enter');
        return;
      }
      seen.push(String(current));
      const entries = this.menuEntries();
      const up = entries.includes(label) && current !== undefined && entries.indexOf(label) < entries.indexOf(current);
      this.press(up ? 'Up' : 'Down');
      const deadline = Date.now() + timeoutMs;
      while (this.highlighted() === current) {
        if (Date.now() > deadline) throw new Error(`the menu did not move from ${current} towards ${label}:\n${this.capture()}`);
        await sleep(50);
      }
    }
    throw new Error(`no menu entry ${label}; went through: ${seen.join(', ')}\n${this.capture()}`);
  }

  /** Waits for a file (such as the exit-code file the command writes) and returns its trimmed text. */
  async waitForFile(path: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000}s waiting for ${path}; the terminal shows:\n${this.capture()}`);
      await sleep(100);
    }
    return readFileSync(path, 'utf8').trim();
  }

  /** Stops the server (and with it whatever still runs in the session) and removes the socket folder. */
  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
