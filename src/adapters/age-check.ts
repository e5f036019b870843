import type { Check } from '../core/model/plan-types.js';
import { judgeAge } from '../core/readiness/age-measure.js';
import { newestTime } from '../core/readiness/age-times.js';
import { createMasker } from '../core/secrets/secret-masker.js';
import { displayText, renderShell, revealWith, secretEnvFor } from '../core/shell/rendered.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import type { CheckResult } from '../ports/check-runner.js';
import type { CommandRunner } from '../ports/command-runner.js';
import { TAIL_CHARS } from './run-process.js';

type AgeCheck = Extract<Check, { kind: 'age' }>;

/**
 * The script that prints the mtime (epoch seconds) of every file a glob matches. The glob is one
 * quoted word, assigned and then expanded only as a pattern (IFS empty: no word splitting), so its
 * text is never parsed as shell code, here or on the host.
 */
export function mtimesScript(glob: string): string {
  return [`set -- ${shellQuote(glob)}`, 'IFS=', 'shopt -s nullglob', 'set -- $1', '[ $# -gt 0 ] || exit 0', 'stat -L -c %Y -- "$@" 2>/dev/null', 'exit 0'].join('\n');
}

function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs an `age` check: on its host (over the runner's ssh) or locally, and judges the newest time found against max_age. */
export async function runAgeCheck(
  check: AgeCheck,
  runner: CommandRunner,
  secrets: ReadonlyMap<string, string>,
  signal: AbortSignal | undefined,
  now: () => number = Date.now,
): Promise<Omit<CheckResult, 'durationMs'>> {
  const { source } = check;
  // What is shown of the output (an excerpt, a quoted line) comes from the masked output, never from stdout as printed.
  const mask = createMasker(secrets).mask;
  // stdout cut at its 64 KiB may begin inside a secret: the output masked before its cut is shown then.
  const shownOf = (result: { stdout: string; output: string }) => (result.stdout.length >= TAIL_CHARS ? result.output : mask(result.stdout));
  let output: string;
  let shown: string;
  if (source.kind === 'path') {
    const glob = revealWith(secrets)(source.glob);
    const result = await runner.run({ script: mtimesScript(glob), host: check.host, env: {}, timeoutMs: check.timeoutMs }, { signal });
    if (result.error) return { ok: false, reason: result.error };
    if (result.timedOut) return { ok: false, reason: `timed out after ${Math.round(check.timeoutMs / 1000)}s listing ${displayText(source.glob)}` };
    if (result.exitCode !== 0) return { ok: false, reason: `could not list ${displayText(source.glob)} (exited ${result.exitCode ?? result.signal})`, output: tail(result.output) };
    if (!result.stdout.trim()) return { ok: false, reason: `nothing matches ${displayText(source.glob)}${check.host ? ` on ${check.host.name}` : ''}: no backup found` };
    output = result.stdout;
    shown = shownOf(result);
  } else {
    const { script, secrets: names } = renderShell(source.command);
    const result = await runner.run({ script, host: check.host, env: secretEnvFor(secrets, names), timeoutMs: check.timeoutMs }, { signal });
    if (result.error) return { ok: false, reason: result.error, output: tail(result.output) };
    if (result.timedOut) return { ok: false, reason: `timed out after ${Math.round(check.timeoutMs / 1000)}s`, output: tail(result.output) };
    if (result.exitCode !== 0) return { ok: false, reason: `exited ${result.exitCode ?? result.signal}`, output: tail(result.output) };
    output = result.stdout;
    shown = shownOf(result);
  }
  const newest = newestTime(output);
  if (!newest.ok) {
    const said = newestTime(shown);
    return { ok: false, reason: said.ok ? newest.reason : said.reason, output: tail(shown) };
  }
  const { measured, failure } = judgeAge(newest.newestMs, check.maxAgeMs, now());
  return failure ? { ok: false, reason: failure, measured } : { ok: true, measured };
}
