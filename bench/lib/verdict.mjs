// Judges a case's measurements against its limit.

/**
 * Returns { ratio, verdict, reason } for a case: PASS when every limit holds
 * (ratio <= maxRatio, subject median < maxMedianMs), FAIL when one does not, ERROR when a measurement failed.
 */
export function judge(limit, baseline, subject) {
  const failed = [baseline, subject].find((r) => r.error);
  if (failed) return { ratio: undefined, verdict: 'ERROR', reason: failed.error };
  const ratio = subject.total.median / baseline.total.median;
  const misses = [];
  if (limit.maxRatio !== undefined && !(ratio <= limit.maxRatio)) {
    misses.push(`ratio ${ratio.toFixed(2)}x > ${limit.maxRatio}x`);
  }
  if (limit.maxMedianMs !== undefined && !(subject.total.median < limit.maxMedianMs)) {
    misses.push(`median ${subject.total.median.toFixed(1)} ms >= ${limit.maxMedianMs} ms`);
  }
  return { ratio, verdict: misses.length ? 'FAIL' : 'PASS', reason: misses.join('; ') || undefined };
}
