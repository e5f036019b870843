import { fromPromise } from 'xstate';
import { type CapturedValue, valueAt } from '../core/capture/captured-values.js';
import type { ListOutput, StepInput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { displayText, revealWith } from '../core/shell/rendered.js';
import type { RunDeps } from './run-deps.js';

/** A foreach step's items, in order: as written, or the list a step captured (or a var holds), as the run knows it now. */
export function itemValues(deps: RunDeps, step: PlanStep): CapturedValue[] {
  const items = step.foreach!.items;
  if (items.kind === 'list') return items.values;
  const segment = items.value.find((s) => 'value' in s);
  const piece = segment && 'value' in segment ? segment.value[0] : undefined;
  if (piece && 'capture' in piece) {
    const { step: from, name, path } = piece.capture;
    const captured = deps.captures()[from]?.[name];
    const shown = displayText(items.value).trim();
    if (captured === undefined) throw new Error(`${shown} is not known: step \`${from}\` has not captured it in this run`);
    const value = valueAt(captured, path);
    if (!Array.isArray(value)) throw new Error(`${shown} is not a list (it is ${JSON.stringify(value)?.slice(0, 60)}): capture it with lines: true, or as a JSON list`);
    return value;
  }
  // A var: a JSON list, or words separated by commas or spaces.
  const text = displayText(items.value).trim();
  if (text.startsWith('[')) {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as CapturedValue[];
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Each item's key: the step's `key:` for it, else the item itself when text or a number, else its place in the list. */
export function itemKeys(deps: RunDeps, step: PlanStep, values: readonly CapturedValue[]): string[] {
  const keyOf = step.foreach!.key;
  const keys = values.map((value, index) => {
    if (keyOf) return revealWith(new Map())(deps.bindItem(keyOf, value).bound).trim();
    return typeof value === 'string' || typeof value === 'number' ? String(value) : String(index);
  });
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new Error(`two items have the key ${JSON.stringify(key)}: give the step a \`key:\` that tells them apart, e.g. key: "{{ ${step.foreach!.as}.vmid }}"`);
    seen.add(key);
  }
  return keys;
}

/** The listItems actor: the items of a foreach step still to run, journaled; those finished before (this run or an earlier one) are passed over. */
export function listItemsActor(deps: RunDeps) {
  return fromPromise<ListOutput, StepInput>(async ({ input }) => {
    const step = deps.stepOf(input.step);
    if (deps.settings.dryRun && step.foreach!.items.kind === 'ref' && !knownNow(deps, step)) {
      deps.emit({ kind: 'run.note', level: 'info', step: step.id, message: `its items come from ${displayText(step.foreach!.items.value).trim()}, known only in a real run` });
      return { keys: [], total: 0 };
    }
    const values = itemValues(deps, step);
    const keys = itemKeys(deps, step, values);
    for (const [i, key] of keys.entries()) deps.items.set(`${step.id}\n${key}`, values[i]!);
    const before = deps.settings.itemsDone?.get(step.id);
    // Another pass of this run (a retry): only the items that failed or never started.
    const last = deps.stepContext(step.id)?.fan;
    const again = last ? new Set([...last.failed.map((f) => f.key), ...last.keys.slice(last.next)]) : undefined;
    const pending = keys.filter((key) => !before?.has(key) && (again === undefined || again.has(key)));
    deps.emit({ kind: 'step.items', step: step.id, attempt: deps.stepContext(step.id)?.record.attempts ?? 1, keys, pending: pending.length });
    return { keys: pending, total: keys.length };
  });
}

function knownNow(deps: RunDeps, step: PlanStep): boolean {
  try {
    itemValues(deps, step);
    return true;
  } catch {
    return false;
  }
}
