import type { Plan } from '../model/plan-types.js';
import type { Problem } from '../model/problem.js';
import { formatPath, positionOf, type SourceDoc } from '../parse/source-doc.js';
import type { YamlPath } from '../parse/yaml-path.js';
import { answerProblem } from '../resolve/resolve-capture.js';
import { didYouMean } from '../validate/suggest.js';
import { EXPECTED_ITEM_STATUSES, EXPECTED_STEP_STATUSES, type TestCase } from './test-case.js';

/**
 * What a case names that the runbook does not have: a step id it pretends or expects, an answer
 * for a step that asks nothing (or one its question does not take), a confirmation or selection
 * of an unknown id. A typo here would otherwise make a case pass for the wrong reason.
 */
export function caseProblems(testCase: TestCase, plan: Plan, source: SourceDoc): Problem[] {
  const steps = new Map(plan.phases.flatMap((phase) => phase.steps.map((step) => [step.id, step] as const)));
  const ids = [...steps.keys()];
  const problems: Problem[] = [];
  const at = (path: YamlPath, key: boolean) => ({ ...positionOf(source, [...testCase.at, ...path], key), path: formatPath([...testCase.at, ...path]) });
  const unknown = (id: string, path: YamlPath, key: boolean, candidates = ids) => {
    problems.push({
      ...at(path, key),
      message: `no step \`${id}\` in ${plan.name}`,
      expected: 'the id of one of its steps',
      received: `\`${id}\``,
      hint: didYouMean(id, candidates) ?? 'the ids are in `lifeboat plan FILE`',
    });
  };
  // Items are a foreach step's: pretended or expected of any other step, they would never be looked at.
  const noItems = (id: string, path: YamlPath) => {
    const step = steps.get(id);
    if (step && !step.foreach)
      problems.push({ ...at(path, true), message: `step \`${id}\` has no items`, expected: 'items: under a foreach step', received: `items: under \`${id}\`, a step without foreach` });
  };
  for (const id of Object.keys(testCase.steps)) if (!steps.has(id)) unknown(id, ['steps', id], true);
  for (const id of Object.keys(testCase.items)) noItems(id, ['steps', id, 'items']);
  for (const [id, expectation] of Object.entries(testCase.expect.steps)) {
    if (!steps.has(id)) unknown(id, ['expect', 'steps', id], true);
    if (expectation.items !== undefined) noItems(id, ['expect', 'steps', id, 'items']);
    for (const [key, item] of Object.entries(expectation.items ?? {})) {
      if (item.status !== undefined && !EXPECTED_ITEM_STATUSES.includes(item.status)) {
        problems.push({
          ...at(['expect', 'steps', id, 'items', key], false),
          message: `invalid status for item \`${key}\` of \`${id}\``,
          expected: EXPECTED_ITEM_STATUSES.join(', '),
          received: JSON.stringify(item.status),
          hint: didYouMean(item.status, EXPECTED_ITEM_STATUSES),
        });
      }
    }
    // Written alone, a status is a plain string to the schema (a map may stand there too): checked here.
    const status = expectation.status;
    if (status !== undefined && !EXPECTED_STEP_STATUSES.includes(status)) {
      problems.push({
        ...at(['expect', 'steps', id], false),
        message: `invalid status for \`${id}\``,
        expected: EXPECTED_STEP_STATUSES.join(', '),
        received: JSON.stringify(status),
        hint: didYouMean(status, EXPECTED_STEP_STATUSES),
      });
    }
  }
  for (const [id, answer] of Object.entries(testCase.answers)) {
    const step = steps.get(id);
    if (!step) unknown(id, ['answers', id], true);
    else if (step.action.kind !== 'ask') problems.push({ ...at(['answers', id], true), message: `step \`${id}\` asks no question`, expected: 'the id of an ask step', received: `\`${id}\`` });
    else {
      const why = answerProblem(step.action.question, answer);
      if (why) {
        const { choices, pattern } = step.action.question;
        const expected = choices ? `one of ${choices.join(', ')}` : `an answer matching /${pattern}/`;
        problems.push({ ...at(['answers', id], false), message: `answer for \`${id}\`: ${why}`, expected, received: JSON.stringify(answer) });
      }
    }
  }
  testCase.confirm.forEach((id, i) => {
    if (!steps.has(id)) unknown(id, ['confirm', i], false);
  });
  const selectable = [...ids, ...plan.phases.map((phase) => phase.id)];
  for (const key of ['only', 'skip'] as const) {
    testCase[key]?.forEach((id, i) => {
      if (!selectable.includes(id)) unknown(id, [key, i], false, selectable);
    });
  }
  return problems;
}
