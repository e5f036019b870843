import type { CaptureSpec, Question } from '../model/plan-types.js';
import type { Rendered } from '../shell/rendered.js';
import { ANSWER } from './capture-names.js';
import { regexProblem } from './resolve-condition.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';

const READS = ['json', 'lines', 'stdout', 'regex'] as const;

/** Resolves a step's `capture:` map; `kind` is its action, whose output is read (only run and script have one). */
export function resolveCaptures(at: Located | undefined, kind: string, res: Resolution): CaptureSpec[] {
  if (!at || !isRecord(at.value)) return [];
  if (kind !== 'run' && kind !== 'script') {
    res.report(
      at,
      {
        message: `\`capture\` reads a command's output, and a ${kind} step runs none`,
        expected: 'capture: beside run: or script:',
        received: `a ${kind} step`,
        hint: kind === 'ask' ? `an ask step keeps its answer as {{ steps.ID.${ANSWER} }}` : undefined,
      },
      true,
    );
    return [];
  }
  const specs: CaptureSpec[] = [];
  for (const [name, raw] of Object.entries(at.value)) {
    if (!isRecord(raw)) continue;
    const reads = READS.filter((r) => raw[r] !== undefined && raw[r] !== false);
    if (reads.length !== 1) {
      res.report(child(at, name), {
        message: reads.length === 0 ? `capture \`${name}\` says no way to read the output` : `capture \`${name}\` reads the output more than one way: ${reads.join(', ')}`,
        expected: 'one of json: true, regex: PATTERN, lines: true or stdout: true',
        received: `keys ${Object.keys(raw).join(', ') || '(none)'}`,
        hint: reads.length > 1 ? 'capture it twice, under two names' : undefined,
      });
      continue;
    }
    const read = reads[0]!;
    if (read === 'regex') {
      const pattern = String(raw.regex);
      const why = regexProblem(pattern);
      if (why) {
        res.report(child(child(at, name), 'regex'), {
          message: `invalid regular expression: ${why}`,
          expected: 'a JavaScript regular expression, e.g. vzdump-qemu-(\\d+)',
          received: JSON.stringify(pattern),
        });
        continue;
      }
      specs.push({ name, read, pattern, secret: raw.secret === true });
    } else {
      specs.push({ name, read, secret: raw.secret === true });
    }
  }
  return specs;
}

const ASK_ONLY = ['choices', 'pattern', 'default'] as const;

/** The keys that go only beside `ask:`, reported when they stand beside another action. */
export function reportAskOnlyKeys(fields: ReadonlyMap<string, Located>, kind: string, res: Resolution): void {
  if (kind === 'ask') return;
  for (const key of ASK_ONLY) {
    const at = fields.get(key);
    if (at && at.value !== undefined) res.report(at, { message: `\`${key}\` only goes with \`ask\``, expected: `ask: QUESTION beside ${key}:`, received: `a ${kind} step` }, true);
  }
}

/** An ask step's question, with its choices, pattern and default checked against each other. */
export function resolveQuestion(fields: ReadonlyMap<string, Located>, text: Rendered, res: Resolution): Question {
  const choicesAt = fields.get('choices');
  const patternAt = fields.get('pattern');
  const defaultAt = fields.get('default');
  const choices = Array.isArray(choicesAt?.value) ? choicesAt!.value.map(String) : undefined;
  let pattern = typeof patternAt?.value === 'string' ? patternAt.value : undefined;
  if (pattern !== undefined && regexProblem(pattern)) {
    res.report(patternAt!, { message: `invalid regular expression: ${regexProblem(pattern)}`, expected: 'a JavaScript regular expression, e.g. ^pve[0-9]+$', received: JSON.stringify(pattern) });
    pattern = undefined;
  }
  const given = defaultAt?.value;
  const fallback = given === undefined || given === null ? undefined : String(given);
  if (fallback !== undefined) {
    const why = answerProblem({ choices, pattern }, fallback);
    if (why)
      res.report(defaultAt!, {
        message: `the default answer is not one the question takes: ${why}`,
        expected: choices ? `one of ${choices.join(', ')}` : `an answer matching /${pattern}/`,
        received: JSON.stringify(fallback),
      });
  }
  return { text, ...(choices ? { choices } : {}), ...(pattern !== undefined ? { pattern } : {}), ...(fallback !== undefined ? { default: fallback } : {}) };
}

/** Why an answer is not one the question takes, or undefined when it is. */
export function answerProblem(question: Pick<Question, 'choices' | 'pattern'>, answer: string): string | undefined {
  if (question.choices && !question.choices.includes(answer)) return `${JSON.stringify(answer)} is not one of ${question.choices.join(', ')}`;
  if (question.pattern !== undefined && !new RegExp(`^(?:${question.pattern})$`).test(answer)) return `${JSON.stringify(answer)} does not match /${question.pattern}/`;
  return undefined;
}
