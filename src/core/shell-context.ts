/**
 * Where in bash syntax a position falls, which decides how a value placed there must be
 * escaped: a bare word, inside '…', inside "…", or in a here-document body. `unknown` marks
 * spots whose quoting this reader does not follow with certainty (backticks, $'…', ${…},
 * arithmetic, `case` inside $(…)): a value is refused there rather than risked.
 */
export type ShellContext = 'word' | 'single' | 'double' | 'heredoc' | 'heredoc-literal' | 'unknown';

/** The context at one offset, with the here-document delimiter when it is inside one. */
export interface ShellSpot {
  context: ShellContext;
  /** The delimiter of the here-document the spot is in; a value equal to it would end the document. */
  delimiter?: string;
}

interface PendingHeredoc {
  delimiter: string;
  literal: boolean;
  stripTabs: boolean;
}

interface WordFrame {
  kind: 'word';
  parens: number;
  substitution: boolean;
}
type Frame = WordFrame | { kind: 'single'; close: string } | { kind: 'double'; close: string };

/** Reads a here-document delimiter after `<<` or `<<-`; quoting any part of it makes the body literal. */
function readDelimiter(text: string, from: number): { heredoc: PendingHeredoc; end: number } | undefined {
  let i = from;
  const stripTabs = text[i] === '-';
  if (stripTabs) i++;
  while (text[i] === ' ' || text[i] === '\t') i++;
  let delimiter = '';
  let literal = false;
  while (i < text.length && !/[\s;&|<>()]/.test(text[i]!)) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      literal = true;
      const close = text.indexOf(c, i + 1);
      if (close < 0) return undefined;
      delimiter += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '\\') {
      literal = true;
      delimiter += text[i + 1] ?? '';
      i += 2;
    } else {
      delimiter += c;
      i++;
    }
  }
  return delimiter ? { heredoc: { delimiter, literal, stripTabs }, end: i } : undefined;
}

/** The end of an opaque construct opened at `i` (`$((…))`, `((…))`, `${…}`, `` `…` ``, `$'…'`), honouring nesting and backslashes. */
function opaqueEnd(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  // With the same opening and closing mark, the search starts after the opening one.
  for (let j = open === close ? i + open.length : i; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text.startsWith(open, j) && open !== close) {
      depth++;
      j += open.length - 1;
    } else if (text.startsWith(close, j)) {
      if (open === close || --depth === 0) return j + close.length;
      j += close.length - 1;
    }
  }
  return text.length;
}

/**
 * Where an opaque construct starting at `i` ends, if one starts there: `$((…))`, `${…}` and
 * backticks anywhere; `((…))` and `$'…'` only outside double quotes.
 */
function opaqueAt(text: string, i: number, inDouble: boolean): number | undefined {
  if (text.startsWith('$((', i)) return opaqueEnd(text, i + 1, '((', '))');
  if (text.startsWith('${', i)) return opaqueEnd(text, i + 1, '{', '}');
  if (text[i] === '`') return opaqueEnd(text, i, '`', '`');
  if (inDouble) return undefined;
  if (text.startsWith('((', i)) return opaqueEnd(text, i, '((', '))');
  if (text.startsWith("$'", i)) return opaqueEnd(text, i + 1, "'", "'");
  return undefined;
}

/** Reports the quoting context at each offset of a bash script. */
export function shellSpots(text: string, offsets: readonly number[]): ShellSpot[] {
  const at = new Map<number, ShellSpot>();
  const wanted = [...offsets].sort((a, b) => a - b);
  const markRange = (from: number, to: number, spot: ShellSpot) => {
    for (const o of wanted) if (o >= from && o < to && !at.has(o)) at.set(o, spot);
  };
  const stack: Frame[] = [{ kind: 'word', parens: 0, substitution: false }];
  const pending: PendingHeredoc[] = [];
  let unsureFrom = Infinity;
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1]!;
    const c = text[i]!;
    if (c === '\n' && pending.length > 0 && top.kind === 'word') {
      // Here-document bodies start on the line after their operator, one after another.
      i++;
      for (const heredoc of pending.splice(0)) {
        for (;;) {
          const found = text.indexOf('\n', i);
          const lineEnd = found < 0 ? text.length : found;
          const line = text.slice(i, lineEnd);
          if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter || i >= text.length) {
            i = lineEnd + 1;
            break;
          }
          markRange(i, lineEnd, { context: heredoc.literal ? 'heredoc-literal' : 'heredoc', delimiter: heredoc.delimiter });
          i = lineEnd + 1;
        }
      }
      continue;
    }
    if (top.kind === 'single') {
      markRange(i, i + 1, { context: 'single' });
      if (c === "'") stack.pop();
      i++;
      continue;
    }
    if (top.kind === 'double') {
      markRange(i, i + 1, { context: 'double' });
      const opaque = opaqueAt(text, i, true);
      if (opaque !== undefined) {
        markRange(i, opaque, { context: 'unknown' });
        i = opaque;
      } else if (c === '\\') i += 2;
      else if (c === '"') (stack.pop(), i++);
      else if (c === '$' && text[i + 1] === '(') (stack.push({ kind: 'word', parens: 1, substitution: true }), (i += 2));
      else i++;
      continue;
    }
    // A bare-word context: the top level, or the inside of $(…).
    const word: WordFrame = top;
    markRange(i, i + 1, { context: 'word' });
    const opaque = opaqueAt(text, i, false);
    if (opaque !== undefined) {
      markRange(i, opaque, { context: 'unknown' });
      i = opaque;
    } else if (c === '\\') i += 2;
    else if (c === "'") (stack.push({ kind: 'single', close: "'" }), i++);
    else if (c === '"') (stack.push({ kind: 'double', close: '"' }), i++);
    else if (c === '$' && text[i + 1] === '(') (stack.push({ kind: 'word', parens: 1, substitution: true }), (i += 2));
    else if (c === '#' && (i === 0 || /[\s;&|(]/.test(text[i - 1]!))) {
      // A comment runs to the end of the line; quotes in it (don't) quote nothing.
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (word.substitution && /^case\b/.test(text.slice(i, i + 5)) && /[\s;&|(]/.test(text[i - 1] ?? ' ')) {
      // `case` patterns end in `)`, which this reader would take for the end of $(…): from here on it cannot be sure.
      unsureFrom = Math.min(unsureFrom, i);
      i += 4;
    } else if (c === '(') (word.parens++, i++);
    else if (c === ')') {
      word.parens--;
      if (word.parens === 0 && word.substitution) stack.pop();
      i++;
    } else if (text.startsWith('<<<', i)) i += 3;
    else if (text.startsWith('<<', i)) {
      const found = readDelimiter(text, i + 2);
      if (found) {
        pending.push(found.heredoc);
        i = found.end;
      } else i += 2;
    } else i++;
  }
  return offsets.map((o) => (o >= unsureFrom ? { context: 'unknown' } : at.get(o) ?? { context: 'word' }));
}

/** Reports the quoting context at each offset of a bash script. */
export function shellContexts(text: string, offsets: readonly number[]): ShellContext[] {
  return shellSpots(text, offsets).map((spot) => spot.context);
}
