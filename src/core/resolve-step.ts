import { parseDuration } from './duration.js';
import type { Confirm, HostRef, PlanStep, StepAction } from './plan-types.js';
import { hasReferences } from './interpolate.js';
import { displayText, literal, type Rendered } from './rendered.js';
import { resolveChecks, unknownHost } from './resolve-check.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';
import { STEP_KINDS } from './runbook-types.js';
import { bindParams, templateScope, type TemplateCache } from './step-template.js';
import { didYouMean } from './suggest.js';

/** What a step is resolved against: the inventory, the template library and the scripts on disk. */
export interface StepEnvironment {
  hosts: Readonly<Record<string, HostRef>>;
  templates: TemplateCache;
  scripts: ReadonlySet<string>;
  stepsDir: string;
}

const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_WAIT_INTERVAL_MS = 5_000;
const DEFAULT_RETRY_DELAY_MS = 2_000;

/** A resolved step before it is given its place in the restore order. */
export type UnplacedStep = Omit<PlanStep, 'position' | 'selected' | 'excludedBy'>;

/**
 * Resolves one runbook step: expands its template, interpolates every field where it was
 * written, and checks what the schema cannot (one kind per step, hosts, scripts, params).
 */
export function resolveStep(stepAt: Located, phase: { id: string; on?: string }, res: Resolution, env: StepEnvironment): UnplacedStep | undefined {
  if (!isRecord(stepAt.value)) return undefined;
  const own = stepAt.value;
  const fields = new Map<string, Located>();
  for (const key of Object.keys(own)) fields.set(key, child(stepAt, key));
  let template: string | undefined;
  let templateAt: Located | undefined;
  const checkedDurations = new Set<string>();

  if (typeof own.uses === 'string') {
    template = own.uses;
    const loaded = env.templates.get(own.uses);
    if (loaded === 'broken') return undefined;
    if (loaded === 'missing') {
      const known = [...env.templates.names()];
      res.report(child(stepAt, 'uses'), {
        message: `unknown step template \`${own.uses}\``,
        expected: `a template in ${env.stepsDir}/ such as ${known.slice(0, 5).join(', ') || '(none found)'}`,
        received: `\`${own.uses}\` (no ${env.stepsDir}/${own.uses}.yaml)`,
        hint: didYouMean(own.uses, known),
      });
      return undefined;
    }
    const params = bindParams(loaded, child(stepAt, 'with'), child(stepAt, 'uses'), res, Object.keys(env.hosts));
    // Duration params given as plain values were type-checked where they are written.
    for (const [name, param] of Object.entries(loaded.params)) {
      const given = isRecord(own.with) ? own.with[name] : undefined;
      if (param.type === 'duration' && given !== undefined && given !== null && typeof given !== 'object' && !String(given).includes('{{')) checkedDurations.add(name);
    }
    const scope = templateScope(stepAt.scope, params);
    const base: Located = { value: loaded.step, src: loaded.src, path: ['step'], scope };
    if (loaded.step.uses !== undefined) {
      res.report(child(base, 'uses'), {
        message: "a template's step cannot use another template",
        expected: 'one of run, manual, script or wait in the template',
        received: `uses: ${String(loaded.step.uses)}`,
        hint: 'copy what the other template does into this one, or use both from the runbook',
      });
      return undefined;
    }
    templateAt = base;
    for (const key of Object.keys(loaded.step)) if (!fields.has(key)) fields.set(key, child(base, key));
    fields.delete('uses');
    fields.delete('with');
  } else if (own.with !== undefined) {
    res.report(child(stepAt, 'with'), { message: '`with` only goes with `uses`', expected: 'uses: AREA/TEMPLATE beside with:', received: '`with` without `uses`' }, true);
  }

  const value = (key: string) => fields.get(key)?.value;
  const kinds = STEP_KINDS.filter((k) => k !== 'uses' && value(k) !== undefined);
  if (kinds.length !== 1) {
    // With a template, an action missing everywhere is the template's fault; two actions may be either's.
    const at = kinds.length === 0 && templateAt ? templateAt : stepAt;
    const keys = Object.keys(at.value as object);
    const typo = keys.map((k) => didYouMean(k, STEP_KINDS)).find((h) => h !== undefined && !keys.some((k) => (STEP_KINDS as readonly string[]).includes(k)));
    res.report(at, {
      message: kinds.length === 0 ? 'a step needs something to do' : `a step has more than one action: ${kinds.join(', ')}`,
      expected: templateAt ? 'exactly one of run, manual, script or wait (from the template or the step)' : 'exactly one of run, manual, script, wait or uses',
      received: kinds.length === 0 ? `keys ${keys.join(', ') || '(none)'}` : kinds.join(' and '),
      hint: kinds.length > 1 ? (templateAt ? 'the step overrides the template\'s action: remove one of them' : 'split it into one step per action') : typo,
    });
    return undefined;
  }
  const kind = kinds[0]!;
  const id = typeof own.id === 'string' ? own.id : template?.split('/').pop() ?? (value('id') as string | undefined);
  if (id === undefined) {
    res.report(stepAt, { message: 'missing key `id` in step', expected: 'an `id:` entry (steps made from a template take its name)', received: `keys ${Object.keys(own).join(', ')}` });
    return undefined;
  }
  if (value('args') !== undefined && kind !== 'script') {
    res.report(fields.get('args')!, { message: '`args` only goes with `script`', expected: 'script: AREA/NAME.mjs beside args:', received: `a ${kind} step` }, true);
  }

  const text = (key: string, shell = false): Rendered | undefined => {
    const at = fields.get(key);
    return at && at.value !== undefined ? res.text(at, shell) : undefined;
  };

  // A duration may be a reference (a template's duration param): its value is checked once interpolated.
  const durationAt = (at: Located | undefined, key: string): number | undefined => {
    const raw = at?.value;
    if (typeof raw !== 'string' || !hasReferences(raw)) return duration(raw);
    const before = res.problems.length;
    const shown = displayText(res.text(at!, false)).trim();
    const ms = parseDuration(/^\d+(\.\d+)?$/.test(shown) ? Number(shown) : shown);
    const onlyParam = /^\s*\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(raw)?.[1];
    if (ms === undefined && res.problems.length === before && !(onlyParam && checkedDurations.has(onlyParam))) {
      res.report(at!, {
        message: `invalid duration for \`${key}\``,
        expected: 'a duration such as 30s, 5m, 1h30m or 500ms (a bare number means seconds)',
        received: `${JSON.stringify(shown)} (from ${raw.trim()})`,
        hint: 'give the param a duration: with: { NAME: 5m }',
      });
    }
    return ms;
  };

  const hostName = (value('on') as string | undefined) ?? phase.on;
  let host: HostRef | undefined;
  if (hostName !== undefined) {
    host = env.hosts[hostName];
    if (!host) res.report(fields.get('on') ?? stepAt, unknownHost(hostName, env.hosts));
  }

  let action: StepAction;
  switch (kind) {
    case 'run':
      action = { kind, command: text('run', true)! };
      break;
    case 'manual':
      action = { kind, instructions: text('manual')! };
      break;
    case 'script': {
      const scriptAt = fields.get('script')!;
      const script = String(scriptAt.value);
      if (!env.scripts.has(script)) {
        const known = [...env.scripts];
        res.report(scriptAt, {
          message: `script not found: ${env.stepsDir}/${script}`,
          expected: `a script file in ${env.stepsDir}/`,
          received: `\`${script}\``,
          hint: didYouMean(script, known),
        });
      }
      const argsAt = fields.get('args');
      const args = Array.isArray(argsAt?.value) ? argsAt!.value.map((_, i) => res.text(child(argsAt!, i), false)) : [];
      action = { kind, script, args };
      break;
    }
    case 'wait': {
      const waitAt = fields.get('wait')!;
      const wait = isRecord(waitAt.value) ? waitAt.value : {};
      action = {
        kind,
        until: resolveChecks(child(waitAt, 'until'), res, host, env.hosts),
        timeoutMs: durationAt(child(waitAt, 'timeout'), 'wait.timeout') ?? DEFAULT_WAIT_TIMEOUT_MS,
        intervalMs: durationAt(child(waitAt, 'interval'), 'wait.interval') ?? DEFAULT_WAIT_INTERVAL_MS,
      };
      break;
    }
    default:
      return undefined;
  }

  const envAt = fields.get('env');
  const envVars: Record<string, Rendered> = {};
  if (envAt && isRecord(envAt.value)) for (const key of Object.keys(envAt.value)) envVars[key] = res.text(child(envAt, key), false);

  const checks = (key: string) => {
    const at = fields.get(key);
    return at ? resolveChecks(at, res, host, env.hosts) : [];
  };
  const verify = checks('verify');
  const precheck = checks('precheck');
  if (kind === 'manual' && verify.length === 0 && precheck.length === 0 && value('unattended') === 'verify') {
    res.report(fields.get('unattended')!, {
      message: '`unattended: verify` needs checks to run',
      expected: 'a `verify:` list on this manual step',
      received: 'no checks',
    });
  }

  const titleText = text('title');
  const descriptionText = text('description');
  const needsValue = value('needs');
  const step: UnplacedStep = {
    id,
    phase: phase.id,
    title: titleText ? displayText(titleText) : defaultTitle(id, kind, action),
    description: descriptionText ? displayText(descriptionText) : undefined,
    action,
    host,
    env: envVars,
    needs: Array.isArray(needsValue) ? needsValue.map(String) : [],
    precheck,
    verify,
    timeoutMs: durationAt(fields.get('timeout'), 'timeout'),
    retries: typeof value('retries') === 'number' ? (value('retries') as number) : 0,
    retryDelayMs: durationAt(fields.get('retry_delay'), 'retry_delay') ?? DEFAULT_RETRY_DELAY_MS,
    onFailure: value('on_failure') === 'continue' ? 'continue' : 'stop',
    confirm: confirmOf(fields.get('confirm'), id, res),
    idempotent: value('idempotent') === true,
    unattended: (value('unattended') as UnplacedStep['unattended'] | undefined) ?? 'stop',
    template,
  };
  return step;
}

function duration(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

function confirmOf(at: Located | undefined, id: string, res: Resolution): Confirm | undefined {
  const value = at?.value;
  if (value === undefined || value === false) return undefined;
  if (value === true) return { kind: 'yes' };
  if (value === 'typed') return { kind: 'typed', word: literal(id) };
  if (isRecord(value) && typeof value.typed === 'string') {
    const message = typeof value.message === 'string' ? displayText(res.text(child(at!, 'message'), false)) : undefined;
    return { kind: 'typed', word: res.text(child(at!, 'typed'), false), message };
  }
  return undefined;
}

function defaultTitle(id: string, kind: string, action: StepAction): string {
  if (action.kind === 'run') return displayText(action.command).split('\n')[0]!;
  if (action.kind === 'script') return `Run ${action.script}`;
  return `${kind} ${id}`;
}
