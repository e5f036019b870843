import { wrapText } from '../text/wrap-text.js';
import type { Paint } from '../views/paint.js';
import type { Readiness, ReadyItem, ReadyState } from './readiness-model.js';

const MARK: Record<ReadyState, string> = { ok: '✔ ok', failed: '✖ failed', unknown: '? unknown', skipped: '– skipped' };
const WIDTH = 80;

function cell(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text + ' '.repeat(width - chars.length) : `${chars.slice(0, width - 1).join('')}…`;
}

/** The readiness pass as a table that fits 80 columns, then every problem in full, then the verdict. */
export function readinessText(r: Readiness, paint: Paint): string {
  const widths = { area: 7, state: 9, measured: 12, target: 11 };
  const itemWidth = WIDTH - widths.area - widths.state - widths.measured - widths.target - 4 * 2;
  const row = (cells: [string, string, string, string, string]) =>
    [cell(cells[0], widths.area), cell(cells[1], itemWidth), cell(cells[2], widths.state), cell(cells[3], widths.measured), cell(cells[4], widths.target)].join('  ').trimEnd();
  const lines = [...wrapText(`Readiness of ${r.runbook} at ${r.checkedAt.replace(/\.\d+Z$/, 'Z')} (${r.file})`, WIDTH), '', paint.dim(row(['AREA', 'ITEM', 'STATE', 'MEASURED', 'TARGET']))];
  const colour = (state: ReadyState, text: string) => (state === 'ok' ? paint.green(text) : state === 'failed' ? paint.red(text) : state === 'unknown' ? paint.yellow(text) : paint.dim(text));
  for (const i of r.items) lines.push(colour(i.state, row([i.area, i.item, MARK[i.state], i.measured ?? '', i.target ?? ''])));
  const problems = r.items.filter((i) => i.state === 'failed' || i.state === 'unknown');
  if (problems.length) {
    lines.push('', 'Not ready:');
    for (const i of problems) lines.push(...wrapText(`${i.state === 'failed' ? '✖' : '?'} ${i.area} ${i.item}: ${i.detail ?? i.state}`, WIDTH - 4).map((l, n) => (n === 0 ? `  ${l}` : `    ${l}`)));
  }
  const counts = countStates(r.items);
  lines.push(
    '',
    r.ready
      ? paint.green(`READY: ${counts.ok} ok${counts.skipped ? `, ${counts.skipped} not checked (not read-only, or asked at a prompt)` : ''}.`)
      : paint.red(`NOT READY: ${counts.failed} failed, ${counts.unknown} could not be checked, ${counts.ok} ok.`),
  );
  return `${lines.join('\n')}\n`;
}

function countStates(items: readonly ReadyItem[]): Record<ReadyState, number> {
  const counts: Record<ReadyState, number> = { ok: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const i of items) counts[i.state] += 1;
  return counts;
}
