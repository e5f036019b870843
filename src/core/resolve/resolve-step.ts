import type { Confirm, HostRef, PlanStep, StepAction } from '../model/plan-types.js';
import { STEP_KINDS } from '../model/runbook-types.js';
import { displayText, literal, type Rendered, toPieces } from '../shell/rendered.js';
import { parseDuration } from '../text/duration.js';
import { timerProblem } from '../validate/duration-limits.js';
import { envNameProblem } from '../validate/env-name.js';
import { didYouMean } from '../validate/suggest.js';
import { blank } from './blank-text.js';
import { hasReferences } from './interpolate.js';
import { reportAskOnlyKeys, resolveCaptures, resolveQuestion } from './resolve-capture.js';
import { resolveChecks, unknownHost } from './resolve-check.js';
import { resolveConditions } from './resolve-condition.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';
import { itemName, resolveForeach } from './resolve-foreach.js';
import { bindParams, type TemplateCache, templateScope } from './step-template.js';

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
export type UnplacedStep = Omit<PlanStep, 'position' | 'selected' | 'excludedBy' | 'follows'>;

/**
 * Resolves one runbook step: expands its template, interpolates every field where it was
 * written, and checks what the schema cannot (one kind per step, hosts, scripts, params).
 */
export function resolveStep(stepAt: Located, phase: { id: string; on?: string }, res: Resolution, env: StepEnvironment): UnplacedStep | undefined {
  if (!isRecord(stepAt.value)) return undefined;
  const own = stepAt.value;
  // A foreach step's texts may name its item: in scope before any of them is read.
  const item = itemName(own);
  if (item !== undefined) stepAt = { ...stepAt, scope: { ...stepAt.scope, item } };
  const f: StepFields = { stepAt, fields: new Map(), res, env, checkedDurations: new Set() };
  for (const key of Object.keys(own)) f.fields.set(key, child(stepAt, key));
  const expanded = expandTemplate(f, own);
  if (!expanded) return undefined;
  const { template, templateAt } = expanded;

  const kind = actionKind(f, templateAt);
  if (kind === undefined) return undefined;
  const id = typeof own.id === 'string' ? own.id : (template?.split('/').pop() ?? (fieldValue(f, 'id') as string | undefined));
  if (id === undefined) {
    res.report(stepAt, { message: 'missing key `id` in step', expected: 'an `id:` entry (steps made from a template take its name)', received: `keys ${Object.keys(own).join(', ')}` });
    return undefined;
  }
  if (fieldValue(f, 'args') !== undefined && kind !== 'script') {
    res.report(f.fields.get('args')!, { message: '`args` only goes with `script`', expected: 'script: AREA/NAME.mjs beside args:', received: `a ${kind} step` }, true);
  }

  const host = stepHost(f, phase);
  const action = ACTIONS[kind](f, host);
  const envVars = envOf(f.fields.get('env'), res);
  const checks = (key: string) => {
    const at = f.fields.get(key);
    return at ? resolveChecks(at, res, host, env.hosts) : [];
  };
  const verify = checks('verify');
  const precheck = checks('precheck');
  reportAskOnlyKeys(f.fields, kind, res);
  const capture = resolveCaptures(f.fields.get('capture'), kind, res);
  const when = resolveConditions(f.fields.get('when'), res, host, env.hosts);
  const foreach = resolveForeach(f.fields, kind, res);
  if (kind === 'manual' && verify.length === 0 && precheck.length === 0 && fieldValue(f, 'unattended') === 'verify') {
    res.report(f.fields.get('unattended')!, {
      message: '`unattended: verify` needs checks to run',
      expected: 'a `verify:` list on this manual step',
      received: 'no checks',
    });
  }
  return assembleStep(f, { id, phase: phase.id, kind, action, host, envVars, precheck, verify, capture, when, foreach, template });
}

/** A step's fields as they apply (its own over its template's), and what they are resolved with. */
interface StepFields {
  stepAt: Located;
  fields: Map<string, Located>;
  res: Resolution;
  env: StepEnvironment;
  /** Duration params given as plain values: type-checked where they are written, not again where used. */
  checkedDurations: Set<string>;
}

type ActionKind = StepAction['kind'];

function fieldValue(f: StepFields, key: string): unknown {
  return f.fields.get(key)?.value;
}

function fieldText(f: StepFields, key: string, shell = false): Rendered | undefined {
  const at = f.fields.get(key);
  return at && at.value !== undefined ? f.res.text(at, shell) : undefined;
}

/** Lays a `uses:` template under the step's own fields; undefined when the template cannot be used. */
function expandTemplate(f: StepFields, own: Record<string, unknown>): { template?: string; templateAt?: Located } | undefined {
  const { stepAt, res, env, fields } = f;
  if (typeof own.uses !== 'string') {
    if (own.with !== undefined) {
      res.report(child(stepAt, 'with'), { message: '`with` only goes with `uses`', expected: 'uses: AREA/TEMPLATE beside with:', received: '`with` without `uses`' }, true);
    }
    return {};
  }
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
    if (param.type === 'duration' && given !== undefined && given !== null && typeof given !== 'object' && !String(given).includes('{{')) f.checkedDurations.add(name);
  }
  const scope = templateScope(stepAt.scope, params);
  const base: Located = { value: loaded.step, src: loaded.src, path: ['step'], scope };
  if (loaded.step.uses !== undefined) {
    res.report(child(base, 'uses'), {
      message: "a template's step cannot use another template",
      expected: 'one of run, manual, script, wait or ask in the template',
      received: `uses: ${String(loaded.step.uses)}`,
      hint: 'copy what the other template does into this one, or use both from the runbook',
    });
    return undefined;
  }
  for (const key of Object.keys(loaded.step)) if (!fields.has(key)) fields.set(key, child(base, key));
  fields.delete('uses');
  fields.delete('with');
  return { template: own.uses, templateAt: base };
}

/** The step's one action kind, or undefined (reported) when it has none or several. */
function actionKind(f: StepFields, templateAt: Located | undefined): ActionKind | undefined {
  const { stepAt, res } = f;
  const kinds = STEP_KINDS.filter((k): k is ActionKind => k !== 'uses' && fieldValue(f, k) !== undefined);
  if (kinds.length === 1) return kinds[0]!;
  // With a template, an action missing everywhere is the template's fault; two actions may be either's.
  const at = kinds.length === 0 && templateAt ? templateAt : stepAt;
  const keys = Object.keys(at.value as object);
  const typo = keys.map((k) => didYouMean(k, STEP_KINDS)).find((h) => h !== undefined && !keys.some((k) => (STEP_KINDS as readonly string[]).includes(k)));
  res.report(at, {
    message: kinds.length === 0 ? 'a step needs something to do' : `a step has more than one action: ${kinds.join(', ')}`,
    expected: templateAt ? 'exactly one of run, manual, script, wait or ask (from the template or the step)' : 'exactly one of run, manual, script, wait, ask or uses',
    received: kinds.length === 0 ? `keys ${keys.join(', ') || '(none)'}` : kinds.join(' and '),
    hint: kinds.length > 1 ? (templateAt ? "the step overrides the template's action: remove one of them" : 'split it into one step per action') : typo,
  });
  return undefined;
}

// A duration may be a reference (a template's duration param): its value is checked once interpolated.
function durationAt(f: StepFields, at: Located | undefined, key: string, allowZero = false): number | undefined {
  const { res } = f;
  const ms = interpolatedDuration(f, at, key);
  const raw = at?.value;
  // NaN and infinity are no durations: the schema reports them.
  const bad = ms === undefined || (typeof raw === 'number' && !Number.isFinite(raw)) ? undefined : timerProblem(ms, allowZero);
  if (bad) {
    const shown = typeof raw === 'string' && hasReferences(raw) ? `${JSON.stringify(displayText(res.text(at!, false)).trim())} (from ${raw.trim()})` : JSON.stringify(raw);
    res.report(at!, { message: `invalid value for \`${key}\`: ${bad.message}`, expected: bad.expected, received: shown, hint: bad.hint });
    return undefined;
  }
  return ms;
}

function interpolatedDuration(f: StepFields, at: Located | undefined, key: string): number | undefined {
  const { res } = f;
  const raw = at?.value;
  if (typeof raw !== 'string' || !hasReferences(raw)) return duration(raw);
  const before = res.problems.length;
  const shown = displayText(res.text(at!, false)).trim();
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(shown) ? Number(shown) : shown);
  const onlyParam = /^\s*\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(raw)?.[1];
  if (ms === undefined && res.problems.length === before && !(onlyParam && f.checkedDurations.has(onlyParam))) {
    res.report(at!, {
      message: `invalid duration for \`${key}\``,
      expected: 'a duration such as 30s, 5m, 1h30m or 500ms (a bare number means seconds)',
      received: `${JSON.stringify(shown)} (from ${raw.trim()})`,
      hint: 'give the param a duration: with: { NAME: 5m }',
    });
  }
  return ms;
}

/** The host the step runs on: its own `on:`, else its phase's; an unknown name is reported. */
function stepHost(f: StepFields, phase: { on?: string }): HostRef | undefined {
  const hostName = (fieldValue(f, 'on') as string | undefined) ?? phase.on;
  if (hostName === undefined) return undefined;
  const host = f.env.hosts[hostName];
  if (!host) f.res.report(f.fields.get('on') ?? f.stepAt, unknownHost(hostName, f.env.hosts));
  return host;
}

// Each kind of action reads its own fields.
const ACTIONS: { [K in ActionKind]: (f: StepFields, host: HostRef | undefined) => Extract<StepAction, { kind: K }> } = {
  run: (f) => {
    blank(f.fields.get('run')!, 'a `run:` command', 'a bash command, e.g. systemctl start smbd', f.res);
    return { kind: 'run', command: fieldText(f, 'run', true)! };
  },
  manual: (f) => {
    blank(f.fields.get('manual')!, 'a `manual:` text', 'what the operator must do, in words', f.res);
    return { kind: 'manual', instructions: fieldText(f, 'manual')! };
  },
  ask: (f) => {
    blank(f.fields.get('ask')!, 'an `ask:` question', 'the question for the operator, e.g. Which node survived?', f.res);
    return { kind: 'ask', question: resolveQuestion(f.fields, fieldText(f, 'ask')!, f.res) };
  },
  script: scriptAction,
  wait: waitAction,
};

function scriptAction(f: StepFields): Extract<StepAction, { kind: 'script' }> {
  const { res, env } = f;
  const scriptAt = f.fields.get('script')!;
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
  const argsAt = f.fields.get('args');
  const args = Array.isArray(argsAt?.value) ? argsAt!.value.map((_, i) => res.text(child(argsAt!, i), false)) : [];
  args.forEach((arg, i) => {
    const secret = secretIn(arg);
    // A process's arguments are readable by every user of the machine (ps, /proc): a secret goes by environment.
    if (secret !== undefined) {
      res.report(child(argsAt!, i), {
        message: 'a secret cannot be a script argument: any user of the machine can read a command line',
        expected: 'secrets passed to a script through `env:`',
        received: `\`{{ secrets.${secret} }}\` in args[${i}]`,
        hint: `add \`env: { ${secretEnvHint(secret)}: "{{ secrets.${secret} }}" }\` to the step and read process.env.${secretEnvHint(secret)} in the script`,
      });
    }
  });
  return { kind: 'script', script, args };
}

/** The name of the first secret a rendered value holds, if it holds one. */
function secretIn(rendered: Rendered): string | undefined {
  for (const segment of rendered) {
    if (!('value' in segment)) continue;
    const piece = segment.value.find((p) => 'secret' in p);
    if (piece && 'secret' in piece) return piece.secret;
  }
  return undefined;
}

/** An environment variable name for a secret in a hint: its name in capitals, letters, digits and _ only. */
function secretEnvHint(secret: string): string {
  const name = secret.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function waitAction(f: StepFields, host: HostRef | undefined): Extract<StepAction, { kind: 'wait' }> {
  const { res } = f;
  const waitAt = f.fields.get('wait')!;
  const untilAt = child<unknown>(waitAt, 'until');
  if (Array.isArray(untilAt.value) && untilAt.value.length === 0) {
    res.report(untilAt, {
      message: 'a wait without checks',
      expected: 'at least one check under `until:`',
      received: 'an empty list',
      hint: 'a wait polls its checks until all pass; with none it would pass at once',
    });
  }
  return {
    kind: 'wait',
    until: resolveChecks(untilAt, res, host, f.env.hosts),
    timeoutMs: durationAt(f, child(waitAt, 'timeout'), 'wait.timeout') ?? DEFAULT_WAIT_TIMEOUT_MS,
    intervalMs: durationAt(f, child(waitAt, 'interval'), 'wait.interval') ?? DEFAULT_WAIT_INTERVAL_MS,
  };
}

/** The step's `env:` entries, interpolated; a name a shell could not take is reported. */
function envOf(envAt: Located | undefined, res: Resolution): Record<string, Rendered> {
  const envVars: Record<string, Rendered> = {};
  if (!envAt || !isRecord(envAt.value)) return envVars;
  for (const key of Object.keys(envAt.value)) {
    const valueAt = child(envAt, key);
    const bad = envNameProblem(key, typeof valueAt.value === 'string' && hasReferences(valueAt.value));
    if (bad) res.report(valueAt, { ...bad, received: bad.message.includes('reference') ? `${key}: ${String(valueAt.value)}` : JSON.stringify(key) }, true);
    envVars[key] = res.text(valueAt, false);
  }
  return envVars;
}

/** The parts of a step resolved before its remaining fields are read. */
interface StepParts {
  id: string;
  phase: string;
  kind: ActionKind;
  action: StepAction;
  host: HostRef | undefined;
  envVars: Record<string, Rendered>;
  precheck: UnplacedStep['precheck'];
  verify: UnplacedStep['verify'];
  capture: UnplacedStep['capture'];
  when: UnplacedStep['when'];
  foreach: UnplacedStep['foreach'];
  template: string | undefined;
}

function assembleStep(f: StepFields, p: StepParts): UnplacedStep {
  const titleText = fieldText(f, 'title');
  const descriptionText = fieldText(f, 'description');
  const needsValue = fieldValue(f, 'needs');
  return {
    id: p.id,
    phase: p.phase,
    title: titleText ? displayText(titleText) : defaultTitle(p.id, p.kind, p.action),
    description: descriptionText ? displayText(descriptionText) : undefined,
    action: p.action,
    host: p.host,
    env: p.envVars,
    needs: Array.isArray(needsValue) ? needsValue.map(String) : [],
    precheck: p.precheck,
    verify: p.verify,
    capture: p.capture,
    when: p.when,
    ...(p.foreach ? { foreach: p.foreach } : {}),
    timeoutMs: durationAt(f, f.fields.get('timeout'), 'timeout'),
    retries: typeof fieldValue(f, 'retries') === 'number' ? (fieldValue(f, 'retries') as number) : 0,
    retryDelayMs: durationAt(f, f.fields.get('retry_delay'), 'retry_delay', true) ?? DEFAULT_RETRY_DELAY_MS,
    onFailure: fieldValue(f, 'on_failure') === 'continue' ? 'continue' : 'stop',
    confirm: confirmOf(f.fields.get('confirm'), p.id, f.res),
    idempotent: fieldValue(f, 'idempotent') === true,
    ...(fieldValue(f, 'readonly') === true ? { readonly: true } : {}),
    unattended: (fieldValue(f, 'unattended') as UnplacedStep['unattended'] | undefined) ?? 'stop',
    template: p.template,
  };
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
    blank(child(at!, 'typed'), 'a word to type', 'a word the operator types to go on, e.g. the pool name', res);
    const message = typeof value.message === 'string' ? displayText(res.text(child(at!, 'message'), false)) : undefined;
    const word = res.text(child(at!, 'typed'), false);
    // Asked once for the whole step, before any item runs: no item is there to be named.
    const item = toPieces(word).find((piece) => 'item' in piece);
    if (item !== undefined && 'item' in item) {
      res.report(child(at!, 'typed'), {
        message: "a foreach step's typed confirmation cannot name its item",
        expected: 'a word written in the runbook, a var or a captured value: the confirmation is asked once, for all the items',
        received: JSON.stringify(value.typed),
        hint: 'say what the items are in `message:`; `confirm: typed` asks for the step id',
      });
    }
    return { kind: 'typed', word, message };
  }
  return undefined;
}

function defaultTitle(id: string, kind: string, action: StepAction): string {
  if (action.kind === 'run') return displayText(action.command).split('\n')[0]!;
  if (action.kind === 'script') return `Run ${action.script}`;
  if (action.kind === 'ask') return displayText(action.question.text).split('\n')[0]!;
  return `${kind} ${id}`;
}
