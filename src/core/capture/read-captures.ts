import type { CaptureSpec } from '../model/plan-types.js';
import type { CapturedValue } from './captured-values.js';

/** How much standard output a step's captures read: the runner keeps this much of it. */
export const CAPTURE_LIMIT = 64 * 1024;

/** Reads a step's captures from its standard output; the first capture that cannot be read fails them all, saying why. */
export function readCaptures(specs: readonly CaptureSpec[], stdout: string, truncated = false): { values: Record<string, CapturedValue> } | { error: string } {
  const values: Record<string, CapturedValue> = {};
  if (truncated && specs.length > 0) {
    return { error: `its output is longer than ${CAPTURE_LIMIT / 1024} KiB, the most a capture reads: print less (filter with jq or grep)` };
  }
  for (const spec of specs) {
    const read = readOne(spec, stdout);
    if ('error' in read) return { error: `capture \`${spec.name}\`: ${read.error}` };
    values[spec.name] = read.value;
  }
  return { values };
}

function readOne(spec: CaptureSpec, stdout: string): { value: CapturedValue } | { error: string } {
  switch (spec.read) {
    case 'stdout':
      return { value: stdout.trim() };
    case 'lines':
      return { value: stdout.split(/\r?\n/).filter((line) => line.trim() !== '') };
    case 'json':
      try {
        return { value: JSON.parse(stdout) as CapturedValue };
      } catch (error) {
        const text = stdout.trim();
        return { error: `its output is not JSON (${(error as Error).message})${text ? `: ${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? '…' : ''}` : ': it printed nothing'}` };
      }
    case 'regex': {
      const match = new RegExp(spec.pattern!, 'm').exec(stdout);
      if (!match) return { error: `no match for /${spec.pattern}/ in its output` };
      return { value: match.length > 1 ? (match[1] ?? '') : match[0] };
    }
  }
}
