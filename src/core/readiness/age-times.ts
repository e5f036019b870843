/** The newest time a command printed, or why its output is not a list of times. */
export type NewestTime = { ok: true; newestMs: number; count: number } | { ok: false; reason: string };

const EPOCH = /^\d+(\.\d+)?$/;
// ISO 8601 date, or date and time (T or a space between), with an optional zone; no zone means UTC.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  let iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
  if (!zone || zone.toUpperCase() === 'Z') iso += 'Z';
  else iso += zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2026-02-31 over into March: a date that does not exist is not a time.
  if (Number.isNaN(ms) || new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`)).getUTCDate() !== Number(d)) return undefined;
  return ms;
}

/** Reads one printed time: epoch seconds (`1764892800`, `1764892800.25`) or ISO 8601; undefined otherwise. */
export function parseTimeText(text: string): number | undefined {
  const t = text.trim();
  if (EPOCH.test(t)) return Math.round(Number(t) * 1000);
  return parseIso(t);
}

/**
 * Reads a command's output as times, one per line (blank lines ignored), and gives the newest.
 * Any other line makes the whole output unusable: a freshness check never guesses.
 */
export function newestTime(output: string): NewestTime {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return { ok: false, reason: 'printed no time (expected epoch seconds or ISO 8601 times, one per line): nothing to measure, so no backup is known' };
  let newest = -Infinity;
  for (const [i, line] of lines.entries()) {
    const ms = parseTimeText(line);
    if (ms === undefined) {
      const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
      return { ok: false, reason: `line ${i + 1} of its output is not a time: ${JSON.stringify(shown)} (expected epoch seconds, e.g. 1764892800, or ISO 8601, e.g. 2026-12-05T02:00:00Z)` };
    }
    newest = Math.max(newest, ms);
  }
  return { ok: true, newestMs: newest, count: lines.length };
}
