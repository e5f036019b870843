import type { Plan } from '../model/plan-types.js';
import { formatDuration } from '../text/duration.js';
import { toMermaid } from './graph-mermaid.js';
import { type CheckView, checkLine, planView, type StepView } from './plan-view.js';

/** Escapes text for inline Markdown: no emphasis, links, HTML or table breaks out of a runbook's words. */
function md(text: string): string {
  return (
    text
      .replace(/\s*\n\s*/g, ' ')
      .replace(/[\\`*[\]<>|~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`))
      // An underscore inside a word (service_ctl) never starts emphasis in CommonMark; others might.
      .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
      .replace(/^#/, '\\#')
  );
}

/** Text as an inline code span, with a fence longer than any run of backticks inside it. */
function code(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block whose fence cannot be closed by the text inside it. */
function fenced(text: string, lang: string): string[] {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, text.replace(/\n$/, ''), fence];
}

/** Prose (descriptions, manual instructions): paragraphs kept, HTML neutralised, each line quoted when asked. */
function prose(text: string, quote = false): string[] {
  const lines = text.trim().replace(/</g, '&lt;').replace(/>/g, '&gt;').split('\n');
  return quote ? lines.map((l) => `> ${l}`.trimEnd()) : lines;
}

/** One checkbox per check, with what it looks at and what must hold, so the page works on paper. */
function checkItems(checks: CheckView[]): string[] {
  return checks.map((c) => `- [ ] ${code(checkLine(c))}${c.host ? ` (on ${md(c.host)})` : ''}${c.timeoutMs !== 30_000 ? ` · timeout ${formatDuration(c.timeoutMs)}` : ''}`);
}

function stepSection(v: StepView): string[] {
  const out: string[] = [];
  out.push(`### ${v.position} ${md(v.title)}`, '');
  const where = v.host ? `on **${md(v.host)}** (${code(v.ssh ?? v.host)})` : 'on the machine running Lifeboat';
  const facts = [`${code(v.id)}`, `${v.kind === 'manual' ? 'by hand' : v.kind}, ${where}`];
  if (!v.selected) facts.push(`left out: ${md(v.excludedBy ?? 'not selected')}`);
  out.push(facts.join(' · '), '');
  if (v.description) out.push(...prose(v.description), '');
  if (v.command !== undefined) out.push(...fenced(v.command, 'bash'), '');
  if (v.script !== undefined) out.push(...fenced(`zx ${v.script}${v.args?.length ? ` ${v.args.join(' ')}` : ''}`, 'bash'), '');
  if (v.instructions !== undefined) out.push('**By hand:**', '', ...prose(v.instructions, true), '');
  if (v.wait) {
    out.push(`Waits up to ${formatDuration(v.wait.timeoutMs)}, checking every ${formatDuration(v.wait.intervalMs)}, until:`, '', ...checkItems(v.wait.until), '');
  }
  if (v.question) {
    const q = v.question;
    const takes = q.choices ? `one of ${q.choices.map(code).join(', ')}` : q.pattern !== undefined ? `matching ${code(`/${q.pattern}/`)}` : 'any answer';
    out.push(`**Asks:** ${md(q.text)} (${takes}${q.default !== undefined ? `; default ${code(q.default)}` : ''})`, '');
  }
  if (v.when) out.push('Applies only when (otherwise it is not applicable):', '', ...v.when.map((c) => `- [ ] ${code(c)}`), '');
  if (v.foreach)
    out.push(
      `For each ${code(v.foreach.as)} of ${code(v.foreach.items)}, ${v.foreach.concurrency} at a time${v.foreach.tolerateFailures ? `, up to ${v.foreach.tolerateFailures} may fail` : ''}.`,
      '',
    );
  if (v.uses) out.push(`Uses ${v.uses.map((u) => `${code(u.value)} (known after ${u.after})`).join(', ')}.`, '');
  if (v.capture) out.push(`Keeps from its output: ${v.capture.map(code).join(', ')}.`, '');
  if (v.env) out.push('Environment:', '', ...Object.entries(v.env).map(([k, val]) => `- ${code(`${k}=${val}`)}`), '');
  if (v.precheck.length) out.push('Already done when (precheck; if all pass the step is done without running):', '', ...checkItems(v.precheck), '');
  if (v.verify.length) out.push('Worked when (verify):', '', ...checkItems(v.verify), '');
  const notes: string[] = [];
  if (v.needs.length) notes.push(`after ${v.needs.map(code).join(', ')}`);
  if (v.confirm) notes.push(`asks first: ${md(v.confirm)}`);
  if (v.timeoutMs !== undefined) notes.push(`timeout ${formatDuration(v.timeoutMs)}`);
  if (v.retries) notes.push(`${v.retries} retr${v.retries === 1 ? 'y' : 'ies'}`);
  if (v.onFailure === 'continue') notes.push('the restore goes on if it fails');
  if (v.idempotent) notes.push('safe to run again');
  if (v.template) notes.push(`from template ${code(v.template)}`);
  if (notes.length) out.push(`*${notes.join(' · ')}*`, '');
  out.push(`- [ ] **${v.position} done**${v.verify.length ? ' (every verify check ticked)' : ''}`, '');
  return out;
}

/**
 * The runbook as a Markdown restore document, like a homelab's own infrastructure pages: an
 * overview, the restore order as a Mermaid diagram, then one section per phase with its steps,
 * commands, checks and manual instructions. Secrets appear as [secret:NAME], never their values.
 */
export function runbookDocs(plan: Plan, source: string): string {
  const view = planView(plan);
  const steps = view.phases.flatMap((p) => p.steps);
  const out: string[] = [];
  out.push(`# Restore: ${md(plan.name)}`, '');
  out.push(`> Generated by \`lifeboat docs\` from ${code(source)}. Edit the runbook, not this page: it is regenerated.`, '');
  if (plan.description) out.push(...prose(plan.description), '');

  out.push('## Overview', '');
  out.push('| | |', '| --- | --- |');
  out.push(`| Phases | ${view.counts.phases} |`, `| Steps | ${view.counts.steps}${view.counts.selected !== view.counts.steps ? ` (${view.counts.selected} selected)` : ''} |`);
  out.push(`| Manual steps | ${steps.filter((s) => s.kind === 'manual').length} |`);
  if (plan.rtoMs !== undefined) out.push(`| Recovery time objective (RTO) | ${formatDuration(plan.rtoMs)} |`);
  out.push('');
  out.push('| # | Phase | Steps | After | RTO |', '| --- | --- | --- | --- | --- |');
  for (const p of plan.phases) {
    out.push(
      `| ${p.number} | [${md(p.title)}](#${p.number}-${p.title
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .trim()
        .replace(/ /g, '-')}) | ${p.steps.length} | ${p.needs.map(code).join(', ') || '–'} | ${p.rtoMs !== undefined ? formatDuration(p.rtoMs) : '–'} |`,
    );
  }
  out.push('');
  const hosts = Object.entries(view.hosts);
  if (hosts.length) {
    out.push('### Hosts', '', '| Host | SSH | Port |', '| --- | --- | --- |');
    for (const [name, host] of hosts) out.push(`| ${md(name)} | ${code(host.ssh)} | ${host.port ?? 22} |`);
    out.push('');
  }
  const vars = Object.entries(view.vars);
  if (vars.length) {
    out.push('### Vars', '', '| Var | Value |', '| --- | --- |');
    for (const [name, value] of vars) out.push(`| ${md(name)} | ${value === '' ? '(empty)' : code(value)} |`);
    out.push('');
  }
  const secrets = Object.entries(view.secrets);
  if (secrets.length) {
    out.push('### Secrets', '', 'Shown as `[secret:NAME]` below; their values are never written here.', '', '| Secret | Read from |', '| --- | --- |');
    for (const [name, source] of secrets) out.push(`| ${md(name)} | ${md(source)} |`);
    out.push('');
  }

  out.push('## Restore order', '', 'Phases run top to bottom; arrows show what each phase needs first.', '');
  out.push(...fenced(toMermaid(plan), 'mermaid'), '');

  for (const phase of view.phases) {
    const raw = plan.phases.find((p) => p.id === phase.id)!;
    out.push(`## ${phase.number}. ${md(phase.title)}`, '');
    const facts = [`${code(phase.id)}`, `${phase.steps.length} step${phase.steps.length === 1 ? '' : 's'}`];
    if (phase.needs.length) facts.push(`after ${phase.needs.map(code).join(', ')}`);
    if (raw.rtoMs !== undefined) facts.push(`RTO ${formatDuration(raw.rtoMs)}`);
    out.push(facts.join(' · '), '');
    if (phase.description) out.push(...prose(phase.description), '');
    for (const step of phase.steps) out.push(...stepSection(step));
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
