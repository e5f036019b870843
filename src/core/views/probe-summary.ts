import type { ProbeVerdict, StepProbe } from '../model/step-probe.js';

/** The closing lines of `run --dry-run --probe`: per step what a real run would do now, then the counts. */
export function probeSummary(probes: readonly StepProbe[]): string {
  const lines = ['', 'Rehearsal: what a real run would do now (probed on the hosts)'];
  const counts: Record<ProbeVerdict, number> = { satisfied: 0, 'would run': 0, blocked: 0, unknown: 0 };
  for (const p of probes) {
    counts[p.verdict] += 1;
    const why = (p.verdict === 'blocked' || p.verdict === 'unknown') && p.reason ? ` (${p.reason})` : '';
    lines.push(`  ${p.position.padEnd(6)}${p.verdict.padEnd(11)}${p.title}${why}`);
  }
  lines.push(`${counts.satisfied} satisfied, ${counts['would run']} would run, ${counts.blocked} blocked, ${counts.unknown} unknown. Nothing was executed; only read-only checks ran.`, '');
  return lines.join('\n');
}
