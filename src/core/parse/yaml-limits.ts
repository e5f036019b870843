/** How deeply a runbook, template, vars file or inventory may nest its maps and lists. */
export const MAX_NESTING = 64;
/** How many values aliases may add to a file beyond those written in it. */
export const MAX_ALIAS_GROWTH = 100_000;

// A block scalar's header: | or >, indicators, then nothing but a comment. Sticky, so testing it reads only from `at`.
const BLOCK_SCALAR_HEADER = /[|>][0-9+-]*[ \t]*(#.*)?$/y;

function isBlockScalarHeader(line: string, at: number): boolean {
  BLOCK_SCALAR_HEADER.lastIndex = at;
  return BLOCK_SCALAR_HEADER.test(line);
}

/**
 * Where a YAML text first nests deeper than `limit`, found without parsing it: a parser
 * recurses once per level, so a file nesting thousands of levels would exhaust the stack.
 * The count is conservative (it may count a level more than the parser sees, never fewer).
 */
export function nestingTooDeep(text: string, limit = MAX_NESTING): { offset: number; depth: number } | undefined {
  return new NestingScan(limit).run(text);
}

type TooDeep = { offset: number; depth: number };

/** Reads a YAML text line by line, keeping only what decides nesting: block indents, flow brackets, an open quote. */
class NestingScan {
  /** Columns of the block collections open at the current line. */
  private readonly stack: number[] = [];
  private flow = 0;
  private quote: '"' | "'" | undefined;
  /** A block scalar (| or >) owns every following line indented more than this column. */
  private scalarOwner: number | undefined;
  private lineStart = 0;

  constructor(private readonly limit: number) {}

  run(text: string): TooDeep | undefined {
    while (this.lineStart <= text.length) {
      let lineEnd = text.indexOf('\n', this.lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const found = this.line(text.slice(this.lineStart, lineEnd).replace(/\r$/, ''));
      if (found) return found;
      this.lineStart = lineEnd + 1;
    }
    return undefined;
  }

  private tooDeep(at: number): TooDeep {
    return { offset: this.lineStart + at, depth: this.stack.length + this.flow };
  }

  private line(line: string): TooDeep | undefined {
    let indent = 0;
    while (line[indent] === ' ') indent++;
    const blank = indent === line.length || line[indent] === '#';
    if (this.scalarOwner !== undefined) {
      if (blank || indent > this.scalarOwner) return undefined;
      this.scalarOwner = undefined;
    }
    let i = 0;
    if (this.quote === undefined && this.flow === 0) {
      if (blank) return undefined;
      const opened = this.blockLevels(line, indent);
      if (typeof opened !== 'number') return opened;
      i = opened;
    }
    return this.rest(line, i);
  }

  /** Pops the levels this line's indent closes and pushes those its `- ` and `? ` open; returns where its content starts. */
  private blockLevels(line: string, indent: number): number | TooDeep {
    const stack = this.stack;
    while (stack.length > 0 && stack[stack.length - 1]! > indent) stack.pop();
    let i = indent;
    if (line.startsWith('---', i) || line.startsWith('...', i)) i += 3;
    // Each `- ` or `? ` opens a level at its column; the content after the last one is one more.
    for (;;) {
      if (stack.length === 0 || stack[stack.length - 1]! < i) stack.push(i);
      if (stack.length > this.limit) return this.tooDeep(i);
      if ((line[i] === '-' || line[i] === '?') && (line[i + 1] === ' ' || i + 1 === line.length)) {
        i++;
        while (line[i] === ' ') i++;
        if (i === line.length) return i;
        continue;
      }
      return i;
    }
  }

  /**
   * The rest of the line, token by token: quoted scalars, flow brackets, comments, block scalars.
   * `valueStart`: at the start of a value, where a quote or a bracket opens something (inside
   * a plain scalar they are text); `afterSpace`: where a # starts a comment.
   */
  private rest(line: string, from: number): TooDeep | undefined {
    let valueStart = this.quote === undefined;
    let afterSpace = true;
    let i = from;
    while (i < line.length) {
      const c = line[i]!;
      if (this.quote !== undefined) {
        i = this.inQuote(line, i);
        valueStart = false;
        afterSpace = false;
        continue;
      }
      if (c === ' ' || c === '\t') {
        afterSpace = true;
        i++;
        continue;
      }
      if (c === '#' && afterSpace) break;
      afterSpace = false;
      if (valueStart && (c === '"' || c === "'")) {
        this.quote = c;
        i++;
        continue;
      }
      if (c === '[' || c === '{') {
        if (this.flow > 0 || valueStart) {
          this.flow++;
          if (this.stack.length + this.flow > this.limit) return this.tooDeep(i);
        }
      } else if (c === ']' || c === '}') {
        if (this.flow > 0) this.flow--;
      } else if (this.flow === 0 && valueStart && (c === '|' || c === '>') && isBlockScalarHeader(line, i)) {
        this.scalarOwner = from;
        break;
      }
      // An indicator starts a value after it; anything else is text until one.
      const next1 = line[i + 1];
      const spaceAfter = next1 === ' ' || next1 === '\t' || next1 === undefined;
      if (c === '[' || c === '{' || c === ',') valueStart = this.flow > 0 || valueStart;
      else if (c === ':' && spaceAfter) valueStart = true;
      else if ((c === '-' || c === '?') && spaceAfter && valueStart) valueStart = true;
      else if ((c === '&' || c === '!') && valueStart) {
        // An anchor or a tag comes before the value it marks.
        while (i < line.length && line[i] !== ' ') i++;
        continue;
      } else valueStart = false;
      i++;
    }
    return undefined;
  }

  /** One step inside a quoted scalar: an escape or a doubled quote is read whole; the closing quote ends it. */
  private inQuote(line: string, i: number): number {
    const quote = this.quote;
    const c = line[i];
    if (quote === '"' && c === '\\') return i + 2;
    if (c === quote && quote === "'" && line[i + 1] === "'") return i + 2;
    if (c === quote) this.quote = undefined;
    return i + 1;
  }
}

/** Why walking a value was stopped: an alias inside the value it names, too many values, too deep. */
export type ShapeLimit = 'cycle' | 'growth' | 'depth';

/** What a tree holds once its aliases are expanded, or where expanding it was stopped. */
export interface TreeShape {
  /** Nodes written in the file (each shared node counted once). */
  written: number;
  /** Nodes as a program walking the tree meets them: every alias expanded (up to the stop). */
  expanded: number;
  /** The deepest nesting met. */
  depth: number;
  stopped?: ShapeLimit;
  /** When stopped: the nodes from the root down to where it stopped. */
  path: unknown[];
}

/**
 * Measures a tree without recursion, visiting each shared node (an aliased map or list) once:
 * a few lines of aliases can stand for billions of values, which any later walk would visit one
 * by one. `childrenOf` gives a node's children, or undefined for a leaf. Stops at a cycle, once
 * the expansion adds more than `growth` nodes to those written, or below `depth` levels.
 */
export function measureTree(
  root: unknown,
  childrenOf: (node: unknown) => readonly unknown[] | undefined,
  limits: { growth: number; depth: number } = { growth: MAX_ALIAS_GROWTH, depth: MAX_NESTING },
): TreeShape {
  const done = new Map<unknown, { size: number; depth: number }>();
  const visiting = new Set<unknown>();
  const frames: Array<{ node: unknown; kids: readonly unknown[]; next: number; size: number; depth: number }> = [];
  let written = 0;
  let expanded = 0;
  let stopped: ShapeLimit | undefined;
  let result = { size: 0, depth: 0 };
  // Adds a measured node to the node being walked (or makes it the result).
  const add = (measured: { size: number; depth: number }) => {
    const parent = frames[frames.length - 1];
    if (!parent) result = measured;
    else {
      parent.size += measured.size;
      parent.depth = Math.max(parent.depth, measured.depth + 1);
    }
    // A shared node measured before may be deep itself: its depth counts from where it is used again.
    if (frames.length + measured.depth > limits.depth) stopped ??= 'depth';
  };
  const enter = (node: unknown) => {
    const known = done.get(node);
    if (known) {
      expanded += known.size;
      add(known);
      return;
    }
    const kids = childrenOf(node);
    written++;
    expanded++;
    if (kids === undefined) add({ size: 1, depth: 0 });
    else if (visiting.has(node)) stopped = 'cycle';
    else {
      visiting.add(node);
      frames.push({ node, kids, next: 0, size: 1, depth: 1 });
    }
  };
  enter(root);
  while (frames.length > 0 && stopped === undefined) {
    if (expanded - written > limits.growth) stopped = 'growth';
    else if (frames.length > limits.depth) stopped = 'depth';
    if (stopped) break;
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.kids.length) {
      enter(frame.kids[frame.next++]);
      continue;
    }
    frames.pop();
    visiting.delete(frame.node);
    const measured = { size: frame.size, depth: frame.depth };
    done.set(frame.node, measured);
    add(measured);
  }
  // Cut short, the nodes still open give a lower bound of the depth.
  let depth = result.depth;
  frames.forEach((f, i) => {
    depth = Math.max(depth, i + f.depth);
  });
  return { written, expanded, depth, stopped, path: stopped ? frames.map((f) => f.node) : [] };
}

/** The children of a loaded JavaScript value: a list's items, a map's values. */
export function valueChildren(value: unknown): readonly unknown[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return Array.isArray(value) ? value : Object.values(value);
}
