import type { PlanStep } from '../core/model/plan-types.js';
import { formatDuration } from '../core/text/duration.js';
import { fitText } from '../core/text/fit-text.js';
import { terminalSafe } from '../core/text/terminal-safe.js';
import { wrapText } from '../core/text/wrap-text.js';
import { checkLine, stepView } from '../core/views/plan-view.js';
import type { FailureInfo, PromptContext } from '../ports/prompter.js';
import { terminalSafeValue } from './terminal-safe.js';
import type { Styles } from './terminal-styles.js';

function clockTime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The card shown before a step: where the run is, what the step will do, and how it is verified. */
export function stepCard(step: PlanStep, ctx: PromptContext, s: Styles, width = 80): string {
  // A captured value in its command came from a host: it is shown, never played on the terminal.
  const v = terminalSafeValue(stepView(step));
  const lines: string[] = [];
  const head = `Lifeboat · ${ctx.runbook} · run ${ctx.runId}`;
  // The run id is what `resume` needs: on a narrow console it gets a line of its own rather than being cut.
  if (head.length <= width - 1) lines.push(s.dim(head));
  else lines.push(s.dim(fitText(`Lifeboat · ${ctx.runbook}`, width - 1)), s.dim(`run ${ctx.runId}`));
  const stepAt = `▸ step ${v.position} of ${ctx.stepCount}`;
  const elapsed = `elapsed ${clockTime(ctx.elapsedMs)}`;
  // The phase title gives way first: where the step stands and the clock always fit.
  const phase = fitText(`Phase ${ctx.phaseNumber}/${ctx.phaseCount} ${ctx.phaseTitle}`, Math.max(12, width - 1 - stepAt.length - 1 - elapsed.length - 2));
  const where = `${phase} ${stepAt}`;
  lines.push(`${s.bold(where)}${' '.repeat(Math.max(2, width - 1 - where.length - elapsed.length))}${s.dim(elapsed)}`);
  lines.push('');
  const host = v.host ? `on ${v.host} (${v.ssh})` : 'on this machine';
  if (2 + v.title.length + 2 + host.length <= width - 1) lines.push(`  ${s.bold(v.title)}${' '.repeat(width - 1 - 2 - v.title.length - host.length)}${s.cyan(host)}`);
  else {
    // Too long for one line: the title wraps, and where it runs gets its own line.
    for (const l of wrapText(v.title, width - 3)) lines.push(`  ${s.bold(l)}`);
    lines.push(`  ${s.cyan(host)}`);
  }
  // Prose is wrapped to the card (a YAML `>` block is one long line); commands never are.
  if (v.description) for (const l of wrapText(v.description.trim(), width - 2)) lines.push(`  ${l}`);
  lines.push('');
  if (v.command !== undefined)
    v.command
      .trim()
      .split('\n')
      .forEach((l, i) => {
        lines.push(`  ${i === 0 ? s.cyan('$') : ' '} ${l}`);
      });
  if (v.instructions !== undefined) {
    lines.push(`  ${s.magenta('Do this by hand:')}`);
    for (const l of wrapText(v.instructions.trim(), width - 4)) lines.push(`    ${l}`);
  }
  if (v.script !== undefined) lines.push(`  ${s.cyan('$')} zx ${v.script}${v.args?.length ? ` ${v.args.join(' ')}` : ''}`);
  if (v.wait) {
    lines.push(`  wait up to ${formatDuration(v.wait.timeoutMs)} until:`);
    for (const c of v.wait.until) lines.push(`          ${c.label}`);
  }
  v.precheck.forEach((c, i) => {
    lines.push(`  ${s.dim(i === 0 ? 'precheck' : '        ')}  ${c.label}`);
  });
  v.verify.forEach((c, i) => {
    lines.push(`  ${s.dim(i === 0 ? 'verify  ' : '        ')}  ${c.label}${c.host && c.host !== v.host ? s.dim(` (on ${c.host})`) : ''}`);
  });
  if (v.verify.length === 0 && v.kind !== 'wait') lines.push(s.yellow('  no verify checks: success is the exit code alone'));
  if (v.confirm) lines.push(s.yellow(`  ! dangerous: asks you to confirm (${v.confirm}) before it runs`));
  return `${lines.join('\n')}\n`;
}

/** The question of a menu, naming the step it asks about and fitted to one line: `3.2 Start Unbound — what now?`. */
export function menuQuestion(step: PlanStep, width: number, question = 'what now?'): string {
  const tail = ` — ${question}`;
  // `? ` goes before it and the answer after it: the title gives way, the position never does.
  return `${fitText(`${step.position} ${step.title}`, Math.max(step.position.length + 6, width - 1 - 2 - tail.length - 16))}${tail}`;
}

/** The failure summary shown above the failure menu, its first line fitted to `width`. */
export function failureCard(step: PlanStep, shown: FailureInfo, s: Styles, width = 80): string {
  // What failed is told by a host (its output, its errors): shown, never played on the terminal.
  const failure = { summary: terminalSafe(shown.summary), tail: shown.tail.map((line) => terminalSafe(line, 'output')) };
  const room = width - 1;
  const name = `${step.position} ${step.title}`;
  const said = ` failed: ${failure.summary}`;
  // What failed and how long it took never wrap: the step's name gives way first (its card is
  // just above), and when even a short name leaves no room the summary goes on lines of its own.
  const nameRoom = room - 2 - [...said].length;
  const lines =
    nameRoom >= Math.min([...name].length, step.position.length + 12)
      ? [`${s.red('✖')} ${s.bold(fitText(name, nameRoom))}${said}`]
      : [`${s.red('✖')} ${s.bold(fitText(name, room - 2 - ' failed:'.length))} failed:`, ...wrapText(failure.summary, room - 2).map((l) => `  ${l}`)];
  if (failure.tail.length) {
    lines.push('  last output:');
    for (const l of failure.tail) lines.push(`    ${l}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Everything about a step, for "Show details". */
export function stepDetails(step: PlanStep, s: Styles): string {
  const v = terminalSafeValue(stepView(step));
  const rows: Array<[string, string | undefined]> = [
    ['id', v.id],
    ['position', v.position],
    ['phase', v.phase],
    ['kind', v.kind],
    ['host', v.host ? `${v.host} (${v.ssh})` : 'this machine'],
    ['template', v.template],
    ['needs', v.needs.join(', ') || undefined],
    ['timeout', v.timeoutMs !== undefined ? formatDuration(v.timeoutMs) : 'none'],
    ['retries', String(v.retries)],
    ['on failure', v.onFailure],
    ['confirm', v.confirm],
    ['idempotent', v.idempotent ? 'yes' : 'no'],
    [
      'env',
      v.env
        ? Object.entries(v.env)
            .map(([k, val]) => `${k}=${val}`)
            .join(' ')
        : undefined,
    ],
  ];
  const out = rows.filter(([, val]) => val !== undefined).map(([k, val]) => `  ${s.dim(k.padEnd(11))} ${val}`);
  if (v.wait) out.push(`  ${s.dim('wait'.padEnd(11))} up to ${formatDuration(v.wait.timeoutMs)}, every ${formatDuration(v.wait.intervalMs)}, until all pass:`);
  // Each check with what it looks at and what must hold: how the step is proven, not only a name.
  for (const [set, checks] of [
    ['until', v.wait?.until ?? []],
    ['precheck', v.precheck],
    ['verify', v.verify],
  ] as const) {
    for (const c of checks) out.push(`  ${s.dim(set.padEnd(11))} ${checkLine(c)} ${s.dim(`(timeout ${formatDuration(c.timeoutMs)}${c.host ? `, on ${c.host}` : ''})`)}`);
  }
  return `${out.join('\n')}\n`;
}
