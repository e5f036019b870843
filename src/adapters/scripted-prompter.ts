import type { AskOutput } from '../core/machine/machine-setup.js';
import type { PlanStep, Question } from '../core/model/plan-types.js';
import type { FailureInfo, PromptContext, Prompter } from '../ports/prompter.js';

/** How a scripted prompter answers each menu. */
export interface PromptPolicy {
  before(step: PlanStep, context: PromptContext): AskOutput;
  failure(step: PlanStep, failure: FailureInfo, context: PromptContext): AskOutput;
  interrupted(step: PlanStep, info: FailureInfo): AskOutput;
  confirm(step: PlanStep, word: string | undefined): boolean;
  /** An ask step's answer; without one the question's default, else nobody can answer. */
  ask?(step: PlanStep, question: Question): string | undefined;
}

/** A prompter that answers by policy, with no person: `--yes` runs, rehearsals and tests. */
export function createScriptedPrompter(policy: PromptPolicy, by: Prompter['by'] = 'unattended'): Prompter {
  return {
    by,
    beforeStep: async (step, context) => policy.before(step, context),
    afterFailure: async (step, failure, context) => policy.failure(step, failure, context),
    afterInterruption: async (step, info) => policy.interrupted(step, info),
    // Unattended, a command left running is waited for: killing it is a person's decision.
    stillRunning: async () => 'wait',
    confirm: async (step, word) => policy.confirm(step, word),
    ask: async (step, question) => {
      const answer = policy.ask?.(step, question) ?? question.default;
      if (answer === undefined) throw new Error(`nobody is here to answer ${step.position} ${step.title}: give it with --answer ${step.id}=VALUE`);
      return answer;
    },
  };
}

/**
 * `--yes`: run every step; a manual step does what its `unattended` says; a failure stops the run.
 * A `confirm: true` step is accepted (and the record says nobody was asked); a typed confirmation
 * is given only to the steps in `confirmed` (named with `--confirm`): the run stops before any other.
 */
export function unattendedPolicyFor(confirmed: ReadonlySet<string>): PromptPolicy {
  return { ...unattendedPolicy, confirm: (step) => step.confirm?.kind !== 'typed' || confirmed.has(step.id) };
}

/** `--yes` with no step named by `--confirm`: typed confirmations stop the run. */
export const unattendedPolicy: PromptPolicy = {
  before(step) {
    if (step.action.kind !== 'manual') return { choice: 'run' };
    if (step.unattended === 'verify') return { choice: 'run', reason: 'unattended: checks decide' };
    if (step.unattended === 'skip') return { choice: 'skip', reason: 'manual step skipped unattended' };
    return {
      choice: 'abort',
      reason: `manual step ${step.position} needs a person: run without --yes, or give it \`unattended: verify\` (its checks decide) or \`unattended: skip\``,
    };
  },
  failure: (_step, failure) => ({ choice: 'abort', reason: failure.summary }),
  interrupted: (step, info) =>
    step.idempotent
      ? { choice: 'retry', reason: 'idempotent: run again after the interruption' }
      : {
          choice: 'abort',
          reason:
            `${step.position} ${step.id} was interrupted while it ran and its checks do not show it done (${info.summary}); ` +
            'it is not marked idempotent, so it is not run again unattended. Check it by hand, then resume without --yes to run it again, mark it done or skip it',
        },
  confirm: (step) => step.confirm?.kind !== 'typed',
};

/** `--dry-run`: walk every step; a step whose probes fail is recorded as blocked and passed over. */
export const rehearsalPolicy: PromptPolicy = {
  before: () => ({ choice: 'run' }),
  failure: (_step, failure) => ({ choice: 'skip', reason: `blocked: ${failure.summary}` }),
  interrupted: () => ({ choice: 'retry' }),
  confirm: () => true,
};

/** One scripted answer: for a menu, optionally for a given step. */
export type ScriptedAnswer =
  | { menu: 'before' | 'failure' | 'interrupted'; step?: string; choice: AskOutput['choice']; reason?: string }
  | { menu: 'confirm'; step?: string; confirmed: boolean }
  | { menu: 'ask'; step?: string; answer: string };

/** Answers from a list, in order, failing loudly when the run asks something unexpected (for tests). */
export function answersPolicy(answers: ScriptedAnswer[], fallback: PromptPolicy = unattendedPolicy): PromptPolicy {
  const queue = [...answers];
  const next = (menu: ScriptedAnswer['menu'], step: PlanStep) => {
    const answer = queue[0];
    if (!answer || answer.menu !== menu || (answer.step !== undefined && answer.step !== step.id)) return undefined;
    return queue.shift();
  };
  return {
    before(step, context) {
      const a = next('before', step);
      return a && 'choice' in a ? { choice: a.choice, reason: a.reason } : fallback.before(step, context);
    },
    failure(step, failure, context) {
      const a = next('failure', step);
      return a && 'choice' in a ? { choice: a.choice, reason: a.reason } : fallback.failure(step, failure, context);
    },
    interrupted(step, info) {
      const a = next('interrupted', step);
      return a && 'choice' in a ? { choice: a.choice, reason: a.reason } : fallback.interrupted(step, info);
    },
    confirm(step, word) {
      const a = next('confirm', step);
      return a && 'confirmed' in a ? a.confirmed : fallback.confirm(step, word);
    },
    ask(step, question) {
      const a = next('ask', step);
      return a && 'answer' in a ? a.answer : fallback.ask?.(step, question);
    },
  };
}
