import { describe, expect, it } from 'vitest';
import { loadTestFileCheck } from '../../src/adapters/test-file-schema.js';
import { formatProblem } from '../../src/core/model/problem.js';
import { caseProblems } from '../../src/core/runbook-test/case-problems.js';
import { readTestCases } from '../../src/core/runbook-test/read-test-cases.js';
import { oneStep } from '../helpers/engine-drive.js';

// Reading a runbook test file: its schema, then the ids it names, every problem at file:line:column.

const read = (text: string) => readTestCases({ path: 'rb.tests.yaml', text }, loadTestFileCheck());

const PLAN = oneStep(`      - id: pick
        ask: Which node?
        choices: [pve1, pve2]
      - id: info
        run: pvecm nodes
        capture:
          nodes: { regex: 'count (\\d+)' }
      - id: restore
        foreach: [101, 200]
        run: qmrestore {{ item }}
`);

describe('reading a test file', () => {
  it('reads cases with their defaults: a map of a step is one attempt, a single check result a list of one', () => {
    const { cases, problems } = read(`tests:
  - name: two nodes
    vars: { vmid: 101 }
    answers: { pick: pve2 }
    steps:
      info: { stdout: count 2, verify: fail }
      other:
        - exit: 1
        - exit: 0
          precheck: [fail, pass]
    expect:
      status: done
      steps:
        info: done
        pick: { captured: { answer: pve2 }, commands: [] }
`);
    expect(problems).toEqual([]);
    expect(cases).toHaveLength(1);
    const [c] = cases;
    expect(c!.vars).toEqual({ vmid: '101' });
    expect(c!.answers).toEqual({ pick: 'pve2' });
    expect(c!.confirm).toEqual([]);
    expect(c!.line).toBe(2);
    expect(c!.steps.info).toEqual([expect.objectContaining({ stdout: 'count 2', verify: ['fail'] })]);
    expect(c!.steps.other!.map((a) => a.exit)).toEqual([1, 0]);
    expect(c!.steps.other![1]!.precheck).toEqual(['fail', 'pass']);
    expect(c!.expect).toEqual({ status: 'done', steps: { info: { status: 'done' }, pick: { status: undefined, captured: { answer: 'pve2' }, commands: [] } } });
  });

  it('reports a mistyped key with its position, what it expected and a suggestion', () => {
    const { cases, problems } = read(`tests:
  - name: typo
    steps:
      info:
        exitt: 1
`);
    expect(cases).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^rb\.tests\.yaml:5:9: unknown key `exitt`[^\n]*\n {2}expected: one of exit, stdout[^\n]*\n {2}got: {6}`exitt`\n {2}hint: {5}did you mean `exit`\?$/),
    ]);
  });

  it('refuses an unknown status, a missing name and a file with no cases', () => {
    expect(read('tests:\n  - name: x\n    expect: { status: fine }\n').problems[0]).toMatchObject({ line: 3, column: 23, expected: 'done, failed or aborted' });
    expect(read('tests:\n  - steps: {}\n').problems[0]).toMatchObject({ line: 2, message: 'missing key `name` in list item' });
    expect(read('tests: []\n').problems[0]).toMatchObject({ line: 1, column: 8 });
    expect(read('').problems[0]!.message).toBe('the file is empty');
  });
});

describe('a step expectation', () => {
  it('a mistyped key in its map is told once, with the nearest key', () => {
    const { problems } = read('tests:\n  - name: x\n    expect:\n      steps:\n        info: { statuss: done }\n');
    expect(problems).toEqual([expect.objectContaining({ line: 5, column: 17, message: 'unknown key `statuss` in `info`', hint: 'did you mean `status`?' })]);
  });

  it('a status written alone that is none is told where it stands, with the nearest', () => {
    const file = read('tests:\n  - name: x\n    expect:\n      steps:\n        info: not-aplicable\n');
    expect(file.problems).toEqual([]);
    expect(caseProblems(file.cases[0]!, PLAN, file.source!)).toEqual([expect.objectContaining({ line: 5, column: 15, message: 'invalid status for `info`', hint: 'did you mean `not-applicable`?' })]);
  });
});

describe('what a case names must be in the runbook', () => {
  const problemsOf = (text: string) => {
    const file = read(text);
    expect(file.problems).toEqual([]);
    return caseProblems(file.cases[0]!, PLAN, file.source!);
  };

  it('an unknown step id, pretended or expected, is refused where it stands, with the nearest id', () => {
    const problems = problemsOf(`tests:
  - name: typo
    steps:
      inf: { stdout: x }
    expect:
      steps:
        pik: done
`);
    expect(problems).toEqual([
      expect.objectContaining({ line: 4, column: 7, message: 'no step `inf` in engine', hint: 'did you mean `info`?' }),
      expect.objectContaining({ line: 7, column: 9, message: 'no step `pik` in engine', hint: 'did you mean `pick`?' }),
    ]);
  });

  it('an answer for a step that asks nothing, or one its question does not take, and an unknown confirmation or selection', () => {
    const problems = problemsOf(`tests:
  - name: answers
    answers: { info: x, pick: pve9 }
    confirm: [nope]
    only: [p, zzz]
`);
    expect(problems.map((p) => p.message)).toEqual(['step `info` asks no question', 'answer for `pick`: "pve9" is not one of pve1, pve2', 'no step `nope` in engine', 'no step `zzz` in engine']);
    expect(problems[1]).toMatchObject({ expected: 'one of pve1, pve2' });
  });

  it('items are pretended and expected of a foreach step only', () => {
    const problems = problemsOf(`tests:
  - name: items
    steps:
      info: { stdout: count 1, items: { a: { exit: 1 } } }
      restore: { items: { "101": { exit: 1 } } }
    expect:
      steps:
        pick: { items: { a: done } }
        restore: { items: { "101": failed, "200": skipped } }
`);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [4, 'step `info` has no items'],
      [8, 'step `pick` has no items'],
      [9, 'invalid status for item `200` of `restore`'],
    ]);
    expect(problems[2]).toMatchObject({ expected: 'done, failed, not-reached', received: '"skipped"' });
  });
});

describe('items of a foreach step', () => {
  it('are read by key, each a map or a list of attempts, beside what the step pretends; expected by key', () => {
    const { cases, problems } = read(`tests:
  - name: one item fails
    steps:
      restore:
        exit: 0
        items:
          "101": { exit: 1, stderr: "no space\\n" }
          "200":
            - exit: 1
            - verify: pass
    expect:
      steps:
        restore:
          status: failed
          items:
            "101": failed
            "200": { status: done, commands: [qmrestore 200, qmrestore 200] }
`);
    expect(problems).toEqual([]);
    const [c] = cases;
    expect(c!.steps.restore).toEqual([expect.objectContaining({ exit: 0 })]);
    expect(c!.steps.restore![0]).not.toHaveProperty('items');
    expect(c!.items.restore!['101']).toEqual([expect.objectContaining({ exit: 1, stderr: 'no space\n' })]);
    expect(c!.items.restore!['200']!.map((a) => a.exit)).toEqual([1, undefined]);
    expect(c!.items.restore!['200']![1]!.verify).toEqual(['pass']);
    expect(c!.expect.steps.restore!.items).toEqual({ '101': { status: 'failed' }, '200': { status: 'done', commands: ['qmrestore 200', 'qmrestore 200'] } });
  });

  it('refuses items in a list of attempts, and items within items', () => {
    const { problems } = read(`tests:
  - name: misplaced
    steps:
      restore:
        - items: { "101": { exit: 1 } }
      other:
        items: { "101": { items: {} } }
`);
    expect(problems.map((p) => p.line)).toEqual([5, 7]);
  });
});
