import { type Command, Option } from 'commander';
import type { PlanRequest } from '../adapters/read-plan-input.js';
import { UsageError } from '../core/model/problem.js';

/** Options every command that loads a runbook shares. */
export interface PlanOptions {
  var?: string[];
  vars?: string;
  inventory?: string;
  steps?: string;
  only?: string[];
  from?: string;
  skip?: string[];
}

/** Collects a repeatable option whose values may also be comma-separated. */
export const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];
const collectVar = (value: string, previous: string[] = []) => [...previous, value];

/** Adds --var, --vars, --steps and, when `select` is set, --only, --from and --skip. */
export function addPlanOptions(command: Command, select = true): Command {
  command
    .addOption(new Option('--var <key=value>', 'set a var (repeatable)').argParser(collectVar))
    .addOption(new Option('--vars <file>', 'read vars from a YAML file of name: value lines'))
    .addOption(new Option('--inventory <file>', "hosts (and vars) that replace the runbook's, e.g. a test lab"))
    .addOption(new Option('--steps <dir>', 'the step template folder (default: the nearest steps/ above the runbook)'));
  if (select) {
    command
      .addOption(new Option('--only <id>', 'only these phases or steps (repeatable, or comma-separated)').argParser(collect))
      .addOption(new Option('--from <step>', 'start at this step or phase, leaving out what comes before'))
      .addOption(new Option('--skip <id>', 'leave out these phases or steps (repeatable, or comma-separated)').argParser(collect));
  }
  return command;
}

/** Turns parsed options into a plan request, checking each --var is key=value. */
export function planRequest(file: string, options: PlanOptions): PlanRequest {
  const vars = (options.var ?? []).map((entry): [string, string] => {
    const at = entry.indexOf('=');
    if (at <= 0) {
      throw new UsageError(`--var ${entry}: expected key=value`, { expected: 'key=value, e.g. --var pool=tank', received: entry });
    }
    return [entry.slice(0, at), entry.slice(at + 1)];
  });
  return {
    file,
    vars,
    varsFile: options.vars,
    inventory: options.inventory,
    stepsDir: options.steps,
    selection: options.only || options.from || options.skip ? { only: options.only, from: options.from, skip: options.skip } : undefined,
  };
}
