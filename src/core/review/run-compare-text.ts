import { formatDuration } from '../text/duration.js';
import { formatMaybe } from '../text/format-time.js';
import type { Paint } from '../views/paint.js';
import { statusMark, statusSymbol } from '../views/status-mark.js';
import type { RunComparison, StepComparison } from './run-compare.js';

function signed(ms: number): string {
  return ms >= 0 ? `+${formatDuration(ms)}` : `-${formatDuration(-ms)}`;
}

function change(row: StepComparison, paint: Paint): string {
  if (row.deltaMs === undefined) return '';
  const ratio = row.ratio !== undefined && row.ratio >= 1.05 ? `, ${row.ratio.toFixed(1)}x` : '';
  const text = `(${signed(row.deltaMs)}${ratio})`;
  return row.deltaMs > 0 ? paint.red(text) : row.deltaMs < 0 ? paint.green(text) : paint.dim(text);
}

function outcome(side: StepComparison['a']): string {
  if (!side) return 'not in run';
  return side.via === 'precheck' ? `${statusSymbol(side.status)} already done` : `${statusSymbol(side.status)} ${side.status}`;
}

/** `lifeboat logs compare`: the two runs, then `phase > step: A -> B (+Δ)` lines, largest slow-downs first. */
export function compareText(cmp: RunComparison, paint: Paint): string {
  const out: string[] = [];
  out.push(`${paint.bold('A')} ${cmp.a.runId} · ${cmp.a.runbook} · ${statusMark(cmp.a.status, paint)} · ${formatMaybe(cmp.a.elapsedMs)}`);
  out.push(`${paint.bold('B')} ${cmp.b.runId} · ${cmp.b.runbook} · ${statusMark(cmp.b.status, paint)} · ${formatMaybe(cmp.b.elapsedMs)}`);
  if (cmp.deltaMs !== undefined) out.push(`whole run: ${formatMaybe(cmp.a.elapsedMs)} -> ${formatMaybe(cmp.b.elapsedMs)} (${signed(cmp.deltaMs)})`);
  out.push('');
  out.push(paint.dim('step by step, A -> B, largest slow-downs first:'));
  const width = Math.max(...cmp.steps.map((r) => `${r.phase} > ${r.step}`.length), 0);
  const aWidth = Math.max(...cmp.steps.map((r) => formatMaybe(r.a?.durationMs).length), 0);
  const bWidth = Math.max(...cmp.steps.map((r) => formatMaybe(r.b?.durationMs).length), 0);
  for (const row of cmp.steps) {
    const name = `${row.phase} > ${row.step}`;
    const times = `${formatMaybe(row.a?.durationMs).padStart(aWidth)} -> ${formatMaybe(row.b?.durationMs).padEnd(bWidth)}`;
    const outcomes = row.outcomeChanged ? `  ${paint.yellow(`${outcome(row.a)} -> ${outcome(row.b)}`)}` : paint.dim(`  ${outcome(row.b)}`);
    out.push(`  ${`${name}:`.padEnd(width + 1)} ${times} ${change(row, paint)}${outcomes}`.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
