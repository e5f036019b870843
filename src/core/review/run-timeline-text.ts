import { describeSeconds } from '../readiness/age-measure.js';
import { formatDuration } from '../text/duration.js';
import { formatMaybe, formatTimestamp } from '../text/format-time.js';
import { terminalSafe } from '../text/terminal-safe.js';
import type { Paint } from '../views/paint.js';
import { shownValue } from '../views/run-counts-text.js';
import { type Outcome, statusMark, statusPaint, statusSymbol } from '../views/status-mark.js';
import type { ItemSummary, PhaseSummary, RunSummary, StepSummary } from './run-summary.js';

/** Options of runTimelineText. */
export interface TimelineOptions {
  /** Only this step (with its phase heading). */
  step?: string;
  /** Show each step's captured output (the summary must have been read with it). */
  output?: boolean;
}

const INDENT = '       ';

/** Pushes text line by line, each behind the prefix (a last newline ends the text, it opens no empty line). */
function block(raw: string, prefix: string, lines: string[]): void {
  // Output read back from the journal is shown, never played: no escape sequence of it reaches the terminal.
  const text = terminalSafe(raw, 'output');
  // Most output arrives a line at a time: no need to look for more than its end.
  if (text.indexOf('\n') === text.length - 1) {
    lines.push(prefix + text.slice(0, -1));
    return;
  }
  let from = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < text.length; nl = text.indexOf('\n', from)) {
    lines.push(prefix + text.slice(from, nl));
    from = nl + 1;
  }
  if (from < text.length) lines.push(prefix + text.slice(from));
}

/** An RTO beside a measured time: `RTO 30m ✔ within` or `RTO 30m ✖ over by 4m`. */
export function rtoVerdict(measuredMs: number | undefined, rtoMs: number | undefined, paint: Paint): string {
  if (rtoMs === undefined) return '';
  if (measuredMs === undefined) return `RTO ${formatDuration(rtoMs)}`;
  return measuredMs <= rtoMs ? `RTO ${formatDuration(rtoMs)} ${paint.green('✔ within')}` : `RTO ${formatDuration(rtoMs)} ${paint.red(`✖ over by ${formatDuration(measuredMs - rtoMs)}`)}`;
}

/** Counts of step outcomes, the ones that occur: `3 done, 1 failed`. */
export function outcomeCounts(counts: Record<Outcome, number>): string {
  return (Object.entries(counts) as Array<[Outcome, number]>)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

// Lines are pushed onto one array, never spread: a step can have a hundred thousand lines of output.
function stepLines(s: StepSummary, paint: Paint, options: TimelineOptions, lines: string[]): void {
  const clock = s.startedAt ? s.startedAt.slice(11, 19) : '';
  const at = s.offsetMs === undefined ? '' : `+${formatDuration(s.offsetMs)}`;
  const already = s.status === 'done' && s.via === 'precheck';
  const mark = already ? paint.green(`${statusSymbol('done')} already done`) : statusMark(s.status, paint);
  const markWidth = [...`${statusSymbol(s.status)} ${already ? 'already done' : s.status}`].length;
  const head = `  ${(s.position ?? '').padEnd(5)} ${clock.padEnd(8)} ${at.padStart(8)} ${formatMaybe(s.durationMs).padStart(8)}  ${mark}${' '.repeat(Math.max(1, 15 - markWidth))}${paint.bold(s.id)}${s.title !== s.id ? ` · ${s.title}` : ''}${s.host ? paint.dim(` (on ${s.host})`) : ''}`;
  lines.push(head);
  const facts: string[] = [];
  if (s.attempts > 1) facts.push(`${s.attempts} attempts`);
  if (s.segments.length > 1) facts.push(`worked on in ${s.segments.length} sessions`);
  if (s.waitedMs) facts.push(`waited ${formatDuration(s.waitedMs)} for the operator`);
  if (s.via === 'precheck') facts.push('its precheck passed');
  else if (s.via === 'operator') facts.push('marked done by the operator');
  else if (s.via === 'recovered') facts.push('recovered after an interruption');
  if (facts.length) lines.push(paint.dim(`${INDENT}${facts.join(' · ')}`));
  for (const command of s.commands) {
    const [firstLine, ...more] = command.replace(/\n$/, '').split('\n');
    lines.push(`${INDENT}${paint.cyan('$')} ${firstLine}`, ...more.map((l) => `${INDENT}  ${l}`));
  }
  if (s.items) itemLines(s.items, paint, lines);
  for (const c of s.conditions ?? []) lines.push(`${INDENT}${paint.magenta('when')} ${c.held ? '✔' : '·'} ${c.condition}${c.detail ? paint.dim(` (${c.detail})`) : ''}`);
  if (s.captured) {
    const from = s.captured.by && s.captured.by !== 'operator' ? paint.dim(` (${s.captured.by === 'flag' ? 'from --answer' : 'the default'})`) : '';
    for (const [name, value] of Object.entries(s.captured.values)) lines.push(`${INDENT}${paint.magenta(s.captured.by ? 'answer' : 'captured')} ${name} = ${shownValue(value)}${from}`);
  }
  if (s.reason && s.status !== 'done') lines.push(`${INDENT}${s.status === 'skipped' || s.status === 'not-applicable' ? 'why:' : 'reason:'} ${terminalSafe(s.reason)}`);
  for (const c of s.choices) {
    // Running a step when asked is the default; only the choices that changed the course are worth a line.
    if (c.menu === 'before' && c.choice === 'run') continue;
    const why = c.reason && c.reason !== s.reason ? ` — "${c.reason}"` : '';
    const waited = c.waitedMs ? `, after ${formatDuration(c.waitedMs)}` : '';
    lines.push(`${INDENT}${paint.magenta('choice')} ${c.menu}: ${c.choice}${why} ${paint.dim(`(${c.unattended ? 'unattended' : c.by}${waited})`)}`);
  }
  for (const x of s.shells) {
    const how = x.error ? `could not start: ${x.error}` : x.signal ? `ended by ${x.signal}` : x.exitCode !== undefined ? `exit ${x.exitCode}` : 'no end recorded';
    lines.push(`${INDENT}${paint.magenta('shell')} on ${x.where}${x.at ? ` at ${x.at.slice(11, 19)}` : ''}${x.durationMs !== undefined ? `, ${formatDuration(x.durationMs)}` : ''} (${how})`);
  }
  for (const c of s.checks.failed) {
    // Only a step that then ran was run because of it; a skipped one was not.
    const ran = s.attempts > 0 || s.exits.length > 0;
    const what = c.set === 'precheck' ? paint.dim(`precheck not met${ran ? ' (so the step ran)' : ''}: ${c.check}: ${c.reason}`) : `${paint.red('✖')} ${c.set} ${c.check}: ${c.reason}`;
    lines.push(`${INDENT}${what}`);
    if (c.set !== 'precheck' && c.output) block(c.output, `${INDENT}  ${paint.dim('│')} `, lines);
  }
  for (const a of s.ages ?? []) lines.push(`${INDENT}${a.ok ? '✔' : '✖'} age ${describeSeconds(a.ageSeconds)} (max ${describeSeconds(a.maxAgeSeconds)}, newest ${a.newest}): ${a.check}`);
  // With one attempt, the reason above already says how the command ended.
  for (const e of s.attempts > 1 || !s.reason ? s.exits : []) {
    if (e.exitCode === 0) continue;
    lines.push(
      `${INDENT}attempt ${e.attempt}: ${e.error ?? (e.timedOut ? `timed out after ${formatDuration(e.durationMs)}` : `exited ${e.exitCode ?? e.signal} after ${formatDuration(e.durationMs)}`)}`,
    );
  }
  for (const note of s.notes) lines.push(paint.dim(`${INDENT}note: ${note}`));
  if (s.outputLines > 0) {
    const size = `${s.outputLines} line${s.outputLines === 1 ? '' : 's'}${s.outputTruncated ? ', truncated in the journal' : ''}`;
    if (options.output && s.output) {
      lines.push(paint.dim(`${INDENT}output (${size}):`));
      const stdout = `${INDENT}  ${paint.dim('stdout │')} `;
      const stderr = `${INDENT}  ${paint.yellow('stderr │')} `;
      for (const chunk of s.output) block(chunk.text, `${chunk.stream === 'stderr' ? stderr : stdout}${chunk.item !== undefined ? `[${chunk.item}] ` : ''}`, lines);
    } else lines.push(paint.dim(`${INDENT}output: ${size} (--output shows it)`));
  }
}

// One line per item, in the list's order: a fan-out is reviewed item by item, nothing folded away.
function itemLines(items: readonly ItemSummary[], paint: Paint, lines: string[]): void {
  const counts = new Map<Outcome, number>();
  for (const i of items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  lines.push(`${INDENT}${paint.magenta('items')} ${items.length}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  const keyWidth = Math.min(24, Math.max(...items.map((i) => [...i.key].length)) + 2);
  for (const i of items) {
    const already = i.status === 'done' && i.via !== undefined;
    const word = already ? (i.via === 'precheck' ? 'already done' : 'recovered') : i.status;
    const markWidth = [...`${statusSymbol(i.status)} ${word}`].length;
    const facts = [
      ...(i.attempts > 1 ? [`${i.attempts} attempts`] : []),
      // The reason says how its command ended when there is one.
      ...(i.exitCode !== undefined && i.exitCode !== 0 && !i.reason ? [`exit ${i.exitCode}`] : []),
      ...(i.checksFailed > 0 ? [`${i.checksFailed} check${i.checksFailed === 1 ? '' : 's'} failed`] : []),
      ...(i.reason && i.status !== 'done' ? [i.reason] : []),
    ];
    const mark = statusPaint(i.status, paint)(`${statusSymbol(i.status)} ${word}`);
    lines.push(`${INDENT}  ${`[${i.key}]`.padEnd(keyWidth)} ${mark}${' '.repeat(Math.max(1, 15 - markWidth))}${formatMaybe(i.durationMs).padStart(8)}${facts.length ? `  ${facts.join(' · ')}` : ''}`);
  }
}

function phaseHead(p: PhaseSummary, paint: Paint): string {
  const measured = p.durationMs === undefined ? '' : ` · ${formatDuration(p.durationMs)}`;
  // Only a finished phase can be held against its target.
  const rto = p.rtoMs === undefined ? '' : ` · ${rtoVerdict(p.status === 'done' ? p.durationMs : undefined, p.rtoMs, paint)}`;
  return `${paint.bold(paint.blue(`${p.number ?? ''}${p.number ? '  ' : ''}${p.title}`))}${p.id && p.id !== p.title ? paint.dim(` [${p.id}]`) : ''} · ${statusMark(p.status, paint)}${measured}${rto}`;
}

/** `lifeboat logs show`: a run's header, then its timeline phase by phase and step by step. */
export function runTimelineText(run: RunSummary, paint: Paint, options: TimelineOptions = {}): string {
  const out: string[] = [];
  const failedOnward = run.status === 'done' && run.counts.failed > 0 ? ` (${run.counts.failed} step${run.counts.failed === 1 ? '' : 's'} failed, the run went on)` : '';
  out.push(`${paint.bold(`Run ${run.runId}`)} · ${run.runbook.name} · ${statusMark(run.status, paint)}${failedOnward}`);
  out.push(`  runbook   ${run.runbook.path}`);
  out.push(`  started   ${formatTimestamp(run.startedAt)} by ${run.operator}@${run.hostname}${run.mode ? ` (${run.mode}${run.version ? `, lifeboat ${run.version}` : ''})` : ''}`);
  if (run.drill !== undefined) out.push(`  drill     a rehearsal: ${run.drill}`);
  const active = `${run.sessions.length > 1 ? ` · active ${formatDuration(run.activeMs)} in ${run.sessions.length} sessions` : ''}${run.waitedMs ? ` · waited ${formatDuration(run.waitedMs)} for the operator` : ''}`;
  out.push(`  ${run.status === 'running' ? 'last event' : 'ended    '} ${formatTimestamp(run.endedAt)} · elapsed ${formatMaybe(run.elapsedMs)}${active}`);
  if (run.rtoMs !== undefined)
    out.push(`  target    ${rtoVerdict(run.status === 'done' ? run.elapsedMs : undefined, run.rtoMs, paint)}${run.status === 'done' ? '' : paint.dim(' (the run did not finish)')}`);
  out.push(`  steps     ${outcomeCounts(run.counts)}`);
  run.sessions.forEach((x, i) => {
    if (run.sessions.length < 2) return;
    out.push(
      paint.dim(
        `  session ${i + 1}: ${x.resumed ? 'resumed' : 'started'} ${formatTimestamp(new Date(x.start).toISOString())}${x.operator ? ` by ${x.operator}@${x.hostname}` : ''}, ${formatDuration(x.end - x.start)}, ${x.status === 'died' ? 'died (no end recorded)' : x.status}`,
      ),
    );
  });
  if (run.stoppedAt && run.status !== 'done') out.push(`  stopped   at ${run.stoppedAt}${run.message ? `: ${run.message}` : ''}`);
  const already = run.phases.reduce((n, p) => n + p.steps.filter((x) => x.status === 'done' && x.via === 'precheck').length, 0);
  if (already) out.push(`            ${already} of them already done (precheck passed)`);
  for (const f of run.followUps ?? []) out.push(paint.yellow(`  follow up ${f.position ?? f.step} ${f.title}: ${f.detail}`));
  for (const note of run.notes) out.push(paint.yellow(`  ! ${note}`));
  if (run.tornLine) out.push(paint.yellow('  ! the journal ends in a torn line (the run died mid-write); that line was left out'));
  for (const phase of run.phases) {
    const steps = options.step ? phase.steps.filter((s) => s.id === options.step) : phase.steps;
    if (steps.length === 0) continue;
    out.push('');
    out.push(phaseHead(phase, paint));
    for (const s of steps) stepLines(s, paint, options, out);
  }
  return `${out.join('\n')}\n`;
}
