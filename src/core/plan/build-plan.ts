import type { HostRef, Plan, PlanPhase, SecretSource, Selection } from '../model/plan-types.js';
import { type Problem, sortProblems } from '../model/problem.js';
import { parseSource, positionOf, type SourceFile } from '../parse/source-doc.js';
import { parseLongDuration } from '../readiness/long-duration.js';
import { captureNames } from '../resolve/capture-names.js';
import type { HOST_FIELDS, Scope } from '../resolve/interpolate.js';
import { unknownHost } from '../resolve/resolve-check.js';
import { type CaptureUse, child, isRecord, type Located, Resolution } from '../resolve/resolve-context.js';
import { resolveStep, type StepEnvironment, type UnplacedStep } from '../resolve/resolve-step.js';
import { TemplateCache } from '../resolve/step-template.js';
import { displayText, type Piece } from '../shell/rendered.js';
import { parseDuration } from '../text/duration.js';
import { ENV_NAME } from '../validate/env-name.js';
import type { SchemaCheck } from '../validate/schema-check.js';
import { didYouMean } from '../validate/suggest.js';
import { placedStep } from './placed-step.js';
import { selectSteps } from './select-steps.js';
import { topologicalOrder } from './topological-order.js';

/** The step library a runbook draws on: templates by name and the script files present. */
export interface StepLibrary {
  /** The folder, as shown in messages. */
  dir: string;
  templates: ReadonlyMap<string, SourceFile>;
  scripts: ReadonlySet<string>;
}

/** Everything a plan is built from; all of it already read from disk. */
export interface PlanInput {
  runbook: SourceFile;
  library: StepLibrary;
  /** --inventory FILE: hosts and vars that replace the runbook's. */
  inventory?: SourceFile;
  /** --vars FILE */
  varsFile?: SourceFile;
  /** --var key=value, later ones win. */
  vars?: ReadonlyArray<[string, string]>;
  /** Problems met while reading (an unreadable vars file), reported with the rest. */
  problems?: Problem[];
  selection?: Selection;
}

export interface SchemaChecks {
  runbook: SchemaCheck;
  template: SchemaCheck;
  inventory: SchemaCheck;
}

/** Parses, validates, resolves and orders a runbook; returns the plan, or every problem found. */
export function buildPlan(input: PlanInput, schemas: SchemaChecks): { plan?: Plan; problems: Problem[] } {
  const parsed = parseSource(input.runbook);
  if (!parsed.source) return { problems: sortProblems([...(input.problems ?? []), ...parsed.problems], input.runbook.path) };
  const src = parsed.source;
  const value = parsed.value;
  const res = new Resolution();
  res.problems.push(...(input.problems ?? []));
  res.problems.push(...schemas.runbook(src, value));
  if (!isRecord(value)) return { problems: sortProblems(res.problems, src.file) };

  const root: Located<Record<string, unknown>> = { value, src, path: [], scope: emptyScope() };
  const inventory = readInventory(input.inventory, res, schemas);
  const vars = resolveVars(root, input, res, inventory?.vars);
  const hosts = { ...resolveHosts(child(root, 'hosts'), res), ...(inventory ? resolveHosts(inventory.hosts, res) : {}) };
  const secrets = resolveSecrets(child(root, 'secrets'), res);
  const templates = new TemplateCache(input.library.templates, schemas.template, res.problems);
  root.scope = { ...rootScope(vars, hosts, value), steps: captureNames(value.phases, templates) };

  const env = { hosts, templates, scripts: input.library.scripts, stepsDir: input.library.dir };
  const phases = collectPhases(child<unknown[]>(root, 'phases'), res, env);
  const orderedPhases = orderPhases(phases, res);
  checkCaptureOrder(orderedPhases, phases, res);

  const description = typeof value.description === 'string' ? displayText(res.text(child(root, 'description'), false)) : undefined;

  if (res.problems.length > 0) return { problems: sortProblems(res.problems, src.file) };
  const plan: Plan = {
    name: String(value.name),
    description,
    file: src.file,
    rtoMs: duration(value.rto),
    ...(value.rpo !== undefined ? { rpoMs: longDuration(value.rpo) } : {}),
    ...(value.drill_every !== undefined ? { drillEveryMs: longDuration(value.drill_every) } : {}),
    ...(typeof value.concurrency === 'number' ? { concurrency: value.concurrency } : {}),
    vars: Object.fromEntries(vars),
    secrets,
    hosts,
    phases: orderedPhases,
  };
  return { plan: input.selection ? selectSteps(plan, input.selection) : plan, problems: [] };
}

/** A phase as written, its steps resolved but not yet ordered. */
interface UnorderedPhase {
  at: Located<Record<string, unknown>>;
  id: string;
  steps: UnplacedStep[];
  stepAt: Map<string, Located>;
  /** Every step id written, even of steps that failed to resolve, so `needs` naming them is not reported twice. */
  declared: string[];
  /** The captured values each step refers to, and where. */
  captureUses: Map<string, CaptureUse[]>;
}

/** Reports an id used twice across phases and steps, pointing at where it was first used. */
type ClaimId = (id: string, at: Located, what: 'phase' | 'step', keyAt: Located, fromTemplate?: boolean) => void;

/** What the runbook's text may refer to: its vars, every declared secret, its hosts' fields. */
function rootScope(vars: Map<string, string>, hosts: Record<string, HostRef>, value: Record<string, unknown>): Scope {
  const declaredSecrets = isRecord(value.secrets) ? Object.keys(value.secrets) : [];
  return {
    vars: new Map([...vars].map(([k, v]) => [k, [{ text: v }] as Piece[]])),
    // Every declared secret is in scope, even a broken one, so its uses are not reported twice.
    secrets: new Set(declaredSecrets),
    hosts: new Map(Object.entries(hosts).map(([k, h]) => [k, hostFields(h)])),
  };
}

function idClaimer(res: Resolution): ClaimId {
  const ids = new Map<string, { at: Located; what: 'phase' | 'step' }>();
  return (id, at, what, keyAt, fromTemplate = false) => {
    const first = ids.get(id);
    if (first) {
      res.report(keyAt, {
        message: `duplicate id \`${id}\``,
        expected: 'ids unique across all phases and steps',
        received: `${what} \`${id}\`, already the id of the ${first.what} at line ${positionOf(first.at.src, first.at.path).line}`,
        hint: fromTemplate ? 'a step made from a template takes the template name unless it has an `id:`: give it one' : `rename one of them`,
      });
    } else ids.set(id, { at, what });
  };
}

/** Resolves every phase and its steps in the order written, claiming their ids. */
function collectPhases(phasesAt: Located<unknown[]>, res: Resolution, env: StepEnvironment): UnorderedPhase[] {
  const phases: UnorderedPhase[] = [];
  const claimId = idClaimer(res);
  if (!Array.isArray(phasesAt.value)) return phases;
  phasesAt.value.forEach((_, i) => {
    const phaseAt = child<Record<string, unknown>>(phasesAt, i);
    if (!isRecord(phaseAt.value) || typeof phaseAt.value.id !== 'string') return;
    const phaseId = phaseAt.value.id;
    claimId(phaseId, phaseAt, 'phase', child(phaseAt, 'id'));
    const on = typeof phaseAt.value.on === 'string' ? phaseAt.value.on : undefined;
    if (on !== undefined && !env.hosts[on]) res.report(child(phaseAt, 'on'), unknownHost(on, env.hosts));
    const phase: UnorderedPhase = { at: phaseAt, id: phaseId, steps: [], stepAt: new Map(), declared: [], captureUses: new Map() };
    collectSteps(phase, on, res, env, claimId);
    phases.push(phase);
  });
  return phases;
}

function collectSteps(phase: UnorderedPhase, on: string | undefined, res: Resolution, env: StepEnvironment, claimId: ClaimId): void {
  const stepsAt = child<unknown[]>(phase.at, 'steps');
  if (!Array.isArray(stepsAt.value)) return;
  stepsAt.value.forEach((__, j) => {
    const at = child(stepsAt, j);
    const raw = isRecord(at.value) ? at.value : {};
    const declaredId = typeof raw.id === 'string' ? raw.id : typeof raw.uses === 'string' ? raw.uses.split('/').pop() : undefined;
    if (declaredId) phase.declared.push(declaredId);
    const usesFrom = res.captureUses.length;
    const step = resolveStep(at, { id: phase.id, on: env.hosts[on ?? ''] ? on : undefined }, res, env);
    if (!step) return;
    phase.captureUses.set(step.id, res.captureUses.slice(usesFrom));
    const idAt = raw.id !== undefined ? child(at, 'id') : child(at, 'uses');
    claimId(step.id, at, 'step', idAt, raw.id === undefined && raw.uses !== undefined);
    phase.steps.push(step);
    phase.stepAt.set(step.id, at);
  });
}

/**
 * Reports every reference to a captured value whose step does not come before the step that uses
 * it in restore order: its value would not be known yet when it is needed.
 */
function checkCaptureOrder(ordered: PlanPhase[], phases: UnorderedPhase[], res: Resolution): void {
  const place = new Map(ordered.flatMap((p) => p.steps).map((step, index) => [step.id, { index, position: step.position }] as const));
  for (const phase of phases) {
    for (const [id, uses] of phase.captureUses) {
      const user = place.get(id);
      // A step left out of the order (a cycle, reported already) has no place to compare.
      if (!user) continue;
      const reported = new Set<string>();
      for (const { ref, where } of uses) {
        // A capture passed through a template parameter is met twice: where given, and in the template.
        const key = `${ref.step}.${ref.name}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const producer = place.get(ref.step);
        if (producer && producer.index < user.index) continue;
        const self = ref.step === id;
        res.problems.push({
          ...where,
          message: self
            ? `step \`${id}\` uses a value it captures itself: it is known only after the step ran`
            : `\`steps.${ref.step}.${ref.name}\` is captured by step ${producer?.position ?? '?'} (\`${ref.step}\`), which comes after this step (${user.position}) in restore order`,
          expected: 'a value captured by an earlier step in restore order',
          received: `steps.${[ref.step, ref.name, ...ref.path].join('.')}`,
          hint: self ? 'check the output in a verify check of its own command instead' : `add \`${ref.step}\` to this step's \`needs:\`, or put its phase first`,
        });
      }
    }
  }
}

/** Orders the phases by their needs, then the steps of each phase by theirs, numbering both. */
function orderPhases(phases: UnorderedPhase[], res: Resolution): PlanPhase[] {
  // Phases need phases; steps need steps of their own phase.
  const phaseIds = phases.map((p) => p.id);
  const phaseNeeds = new Map<string, string[]>();
  for (const phase of phases) {
    phaseNeeds.set(
      phase.id,
      checkNeeds(child(phase.at, 'needs'), phase.id, phaseIds, 'phase', res, (id) => describeStepElsewhere(id, phases)),
    );
  }
  const phaseOrder = orderOrReport(phaseIds, phaseNeeds, 'phases', (id) => child(phases.find((p) => p.id === id)!.at, 'needs'), res);
  return [...phaseOrder.entries()].map(([n, phaseId]) => orderPhase(phases.find((p) => p.id === phaseId)!, n, phases, phaseNeeds, res));
}

function orderPhase(phase: UnorderedPhase, n: number, phases: UnorderedPhase[], phaseNeeds: Map<string, string[]>, res: Resolution): PlanPhase {
  const stepIds = phase.steps.map((s) => s.id);
  const stepNeeds = new Map<string, string[]>();
  for (const step of phase.steps) {
    const at = phase.stepAt.get(step.id)!;
    stepNeeds.set(
      step.id,
      checkNeeds(child(at, 'needs'), step.id, phase.declared, 'step', res, (id) => describeStepElsewhere(id, phases, phase.id)),
    );
  }
  const stepOrder = orderOrReport(stepIds, stepNeeds, `steps of phase \`${phase.id}\``, (id) => child(phase.stepAt.get(id)!, 'needs'), res);
  const byId = new Map(phase.steps.map((s) => [s.id, s]));
  const raw = phase.at.value;
  return {
    id: phase.id,
    number: n + 1,
    title: typeof raw.title === 'string' ? displayText(res.text(child(phase.at, 'title'), false)) : phase.id,
    description: typeof raw.description === 'string' ? displayText(res.text(child(phase.at, 'description'), false)) : undefined,
    needs: phaseNeeds.get(phase.id) ?? [],
    rtoMs: duration(raw.rto),
    ...(raw.rpo !== undefined ? { rpoMs: longDuration(raw.rpo) } : {}),
    // A step that names no `needs` keeps its place after the one before it, even when steps run side by side.
    steps: stepOrder.map((id, k) => placedStep(byId.get(id)!, `${n + 1}.${k + 1}`, k > 0 && !writesNeeds(phase.stepAt.get(id)!) ? stepOrder[k - 1] : undefined)),
  };
}

/** Whether a step as written names its `needs` (an empty list included). */
function writesNeeds(at: Located): boolean {
  const raw = at.value;
  return typeof raw === 'object' && raw !== null && Object.hasOwn(raw, 'needs');
}

function longDuration(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseLongDuration(value) : undefined;
}

function emptyScope(): Scope {
  return { vars: new Map(), secrets: new Set(), hosts: new Map() };
}

function duration(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

/** Parses and checks an inventory file: its hosts and vars, located for problems. */
function readInventory(file: SourceFile | undefined, res: Resolution, schemas: SchemaChecks): { hosts: Located; vars: Located } | undefined {
  if (!file) return undefined;
  const parsed = parseSource(file, 'an inventory with hosts: and vars:');
  res.problems.push(...parsed.problems);
  if (!parsed.source) return undefined;
  res.problems.push(...schemas.inventory(parsed.source, parsed.value));
  const at: Located = { value: isRecord(parsed.value) ? parsed.value : {}, src: parsed.source, path: [], scope: emptyScope() };
  return { hosts: child(at, 'hosts'), vars: child(at, 'vars') };
}

/** Applies defaults, then the inventory's vars, then --vars FILE, then --var; reports unknown names and vars left without a value. */
function resolveVars(root: Located<Record<string, unknown>>, input: PlanInput, res: Resolution, inventoryVars: Located | undefined): Map<string, string> {
  const declaredAt = child(root, 'vars');
  const declared = isRecord(declaredAt.value) ? declaredAt.value : {};
  const names = Object.keys(declared);
  const values = new Map<string, string | null>();
  for (const name of names) {
    const v = declared[name];
    values.set(name, v === null || v === undefined ? null : typeof v === 'object' ? '' : String(v));
  }
  if (inventoryVars && isRecord(inventoryVars.value)) {
    for (const [name, v] of Object.entries(inventoryVars.value)) {
      if (!values.has(name)) {
        res.report(
          child(inventoryVars, name),
          {
            message: `unknown var \`${name}\``,
            expected: `one of the runbook's vars: ${names.join(', ') || '(none)'}`,
            received: `\`${name}\``,
            hint: didYouMean(name, names) ?? 'an inventory sets vars the runbook declares under `vars:`',
          },
          true,
        );
      } else if (typeof v !== 'object' || v === null) values.set(name, v === null ? null : String(v));
    }
  }
  if (input.varsFile) {
    const parsed = parseSource(input.varsFile, 'a map of var names to values');
    res.problems.push(...parsed.problems);
    if (parsed.source) {
      const fileValue = parsed.value;
      const fileAt: Located = { value: fileValue, src: parsed.source, path: [], scope: emptyScope() };
      if (!isRecord(fileValue)) {
        res.report(fileAt, { message: 'a vars file must be a map', expected: 'name: value lines', received: Array.isArray(fileValue) ? 'a list' : typeof fileValue });
      } else {
        for (const [name, v] of Object.entries(fileValue)) {
          if (!values.has(name)) {
            res.report(
              child(fileAt, name),
              {
                message: `unknown var \`${name}\``,
                expected: `one of the runbook's vars: ${names.join(', ') || '(none)'}`,
                received: `\`${name}\``,
                hint: didYouMean(name, names) ?? 'declare it under `vars:` in the runbook first',
              },
              true,
            );
          } else if (typeof v === 'object' && v !== null) {
            res.report(child(fileAt, name), { message: `var \`${name}\` must be a single value`, expected: 'a string, number or boolean', received: Array.isArray(v) ? 'a list' : 'a map' });
          } else values.set(name, v === null ? null : String(v));
        }
      }
    }
  }
  for (const [name, v] of input.vars ?? []) {
    if (!values.has(name)) {
      res.problems.push({
        file: '(command line)',
        line: 0,
        column: 0,
        path: `--var ${name}=...`,
        message: `unknown var \`${name}\``,
        expected: `one of the runbook's vars: ${names.join(', ') || '(none)'}`,
        received: `\`${name}\``,
        hint: didYouMean(name, names) ?? 'declare it under `vars:` in the runbook first',
      });
    } else values.set(name, v);
  }
  const resolved = new Map<string, string>();
  for (const [name, v] of values) {
    if (v === null) {
      res.report(child(declaredAt, name), { message: `var \`${name}\` has no value`, expected: 'a value given with --var or --vars', received: 'null', hint: `run with --var ${name}=VALUE` }, true);
    }
    // Kept in scope even without a value, so its uses are not reported as undefined too.
    resolved.set(name, v ?? '');
  }
  return resolved;
}

// `[user@]host`: a user name, and a host name or an IPv4 address or a bracket-less IPv6 address.
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SSH_HOST = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*$/;

/** Why an `ssh:` value is not `[user@]host`, if it is not: it is handed to ssh, which must never read it as an option. */
function sshProblem(ssh: string): { message: string; hint: string } | undefined {
  const portGiven = /^(?:[^@]*@)?([^:@[\]]+):(\d+)$/.exec(ssh) ?? /^(?:[^@]*@)?\[([^\]]+)\]:(\d+)$/.exec(ssh);
  if (portGiven) return { message: 'a port cannot be part of `ssh:`', hint: `write the port as its own key: port: ${portGiven[2]}` };
  const at = ssh.lastIndexOf('@');
  const user = at >= 0 ? ssh.slice(0, at) : undefined;
  const address = at >= 0 ? ssh.slice(at + 1) : ssh;
  if (user !== undefined && !SSH_USER.test(user)) return { message: `\`${user}\` is not a user name`, hint: 'a user name is letters, digits, _ . - and does not start with -' };
  if (!SSH_HOST.test(address))
    return { message: `\`${address}\` is not a host name or address`, hint: 'a host is a name (letters, digits, . - _) or an IP address; ssh options go in identity:, known_hosts:, port:' };
  return undefined;
}

function resolveHosts(at: Located, res: Resolution): Record<string, HostRef> {
  const hosts: Record<string, HostRef> = {};
  if (!isRecord(at.value)) return hosts;
  for (const [name, raw] of Object.entries(at.value)) {
    // A host the schema rejects stays known by name, so steps on it are not reported as well.
    if (!isRecord(raw)) continue;
    const ssh = typeof raw.ssh === 'string' ? raw.ssh : '';
    const bad = typeof raw.ssh === 'string' ? sshProblem(ssh) : undefined;
    if (bad) res.report(child(child(at, name), 'ssh'), { ...bad, expected: '[user@]host, e.g. root@192.168.10.20', received: JSON.stringify(ssh) });
    const userAt = ssh.lastIndexOf('@');
    hosts[name] = {
      name,
      ssh,
      user: userAt >= 0 ? ssh.slice(0, userAt) : undefined,
      address: userAt >= 0 ? ssh.slice(userAt + 1) : ssh,
      port: typeof raw.port === 'number' ? raw.port : undefined,
      identity: typeof raw.identity === 'string' ? raw.identity : undefined,
      knownHosts: typeof raw.known_hosts === 'string' ? raw.known_hosts : undefined,
    };
  }
  return hosts;
}

function hostFields(host: HostRef): Record<string, string> {
  const fields: Record<(typeof HOST_FIELDS)[number], string> = {
    name: host.name,
    ssh: host.ssh,
    user: host.user ?? '',
    address: host.address,
    port: String(host.port ?? 22),
  };
  return fields;
}

function resolveSecrets(at: Located, res: Resolution): Record<string, SecretSource> {
  const secrets: Record<string, SecretSource> = {};
  if (!isRecord(at.value)) return secrets;
  for (const [name, raw] of Object.entries(at.value)) {
    if (!isRecord(raw)) continue;
    const sources = (['env', 'file', 'prompt'] as const).filter((k) => raw[k] !== undefined && raw[k] !== false);
    if (sources.length !== 1) {
      res.report(child(at, name), {
        message: sources.length === 0 ? `secret \`${name}\` has no source` : `secret \`${name}\` has more than one source`,
        expected: 'exactly one of env: VAR, file: PATH, prompt: true',
        received: sources.length ? sources.join(' and ') : `keys ${Object.keys(raw).join(', ') || '(none)'}`,
      });
      continue;
    }
    const source = sources[0]!;
    if (source === 'env' && typeof raw.env === 'string' && !ENV_NAME.test(raw.env)) {
      res.report(child(child(at, name), 'env'), {
        message: `\`${raw.env}\` is not an environment variable name`,
        expected: 'an environment variable name: letters, digits and _, not starting with a digit',
        received: JSON.stringify(raw.env),
        hint: 'a shell cannot export such a name, so the secret could never be given: name the variable you export, e.g. env: NAS_KEY',
      });
    }
    if (source === 'file' && typeof raw.file === 'string' && raw.file.trim() === '') {
      res.report(child(child(at, name), 'file'), {
        message: `secret \`${name}\` names no file`,
        expected: 'the path of a file holding the secret, e.g. ~/.secrets/nas-key',
        received: JSON.stringify(raw.file),
        hint: 'give the path, or use env: VAR or prompt: true',
      });
    }
    secrets[name] = source === 'env' ? { kind: 'env', name: String(raw.env) } : source === 'file' ? { kind: 'file', path: String(raw.file) } : { kind: 'prompt' };
  }
  return secrets;
}

function checkNeeds(at: Located, self: string, known: readonly string[], what: 'phase' | 'step', res: Resolution, elsewhere: (id: string) => string | undefined): string[] {
  if (!Array.isArray(at.value)) return [];
  const valid: string[] = [];
  at.value.forEach((need, i) => {
    if (typeof need !== 'string') return;
    const needAt = child(at, i);
    if (need === self) {
      res.report(needAt, { message: `${what} \`${self}\` needs itself`, expected: `other ${what}s`, received: `\`${need}\``, hint: 'remove it from `needs`' });
    } else if (!known.includes(need)) {
      res.report(needAt, {
        message: `\`needs\` names no ${what} \`${need}\``,
        expected: what === 'phase' ? `one of the phases: ${known.join(', ')}` : `a step of the same phase: ${known.join(', ')}`,
        received: `\`${need}\``,
        hint: elsewhere(need) ?? didYouMean(need, known),
      });
    } else valid.push(need);
  });
  return valid;
}

function describeStepElsewhere(id: string, phases: ReadonlyArray<{ id: string; steps: UnplacedStep[] }>, ownPhase?: string): string | undefined {
  for (const phase of phases) {
    if (phase.id === ownPhase) continue;
    if (phase.steps.some((s) => s.id === id)) {
      return ownPhase === undefined
        ? `\`${id}\` is a step of phase \`${phase.id}\`; a phase needs phases: use \`${phase.id}\``
        : `\`${id}\` is in phase \`${phase.id}\`; steps need steps of their own phase: make phase \`${ownPhase}\` need \`${phase.id}\``;
    }
  }
  return undefined;
}

function orderOrReport(ids: string[], needs: Map<string, string[]>, what: string, needsAt: (id: string) => Located, res: Resolution): string[] {
  const result = topologicalOrder({ nodes: ids, needs });
  if ('order' in result) return result.order;
  const cycle = result.cycle;
  const pairs = cycle.slice(1).map((id, i) => `${id} needs ${cycle[i]}`);
  res.report(needsAt(cycle[cycle.length - 1]!), {
    message: `dependency cycle among ${what}: ${cycle.join(' -> ')}`,
    expected: 'needs that form no cycle (a -> b: b needs a)',
    received: pairs.join(', '),
    hint: 'remove one of these needs so the restore order has a start',
  });
  return ids;
}
