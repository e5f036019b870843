import { formatDuration, parseDuration } from '../text/duration.js';

const DAY_MS = 86_400_000;
const LONG_UNIT_MS: Record<string, number> = { d: DAY_MS, w: 7 * DAY_MS };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g;
const WHOLE = /^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$/;

/**
 * Parses a duration that may also count days and weeks (`26h`, `2d`, `90d`, `1w 2d`): backup
 * ages and drill intervals are that long. Undefined when malformed.
 */
export function parseLongDuration(value: string | number): number | undefined {
  if (typeof value === 'number' || !/[dw]/.test(value)) return parseDuration(value);
  if (!WHOLE.test(value)) return undefined;
  let total = 0;
  for (const match of value.matchAll(PART)) {
    const unit = match[2]!;
    total += LONG_UNIT_MS[unit] ? Number(match[1]) * LONG_UNIT_MS[unit]! : parseDuration(`${match[1]}${unit}`)!;
  }
  return Math.round(total);
}

/** Formats an age for people, with days once it is two days or more: 26h, 3d 4h, 123d. */
export function formatAge(ms: number): string {
  if (ms < 2 * DAY_MS) return formatDuration(ms);
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.round((ms - days * DAY_MS) / 3_600_000);
  if (hours === 24) return `${days + 1}d`;
  return hours === 0 || days >= 30 ? `${days}d` : `${days}d ${hours}h`;
}
