import type { Styles } from '../adapters/terminal-styles.js';
import type { Plan, PlanPhase } from '../core/model/plan-types.js';
import type { PlanEstimate } from '../core/plan/plan-estimate.js';
import { runTogether } from '../core/schedule/step-waits.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import { formatDuration } from '../core/text/duration.js';
import { type CheckView, checkLine, type StepView, stepView } from '../core/views/plan-view.js';
import { lifeboatCommand } from './command-name.js';

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** A check's own timeout is shown only when it is not the usual one. */
const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

function checkLines(title: string, checks: CheckView[], s: Styles): string[] {
  return checks.map((c, i) => {
    const where = c.host ? s.dim(` (on ${c.host})`) : '';
    const timeout = c.timeoutMs !== DEFAULT_CHECK_TIMEOUT_MS ? s.dim(` timeout ${formatDuration(c.timeoutMs)}`) : '';
    return `      ${i === 0 ? s.dim(title.padEnd(9)) : ' '.repeat(9)}${checkLine(c)}${where}${timeout}`;
  });
}

function stepLines(v: StepView, s: Styles, estimateMs: number | undefined): string[] {
  const left = v.selected ? '' : s.yellow(`  [left out: ${v.excludedBy}]`);
  const where = v.host ? `on ${v.host} (${v.ssh})` : 'local';
  const head = `  ${s.bold(v.position.padEnd(5))} ${v.selected ? s.bold(v.title) : s.dim(v.title)}  ${s.dim(`${v.kind} · ${where}`)}${left}`;
  const lines = [head];
  if (v.description) lines.push(s.dim(indent(v.description, '        ')));
  if (v.command !== undefined) lines.push(indent(v.command, `      ${s.cyan('$')} `).replace(/\n {6}\$ /g, '\n        '));
  if (v.instructions !== undefined) lines.push(indent(v.instructions, `      ${s.magenta('✋')} `).replace(/\n {6}✋ /g, '\n         '));
  if (v.script !== undefined) lines.push(`      ${s.cyan('$')} zx ${v.script}${v.args?.length ? ` ${v.args.join(' ')}` : ''}`);
  if (v.wait) {
    lines.push(`      ${s.dim('wait')}     up to ${formatDuration(v.wait.timeoutMs)}, every ${formatDuration(v.wait.intervalMs)}, until:`);
    lines.push(...checkLines('', v.wait.until, s));
  }
  if (v.question) {
    const q = v.question;
    const takes = q.choices ? `one of ${q.choices.join(', ')}` : q.pattern !== undefined ? `matching /${q.pattern}/` : 'any answer';
    lines.push(`      ${s.magenta('?')} ${q.text}`, `      ${s.dim('answer')}   ${takes}${q.default !== undefined ? `; default ${q.default}` : `; no default (unattended: --answer ${v.id}=VALUE)`}`);
  }
  if (v.env) for (const [k, val] of Object.entries(v.env)) lines.push(`      ${s.dim('env')}      ${k}=${val}`);
  for (const [i, c] of (v.when ?? []).entries()) lines.push(`      ${s.dim((i === 0 ? 'when' : '').padEnd(9))}${c}`);
  for (const [i, u] of (v.uses ?? []).entries()) lines.push(`      ${s.dim((i === 0 ? 'uses' : '').padEnd(9))}${u.value} ${s.dim(`(known after step ${u.after})`)}`);
  if (v.capture) lines.push(`      ${s.dim('captures')} ${v.capture.join(', ')}`);
  if (v.foreach) {
    const f = v.foreach;
    const extra = [`${f.concurrency} at a time`, ...(f.tolerateFailures ? [`up to ${f.tolerateFailures} may fail`] : []), ...(f.key ? [`key ${f.key}`] : [])];
    lines.push(`      ${s.dim('for each')} ${f.as} of ${f.items} ${s.dim(`(${extra.join(', ')})`)}`);
  }
  lines.push(...checkLines('precheck', v.precheck, s));
  lines.push(...checkLines('verify', v.verify, s));
  const notes: string[] = [];
  if (v.needs.length) notes.push(`after ${v.needs.join(', ')}`);
  if (v.timeoutMs !== undefined) notes.push(`timeout ${formatDuration(v.timeoutMs)}`);
  if (v.retries) notes.push(`retries ${v.retries}`);
  if (v.onFailure === 'continue') notes.push('continues on failure');
  if (v.confirm) notes.push(s.yellow(`confirm: ${v.confirm}`));
  if (v.idempotent) notes.push('idempotent');
  if (v.template) notes.push(`from ${v.template}`);
  if (estimateMs !== undefined) notes.push(`usually ${formatDuration(estimateMs)}`);
  if (notes.length) lines.push(`      ${s.dim(notes.join(' · '))}`);
  return lines;
}

/** The estimate and RTO of a phase, for its heading: ` · est. 4m 10s · RTO 30m`. */
function phaseTiming(phase: PlanPhase, estimate: PlanEstimate | undefined, s: Styles): string {
  const parts: string[] = [];
  const e = estimate?.phases.find((p) => p.id === phase.id);
  if (e?.estimateMs !== undefined) parts.push(`est. ${formatDuration(e.estimateMs)}${e.unknownSteps ? ` + ${e.unknownSteps} step${e.unknownSteps === 1 ? '' : 's'} without history` : ''}`);
  if (phase.rtoMs !== undefined) {
    const over = e?.estimateMs !== undefined && e.estimateMs > phase.rtoMs;
    parts.push(over ? s.red(`RTO ${formatDuration(phase.rtoMs)}: the estimate is over it`) : `RTO ${formatDuration(phase.rtoMs)}`);
  }
  return parts.length ? s.dim(` · ${parts.join(' · ')}`) : '';
}

/** The line under the plan's heading with the whole estimate beside the RTO; empty without history. */
function estimateLine(estimate: PlanEstimate | undefined, rtoMs: number | undefined, s: Styles): string[] {
  if (!estimate || estimate.runs === 0 || estimate.totalMs === undefined) return [];
  const unknown = estimate.unknownSteps ? ` (+ ${estimate.unknownSteps} step${estimate.unknownSteps === 1 ? '' : 's'} without history)` : '';
  const base = `estimated ${formatDuration(estimate.totalMs)}${unknown} from the median step times of ${estimate.runs} past run${estimate.runs === 1 ? '' : 's'}`;
  if (rtoMs === undefined) return [s.dim(base)];
  return [estimate.totalMs > rtoMs ? s.red(`${base} · over the RTO of ${formatDuration(rtoMs)}`) : s.dim(`${base} · within the RTO of ${formatDuration(rtoMs)}`)];
}

/** Renders a plan as the restore document an operator reads before and during a restore; with past runs, their estimated durations. */
/** The steps that may run side by side, wave by wave, when there are any. */
function togetherLines(plan: Plan, positions: ReadonlyMap<string, string>, s: Styles): string[] {
  const waves = runTogether(plan.phases).filter((wave) => wave.length > 1);
  if (waves.length === 0) return [];
  const n = plan.concurrency ?? 1;
  const how = n > 1 ? `(concurrency ${n})` : 'with --concurrency N (now one at a time)';
  const lines = ['', s.bold('Side by side'), s.dim(`  Steps on one line may run together ${how}:`)];
  for (const wave of waves) lines.push(`  ${wave.map((step) => `${positions.get(step.id)} ${step.id}`).join(s.dim(' · '))}`);
  return lines;
}

export function renderPlan(plan: Plan, s: Styles, estimate?: PlanEstimate): string {
  const all = plan.phases.flatMap((p) => p.steps);
  const positions = new Map(all.map((step) => [step.id, step.position]));
  const selected = all.filter((step) => step.selected).length;
  const out: string[] = [];
  out.push(`${s.bold(`Plan · ${plan.name}`)} ${s.dim(`· ${plan.file}`)}`);
  if (plan.description) out.push(plan.description.trim());
  const left = all.length - selected;
  out.push(
    s.dim(
      `${plan.phases.length} phase${plan.phases.length === 1 ? '' : 's'} in restore order: ${plan.phases.map((p) => p.id).join(' → ')} · ` +
        `${all.length} step${all.length === 1 ? '' : 's'}${left ? `, ${left} left out` : ''}` +
        `${plan.rtoMs !== undefined ? ` · RTO ${formatDuration(plan.rtoMs)}` : ''}`,
    ),
  );
  out.push(...estimateLine(estimate, plan.rtoMs, s));
  const vars = Object.entries(plan.vars);
  if (vars.length) out.push(s.dim(`vars: ${vars.map(([k, v]) => `${k}=${v}`).join('  ')}`));
  const secrets = Object.keys(plan.secrets);
  if (secrets.length) out.push(s.dim(`secrets (shown as [secret:NAME]): ${secrets.join(', ')}`));
  for (const phase of plan.phases) {
    out.push('');
    const needs = phase.needs.length ? s.dim(`  after ${phase.needs.join(', ')}`) : '';
    out.push(`${s.bold(s.blue(`${phase.number}  ${phase.title}`))}${s.dim(` [${phase.id}]`)}${needs}${phaseTiming(phase, estimate, s)}`);
    if (phase.description) out.push(s.dim(indent(phase.description, '   ')));
    for (const step of phase.steps)
      out.push(
        ...stepLines(
          stepView(step, (id) => positions.get(id)),
          s,
          estimate?.steps[step.id],
        ),
      );
  }
  out.push(...togetherLines(plan, positions, s));
  out.push('');
  out.push(s.dim(`This is a plan: nothing was run. Run it with \`${lifeboatCommand()} run ${shellQuote(plan.file)}\`.`));
  return `${out.join('\n')}\n`;
}
