/** Joins the two words of a duration such as `1m 03s` or `2h 05m`: a duration is never broken over two lines. */
function keepDurations(words: string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    const last = out.at(-1);
    if (last !== undefined && ((/\d+h$/.test(last) && /^\d{1,2}m\b/.test(word)) || (/\d+m$/.test(last) && /^\d{1,2}s\b/.test(word)))) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

/**
 * Breaks text into lines of at most `width` characters at spaces. Its own line breaks and each
 * line's indentation are kept; a word longer than the width stands on a line of its own, and a duration (`1m 03s`) stays whole.
 */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const indent = /^\s*/.exec(line)![0];
    const words = keepDurations(line.trim().split(/\s+/).filter(Boolean));
    if (words.length === 0) {
      out.push('');
      continue;
    }
    let current = indent;
    for (const word of words) {
      if (current.trim() && current.length + 1 + word.length > width) {
        out.push(current);
        current = indent;
      }
      current += current.trim() ? ` ${word}` : word;
    }
    out.push(current);
  }
  return out;
}
