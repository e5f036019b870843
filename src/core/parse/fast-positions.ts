import type { YamlPath } from './yaml-path.js';

/**
 * Positions of the values of a block-style YAML text, found from where each map and list was
 * opened while it was loaded and a scan of the lines after it: a few hundredths of a second where
 * a position-keeping parse of a file of some MB takes seconds. Answers only what it is sure of
 * (block maps and lists, one-line values) and undefined otherwise, so the caller falls back to
 * the full parse: every answer given is the full parse's answer.
 */
export class FastPositions {
  private lineStarts: number[] | undefined;

  constructor(
    private readonly text: string,
    private readonly value: unknown,
    /** Where each map and list was opened, as the loader reported it (before spaces and comments). */
    private readonly opened: ReadonlyMap<object, number>,
  ) {}

  /** The offset of the value at `path` (of its key, when `key`), or of the nearest parent found; undefined when unsure. */
  valueOffset(path: YamlPath, key: boolean): number | undefined {
    let node: unknown = this.value;
    let parent: unknown;
    let found = 0;
    for (const part of path) {
      if (Array.isArray(node) && typeof part === 'number' && part >= 0 && part < node.length) {
        parent = node;
        node = node[part];
      } else if (isMap(node) && Object.hasOwn(node, String(part))) {
        parent = node;
        node = node[String(part)];
      } else break;
      found++;
    }
    if (found < path.length) {
      // A missing part: the nearest parent stands for it, as a map or list whose start is known.
      return typeof node === 'object' && node !== null ? this.start(node) : undefined;
    }
    if (found === 0) return typeof node === 'object' && node !== null ? this.start(node) : undefined;
    const last = path[path.length - 1]!;
    if (!key && typeof node === 'object' && node !== null) return this.start(node);
    const entry = this.entry(parent as object, last);
    if (!entry) return undefined;
    if (key && isMap(parent)) return entry.key;
    return entry.value;
  }

  /** The offset of the `occurrence`-th `needle` inside the one-line value at `path`; undefined when unsure. */
  needleOffset(path: YamlPath, needle: string, occurrence: number): number | undefined {
    const at = this.valueOffset(path, false);
    if (at === undefined || path.length === 0) return undefined;
    const c = this.text[at];
    if (c === '|' || c === '>' || c === '[' || c === '{') return undefined;
    const end = this.lineEnd(at);
    let from = at - 1;
    for (let i = 0; i <= occurrence; i++) {
      from = this.text.indexOf(needle, from + 1);
      if (from < 0 || from + needle.length > end) return undefined;
    }
    // A quoted value may go on over the next lines: only a value closed on its own line is sure.
    if ((c === '"' || c === "'") && !this.closesOnLine(at, end)) return undefined;
    return from;
  }

  /** The line (1-based) and column (1-based) of an offset. */
  linePos(offset: number): { line: number; col: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  /** Where a block map or list's content starts (its first key or `-`); undefined for flow style or anything unusual. */
  private start(node: object): number | undefined {
    const opened = this.opened.get(node);
    if (opened === undefined) return undefined;
    const at = this.skipToContent(opened);
    const c = this.text[at];
    if (at >= this.text.length || c === '[' || c === '{' || c === '&' || c === '!' || c === '?' || c === '%' || this.text.startsWith('---', at)) return undefined;
    if (Array.isArray(node) ? c !== '-' : c === '-' && /[\s]/.test(this.text[at + 1] ?? ' ')) return undefined;
    return at;
  }

  /** The key and value offsets of one entry of a block map or list, by scanning the lines of its column. */
  private entry(container: object, part: string | number): { key: number; value: number } | undefined {
    const start = this.start(container);
    if (start === undefined) return undefined;
    const column = start - this.lineStartOf(start);
    const isList = Array.isArray(container);
    let index = 0;
    let candidate: number | undefined = start;
    let lineStart = this.lineStartOf(start);
    for (;;) {
      if (candidate !== undefined) {
        if (isList) {
          if (this.text[candidate] !== '-') return undefined;
          if (index === part) return this.valueAfter(candidate + 1, candidate);
          index++;
        } else {
          const keyEnd = this.keyEnd(candidate, String(part));
          if (keyEnd !== undefined) return this.valueAfter(keyEnd + 1, candidate);
        }
      }
      const next = this.text.indexOf('\n', lineStart);
      if (next < 0) return undefined;
      lineStart = next + 1;
      let indent = 0;
      while (this.text[lineStart + indent] === ' ') indent++;
      const c = this.text[lineStart + indent];
      if (c === undefined) return undefined;
      if (c === '\n' || c === '\r' || c === '#') {
        candidate = undefined;
        continue;
      }
      if (c === '\t' || indent < column || this.text.startsWith('---', lineStart) || this.text.startsWith('...', lineStart)) return undefined;
      candidate = indent === column ? lineStart + indent : undefined;
    }
  }

  /** The offset of the `:` after `key` written at `at` (plain or quoted), if that is what stands there. */
  private keyEnd(at: number, key: string): number | undefined {
    const forms = [key, JSON.stringify(key), `'${key.replace(/'/g, "''")}'`];
    for (const form of forms) {
      if (!this.text.startsWith(form, at)) continue;
      let i = at + form.length;
      while (this.text[i] === ' ') i++;
      const after = this.text[i + 1];
      if (this.text[i] === ':' && (after === undefined || after === ' ' || after === '\n' || after === '\r')) return i;
    }
    return undefined;
  }

  /** The value written after an indicator on the same line; undefined when it is empty or on the next lines. */
  private valueAfter(from: number, key: number): { key: number; value: number } | undefined {
    let i = from;
    while (this.text[i] === ' ') i++;
    const c = this.text[i];
    if (c === undefined || c === '\n' || c === '\r' || c === '#' || c === '&' || c === '!' || c === '*' || c === '\t') return undefined;
    return { key, value: i };
  }

  private skipToContent(from: number): number {
    let i = from;
    for (;;) {
      const c = this.text[i];
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\uFEFF') i++;
      else if (c === '#') {
        const end = this.text.indexOf('\n', i);
        if (end < 0) return this.text.length;
        i = end;
      } else return i;
    }
  }

  private closesOnLine(at: number, end: number): boolean {
    const quote = this.text[at]!;
    for (let i = at + 1; i < end; i++) {
      const c = this.text[i];
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && this.text[i + 1] === "'") i++;
        else return true;
      }
    }
    return false;
  }

  private lineStartOf(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end;
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
