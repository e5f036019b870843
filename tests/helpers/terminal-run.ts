import { afterEach } from 'vitest';
import { BIN } from './cli.js';
import { runArgs, type Workspace, workspace } from './run-fixtures.js';
import { requireTmux, sh, TmuxSession } from './tmux.js';

/** A `lifeboat run` of a fixture in a real terminal: its workspace, its tmux session, and the file its exit code is written to. */
export interface TerminalRun {
  w: Workspace;
  tmux: TmuxSession;
  exitFile: string;
}

/** How to start one: extra arguments, the terminal's size, and words put before the command (`env -u NO_COLOR`). */
export interface TerminalRunOptions {
  args?: string[];
  width?: number;
  height?: number;
  prefix?: string;
}

/**
 * Starts `lifeboat run` of a fixture in a real terminal (tmux), one per test; the session and the
 * workspace of each test are removed after it.
 */
export function terminalRuns(workspacePrefix: string): (fixture: string, options?: TerminalRunOptions) => TerminalRun {
  let open: TerminalRun | undefined;
  afterEach(() => {
    open?.tmux.kill();
    open?.w.cleanup();
    open = undefined;
  });
  return (fixture, options = {}) => {
    requireTmux();
    const w = workspace(workspacePrefix);
    const exitFile = w.path('exit-code');
    const run = ['node', BIN, ...runArgs(w, fixture, ...(options.args ?? []))].map(sh).join(' ');
    const tmux = TmuxSession.start(`cd ${sh(w.dir)} && ${options.prefix ? `${options.prefix} ` : ''}${run}; echo $? > ${sh(exitFile)}`, {
      width: options.width ?? 100,
      height: options.height ?? 40,
    });
    open = { w, tmux, exitFile };
    return open;
  };
}
