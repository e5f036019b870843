/**
 * Where in bash syntax a position falls, which decides how a value placed there must be
 * escaped: a bare word, inside '…', inside "…", or in a here-document body.
 */
export type ShellContext = 'word' | 'single' | 'double' | 'heredoc' | 'heredoc-literal';

interface PendingHeredoc {
  delimiter: string;
  literal: boolean;
  stripTabs: boolean;
}

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

/** Reports the quoting context at each offset of a bash script. */
export function shellContexts(text: string, offsets: readonly number[]): ShellContext[] {
  const at = new Map<number, ShellContext>();
  const wanted = new Set(offsets);
  // A stack of contexts: command substitution inside double quotes starts a fresh word context.
  const stack: Array<{ kind: 'word' | 'single' | 'double' | 'backtick'; parens: number }> = [{ kind: 'word', parens: 0 }];
  const pending: PendingHeredoc[] = [];
  let i = 0;
  const mark = (context: ShellContext) => {
    if (wanted.has(i)) at.set(i, context);
  };
  while (i < text.length) {
    const top = stack[stack.length - 1]!;
    const c = text[i]!;
    if (c === '\n' && pending.length > 0 && top.kind !== 'single' && top.kind !== 'double') {
      // Here-document bodies start on the line after their operator, one after another.
      i++;
      for (const heredoc of pending.splice(0)) {
        for (;;) {
          const lineEnd = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
          const line = text.slice(i, lineEnd);
          const content = heredoc.stripTabs ? line.replace(/^\t+/, '') : line;
          if (content === heredoc.delimiter || i >= text.length) {
            i = lineEnd + 1;
            break;
          }
          for (let j = i; j < lineEnd; j++) if (wanted.has(j)) at.set(j, heredoc.literal ? 'heredoc-literal' : 'heredoc');
          i = lineEnd + 1;
        }
      }
      continue;
    }
    switch (top.kind) {
      case 'single':
        mark('single');
        if (c === "'") stack.pop();
        i++;
        continue;
      case 'double':
        mark('double');
        if (c === '\\') i += 2;
        else if (c === '"') (stack.pop(), i++);
        else if (c === '$' && text[i + 1] === '(') (stack.push({ kind: 'word', parens: 1 }), (i += 2));
        else if (c === '`') (stack.push({ kind: 'backtick', parens: 0 }), i++);
        else i++;
        continue;
      default:
        mark('word');
        if (c === '\\') i += 2;
        else if (c === "'") (stack.push({ kind: 'single', parens: 0 }), i++);
        else if (c === '"') (stack.push({ kind: 'double', parens: 0 }), i++);
        else if (c === '`') {
          if (top.kind === 'backtick') stack.pop();
          else stack.push({ kind: 'backtick', parens: 0 });
          i++;
        } else if (c === '$' && text[i + 1] === '(') (stack.push({ kind: 'word', parens: 1 }), (i += 2));
        else if (c === '(') (top.parens++, i++);
        else if (c === ')') {
          top.parens--;
          if (top.parens === 0 && stack.length > 1) stack.pop();
          i++;
        } else if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
          const found = readDelimiter(text, i + 2);
          if (found) {
            pending.push(found.heredoc);
            i = found.end;
          } else i += 2;
        } else if (c === '<' && text[i + 1] === '<' && text[i + 2] === '<') i += 3;
        else i++;
    }
  }
  return offsets.map((o) => at.get(o) ?? 'word');
}
