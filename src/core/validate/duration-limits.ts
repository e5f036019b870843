import { formatDuration } from '../text/duration.js';

/** The longest timeout or pause: a timer set longer than about 24.8 days would fire at once. */
export const MAX_TIMER_MS = 576 * 3_600_000;

/**
 * What is wrong with a duration used as a timer, if anything: a timeout or poll interval of
 * zero ends or spins at once, and one past the timer limit would fire at once too.
 */
export function timerProblem(ms: number, allowZero: boolean): { message: string; expected: string; hint: string } | undefined {
  const expected = `a duration ${allowZero ? 'from 0s' : 'greater than zero'} up to 576h (24 days), e.g. 30s, 5m, 1h30m`;
  if (!Number.isFinite(ms)) return { message: 'a duration without end', expected, hint: 'leave the key out to take its default' };
  if (ms > MAX_TIMER_MS) return { message: `a duration longer than ${formatDuration(MAX_TIMER_MS)}`, expected, hint: 'a step that may need weeks is better run by hand: make it a manual step' };
  if (ms === 0 && !allowZero) return { message: 'a duration of zero', expected, hint: 'give it time to finish (e.g. 30s), or leave the key out to take its default' };
  return undefined;
}
