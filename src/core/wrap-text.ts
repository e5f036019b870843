/**
 * Breaks text into lines of at most `width` characters at spaces. Its own line breaks and each
 * line's indentation are kept; a word longer than the width stands on a line of its own.
 */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const indent = /^\s*/.exec(line)![0];
    const words = line.trim().split(/\s+/).filter(Boolean);
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
