// A strict reader of the Prometheus text exposition format (0.0.4), for tests where promtool is
// not installed: it throws on anything promtool's parser would refuse, and reads values back.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface ParsedMetrics {
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
  /** The value of the one sample with exactly these labels, or undefined. */
  value(name: string, labels: Record<string, string>): number | undefined;
}

/** Parses metrics text strictly; throws with the line number on the first fault. */
export function parsePrometheusText(text: string): ParsedMetrics {
  if (!text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const samples: ParsedMetrics['samples'] = [];
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const fail = (why: string) => {
        throw new Error(`line ${i + 1}: ${why}: ${line}`);
      };
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
        if (!m) return;
        const [, what, name, rest] = m;
        if (!NAME.test(name!)) fail('bad metric name');
        if (what === 'HELP') {
          if (helped.has(name!)) fail('second HELP');
          if (/\\[^\\n]|\\$/.test(rest!)) fail('bad escape in HELP');
          helped.add(name!);
        } else {
          if (typed.has(name!)) fail('second TYPE');
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!)) fail('bad TYPE');
          if (finished.has(name!) || samples.some((s) => s.name === name)) fail('TYPE after samples');
          typed.set(name!, rest!);
        }
        return;
      }
      if (line.trim() === '') fail('empty line');
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
      if (!m) fail('not a sample');
      const name = m![1]!;
      if (current !== name) {
        if (current) finished.add(current);
        if (finished.has(name)) fail('family not contiguous');
        current = name;
      }
      const labels: Record<string, string> = {};
      let rest = m![3] ?? '';
      while (rest.length) {
        const lm = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
        if (!lm) fail('bad label set');
        if (!LABEL.test(lm![1]!)) fail('bad label name');
        if (lm![1]! in labels) fail('repeated label');
        labels[lm![1]!] = lm![2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(lm![0].length);
      }
      const raw = m![4]!;
      const value = raw === 'NaN' ? Number.NaN : raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
      if (raw !== 'NaN' && Number.isNaN(value)) fail('bad value');
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (series.has(key)) fail('duplicate series');
      series.add(key);
      samples.push({ name, labels, value });
    });
  return {
    samples,
    value(name, labels) {
      const want = JSON.stringify(Object.entries(labels).sort());
      return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
    },
  };
}
