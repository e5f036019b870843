import { createDeclaredOutputs } from '../adapters/declared-outputs.js';
import { findTestFiles } from '../adapters/find-test-files.js';
import { readSource } from '../adapters/read-plan-input.js';
import { createScriptedPrompter, unattendedPolicyFor } from '../adapters/scripted-prompter.js';
import { createVirtualClock } from '../adapters/system-clock.js';
import { type Styles, stylesFor } from '../adapters/terminal-styles.js';
import { loadTestFileCheck } from '../adapters/test-file-schema.js';
import type { Plan } from '../core/model/plan-types.js';
import { InputError, type Problem, sortProblems, UsageError } from '../core/model/problem.js';
import type { RunEvent } from '../core/model/run-event.js';
import { formatPath, positionOf, type SourceDoc } from '../core/parse/source-doc.js';
import { unansweredQuestions } from '../core/plan/answer-steps.js';
import { caseProblems } from '../core/runbook-test/case-problems.js';
import { compareOutcome, type Difference } from '../core/runbook-test/compare-outcome.js';
import { observedRun } from '../core/runbook-test/observed-run.js';
import { readTestCases } from '../core/runbook-test/read-test-cases.js';
import type { TestCase } from '../core/runbook-test/test-case.js';
import { counted } from '../core/text/plural.js';
import { executeRun } from '../engine/execute-run.js';
import { ExitCode } from './exit-codes.js';
import { type LoadedPlan, loadPlanWithSources } from './load-plan.js';
import { type PlanOptions, planRequest } from './plan-options.js';

type TestOptions = PlanOptions & { tests?: string };

/** The plan a case runs: the command line's vars and selection, the case's own on top. */
function casePlan(file: string, options: TestOptions, testCase: TestCase, select: boolean): LoadedPlan {
  const vars = [...(options.var ?? []), ...Object.entries(testCase.vars).map(([k, v]) => `${k}=${v}`)];
  const only = select ? (testCase.only ?? options.only) : undefined;
  const skip = select ? (testCase.skip ?? options.skip) : undefined;
  return loadPlanWithSources(planRequest(file, { ...options, var: vars, only, skip, from: select ? options.from : undefined }));
}

/** A problem with a case's vars, told where the case gives them rather than on a command line nobody typed. */
function inCase(problem: Problem, testCase: TestCase, source: SourceDoc): Problem {
  if (problem.line !== 0) return problem;
  const name = /^--var ([^=]+)=/.exec(problem.path)?.[1];
  const at = name !== undefined && name in testCase.vars ? [...testCase.at, 'vars', name] : [...testCase.at];
  return { ...problem, ...positionOf(source, at, name !== undefined), path: formatPath(at) };
}

/** Every case of every test file, or every problem in them (file:line:column) as one InputError. */
function loadCases(file: string, options: TestOptions): TestCase[] {
  const schema = loadTestFileCheck();
  const problems: Problem[] = [];
  const cases: TestCase[] = [];
  for (const path of findTestFiles(file, options.tests)) {
    const read = readTestCases(readSource(path, 'the test file'), schema);
    problems.push(...read.problems);
    for (const testCase of read.cases) {
      const source = read.source as SourceDoc;
      let plan: Plan;
      try {
        // Its ids are checked against the whole runbook, before a selection leaves steps out.
        plan = casePlan(file, options, testCase, false).plan;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        problems.push(...error.problems.map((problem) => inCase(problem, testCase, source)));
        continue;
      }
      problems.push(...caseProblems(testCase, plan, source));
      cases.push(testCase);
    }
  }
  if (problems.length > 0) throw new InputError(sortProblems(problems));
  return cases;
}

/** What a case found: its differences, and how its run ended when it did not finish, which explains them. */
interface CaseResult {
  differences: Difference[];
  ended?: string;
}

/** Runs one case with the real engine over ports that execute nothing, and compares what happened with what it expects. */
async function runCase(loaded: LoadedPlan, testCase: TestCase): Promise<CaseResult> {
  const plan: Plan = loaded.plan;
  const answers = new Map(Object.entries(testCase.answers));
  try {
    unansweredQuestions(plan, answers);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { differences: [{ what: 'run', field: 'start', expected: 'the run starts', got: `it stops before its first step: ${error.message}` }] };
  }
  const events: RunEvent[] = [];
  const declared = createDeclaredOutputs(testCase.steps, testCase.items);
  const outcome = await executeRun(
    {
      runner: declared.runner,
      checks: declared.checks,
      prompter: createScriptedPrompter(unattendedPolicyFor(new Set(testCase.confirm))),
      sink: {
        emit(event) {
          declared.observe(event);
          events.push(event);
        },
      },
      clock: createVirtualClock(),
    },
    {
      runId: 'test',
      plan,
      // Secrets are never read for a test: a stand-in reaches each command, by name only as always.
      secrets: new Map(Object.keys(plan.secrets).map((name) => [name, `test-secret-${name}`])),
      stepsDir: loaded.stepsDir,
      nodePath: process.execPath,
      unattended: true,
      answers,
    },
  );
  const ids = plan.phases.flatMap((phase) => phase.steps.map((step) => step.id));
  const differences = compareOutcome(testCase, observedRun(ids, events, { status: outcome.status, message: outcome.message, stoppedAt: outcome.stoppedAt?.id }));
  return { differences, ended: outcome.status === 'done' ? undefined : `${outcome.status}${outcome.message ? `: ${outcome.message}` : ''}` };
}

function differenceLines(differences: Difference[], s: Styles): string {
  return differences.map((d) => `    ${d.what === 'run' ? 'run' : `step ${s.bold(d.what)}`} ${d.field}\n      expected: ${s.green(d.expected)}\n      got:      ${s.red(d.got)}\n`).join('');
}

/** `lifeboat test FILE`: runs the runbook's test cases in-process, nothing executed; exit 0 all pass, 1 one fails, 2 invalid input. */
export async function testCommand(file: string, options: TestOptions): Promise<number> {
  const out = stylesFor(process.stdout);
  // The runbook's own problems are reported before the tests' (exit 2).
  loadPlanWithSources(planRequest(file, options));
  const cases = loadCases(file, options);
  let failed = 0;
  for (const testCase of cases) {
    const { differences, ended } = await runCase(casePlan(file, options, testCase, true), testCase);
    if (differences.length === 0) process.stdout.write(`${out.green('✔')} ${testCase.name}\n`);
    else {
      failed += 1;
      // How the run ended explains a step not reached, unless a difference already says it.
      const told = differences.some((d) => d.what === 'run');
      const end = ended !== undefined && !told ? `    ${out.dim(`the run ended ${ended}`)}\n` : '';
      process.stdout.write(`${out.red('✖')} ${testCase.name} ${out.dim(`(${testCase.file}:${testCase.line})`)}\n${differenceLines(differences, out)}${end}`);
    }
  }
  const passed = cases.length - failed;
  process.stdout.write(`\n${counted(cases.length, 'case')}: ${passed} passed${failed ? `, ${out.red(`${failed} failed`)}` : ''}. Nothing was executed.\n`);
  return failed === 0 ? ExitCode.Ok : ExitCode.Failed;
}
