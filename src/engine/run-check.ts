import type { Check } from '../core/plan-types.js';
import { renderShell, renderText, type Rendered } from '../core/rendered.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { Probe } from '../ports/probe.js';

/** The result of one check: passed, or why not (with the output that shows it). */
export interface CheckResult {
  ok: boolean;
  reason?: string;
  output?: string;
  durationMs: number;
}

/** What a check needs to run: effects, and how to reveal secrets and pass them to commands. */
export interface CheckDeps {
  runner: CommandRunner;
  probe: Probe;
  reveal: (rendered: Rendered) => string;
  secretEnv: (names: string[]) => Record<string, string>;
  now: () => number;
  signal?: AbortSignal;
}

function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs one check through the ports; never throws for a failing check, only reports it. */
export async function runCheck(check: Check, deps: CheckDeps): Promise<CheckResult> {
  const started = deps.now();
  const done = (ok: boolean, reason?: string, output?: string): CheckResult => ({ ok, reason, output, durationMs: deps.now() - started });
  try {
    switch (check.kind) {
      case 'run': {
        const { script, secrets } = renderShell(check.command);
        const result = await deps.runner.run(
          { script, host: check.host, env: deps.secretEnv(secrets), timeoutMs: check.timeoutMs },
          { signal: deps.signal },
        );
        if (result.error) return done(false, result.error, tail(result.output));
        if (result.timedOut) return done(false, `timed out after ${check.timeoutMs}ms`, tail(result.output));
        if (result.exitCode !== check.exit) return done(false, `exited ${result.exitCode ?? result.signal}, expected ${check.exit}`, tail(result.output));
        if (check.stdout !== undefined && !new RegExp(check.stdout, 'm').test(result.stdout)) {
          return done(false, `output does not match /${check.stdout}/`, tail(result.output));
        }
        return done(true);
      }
      case 'tcp': {
        const target = deps.reveal(check.target);
        const at = target.lastIndexOf(':');
        const host = target.slice(0, at).replace(/^\[|\]$/g, '');
        const port = Number(target.slice(at + 1));
        if (at < 0 || !Number.isInteger(port)) return done(false, `not host:port: ${target}`);
        await deps.probe.tcp(host, port, check.timeoutMs);
        return done(true);
      }
      case 'http': {
        const status = await deps.probe.http(deps.reveal(check.url), check.timeoutMs);
        return status === check.status ? done(true) : done(false, `answered ${status}, expected ${check.status}`);
      }
      case 'dns': {
        const answers = await deps.probe.dns(deps.reveal(check.name), check.type, check.server ? deps.reveal(check.server) : undefined, check.timeoutMs);
        const expected = check.expect.map((e) => deps.reveal(e));
        const missing = expected.filter((e) => !answers.includes(e));
        if (answers.length === 0) return done(false, 'no answer');
        if (missing.length) return done(false, `answered ${answers.join(', ')}, expected ${expected.join(', ')}`);
        return done(true);
      }
      case 'path': {
        const exists = await deps.probe.pathExists(deps.reveal(check.path));
        return exists === check.exists ? done(true) : done(false, check.exists ? 'does not exist' : 'exists');
      }
    }
  } catch (error) {
    return done(false, (error as Error).message);
  }
}

/** Reveals secrets in non-shell text. */
export function revealWith(secrets: ReadonlyMap<string, string>): (rendered: Rendered) => string {
  return (rendered) => renderText(rendered, (name) => secrets.get(name) ?? '');
}
