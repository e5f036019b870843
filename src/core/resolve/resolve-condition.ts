import type { Condition, HostRef, ValueTest } from '../model/plan-types.js';
import { displayText, type Rendered } from '../shell/rendered.js';
import { resolveCheck } from './resolve-check.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';

/** The tests a `value` condition may apply, as written. */
export const VALUE_TESTS = ['equals', 'not_equals', 'matches', 'in', 'not_in', 'greater_than', 'less_than'] as const;

const SHOWN: Record<(typeof VALUE_TESTS)[number], string> = {
  equals: '=',
  not_equals: '≠',
  matches: '~',
  in: 'in',
  not_in: 'not in',
  greater_than: '>',
  less_than: '<',
};

/** Resolves a step's `when:` list: each a check (that must pass) or a test of a value. */
export function resolveConditions(at: Located | undefined, res: Resolution, host: HostRef | undefined, hosts: Readonly<Record<string, HostRef>>): Condition[] {
  if (!at || !Array.isArray(at.value)) return [];
  const conditions: Condition[] = [];
  at.value.forEach((raw, i) => {
    const itemAt = child(at, i);
    if (!isRecord(raw)) return;
    if (raw.value === undefined) {
      if (raw.age !== undefined) {
        res.report(child(itemAt, 'age'), { message: 'an `age` check cannot be a condition', expected: 'run, tcp, http, dns, path, or value', received: 'age' });
        return;
      }
      const check = resolveCheck(itemAt, res, host, hosts);
      if (check) conditions.push({ kind: 'check', check });
      return;
    }
    const condition = valueCondition(itemAt, raw, res);
    if (condition) conditions.push(condition);
  });
  return conditions;
}

function valueCondition(at: Located, raw: Record<string, unknown>, res: Resolution): Condition | undefined {
  const tests = VALUE_TESTS.filter((t) => raw[t] !== undefined);
  const foreign = Object.keys(raw).filter((k) => k !== 'value' && k !== 'name' && !(VALUE_TESTS as readonly string[]).includes(k));
  if (tests.length !== 1 || foreign.length > 0) {
    res.report(at, {
      message:
        foreign.length > 0
          ? `a value condition has keys of a check: ${foreign.join(', ')}`
          : tests.length === 0
            ? 'a value condition needs a test'
            : `a value condition has more than one test: ${tests.join(', ')}`,
      expected: `value: beside exactly one of ${VALUE_TESTS.join(', ')}`,
      received: `keys ${Object.keys(raw).join(', ')}`,
      hint: tests.length > 1 ? 'write one condition per test: all of them must hold' : undefined,
    });
    return undefined;
  }
  const op = tests[0]!;
  const value = res.text(child(at, 'value'), false);
  const operandAt = child(at, op);
  const test = valueTest(op, operandAt, res);
  if (!test) return undefined;
  const shown = typeof raw.name === 'string' ? raw.name : `${displayText(value)} ${SHOWN[op]} ${operandText(test)}`;
  return { kind: 'value', label: shown, value, test };
}

function valueTest(op: (typeof VALUE_TESTS)[number], at: Located, res: Resolution): ValueTest | undefined {
  const text = (item: Located): Rendered => res.text(item, false);
  switch (op) {
    case 'equals':
    case 'not_equals':
      return { op, operand: text(at) };
    case 'matches': {
      const pattern = res.text(at, 'regex');
      const source = displayText(pattern);
      if (!source.includes('{{') && regexProblem(source)) {
        res.report(at, { message: `invalid regular expression: ${regexProblem(source)}`, expected: 'a JavaScript regular expression', received: JSON.stringify(at.value) });
        return undefined;
      }
      return { op, pattern };
    }
    case 'in':
    case 'not_in':
      return { op, operands: Array.isArray(at.value) ? at.value.map((_, i) => text(child(at, i))) : [] };
    case 'greater_than':
    case 'less_than':
      return { op, operand: Number(at.value) };
  }
}

function operandText(test: ValueTest): string {
  switch (test.op) {
    case 'equals':
    case 'not_equals':
      return JSON.stringify(displayText(test.operand));
    case 'matches':
      return `/${displayText(test.pattern)}/`;
    case 'in':
    case 'not_in':
      return `[${test.operands.map((o) => JSON.stringify(displayText(o))).join(', ')}]`;
    case 'greater_than':
    case 'less_than':
      return String(test.operand);
  }
}

/** Why a regular expression does not compile, or undefined when it does. */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}
