import type { Check, Confirm, HostRef, Plan, PlanStep, StepAction } from '../model/plan-types.js';
import { runTogether } from '../schedule/step-waits.js';
import { type CaptureRef, displayText } from '../shell/rendered.js';

/** A check as shown to people and in `plan --json`. */
export interface CheckView {
  kind: Check['kind'];
  label: string;
  /** What is looked at: the command, host:port, URL, DNS name or path. */
  target: string;
  /** What must hold, in words: `exit 0, stdout matches /ONLINE/`, `status 200`, `exists`. */
  expects: string;
  /** run: the exit code expected. */
  exit?: number;
  /** run: the regular expression the output must match. */
  stdout?: string;
  /** http: the status expected. */
  status?: number;
  /** dns: the record type, the server asked and the answers expected. */
  dns?: { type: string; server?: string; expect: string[] };
  /** path: whether it must exist (false: be absent). */
  exists?: boolean;
  host?: string;
  timeoutMs: number;
  readonly: boolean;
}

/** A step as shown to people and in `plan --json`: every value interpolated, secrets masked. */
export interface StepView {
  id: string;
  position: string;
  phase: string;
  title: string;
  description?: string;
  kind: StepAction['kind'];
  host?: string;
  ssh?: string;
  command?: string;
  instructions?: string;
  script?: string;
  args?: string[];
  wait?: { until: CheckView[]; timeoutMs: number; intervalMs: number };
  env?: Record<string, string>;
  needs: string[];
  precheck: CheckView[];
  verify: CheckView[];
  timeoutMs?: number;
  retries: number;
  onFailure: 'stop' | 'continue';
  confirm?: string;
  idempotent: boolean;
  template?: string;
  selected: boolean;
  excludedBy?: string;
  /** An ask step's question. */
  question?: { text: string; choices?: string[]; pattern?: string; default?: string };
  /** What it keeps of its output, as `name (json)`. */
  capture?: string[];
  /** Its conditions, as shown. */
  when?: string[];
  /** The captured values it uses, each known once the step that captures it ran (its position). */
  uses?: Array<{ value: string; after: string }>;
  /** A foreach step: its items, what each is called, and how many run at once. */
  foreach?: { items: string; as: string; key?: string; concurrency: number; tolerateFailures: number };
}

export interface PlanView {
  format: 'lifeboat-plan/1';
  name: string;
  description?: string;
  file: string;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  hosts: Record<string, { ssh: string; port?: number }>;
  counts: { phases: number; steps: number; selected: number };
  /** How many steps may run at once (the runbook's `concurrency`; 1 when unset). */
  concurrency: number;
  /**
   * The selected steps by ids, in waves that may run side by side (each wave once the earlier
   * ones ended, as far as their waits go); only waves of more than one step.
   */
  together: string[][];
  phases: Array<{ id: string; number: number; title: string; description?: string; needs: string[]; steps: StepView[] }>;
}

/** Describes a check for display. */
export function checkView(check: Check): CheckView {
  const base = { kind: check.kind, label: check.label, host: check.host?.name, timeoutMs: check.timeoutMs, readonly: check.readonly };
  switch (check.kind) {
    case 'run': {
      const stdout = check.stdout ? displayText(check.stdout) : undefined;
      return { ...base, target: displayText(check.command), expects: `exit ${check.exit}${stdout !== undefined ? `, stdout matches /${stdout}/` : ''}`, exit: check.exit, stdout };
    }
    case 'tcp':
      return { ...base, target: displayText(check.target), expects: 'accepts a connection' };
    case 'http':
      return { ...base, target: displayText(check.url), expects: `status ${check.status}`, status: check.status };
    case 'dns': {
      const expect = check.expect.map(displayText);
      const server = check.server ? displayText(check.server) : undefined;
      const asked = `${check.type} record${server ? ` from ${server}` : ''}`;
      return { ...base, target: displayText(check.name), expects: expect.length ? `${asked} includes ${expect.join(', ')}` : `${asked} resolves`, dns: { type: check.type, server, expect } };
    }
    case 'path':
      return { ...base, target: displayText(check.path), expects: check.exists ? 'exists' : 'is absent', exists: check.exists };
    default:
      return { ...base, target: (check as { label: string }).label, expects: 'passes' };
  }
}

/**
 * A check in one line, so a reader sees how a step is proven: its name when it has one, what is
 * looked at and what must hold, e.g. `pool healthy: zpool status tank → exit 0, stdout matches /ONLINE/`.
 */
export function checkLine(c: CheckView): string {
  const named = c.label !== c.target && !c.label.endsWith(c.target) && !c.label.includes(` ${c.target}`);
  return `${named ? `${c.label}: ` : ''}${c.kind === 'run' ? '' : `${c.kind} `}${c.target} → ${c.expects}`;
}

/** Describes a confirmation for display. */
export function confirmText(confirm: Confirm | undefined): string | undefined {
  if (!confirm) return undefined;
  return confirm.kind === 'yes' ? 'yes/no' : `type "${displayText(confirm.word)}"`;
}

function hostText(host: HostRef | undefined): string | undefined {
  return host?.name;
}

/** Describes a step for display, with secrets masked. */
export function stepView(step: PlanStep, positionOf: (id: string) => string | undefined = () => undefined): StepView {
  const a = step.action;
  const uses = capturesUsed(step).map((ref) => ({ value: `steps.${[ref.step, ref.name, ...ref.path].join('.')}`, after: positionOf(ref.step) ?? ref.step }));
  const env = Object.keys(step.env).length ? Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, displayText(v)])) : undefined;
  return {
    id: step.id,
    position: step.position,
    phase: step.phase,
    title: step.title,
    description: step.description,
    kind: a.kind,
    host: hostText(step.host),
    ssh: step.host?.ssh,
    command: a.kind === 'run' ? displayText(a.command) : undefined,
    instructions: a.kind === 'manual' ? displayText(a.instructions) : undefined,
    script: a.kind === 'script' ? a.script : undefined,
    args: a.kind === 'script' ? a.args.map(displayText) : undefined,
    wait: a.kind === 'wait' ? { until: a.until.map(checkView), timeoutMs: a.timeoutMs, intervalMs: a.intervalMs } : undefined,
    env,
    needs: step.needs,
    precheck: step.precheck.map(checkView),
    verify: step.verify.map(checkView),
    timeoutMs: step.timeoutMs,
    retries: step.retries,
    onFailure: step.onFailure,
    confirm: confirmText(step.confirm),
    idempotent: step.idempotent,
    template: step.template,
    selected: step.selected,
    excludedBy: step.excludedBy,
    ...(a.kind === 'ask' ? { question: { ...a.question, text: displayText(a.question.text) } } : {}),
    ...(step.capture.length ? { capture: step.capture.map((c) => `${c.name} (${c.read === 'regex' ? `regex /${c.pattern}/` : c.read}${c.secret ? ', secret' : ''})`) } : {}),
    ...(step.when.length ? { when: step.when.map((c) => (c.kind === 'check' ? c.check.label : c.label)) } : {}),
    ...(uses.length ? { uses } : {}),
    ...(step.foreach
      ? {
          foreach: {
            items:
              step.foreach.items.kind === 'list'
                ? `${step.foreach.items.values.length} items: ${JSON.stringify(step.foreach.items.values).slice(1, -1).slice(0, 100)}`
                : displayText(step.foreach.items.value).trim(),
            as: step.foreach.as,
            ...(step.foreach.key ? { key: displayText(step.foreach.key) } : {}),
            concurrency: step.foreach.concurrency,
            tolerateFailures: step.foreach.tolerateFailures,
          },
        }
      : {}),
  };
}

/** The captured values a step refers to, each once, in the order they appear. */
function capturesUsed(step: PlanStep): CaptureRef[] {
  const seen = new Map<string, CaptureRef>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === 'object' && 'capture' in item) {
          const ref = (item as { capture: CaptureRef }).capture;
          seen.set([ref.step, ref.name, ...ref.path].join('.'), ref);
        } else walk(item);
      }
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(step);
  return [...seen.values()];
}

/** The whole plan as plain data for `plan --json`: no secret values, ever. */
export function planView(plan: Plan): PlanView {
  const steps = plan.phases.flatMap((p) => p.steps);
  const positions = new Map(steps.map((s) => [s.id, s.position]));
  return {
    format: 'lifeboat-plan/1',
    name: plan.name,
    description: plan.description,
    file: plan.file,
    vars: plan.vars,
    secrets: Object.fromEntries(Object.entries(plan.secrets).map(([name, s]) => [name, s.kind === 'env' ? `env ${s.name}` : s.kind === 'file' ? `file ${s.path}` : 'prompt'])),
    hosts: Object.fromEntries(Object.entries(plan.hosts).map(([name, h]) => [name, { ssh: h.ssh, port: h.port }])),
    counts: { phases: plan.phases.length, steps: steps.length, selected: steps.filter((s) => s.selected).length },
    concurrency: plan.concurrency ?? 1,
    together: runTogether(plan.phases)
      .filter((wave) => wave.length > 1)
      .map((wave) => wave.map((step) => step.id)),
    phases: plan.phases.map((p) => ({
      id: p.id,
      number: p.number,
      title: p.title,
      description: p.description,
      needs: p.needs,
      steps: p.steps.map((step) => stepView(step, (id) => positions.get(id))),
    })),
  };
}
