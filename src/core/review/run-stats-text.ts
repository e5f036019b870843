import { formatAge, formatMaybe, formatTimestamp } from '../text/format-time.js';
import type { Paint } from '../views/paint.js';
import type { Figures, RunStats } from './run-stats.js';
import { rtoVerdict } from './run-timeline-text.js';

function percent(rate: number | undefined): string {
  return rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}

function cells(f: Figures, now: number): string[] {
  const last = f.lastSuccessAt ? `${formatAge(now - Date.parse(f.lastSuccessAt))} ago` : 'never';
  return [String(f.runs), percent(f.successRate), formatMaybe(f.medianMs), formatMaybe(f.slowestMs), last];
}

/** `lifeboat stats`: the runbook's record, then a table per phase and step, RTOs beside the medians. */
export function statsText(stats: RunStats, paint: Paint, now: number): string {
  const out: string[] = [];
  out.push(`${paint.bold(`Stats · ${stats.runbook}`)} · ${stats.runs} past run${stats.runs === 1 ? '' : 's'}`);
  if (stats.runs === 0) {
    out.push('  No recorded runs of this runbook yet: a drill (`lifeboat run FILE`) records one.');
    if (stats.rtoMs !== undefined) out.push(`  target    RTO ${formatMaybe(stats.rtoMs)}`);
    return `${out.join('\n')}\n`;
  }
  const statuses = (['done', 'failed', 'aborted', 'interrupted', 'running'] as const)
    .filter((k) => stats.statuses[k])
    .map((k) => `${stats.statuses[k]} ${k}`)
    .join(', ');
  out.push(`  outcomes  ${statuses} · success ${percent(stats.successRate)}`);
  const rto = rtoVerdict(stats.medianMs, stats.rtoMs, paint);
  out.push(`  restore   median ${formatMaybe(stats.medianMs)}, slowest ${formatMaybe(stats.slowestMs)} (runs that ended done)${rto ? ` · ${rto} (median)` : ''}`);
  out.push(
    stats.lastSuccess
      ? `  last successful drill ${formatAge(stats.lastSuccess.agoMs)} ago: ${stats.lastSuccess.runId} (${formatTimestamp(stats.lastSuccess.at)})`
      : paint.yellow('  no successful drill yet'),
  );
  out.push('');
  const rows: Array<{ cells: string[]; rto: string; phase: boolean }> = [{ cells: ['phase / step', 'runs', 'success', 'median', 'slowest', 'last success'], rto: '', phase: false }];
  for (const p of stats.phases) {
    rows.push({ cells: [`${p.number ?? '-'} ${p.title} [${p.id}]`, ...cells(p, now)], rto: rtoVerdict(p.medianMs, p.rtoMs, paint), phase: true });
    for (const s of p.steps) {
      const aside = [s.alreadyDone ? `${s.alreadyDone} already done` : '', s.skipped ? `${s.skipped} skipped` : ''].filter(Boolean).join(', ');
      rows.push({ cells: [`  ${s.position ?? '-'} ${s.id}`, ...cells(s, now)], rto: aside ? paint.dim(aside) : '', phase: false });
      for (const i of s.items ?? []) rows.push({ cells: [`      [${i.key}]`, ...cells(i, now)], rto: i.alreadyDone ? paint.dim(`${i.alreadyDone} already done`) : '', phase: false });
    }
  }
  const widths = rows[0]!.cells.map((_, i) => Math.max(...rows.map((r) => [...r.cells[i]!].length)));
  rows.forEach((row, r) => {
    const line = row.cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    const text = `${line}${row.rto ? `  ${row.rto}` : ''}`;
    out.push(r === 0 ? paint.dim(text) : row.phase ? paint.bold(text) : text);
  });
  if (stats.drills) {
    const d = stats.drills;
    out.push('', paint.bold(`Drills · ${d.runs} recorded${d.last ? ` · last successful: ${d.last.runId} ("${d.last.purpose}")` : ' · none successful yet'}`));
    for (const p of d.phases) {
      const times = p.lastMs.length ? p.lastMs.map((ms) => formatMaybe(ms)).join(', ') : 'not measured';
      const verdict = rtoVerdict(p.lastMs[0], p.rtoMs, paint);
      out.push(`  ${p.title} [${p.id}]  last drills: ${times}${verdict ? `  ${verdict} (last)` : ''}`);
    }
  }
  out.push('');
  out.push(
    paint.dim(
      'step (and item) success: work done, over runs that got an outcome there (already done and skipped count in neither); median working time of the successes, waiting for the operator left out; slowest of all; RTO beside the phase median.',
    ),
  );
  return `${out.join('\n')}\n`;
}
