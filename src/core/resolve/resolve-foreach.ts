import type { CapturedValue } from '../model/captured-value.js';
import type { FanOut } from '../model/plan-types.js';
import type { Rendered } from '../shell/rendered.js';
import type { Located, Resolution } from './resolve-context.js';

/** The name items go by when a `foreach` step does not say (`as:`). */
export const DEFAULT_ITEM = 'item';

const TAKEN = new Set(['vars', 'params', 'secrets', 'hosts', 'steps']);
const ONE_REFERENCE = /^\s*\{\{\s*(steps|vars)\.[^{}]*\}\}\s*$/;

/** The name a step's items go by, when it is a `foreach` step (read before its texts, which may use it). */
export function itemName(step: Record<string, unknown>): string | undefined {
  if (step.foreach === undefined) return undefined;
  return typeof step.as === 'string' && !TAKEN.has(step.as) ? step.as : DEFAULT_ITEM;
}

/** Resolves a step's `foreach`, `as`, `key`, `concurrency` and `tolerate_failures`; undefined when it has none. */
export function resolveForeach(fields: ReadonlyMap<string, Located>, kind: string, res: Resolution): FanOut | undefined {
  const at = fields.get('foreach');
  if (!at || at.value === undefined) {
    for (const key of ['as', 'key', 'concurrency', 'tolerate_failures']) {
      const stray = fields.get(key);
      if (stray && stray.value !== undefined)
        res.report(stray, { message: `\`${key}\` only goes with \`foreach\``, expected: `foreach: LIST beside ${key}:`, received: 'a step without foreach' }, true);
    }
    return undefined;
  }
  if (kind !== 'run' && kind !== 'script') {
    res.report(at, { message: `\`foreach\` runs a command per item, and a ${kind} step runs none`, expected: 'foreach: beside run: or script:', received: `a ${kind} step` }, true);
    return undefined;
  }
  const asAt = fields.get('as');
  if (typeof asAt?.value === 'string' && TAKEN.has(asAt.value)) {
    res.report(asAt, {
      message: `\`as: ${asAt.value}\` would hide the \`${asAt.value}\` references`,
      expected: 'a name other than vars, params, secrets, hosts and steps',
      received: asAt.value,
      hint: 'e.g. as: guest',
    });
  }
  const capture = fields.get('capture');
  if (capture && capture.value !== undefined) {
    res.report(capture, { message: 'a `foreach` step cannot capture: each item has its own output', expected: 'capture: on a step without foreach', received: 'capture: beside foreach:' }, true);
  }
  // `when` is decided once, for the whole step: it cannot name the item.
  const when = fields.get('when');
  const name = itemName({ foreach: true, as: asAt?.value }) ?? DEFAULT_ITEM;
  if (when && JSON.stringify(when.value ?? '').match(new RegExp(`\\{\\{\\s*${name}\\b`))) {
    res.report(
      when,
      {
        message: `\`when\` is decided once for the whole step, so it cannot use \`${name}\``,
        expected: 'conditions on vars or captured values',
        received: `{{ ${name} … }} in when:`,
        hint: "put a check of the item in the step's precheck (an item whose prechecks pass is already done)",
      },
      true,
    );
  }
  const items = foreachItems(at, res);
  if (!items) return undefined;
  const keyAt = fields.get('key');
  const key: Rendered | undefined = keyAt && typeof keyAt.value === 'string' ? res.text(keyAt, false) : undefined;
  const number = (name: string, fallback: number) => (typeof fields.get(name)?.value === 'number' ? (fields.get(name)!.value as number) : fallback);
  return { items, as: itemName({ foreach: true, as: asAt?.value }) ?? DEFAULT_ITEM, ...(key ? { key } : {}), concurrency: number('concurrency', 1), tolerateFailures: number('tolerate_failures', 0) };
}

function foreachItems(at: Located, res: Resolution): FanOut['items'] | undefined {
  // A YAML list holds only what JSON can: its items are used as written.
  if (Array.isArray(at.value)) return { kind: 'list', values: at.value as CapturedValue[] };
  if (typeof at.value === 'string' && ONE_REFERENCE.test(at.value)) return { kind: 'ref', value: res.text(at, false) };
  res.report(at, {
    message: '`foreach` takes a list, or one reference to a list',
    expected: 'a YAML list, or "{{ steps.ID.NAME }}" (a captured list) or "{{ vars.NAME }}"',
    received: JSON.stringify(at.value),
    hint: 'capture the list with `lines: true` or `json: true` in an earlier step, then refer to it',
  });
  return undefined;
}
