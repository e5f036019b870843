import { fromPromise } from 'xstate';
import { BindError } from '../core/capture/bind-captures.js';
import type { StepInput, StepOutput } from '../core/machine/machine-setup.js';
import type { HostRef } from '../core/model/plan-types.js';
import { displayText, renderShell, revealWith, secretEnvFor } from '../core/shell/rendered.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import { askValue } from './ask-value.js';
import type { BoundStep } from './bound-steps.js';
import { runCommand } from './run-command.js';
import type { RunDeps } from './run-deps.js';
import { waitUntil } from './wait-until.js';

// A script reaches its host itself: it gets the inventory's settings for ssh.
function hostEnv(host: HostRef | undefined): Record<string, string> {
  if (!host) return {};
  return {
    LIFEBOAT_HOST: host.name,
    LIFEBOAT_SSH: host.ssh,
    ...(host.port ? { LIFEBOAT_SSH_PORT: String(host.port) } : {}),
    ...(host.identity ? { LIFEBOAT_SSH_IDENTITY: host.identity } : {}),
    ...(host.knownHosts ? { LIFEBOAT_SSH_KNOWN_HOSTS: host.knownHosts } : {}),
  };
}

/** The runStep actor: one attempt of a step's action (its number is the machine's count of attempts). */
export function runStepActor(deps: RunDeps) {
  return fromPromise<StepOutput, StepInput>(async ({ input }) => {
    const attempt = deps.stepContext(input.step)?.record.attempts ?? 1;
    let bound: BoundStep;
    try {
      bound = deps.bind(deps.stepOf(input.step));
    } catch (error) {
      // A captured value that cannot stand where it is used: the command is not run at all.
      if (!(error instanceof BindError)) throw error;
      return { ok: false, reason: error.message, failure: { summary: error.message, tail: [] } };
    }
    return runBound(deps, bound, attempt);
  });
}

/** What a run or script step runs: the bash text, its environment and the command as shown; undefined for other kinds. */
export function commandOf(deps: RunDeps, bound: BoundStep): { script: string; env: Record<string, string>; shown: string } | undefined {
  const { settings } = deps;
  const { step, secrets: known } = bound;
  const reveal = revealWith(known);
  const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, reveal(v)]));
  const action = step.action;
  if (action.kind === 'run') {
    const { script, secrets } = renderShell(action.command);
    return { script, env: { ...env, ...secretEnvFor(known, secrets) }, shown: displayText(action.command) };
  }
  if (action.kind !== 'script') return undefined;
  const path = `${settings.stepsDir}/${action.script}`;
  const args = action.args.map((a) => shellQuote(reveal(a))).join(' ');
  const runner = (settings.scriptRunner ?? [settings.nodePath]).map(shellQuote).join(' ');
  const script = `exec ${runner} ${shellQuote(path)}${args ? ` ${args}` : ''}`;
  const shown = `zx ${action.script}${action.args.length ? ` ${action.args.map(displayText).join(' ')}` : ''}`;
  return { script, env: { ...env, ...hostEnv(step.host) }, shown };
}

/** One attempt of a step whose captured values are put in. */
async function runBound(deps: RunDeps, bound: BoundStep, attempt: number): Promise<StepOutput> {
  const { step, secrets: known } = bound;
  const action = step.action;
  switch (action.kind) {
    case 'run':
    case 'script': {
      const { script, env, shown } = commandOf(deps, bound)!;
      return runCommand(deps, step, attempt, script, env, shown);
    }
    case 'wait':
      return waitUntil(deps, step, action, attempt);
    case 'ask':
      return askValue(deps, step, action.question, attempt, revealWith(known));
    case 'manual':
      return { ok: true };
  }
}
