import { formatMaybe, formatTimestamp } from '../text/format-time.js';
import type { Paint } from '../views/paint.js';
import { statusPaint, statusSymbol } from '../views/status-mark.js';
import type { RunListEntry } from './run-list-entry.js';

/** Pads cells to columns; the colour of a cell is added after padding so escape codes never skew widths. */
function table(rows: string[][], colour: Array<((cell: string, row: number) => string) | undefined>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((row, r) =>
    row
      .map((cell, i) => {
        const padded = i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length);
        return colour[i] ? colour[i]!(padded, r) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** `lifeboat logs list`: one line per run, newest first, with the step it stopped at; two lines per run where a line would not fit `width`. */
export function runListText(entries: readonly RunListEntry[], paint: Paint, width?: number): string {
  const rows = [['RUN', 'RUNBOOK', 'STARTED (UTC)', 'DURATION', 'STATUS', 'OPERATOR', 'STEP']];
  for (const e of entries) {
    const step = e.step ?? (e.failedSteps ? `${e.failedSteps} failed, went on` : '');
    rows.push([
      e.runId,
      e.runbook,
      formatTimestamp(e.startedAt),
      formatMaybe(e.durationMs),
      `${statusSymbol(e.status)} ${e.status}${e.drill !== undefined ? ' (drill)' : ''}`,
      `${e.operator}@${e.hostname}`,
      `${step}${e.tornLine ? ' (torn last line)' : ''}`,
    ]);
  }
  const lines = table(rows, [
    (cell, r) => (r === 0 ? cell : paint.bold(cell)),
    undefined,
    undefined,
    undefined,
    (cell, r) => (r === 0 ? cell : statusPaint(entries[r - 1]!.status, paint)(cell)),
    undefined,
    undefined,
  ]);
  lines[0] = paint.dim(lines[0]!);
  const widest = Math.max(...rows.map((r) => r.join('  ').length));
  if (width !== undefined && widest > width - 1) return narrowList(entries, paint);
  return `${lines.join('\n')}\n`;
}

/** The list on a narrow console (80 columns): the run, its status and duration; then, indented, the rest. */
function narrowList(entries: readonly RunListEntry[], paint: Paint): string {
  const out = [paint.dim('RUN · STATUS · DURATION'), paint.dim('    runbook · started (UTC) · operator · step')];
  for (const e of entries) {
    const step = e.step ?? (e.failedSteps ? `${e.failedSteps} failed, went on` : '');
    out.push(`${paint.bold(e.runId)}  ${statusPaint(e.status, paint)(`${statusSymbol(e.status)} ${e.status}`)}  ${formatMaybe(e.durationMs)}`);
    out.push(`    ${[e.runbook, formatTimestamp(e.startedAt), `${e.operator}@${e.hostname}`, step ? `at ${step}` : ''].filter(Boolean).join(' · ')}${e.tornLine ? ' (torn last line)' : ''}`);
  }
  return `${out.join('\n')}\n`;
}
