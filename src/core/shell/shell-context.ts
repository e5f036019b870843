/**
 * Where in bash syntax a position falls, which decides how a value placed there must be
 * escaped: a bare word, inside '…', inside "…", or in a here-document body. `unknown` marks
 * spots whose quoting this reader does not follow with certainty (backticks, $'…', ${…},
 * arithmetic, `case` inside $(…)): a value is refused there rather than risked.
 */
export type ShellContext = 'word' | 'single' | 'double' | 'heredoc' | 'heredoc-literal' | 'comment' | 'arith' | 'unknown';

/** The context at one offset, with the here-document delimiter when it is inside one. */
export interface ShellSpot {
  context: ShellContext;
  /** The delimiter of the here-document the spot is in; a value equal to it would end the document. */
  delimiter?: string;
  /**
   * Set when bash may evaluate the value as arithmetic (where array subscripts run commands):
   * the value is assigned to a variable that arithmetic, `[[ … -eq … ]]`, `let` or `declare -i` reads.
   * Says which variable.
   */
  reachesArithmetic?: string;
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
function opaqueAt(text: string, i: number, inDouble: boolean): { end: number; arith: boolean } | undefined {
  if (text.startsWith('$((', i)) return { end: opaqueEnd(text, i + 1, '((', '))'), arith: true };
  // `$[ … ]` is bash's old arithmetic: its `<<` is a shift, never a here-document.
  if (text.startsWith('$[', i)) return { end: opaqueEnd(text, i + 1, '[', ']'), arith: true };
  if (text.startsWith('${', i)) return { end: opaqueEnd(text, i + 1, '{', '}'), arith: false };
  if (text[i] === '`') return { end: opaqueEnd(text, i, '`', '`'), arith: false };
  if (inDouble) return undefined;
  if (text.startsWith('((', i)) return { end: opaqueEnd(text, i, '((', '))'), arith: true };
  if (text.startsWith("$'", i)) return { end: opaqueEnd(text, i + 1, "'", "'"), arith: false };
  return undefined;
}

const ARITH_TEST = /(^|\s)-(eq|ne|lt|le|gt|ge|v|R)(\s|$)/;
const NAME_AT = /^[A-Za-z_][A-Za-z0-9_]*(?=\+?=)/;
const IDENTIFIERS = /[A-Za-z_][A-Za-z0-9_]*/g;
const DOLLAR_NAMES = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

/** Text with every `$( … )` taken out (nesting followed, quoting not). */
function withoutSubstitutions(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$(', i) && !text.startsWith('$((', i)) {
      depth++;
      i++;
    } else if (depth > 0 && text[i] === '(') depth++;
    else if (depth > 0 && text[i] === ')') depth--;
    else if (depth === 0) out += text[i];
  }
  return out;
}

/** The end of the simple command starting at `i` (the next unquoted `;`, `&`, `|` or line end), roughly. */
function commandEnd(text: string, i: number): number {
  const m = /[;&|\n]/.exec(text.slice(i));
  return m ? i + m.index : text.length;
}

/** Reports the quoting context at each offset of a bash script. */
export function shellSpots(text: string, offsets: readonly number[]): ShellSpot[] {
  const scan = new ShellScan(text, offsets);
  scan.run();
  const { at, unsureFrom, assignments } = scan;
  const reached = namesReachingArithmetic(text, scan.arithTexts, assignments);
  return offsets.map((o) => {
    const spot: ShellSpot = o >= unsureFrom ? { context: 'unknown' } : (at.get(o) ?? { context: 'word' });
    const into = assignments.find((a) => o > a.from && o < a.to && reached.has(a.name));
    return into && spot.context !== 'arith' ? { ...spot, reachesArithmetic: into.name } : spot;
  });
}

interface Assignment {
  name: string;
  from: number;
  to: number;
}

/** Names whose values arithmetic reads, and, through assignments such as `m=$n`, the names those come from. */
function namesReachingArithmetic(text: string, arithTexts: readonly string[], assignments: readonly Assignment[]): Set<string> {
  const reached = new Set<string>();
  for (const t of arithTexts) for (const m of t.matchAll(IDENTIFIERS)) reached.add(m[0]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of assignments) {
      if (!reached.has(a.name)) continue;
      // A name read by a command inside $(…) reaches only that command, not the value assigned.
      for (const m of withoutSubstitutions(text.slice(a.from, a.to)).matchAll(DOLLAR_NAMES)) {
        if (!reached.has(m[1]!)) {
          reached.add(m[1]!);
          grew = true;
        }
      }
    }
  }
  return reached;
}

// One pass over the script, character by character, with a stack of quoting frames: a class
// keeps the position and what was found along the way, one method per kind of frame.
class ShellScan {
  readonly at = new Map<number, ShellSpot>();
  unsureFrom = Infinity;
  // Text that bash evaluates as arithmetic, and the assignments seen (name, where its value is written).
  readonly arithTexts: string[] = [];
  readonly assignments: Assignment[] = [];
  private readonly wanted: number[];
  private readonly stack: Frame[] = [{ kind: 'word', parens: 0, substitution: false }];
  private readonly pending: PendingHeredoc[] = [];
  private assigning: { name: string; from: number; depth: number } | undefined;
  private i = 0;

  constructor(
    private readonly text: string,
    offsets: readonly number[],
  ) {
    this.wanted = [...offsets].sort((a, b) => a - b);
  }

  run(): void {
    const { text, stack } = this;
    while (this.i < text.length) {
      const top = stack[stack.length - 1]!;
      const c = text[this.i]!;
      if (c === '\n' && this.pending.length > 0 && top.kind === 'word') this.heredocBodies();
      else if (top.kind === 'single') this.inSingle(c);
      else if (top.kind === 'double') this.inDouble(c);
      // A bare-word context: the top level, or the inside of $(…).
      else this.inWord(top, c);
    }
    if (this.assigning) this.assignments.push({ name: this.assigning.name, from: this.assigning.from, to: text.length });
  }

  /** Enters a quoting frame that starts with `length` characters at the reading position. */
  private open(frame: Frame, length: number): void {
    this.stack.push(frame);
    this.i += length;
  }

  private markRange(from: number, to: number, spot: ShellSpot): void {
    for (const o of this.wanted) if (o >= from && o < to && !this.at.has(o)) this.at.set(o, spot);
  }

  private markArith(from: number, to: number): void {
    this.arithTexts.push(this.text.slice(from, to));
    this.markRange(from, to, { context: 'arith' });
  }

  /** Marks an opaque construct (arithmetic, or quoting this reader does not follow) and steps past it. */
  private skipOpaque(opaque: { end: number; arith: boolean }): void {
    if (opaque.arith) this.markArith(this.i, opaque.end);
    else this.markRange(this.i, opaque.end, { context: 'unknown' });
    this.i = opaque.end;
  }

  // Here-document bodies start on the line after their operator, one after another.
  private heredocBodies(): void {
    const { text } = this;
    this.i++;
    for (const heredoc of this.pending.splice(0)) {
      for (;;) {
        const found = text.indexOf('\n', this.i);
        const lineEnd = found < 0 ? text.length : found;
        const line = text.slice(this.i, lineEnd);
        if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter || this.i >= text.length) {
          this.i = lineEnd + 1;
          break;
        }
        this.markRange(this.i, lineEnd, { context: heredoc.literal ? 'heredoc-literal' : 'heredoc', delimiter: heredoc.delimiter });
        this.i = lineEnd + 1;
      }
    }
  }

  private inSingle(c: string): void {
    this.markRange(this.i, this.i + 1, { context: 'single' });
    if (c === "'") this.stack.pop();
    this.i++;
  }

  private inDouble(c: string): void {
    const { text, i } = this;
    this.markRange(i, i + 1, { context: 'double' });
    const opaque = opaqueAt(text, i, true);
    if (opaque !== undefined) this.skipOpaque(opaque);
    else if (c === '\\') this.i += 2;
    else if (c === '"') {
      this.stack.pop();
      this.i++;
    } else if (c === '$' && text[i + 1] === '(') {
      this.stack.push({ kind: 'word', parens: 1, substitution: true });
      this.i += 2;
    } else this.i++;
  }

  private inWord(word: WordFrame, c: string): void {
    const { text, i } = this;
    const wordStart = i === 0 || /[\s;&|()<>]/.test(text[i - 1]!);
    this.trackAssignment(c, wordStart);
    this.markRange(i, i + 1, { context: 'word' });
    if (!this.wordConstruct(wordStart)) this.wordCharacter(word, c);
  }

  /** Ends the assignment being read at a word break, and starts one at a word that is `NAME=`. */
  private trackAssignment(c: string, wordStart: boolean): void {
    const { text, i } = this;
    if (this.assigning && this.assigning.depth === this.stack.length && /[\s;&|()<>]/.test(c)) {
      this.assignments.push({ name: this.assigning.name, from: this.assigning.from, to: i });
      this.assigning = undefined;
    }
    if (wordStart && !this.assigning) {
      const name = NAME_AT.exec(text.slice(i, i + 200))?.[0];
      if (name) this.assigning = { name, from: i, depth: this.stack.length };
    }
  }

  /** Steps over an opaque construct, a `[[ … ]]` test or a `let`/`declare` command; false when none starts here. */
  private wordConstruct(wordStart: boolean): boolean {
    const { text, i } = this;
    const opaque = opaqueAt(text, i, false);
    if (opaque !== undefined) {
      this.skipOpaque(opaque);
    } else if (wordStart && text.startsWith('[[', i) && /[\s]/.test(text[i + 2] ?? '')) {
      // `[[ … ]]` compares with -eq/-lt/… (and tests -v) by evaluating its operands as arithmetic.
      const close = text.indexOf(']]', i + 2);
      const end = close < 0 ? text.length : close + 2;
      if (ARITH_TEST.test(text.slice(i + 2, end - 2))) {
        this.markArith(i, end);
        this.i = end;
      } else this.i += 2;
    } else if (wordStart && /^(let|declare|typeset|local|export|readonly)\s/.test(text.slice(i, i + 9))) {
      const end = commandEnd(text, i);
      const args = text.slice(i, end);
      if (/^let\s/.test(args)) {
        this.markArith(i, end);
        this.i = end;
      } else {
        // `declare -i NAME=…` evaluates what NAME is given as arithmetic.
        if (/\s-[A-Za-z]*i/.test(args)) this.arithTexts.push(args.replace(/^\S+/, ''));
        this.i++;
      }
    } else return false;
    return true;
  }

  private wordCharacter(word: WordFrame, c: string): void {
    const { text, i, stack } = this;
    if (c === '\\') this.i += 2;
    else if (c === "'") this.open({ kind: 'single', close: "'" }, 1);
    else if (c === '"') this.open({ kind: 'double', close: '"' }, 1);
    else if (c === '$' && text[i + 1] === '(') this.open({ kind: 'word', parens: 1, substitution: true }, 2);
    else if (c === '#' && (i === 0 || /[\s;&|(]/.test(text[i - 1]!))) {
      // A comment runs to the end of the line; quotes in it (don't) quote nothing: a value there must not break the line.
      const end = text.indexOf('\n', i);
      this.markRange(i, end < 0 ? text.length : end, { context: 'comment' });
      this.i = end < 0 ? text.length : end;
    } else if (word.substitution && /^case\b/.test(text.slice(i, i + 5)) && /[\s;&|(]/.test(text[i - 1] ?? ' ')) {
      // `case` patterns end in `)`, which this reader would take for the end of $(…): from here on it cannot be sure.
      this.unsureFrom = Math.min(this.unsureFrom, i);
      this.i += 4;
    } else if (c === '(') {
      word.parens++;
      this.i++;
    } else if (c === ')') {
      word.parens--;
      if (word.parens === 0 && word.substitution) stack.pop();
      this.i++;
    } else if (text.startsWith('<<<', i)) this.i += 3;
    else if (text.startsWith('<<', i)) {
      const found = readDelimiter(text, i + 2);
      if (found) {
        this.pending.push(found.heredoc);
        this.i = found.end;
      } else this.i += 2;
    } else this.i++;
  }
}

/** Reports the quoting context at each offset of a bash script. */
export function shellContexts(text: string, offsets: readonly number[]): ShellContext[] {
  return shellSpots(text, offsets).map((spot) => spot.context);
}
