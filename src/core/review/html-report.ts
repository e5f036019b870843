import { describeSeconds } from '../readiness/age-measure.js';
import { formatDuration } from '../text/duration.js';
import { formatMaybe, formatTimestamp } from '../text/format-time.js';
import { counted } from '../text/plural.js';
import { escapeHtml as h } from '../views/html-escape.js';
import { type Outcome, statusSymbol } from '../views/status-mark.js';
import type { ItemSummary, PhaseSummary, RunSummary, StepSummary } from './run-summary.js';
import { outcomeCounts } from './run-timeline-text.js';

/** What the report says about itself in its footer. */
export interface ReportOptions {
  generatedAt: string;
  version: string;
}

// Colours are paired with a symbol and a word everywhere: never the only carrier of a status.
const COLOURS: Record<Outcome, string> = {
  done: '#2e7d32',
  skipped: '#546e7a',
  'not-applicable': '#78909c',
  failed: '#c62828',
  aborted: '#6a1b9a',
  interrupted: '#e65100',
  running: '#1565c0',
  incomplete: '#f9a825',
  'not reached': '#9e9e9e',
};

const CSS = `
:root { color-scheme: light; --fg: #1d232a; --muted: #5f6b76; --line: #d8dee4; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 24px 0 8px; }
h4 { font-size: 1rem; margin: 0 0 6px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86rem; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
${(Object.keys(COLOURS) as Outcome[]).map((k) => `.s-${k.replace(' ', '-')} { background: ${COLOURS[k]}; }\n.t-${k.replace(' ', '-')} { color: ${COLOURS[k]}; font-weight: 600; }`).join('\n')}
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.failure { border-left: 4px solid ${COLOURS.failed}; background: #fdecea; padding: 8px 12px; margin: 8px 0; border-radius: 4px; }
.gantt { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.gantt text { font: 12px system-ui, sans-serif; fill: #1d232a; }
.gantt .phase-label { font-weight: 700; }
.gantt .axis { fill: #5f6b76; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0; padding: 0; list-style: none; }
.legend span.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 6px; vertical-align: middle; border-radius: 2px; }
table.steps, table.items { border-collapse: collapse; width: 100%; margin: 8px 0; }
table.steps th, table.steps td, table.items th, table.items td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.steps th, table.items th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
article.step { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
article.step.failed { border-left: 4px solid ${COLOURS.failed}; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--muted); }
.stderr { color: #b71c1c; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
@media print { details > pre { display: block; } body { padding: 0; } }
`;

function cls(outcome: Outcome): string {
  return outcome.replace(' ', '-');
}

function badge(outcome: Outcome): string {
  return `<span class="badge s-${cls(outcome)}">${statusSymbol(outcome)} ${h(outcome)}</span>`;
}

function statusText(outcome: Outcome): string {
  return `<span class="t-${cls(outcome)}">${statusSymbol(outcome)} ${h(outcome)}</span>`;
}

function stepName(s: StepSummary): string {
  return `${s.position ? `${s.position} ` : ''}${s.id}`;
}

function anchor(id: string): string {
  return `step-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function rtoText(measured: number | undefined, rto: number | undefined): string {
  if (rto === undefined) return '';
  if (measured === undefined) return `target ${formatDuration(rto)}`;
  return measured <= rto
    ? `target ${formatDuration(rto)}: <span class="t-done">✔ within</span>`
    : `target ${formatDuration(rto)}: <span class="t-failed">✖ over by ${h(formatDuration(measured - rto))}</span>`;
}

/** A round tick interval giving about six ticks over the span. */
function tickStep(span: number): number {
  const raw = span / 6;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 144e5, 216e5, 432e5, 864e5];
  return steps.find((s) => s >= raw) ?? Math.ceil(raw / 864e5) * 864e5;
}

const LABEL_W = 330;
const CHART_W = 600;
const RIGHT_W = 170;
const ROW_H = 24;
const TOP = 34;

/** The Gantt chart: a row per phase and per step, bars placed by start and length, RTO marks, resume lines. */
function gantt(run: RunSummary): string {
  const origin = run.sessions[0]?.start ?? 0;
  const elapsed = Math.max(run.elapsedMs ?? 0, 1);
  // An RTO far beyond the run would squash every bar into a sliver: then it is stated, not drawn.
  const rtoDrawn = run.rtoMs !== undefined && run.rtoMs <= elapsed * 3;
  const span = Math.max(elapsed, rtoDrawn ? run.rtoMs! : 0);
  const x = (ms: number) => LABEL_W + (Math.max(0, ms) / span) * CHART_W;
  const rows: string[] = [];
  let y = TOP;
  const rowCount = run.phases.reduce((n, p) => n + 1 + p.steps.length, 0);
  const height = TOP + rowCount * ROW_H + 16;
  const width = LABEL_W + CHART_W + RIGHT_W;

  const step = tickStep(span);
  for (let t = 0; t <= span + 1e-9; t += step) {
    rows.push(`<line x1="${x(t).toFixed(1)}" y1="${TOP - 6}" x2="${x(t).toFixed(1)}" y2="${height - 10}" stroke="#eceff1"/>`);
    rows.push(`<text class="axis" x="${x(t).toFixed(1)}" y="${TOP - 12}" text-anchor="middle">${t === 0 ? '0' : `+${h(formatDuration(t))}`}</text>`);
  }
  for (const session of run.sessions.slice(1)) {
    const at = x(session.start - origin).toFixed(1);
    rows.push(
      `<line x1="${at}" y1="${TOP - 6}" x2="${at}" y2="${height - 10}" stroke="#1565c0" stroke-dasharray="2 3"><title>resumed ${h(formatTimestamp(new Date(session.start).toISOString()))}</title></line>`,
    );
  }

  const bar = (start: number, end: number, outcome: Outcome, label: string, opacity = 1) => {
    const x1 = x(start - origin);
    const w = Math.max(2, x(end - origin) - x1);
    return `<rect x="${x1.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${ROW_H - 10}" rx="2" fill="${COLOURS[outcome]}" fill-opacity="${opacity}"><title>${h(label)}</title></rect>`;
  };

  for (const phase of run.phases) {
    const timed = phase.steps.filter((s) => s.segments.length > 0);
    const pStart = timed.length ? Math.min(...timed.map((s) => s.segments[0]!.start)) : undefined;
    const pEnd = timed.length ? Math.max(...timed.map((s) => s.segments.at(-1)!.end)) : undefined;
    rows.push(`<rect x="0" y="${y}" width="${width}" height="${ROW_H}" fill="#f6f8fa"/>`);
    rows.push(`<text class="phase-label" x="8" y="${y + 16}">${statusSymbol(phase.status)} ${h(`${phase.number ?? ''}${phase.number ? ' ' : ''}${phase.title}`)}</text>`);
    if (pStart !== undefined && pEnd !== undefined) {
      rows.push(bar(pStart, pEnd, phase.status, `${phase.title}: ${phase.status}, ${formatMaybe(phase.durationMs)}`, 0.35));
      if (phase.rtoMs !== undefined && pStart - origin + phase.rtoMs <= span) {
        const at = x(pStart - origin + phase.rtoMs).toFixed(1);
        rows.push(`<line x1="${at}" y1="${y + 2}" x2="${at}" y2="${y + ROW_H - 2}" stroke="#c62828" stroke-width="2"><title>${h(`${phase.title}: RTO ${formatDuration(phase.rtoMs)}`)}</title></line>`);
      }
    }
    rows.push(`<text x="${LABEL_W + CHART_W + 8}" y="${y + 16}">${h(formatMaybe(phase.durationMs))} ${statusSymbol(phase.status)} ${h(phase.status)}</text>`);
    y += ROW_H;
    for (const s of phase.steps) {
      const name = `${statusSymbol(s.status)} ${stepName(s)}`;
      rows.push(`<a href="#${anchor(s.id)}"><text x="20" y="${y + 16}">${h(name.length > 44 ? `${name.slice(0, 43)}…` : name)}<title>${h(`${stepName(s)} · ${s.title}`)}</title></text></a>`);
      for (const seg of s.segments) rows.push(bar(seg.start, seg.end, s.status, `${stepName(s)} · ${s.title}: ${s.status}, ${formatMaybe(s.durationMs)}`));
      rows.push(`<text x="${LABEL_W + CHART_W + 8}" y="${y + 16}">${h(formatMaybe(s.durationMs))} ${statusSymbol(s.status)} ${h(s.status)}</text>`);
      y += ROW_H;
    }
  }
  if (rtoDrawn) {
    const at = x(run.rtoMs!).toFixed(1);
    rows.push(`<line x1="${at}" y1="${TOP - 6}" x2="${at}" y2="${height - 10}" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"><title>RTO ${h(formatDuration(run.rtoMs!))}</title></line>`);
    rows.push(`<text x="${at}" y="${height - 2}" text-anchor="middle" fill="#c62828">RTO ${h(formatDuration(run.rtoMs!))}</text>`);
  }
  const label = `Timeline of run ${run.runId}: ${counted(run.phases.length, 'phase')}, ${counted(
    run.phases.reduce((n, p) => n + p.steps.length, 0),
    'step',
  )} over ${formatMaybe(run.elapsedMs)}`;
  return `<svg class="gantt" role="img" aria-label="${h(label)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" preserveAspectRatio="xMinYMin meet">\n${rows.join('\n')}\n</svg>`;
}

function legend(): string {
  const items = (Object.keys(COLOURS) as Outcome[]).map((k) => `<li><span class="swatch s-${cls(k)}"></span>${statusSymbol(k)} ${h(k)}</li>`);
  return `<ul class="legend" aria-label="legend">${items.join('')}<li><span class="swatch" style="background:#c62828"></span>│ RTO target</li><li><span class="swatch" style="background:#1565c0"></span>┆ run resumed</li></ul>`;
}

function outputBlock(s: StepSummary): string {
  if (s.outputLines === 0) return '';
  const size = `${s.outputLines} line${s.outputLines === 1 ? '' : 's'}${s.outputTruncated ? ', truncated in the journal' : ''}`;
  if (!s.output) return `<p class="muted">Output: ${h(size)} (not included).</p>`;
  const body = s.output
    .map((chunk) => {
      const text = h(`${chunk.item !== undefined ? `[${chunk.item}] ` : ''}${chunk.text}`);
      return chunk.stream === 'stderr' ? `<span class="stderr">${text}</span>` : text;
    })
    .join('');
  return `<details><summary>Output (${h(size)})</summary><pre>${body}</pre></details>`;
}

/** A foreach step's items, one row each in the list's order: status, attempts, time, how it ended. */
function itemTable(items: readonly ItemSummary[]): string {
  const rows = items.map((i) => {
    const how =
      i.via === 'precheck'
        ? 'already done: its precheck passed'
        : i.via === 'recovered'
          ? 'recovered after an interruption'
          : (i.reason ?? (i.checksFailed ? `${i.checksFailed} check(s) failed` : ''));
    return `<tr${i.status === 'failed' ? ' class="failed"' : ''}><td class="mono">${h(i.key)}</td><td>${statusText(i.status)}</td><td class="num">${i.attempts}</td><td class="num">${h(formatMaybe(i.durationMs))}</td><td>${h(how)}</td></tr>`;
  });
  return `<table class="items"><caption>${items.length} items</caption><thead><tr><th>item</th><th>status</th><th>attempts</th><th>duration</th><th>how it ended</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function followUpSection(run: RunSummary): string {
  if (!run.followUps?.length) return '';
  const items = run.followUps.map((f) => `<li><a href="#${anchor(f.step)}">${h(`${f.position ?? ''} ${f.step}`.trim())}</a> ${h(f.title)}: ${h(f.detail)}</li>`);
  return `<section id="follow-up"><h2>Follow up</h2><ul>${items.join('')}</ul></section>`;
}

function shellItem(x: StepSummary['shells'][number]): string {
  const how = x.error ? `could not start: ${x.error}` : x.signal ? `ended by ${x.signal}` : x.exitCode !== undefined ? `exit ${x.exitCode}` : 'no end recorded';
  return `<li>shell on ${h(x.where)}${x.at ? ` at ${h(formatTimestamp(x.at))}` : ''}${x.durationMs !== undefined ? `, ${h(formatDuration(x.durationMs))}` : ''} (${h(how)})</li>`;
}

function stepArticle(s: StepSummary): string {
  const parts: string[] = [];
  const bad = s.status === 'failed' || s.status === 'aborted' || s.status === 'interrupted';
  parts.push(`<article class="step${bad ? ' failed' : ''}" id="${anchor(s.id)}">`);
  const already = s.status === 'done' && s.via === 'precheck' ? ' <span class="muted">already done</span>' : '';
  parts.push(`<h4>${statusText(s.status)}${already} · ${h(stepName(s))} · ${h(s.title)}</h4>`);
  const facts: Array<[string, string]> = [];
  if (s.startedAt) facts.push(['started', `${h(formatTimestamp(s.startedAt))} (+${h(formatDuration(s.offsetMs ?? 0))})`]);
  facts.push(['duration', h(formatMaybe(s.durationMs))]);
  if (s.attempts) facts.push(['attempts', String(s.attempts)]);
  if (s.host) facts.push(['host', h(s.host)]);
  if (s.via) facts.push(['how', h(s.via === 'precheck' ? 'already done: its precheck passed' : s.via === 'operator' ? 'marked done by the operator' : 'recovered after an interruption')]);
  if (s.waitedMs) facts.push(['waited', `${h(formatDuration(s.waitedMs))} for the operator (not in its duration)`]);
  if (s.reason && s.status !== 'done') facts.push([s.status === 'skipped' ? 'why' : 'reason', h(s.reason)]);
  parts.push(`<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`);
  for (const command of s.commands) parts.push(`<pre><span class="muted">$ </span>${h(command)}</pre>`);
  if (s.items) parts.push(itemTable(s.items));
  const choices = s.choices.filter((c) => !(c.menu === 'before' && c.choice === 'run'));
  if (choices.length) {
    parts.push(
      `<p>Choices:</p><ul>${choices.map((c) => `<li>${h(c.menu)}: <strong>${h(c.choice)}</strong>${c.reason ? ` — “${h(c.reason)}”` : ''} <span class="muted">(${h(c.by)})</span></li>`).join('')}</ul>`,
    );
  }
  if (s.shells.length) parts.push(`<p>Shells opened:</p><ul>${s.shells.map(shellItem).join('')}</ul>`);
  for (const c of s.checks.failed) {
    if (c.set === 'precheck') {
      parts.push(`<p class="muted">precheck not met${s.attempts > 0 ? ', so the step ran' : ''}: <code>${h(c.check)}</code>: ${h(c.reason)}</p>`);
      continue;
    }
    parts.push(`<div class="failure"><strong>✖ ${h(c.set)} check failed:</strong> <code>${h(c.check)}</code>: ${h(c.reason)}${c.output ? `<pre>${h(c.output)}</pre>` : ''}</div>`);
  }
  for (const a of s.ages ?? []) {
    parts.push(
      `<p>${a.ok ? '✔' : '✖'} backup age: <code>${h(a.check)}</code>: newest ${h(a.newest)}, <strong>${h(describeSeconds(a.ageSeconds))}</strong> old (max ${h(describeSeconds(a.maxAgeSeconds))})</p>`,
    );
  }
  for (const e of s.exits.filter((x) => x.exitCode !== 0)) {
    parts.push(
      `<div class="failure">✖ attempt ${e.attempt}: ${h(e.error ?? (e.timedOut ? `timed out after ${formatDuration(e.durationMs)}` : `exited ${e.exitCode ?? e.signal} after ${formatDuration(e.durationMs)}`))}</div>`,
    );
  }
  for (const note of s.notes) parts.push(`<p class="muted">note: ${h(note)}</p>`);
  parts.push(outputBlock(s));
  parts.push('</article>');
  return parts.join('\n');
}

function phaseSection(p: PhaseSummary): string {
  const rows = p.steps
    .map(
      (s) =>
        `<tr><td class="mono"><a href="#${anchor(s.id)}">${h(stepName(s))}</a></td><td>${h(s.title)}</td><td>${statusText(s.status)}</td><td class="num">${s.offsetMs === undefined ? '–' : `+${h(formatDuration(s.offsetMs))}`}</td><td class="num">${h(formatMaybe(s.durationMs))}</td></tr>`,
    )
    .join('\n');
  const rto = rtoText(p.status === 'done' ? p.durationMs : undefined, p.rtoMs);
  return [
    `<section class="phase" id="phase-${h(p.id || 'unknown')}">`,
    `<h3>${statusText(p.status)} · ${h(`${p.number ?? ''}${p.number ? ' ' : ''}${p.title}`)} <span class="muted">· ${h(formatMaybe(p.durationMs))}${rto ? ` · RTO ${rto}` : ''}</span></h3>`,
    `<table class="steps"><thead><tr><th>step</th><th>title</th><th>status</th><th>start</th><th>duration</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
    ...p.steps.map(stepArticle),
    '</section>',
  ].join('\n');
}

function failures(run: RunSummary): string {
  const bad = run.phases.flatMap((p) => p.steps).filter((s) => s.status === 'failed' || s.status === 'aborted' || s.status === 'interrupted');
  if (bad.length === 0) return '';
  const items = bad.map((s) => `<li><a href="#${anchor(s.id)}">${h(stepName(s))}</a> ${statusText(s.status)}: ${h(s.title)}${s.reason ? ` — ${h(s.reason)}` : ''}</li>`);
  return `<section id="failures"><h2>What went wrong</h2><div class="failure"><ul>${items.join('')}</ul>${run.message && run.status !== 'done' ? `<p>${h(run.message)}</p>` : ''}</div></section>`;
}

/**
 * A run as ONE self-contained HTML page: inline CSS and SVG, no script, no font, no URL of any
 * kind (a Content-Security-Policy forbids fetching anything), every journal text escaped.
 */
export function htmlReport(run: RunSummary, options: ReportOptions): string {
  const facts: Array<[string, string]> = [
    ['run', `<code>${h(run.runId)}</code>`],
    ['runbook', `${h(run.runbook.name)} <span class="muted">(${h(run.runbook.path)})</span>`],
    ['status', `${badge(run.status)}${run.status === 'done' && run.counts.failed ? ` <span class="muted">${counted(run.counts.failed, 'step')} failed and the run went on</span>` : ''}`],
    ['started', `${h(formatTimestamp(run.startedAt))} by ${h(`${run.operator}@${run.hostname}`)}${run.mode ? ` (${h(run.mode)})` : ''}`],
    ...(run.drill !== undefined ? ([['drill', `a rehearsal: ${h(run.drill)}`]] as Array<[string, string]>) : []),
    [run.status === 'running' ? 'last event' : 'ended', h(formatTimestamp(run.endedAt))],
    ['elapsed', `${h(formatMaybe(run.elapsedMs))} since the run started`],
    [
      'active',
      `${h(formatDuration(run.activeMs))}${run.sessions.length > 1 ? ` in ${run.sessions.length} sessions` : ''}${run.waitedMs ? ` <span class="muted">(of which ${h(formatDuration(run.waitedMs))} waiting for the operator)</span>` : ''}`,
    ],
    ['steps', h(outcomeCounts(run.counts))],
  ];
  if (run.rtoMs !== undefined) facts.push(['RTO', rtoText(run.status === 'done' ? run.elapsedMs : undefined, run.rtoMs)]);
  for (const p of run.phases)
    if (p.rtoMs !== undefined) facts.push([`RTO ${h(`${p.number ?? ''} ${p.title}`.trim())}`, `${h(formatMaybe(p.durationMs))}, ${rtoText(p.status === 'done' ? p.durationMs : undefined, p.rtoMs)}`]);
  if (run.tornLine) facts.push(['journal', 'ends in a torn line (the run died mid-write); that line was left out']);
  const notes = run.notes.map((n) => `<p class="muted">note: ${h(n)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(`Lifeboat run ${run.runId} · ${run.runbook.name} · ${run.status}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Restore report: ${h(run.runbook.name)}</h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${notes}
</header>
${failures(run)}
${followUpSection(run)}
<section id="timeline">
<h2>Timeline</h2>
${gantt(run)}
${legend()}
${run.rtoMs !== undefined && run.rtoMs > Math.max(run.elapsedMs ?? 0, 1) * 3 ? `<p class="muted">The RTO of ${h(formatDuration(run.rtoMs))} is far beyond this run's ${h(formatMaybe(run.elapsedMs))}, so it is not drawn.</p>` : ''}
</section>
<section id="steps">
<h2>Phases and steps</h2>
${run.phases.map(phaseSection).join('\n')}
</section>
<footer>Generated by Lifeboat ${h(options.version)} at ${h(formatTimestamp(options.generatedAt))} from the run's journal. Secrets appear as [secret:NAME]: they were masked before anything was written.</footer>
</body>
</html>
`;
}
