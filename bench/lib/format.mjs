// Text formatting shared by the console table and RESULTS.md.

/** A duration in ms with one decimal, e.g. "41.3 ms"; "—" when missing. */
export function ms(value) {
  return value === undefined ? '—' : `${value.toFixed(1)} ms`;
}

/** A ratio with two decimals, e.g. "1.23x"; "—" when missing. */
export function ratio(value) {
  return value === undefined ? '—' : `${value.toFixed(2)}x`;
}

/** A plain-text table with a header row, columns padded to their widest cell. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A Markdown table with a header row; pipes and newlines in cells are escaped. */
export function markdownTable(header, rows) {
  const cell = (c) => String(c).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
