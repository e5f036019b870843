import { formatDuration } from '../text/duration.js';
import { fitText } from '../text/fit-text.js';
import { formatMaybe } from '../text/format-time.js';
import { wrapText } from '../text/wrap-text.js';
import { type Paint, plainPaint } from '../views/paint.js';
import type { RunSummary } from './run-summary.js';
import { rtoVerdict } from './run-timeline-text.js';

/**
 * The end of a run on screen: wall time since the run first started (across resumes) and active
 * time, the RTO verdict of the runbook and each phase, and what to follow up on.
 */
export function closingSummaryText(run: RunSummary, paint: Paint, width = 80): string {
  const out: string[] = [];
  const finished = run.status === 'done';
  const sessions = run.sessions.length > 1 ? ` in ${run.sessions.length} sessions` : '';
  out.push(`  elapsed   ${formatMaybe(run.elapsedMs)} since the run started`);
  out.push(`  active    ${formatDuration(run.activeMs)}${sessions}${run.waitedMs ? `, of which ${formatDuration(run.waitedMs)} waiting for the operator` : ''}`);
  if (run.rtoMs !== undefined) out.push(`  target    ${rtoVerdict(finished ? run.elapsedMs : undefined, run.rtoMs, paint)}${finished ? '' : ' (the run did not finish)'}`);
  for (const p of run.phases) {
    if (p.rtoMs === undefined) continue;
    const verdict = (with_: Paint) => `: ${formatMaybe(p.durationMs)} · ${rtoVerdict(p.status === 'done' ? p.durationMs : undefined, p.rtoMs, with_)}${p.status === 'done' ? '' : ` (${p.status})`}`;
    // The phase's title gives way on a narrow console; its time and verdict do not.
    const name = fitText(`${p.number ?? ''}${p.number ? ' ' : ''}${p.title}`, Math.max(12, width - 1 - 4 - [...verdict(plainPaint)].length));
    out.push(`    ${name}${verdict(paint)}`);
  }
  if (run.followUps.length) {
    out.push(paint.bold('  Follow up:'));
    for (const f of run.followUps) {
      const [first, ...more] = wrapText(`${f.position ?? f.step} ${f.title}: ${f.detail}`, width - 7);
      out.push(`  ${paint.yellow('!')} ${first}`, ...more.map((l) => `    ${l}`));
    }
  } else out.push('  Follow up: nothing (no skips, no failures passed, no manual fixes).');
  return `${out.join('\n')}\n`;
}
