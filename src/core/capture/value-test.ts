import type { ValueTest } from '../model/plan-types.js';
import type { Rendered } from '../shell/rendered.js';

/** Whether a value condition holds for a value (its operands made text by `text`). */
export function valueHolds(value: string, test: ValueTest, text: (rendered: Rendered) => string): boolean {
  switch (test.op) {
    case 'equals':
      return value === text(test.operand);
    case 'not_equals':
      return value !== text(test.operand);
    case 'matches':
      return new RegExp(text(test.pattern)).test(value);
    case 'in':
      return test.operands.some((o) => text(o) === value);
    case 'not_in':
      return !test.operands.some((o) => text(o) === value);
    case 'greater_than':
    case 'less_than': {
      const number = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(number)) return false;
      return test.op === 'greater_than' ? number > test.operand : number < test.operand;
    }
  }
}
